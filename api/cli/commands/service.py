"""``tolerance service install|uninstall|status``: start ``tolerance serve`` at login.

A systemd *user* unit, ``$XDG_CONFIG_HOME/systemd/user/tolerance.service`` (``~/.config/...``
by default), whose ``ExecStart`` is the absolute path of this very ``tolerance`` (the one in
this venv, pipx or uv tool environment) followed by ``serve`` and the options given to
``install`` (paths made absolute: the service does not start in the current folder). When
``systemctl`` is on PATH, ``install`` runs ``systemctl --user daemon-reload`` and ``enable
--now``, ``uninstall`` ``disable --now`` then removes the file; without it the file is still
written (or removed) and the command says what to run. No running systemd is needed to write
the file. Other systems (launchd on macOS, Task Scheduler on Windows): see the README.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

from ..exits import ExitCode, UsageError

UNIT_NAME: Final = "tolerance.service"
MARKER: Final = "# Written by `tolerance service install`; `tolerance service uninstall` removes it."
_PATH_METAVARS: Final = frozenset({"PATH", "FILE", "DIR"})
_PLAIN: Final = re.compile(r"[A-Za-z0-9_@+=:,./-]+")
SYSTEMCTL_TIMEOUT_S: Final = 60.0


def unit_path() -> Path:
    """Where systemd looks for the user's own units."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user" / UNIT_NAME


def tolerance_command() -> list[str]:
    """The absolute command that runs this Tolerance: its console script, or this Python with ``-m``."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "tolerance" and argv0.is_file():
        return [str(argv0.absolute())]
    # A venv (pipx and uv tool ones too) keeps its console scripts beside its python.
    beside = Path(sys.executable).absolute().parent / ("tolerance.exe" if os.name == "nt" else "tolerance")
    if beside.is_file():
        return [str(beside)]
    return [str(Path(sys.executable).absolute()), "-m", "tolerance.api.cli"]


def _value(value: Any, metavar: str | None) -> str:
    if isinstance(value, tuple):  # --baseline START:END
        return ":".join(f"{v:g}" for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    if metavar in _PATH_METAVARS or (metavar == "SCENARIO" and text.endswith(".toml")):
        return str(Path(text).expanduser().absolute())
    return text


def serve_arguments(args: argparse.Namespace) -> list[str]:
    """``serve``'s options as given to ``install``, back as command-line arguments."""
    out: list[str] = []
    for dest, flag, default, metavar in args.serve_options:
        value = getattr(args, dest)
        if value is None or value == default:
            continue
        if value is True:  # a flag (--ecg)
            out.append(flag)
            continue
        for item in value if isinstance(value, list) else [value]:
            out += [flag, _value(item, metavar)]
    return out


def quote(arg: str) -> str:
    """One ``ExecStart`` word: systemd's quoting (C-style escapes in double quotes), with ``%``
    (specifiers) and ``$`` (environment variables) doubled so that they stay literal."""
    text = arg.replace("%", "%%").replace("$", "$$")
    if _PLAIN.fullmatch(arg):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def unit_text(command: list[str]) -> str:
    return "\n".join(
        [
            MARKER,
            "[Unit]",
            "Description=Tolerance: live HRV biofeedback against your window of tolerance (tolerance serve)",
            "",
            "[Service]",
            "Type=exec",
            "ExecStart=" + " ".join(quote(a) for a in command),
            "Environment=PYTHONUNBUFFERED=1",
            # A strap out of reach or a busy port: try again, without hammering.
            "Restart=on-failure",
            "RestartSec=15",
            "",
            "[Install]",
            "WantedBy=default.target",
            "",
        ]
    )


def _systemctl(*argv: str) -> subprocess.CompletedProcess[str] | None:
    """``systemctl --user ARGV`` when systemctl is on PATH, else None."""
    exe = shutil.which("systemctl")
    if exe is None:
        return None
    try:
        return subprocess.run(
            [exe, "--user", *argv], capture_output=True, text=True, timeout=SYSTEMCTL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess([exe, "--user", *argv], 1, "", "systemctl did not answer within 60 s")


def _run_steps(steps: list[list[str]], todo: str) -> int:
    """Run the systemctl steps in order; on the first failure (or with no systemctl) say what to run."""
    commands = "\n".join("  systemctl --user " + " ".join(step) for step in steps)
    for step in steps:
        done = _systemctl(*step)
        if done is None:
            print(f"systemctl is not on PATH: to {todo}, run where systemd runs your session:\n{commands}")
            return ExitCode.OK
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()
            print(
                f"tolerance service: `systemctl --user {' '.join(step)}` failed"
                + (f": {why[-1]}" if why else f" (exit {done.returncode})")
                + f"\nTo {todo}, run once a systemd user session is up:\n{commands}",
                file=sys.stderr,
            )
            return ExitCode.FAILURE
    return ExitCode.OK


def install(args: argparse.Namespace) -> int:
    path = unit_path()
    if path.exists() and MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(f"{path} exists and was not written by Tolerance; move it away first")
    command = [*tolerance_command(), "serve", *serve_arguments(args)]
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(unit_text(command), encoding="utf-8")
    tmp.replace(path)
    print(f"{'Updated' if existed else 'Wrote'} {path}: {' '.join(quote(a) for a in command)}")
    code = _run_steps([["daemon-reload"], ["enable", "--now", UNIT_NAME]], "start it now and at every login")
    if code == ExitCode.OK and shutil.which("systemctl") is not None:
        if existed:
            code = _run_steps([["restart", UNIT_NAME]], "run the new options")
        if code == ExitCode.OK:
            print(f"Started, and starts at every login. Its address: journalctl --user -u {UNIT_NAME} -n 5")
    return code


def uninstall(args: argparse.Namespace) -> int:
    path = unit_path()
    if not path.exists():
        print(f"No Tolerance service installed ({path} does not exist).")
        return ExitCode.OK
    if MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        raise UsageError(f"{path} was not written by Tolerance; left as it is")
    code = _run_steps([["disable", "--now", UNIT_NAME]], "stop it")
    # What `enable` made, gone even when systemctl could not say so itself.
    wanted = path.parent / "default.target.wants" / UNIT_NAME
    if wanted.is_symlink():
        wanted.unlink()
    path.unlink()
    print(f"Removed {path}.")
    if code == ExitCode.OK:
        code = _run_steps([["daemon-reload"]], "make systemd forget it")
    return code


def status(args: argparse.Namespace) -> int:
    path = unit_path()
    if not path.exists():
        print(f"Not installed ({path} does not exist). `tolerance service install [serve options]` installs it.")
        return ExitCode.OK
    text = path.read_text(encoding="utf-8", errors="replace")
    start = next((line.removeprefix("ExecStart=") for line in text.splitlines() if line.startswith("ExecStart=")), "?")
    print(f"Installed: {path}\nRuns: {start}")
    enabled, active = _systemctl("is-enabled", UNIT_NAME), _systemctl("is-active", UNIT_NAME)
    if enabled is None or active is None:
        print("systemctl is not on PATH: whether it is enabled or running is unknown here.")
    else:
        print(f"Enabled: {enabled.stdout.strip() or 'unknown'}   Running: {active.stdout.strip() or 'unknown'}")
        print(f"Its log and address: journalctl --user -u {UNIT_NAME} -n 20")
    return ExitCode.OK


def run(args: argparse.Namespace) -> int:
    if sys.platform in ("darwin", "win32"):
        raise UsageError(
            "tolerance service writes a systemd user unit (Linux); on macOS use a launchd agent and on "
            "Windows a Task Scheduler task (see the README's command line section)"
        )
    action = {"install": install, "uninstall": uninstall, "status": status}[args.action]
    return int(action(args))
