"""(c) Memory of one live session over a simulated 8-hour day.

The notifications of the whole day are generated *before* tracing starts (the offline
simulator, in 1-hour chunks, kept as plain tuples), so neither the simulator nor the input
list is counted. Then ``tracemalloc`` starts, one :class:`Engine` is created and fed; the
updates it returns are dropped, as a consumer that has handled them would. At 1 h, 2 h, 4 h
and 8 h of simulated time, after ``gc.collect()``, two figures:

* **reachable**: the sum of ``sys.getsizeof`` over every object reachable from the engine
  (``gc.get_referents`` walk; classes, functions and modules are not followed). This is the
  session's own state.
* **traced**: ``tracemalloc``'s current traced memory minus its value just before the engine
  was created: everything allocated since then that is still alive, including module-level
  caches filled on first use (e.g. the Hann windows' ``lru_cache``), which all sessions share.
  An upper bound of the per-session figure. A throwaway engine runs over the first 10
  minutes before tracing starts, so lazy imports and caches filled on first use (scipy's
  array-API shims) are not counted; caches that keep filling later (the Hann windows'
  ``lru_cache``, at most 64 entries per process, shared by all sessions) still are.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
import types
from typing import Any

from _common import Row
from bench_live import Note, notifications
from tolerance.hrv.engine import Engine

MIB = 1024 * 1024
_SKIP = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
)


def reachable_bytes(root: object) -> int:
    """``sys.getsizeof`` summed over the objects reachable from ``root`` (each counted once)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SKIP):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def day_notifications(hours: float, seed: int = 11) -> list[Note]:
    """``hours`` of the calm scenario, generated hour by hour (continuous time across hours)."""
    out: list[Note] = []
    for h in range(int(hours)):
        chunk = notifications("calm", seed + h, 3600.0)
        for n in chunk:
            out.append(None if n is None else (n[0] + 3600.0 * h, n[1], n[2], n[3]))
    return out


def run(quick: bool) -> list[Row]:
    hours = 1 if quick else 8
    checkpoints = [0.25, 0.5, 1.0] if quick else [1.0, 2.0, 4.0, 8.0]
    notes = day_notifications(hours)
    # A throwaway engine over the first 10 minutes first: lazy imports and module-level caches
    # (scipy's array-API shims, the Hann window cache) are filled before tracing starts.
    warm = Engine()
    for n in notes[:600]:
        warm.mark_gap() if n is None else warm.add(*n)
    del warm, n
    gc.collect()
    tracemalloc.start(1)
    try:
        gc.collect()
        base, _ = tracemalloc.get_traced_memory()
        engine = Engine()
        series: list[dict[str, Any]] = []
        marks = iter(checkpoints)
        mark = next(marks)
        for n in notes:
            if n is not None and n[0] > mark * 3600.0:
                series.append(_measure(engine, mark, base))
                mark = next(marks, None)
                if mark is None:
                    break
            engine.mark_gap() if n is None else engine.add(*n)
        if mark is not None:
            series.append(_measure(engine, mark, base))
        gc.collect()
        snap = tracemalloc.take_snapshot()
        top = [
            f"{s.traceback[0].filename.rsplit('/', 2)[-2:]!s}: {s.size / 1024:.1f} KiB"
            for s in snap.statistics("filename")[:5]
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    reach = [p["reachable_bytes"] for p in series]
    traced = [p["traced_bytes"] for p in series]
    worst = max(max(reach), max(traced))
    growth = reach[-1] - reach[0]
    flat = abs(growth) <= max(0.05 * reach[0], 16 * 1024)
    text = " / ".join(f"{p['hours']:g} h {p['reachable_bytes'] / 1024:.0f}" for p in series)
    text_t = " / ".join(f"{p['traced_bytes'] / 1024:.0f}" for p in series)
    verdict = "PASS" if worst < MIB and flat else "MISS"
    return [
        Row(
            figure=f"(c) memory per live session, {hours} h simulated day",
            target="< 1 MiB, flat",
            measured=f"reachable KiB: {text}; traced KiB: {text_t}",
            reference=(
                f"growth {series[0]['hours']:g} h -> {series[-1]['hours']:g} h: {growth / 1024:+.1f} KiB (reachable)"
            ),
            verdict=verdict + ("" if flat else " (not flat)"),
            details={
                "series": series,
                "peak_traced_bytes_incl_transients": peak - base,
                "top_traced_by_file_at_end": top,
                "notifications": len(notes),
            },
        )
    ]


def _measure(engine: Engine, hours: float, base: int) -> dict[str, Any]:
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    return {
        "hours": hours,
        "reachable_bytes": reachable_bytes(engine),
        "traced_bytes": current - base,
        "beats": engine.beats_out,
    }


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r)
