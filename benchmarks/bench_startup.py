"""(d) Start-up: ``tolerance decode 10495e039603`` and ``tolerance --help``, whole process.

Wall clock of the whole process (``subprocess.run``), median of 7 runs each, the three
commands interleaved (floor, decode, help, floor, decode, help, ...). ``python -c pass`` (the
venv's interpreter, same environment) is the floor: what any Python command costs.

Heavy imports: each command is run once more as ``python -X importtime .venv/bin/tolerance
...`` and the modules it imported are read from stderr; the table says whether numpy,
neurokit2, bleak (or scipy, pandas) were among them.
"""

from __future__ import annotations

import subprocess
from typing import Any

from _common import PYTHON, TOLERANCE, Row, clean_env, fmt_s, interleaved, median, wall_of

HEAVY = ("numpy", "scipy", "pandas", "neurokit2", "bleak")
COMMANDS = {
    "tolerance decode 10495e039603": [TOLERANCE, "decode", "10495e039603"],
    "tolerance --help": [TOLERANCE, "--help"],
}


def imported_modules(args: list[str]) -> set[str]:
    """Top-level names of the modules imported by ``tolerance ARGS`` (``-X importtime``)."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", TOLERANCE, *args], capture_output=True, text=True, env=clean_env()
    )
    if proc.returncode != 0:
        raise RuntimeError(f"tolerance {' '.join(args)} exited {proc.returncode}: {proc.stderr[-300:]}")
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                names.add(name.split(".")[0])
    return names


def run(quick: bool) -> list[Row]:
    runs = 7
    env = clean_env()
    floor_cmd = [PYTHON, "-c", "pass"]
    cmds = [floor_cmd, *COMMANDS.values()]
    for c in cmds:  # warm the page cache
        wall_of(c, env=env)
    times = interleaved([lambda c=c: wall_of(c, env=env) for c in cmds], runs)
    floor = median(times[0])
    rows = []
    for (name, cmd), ts in zip(COMMANDS.items(), times[1:], strict=True):
        med = median(ts)
        details: dict[str, Any] = {"runs_s": ts, "median_s": med, "floor_runs_s": times[0], "floor_median_s": floor}
        try:
            mods = imported_modules(cmd[1:])
            heavy = [m for m in HEAVY if m in mods]
            details["heavy_imports"] = heavy
            details["modules_imported"] = len(mods)
            imports = "heavy imports: " + (", ".join(heavy) if heavy else "none (no numpy/neurokit2/bleak)")
        except Exception as exc:  # noqa: BLE001
            imports = f"imports: ERROR {exc}"
        rows.append(
            Row(
                figure=f"(d) start-up `{name}` (median of {runs})",
                target="< 0.3 s",
                measured=f"{fmt_s(med)}; {imports}",
                reference=f"`python -c pass` floor: {fmt_s(floor)}",
                ratio=f"{med / floor:.1f}x floor",
                verdict="PASS" if med < 0.3 else "MISS",
                details=details,
            )
        )
    return rows


if __name__ == "__main__":
    import sys

    for r in run("--quick" in sys.argv):
        print(r)
