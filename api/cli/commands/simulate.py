"""``tolerance simulate SCENARIO --seed N --duration S --out FILE.csv``: a simulated RR series
with its ground truth.

One row per beat the strap delivered (beats lost in a drop-out are not in the file, as in a
real recording; the jump in ``t_s`` shows the gap), in time order. Columns:

``t_s``
    True time of the beat, simulated seconds since the start.
``rr_ms``
    The RR interval ending at this beat as the strap reports it: whole 1/1024 s units
    converted to ms (exact). This is the column ``tolerance analyze`` reads.
``true_rr_ms``
    The same interval before quantisation (ms).
``hr_bpm``
    The model's mean heart rate when the interval was drawn (not the strap's smoothed HR).
``arousal``
    0 at rest, 1 at the peak of a stress event.
``vagal``
    Vagal factor: 1 at rest, lower while stress withdraws RSA and beat-to-beat variability.
``breathing_per_min``
    Breathing rate in force (breaths per minute).
``artifact``
    ``none``, ``ectopic`` (the short premature interval and its compensatory long one),
    ``missed`` (two intervals merged) or ``extra`` (one interval split in two).
``contact``
    1 when the strap reported skin contact, 0 during a contact loss.

Exit codes: 0 written; 2 unknown scenario or bad scenario file; 1 the output could not be
written.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from typing import Final

from tolerance.simulations import ScenarioError, load_scenario, simulate

from ..exits import ExitCode
from ..output import open_output

COLUMNS: Final = (
    "t_s",
    "rr_ms",
    "true_rr_ms",
    "hr_bpm",
    "arousal",
    "vagal",
    "breathing_per_min",
    "artifact",
    "contact",
    "activity",
)

_log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Simulate ``args.scenario`` and write the per-beat CSV to ``args.out``."""
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        sys.stderr.write(f"tolerance simulate: {exc}\n")
        return ExitCode.USAGE
    result = simulate(scenario, seed=args.seed, duration_s=args.duration)
    keep = result.beat_delivered
    rows = zip(
        result.beat_t_s[keep],
        result.beat_rr_ms[keep],
        result.beat_rr_true_ms[keep],
        result.beat_hr_bpm[keep],
        result.beat_arousal[keep],
        result.beat_vagal[keep],
        result.beat_breathing_per_min[keep],
        result.beat_artifact[keep],
        result.beat_contact[keep],
        result.beat_activity[keep],
        strict=True,
    )
    try:
        with open_output(args.out) as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            for t, rr, true_rr, hr, arousal, vagal, breathing, artifact, contact, activity in rows:
                # rr_ms is k * 0.9765625 ms, exact in a float: repr keeps every digit.
                writer.writerow(
                    (
                        f"{t:.4f}",
                        repr(float(rr)),
                        f"{true_rr:.3f}",
                        f"{hr:.2f}",
                        f"{arousal:.4f}",
                        f"{vagal:.4f}",
                        f"{breathing:g}",
                        str(artifact),
                        int(contact),
                        f"{activity:.4f}",
                    )
                )
    except BrokenPipeError:
        raise  # a closed reader (| head): the CLI treats it as success
    except OSError as exc:
        sys.stderr.write(f"tolerance simulate: cannot write {args.out}: {exc.strerror or exc}\n")
        return ExitCode.FAILURE
    _log.info(
        "simulated %s (seed %s): %d beats over %.0f s to %s",
        scenario.name,
        args.seed,
        int(keep.sum()),
        result.duration_s,
        args.out,
    )
    return ExitCode.OK
