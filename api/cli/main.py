"""The `tolerance` command line: argument parsing and dispatch only.

Each sub-command lives in its own module of :mod:`.commands`, imported only when that command
runs, so that ``tolerance --help`` and ``tolerance decode`` start without numpy, neurokit2 or
bleak. A command module exposes ``run(args) -> int`` and imports nothing from here; exit
codes and the error table are in :mod:`.exits`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from .exits import ExitCode, exit_for

_log = logging.getLogger("tolerance")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive finite number")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 0-65535")
    return value


def _overlap(text: str) -> float:
    """A Welch overlap, a share from 0 to below 1."""
    value = _share(text)
    if value >= 1.0:
        raise argparse.ArgumentTypeError(f"an overlap must be below 1, got {text}")
    return value


def _share(text: str) -> float:
    """A share 0-1 (``--max-corrected-share``, ``--max-abnormal-share``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a share from 0 to 1, got {text}")
    return value


def _span(text: str) -> tuple[float, float]:
    start, sep, end = text.partition(":")
    try:
        a, b = float(start), float(end)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not START:END in seconds, e.g. 0:180") from None
    if not sep or not (0 <= a < b < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 <= START < END, in seconds")
    if b - a < 180:
        raise argparse.ArgumentTypeError(f"{text!r}: a calibration needs at least 180 s of seated rest")
    return a, b


def _serve_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Add ``serve``'s options to ``parser`` (``serve`` and ``service install``); returns them."""
    before = len(parser._actions)
    src = parser.add_mutually_exclusive_group()
    src.add_argument(
        "--sim",
        metavar="SCENARIO",
        action="append",
        help="simulated strap with this scenario (default: calm); repeat for several participants",
    )
    src.add_argument(
        "--device",
        metavar="NAME_OR_ADDRESS",
        action="append",
        help="real BLE strap by name or address; repeat for several straps",
    )
    src.add_argument(
        "--replay", metavar="FILE", action="append", help="play a recorded notification log through the live pipeline"
    )
    parser.add_argument(
        "--ecg",
        action="store_true",
        default=False,
        help="on a Polar H10, stream its ECG (130 Hz) too, stored raw (default: heart rate and accelerometer)",
    )
    parser.add_argument(
        "--no-accelerometer",
        dest="no_accelerometer",
        action="store_true",
        default=False,
        help="do not start a Polar H10's accelerometer (default: on, 25 Hz, to tell movement from stress)",
    )
    parser.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        help="run simulated/replayed time K times faster than real time (default 1)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for simulated straps (default: random)")
    parser.add_argument(
        "--baseline",
        metavar="START:END",
        type=_span,
        default=None,
        help="calibrate each session's baseline from its own beats between these seconds after its start "
        "(at least 180 s of seated rest; for demos and replays); default: population values until a calibration",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="the worker's profile: its stored baseline and window are used, a calibration updates it",
    )
    parser.add_argument(
        "--replay-dir",
        metavar="DIR",
        default=None,
        help="let POST /api/sessions replay notification logs from this folder (default: no replays over the API)",
    )
    parser.add_argument(
        "--scenario-dir",
        metavar="DIR",
        default=None,
        help="let POST /api/sessions simulate the .toml scenarios of this folder (default: bundled scenarios only)",
    )
    parser.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1: this machine only)")
    parser.add_argument(
        "--public-name",
        metavar="NAME",
        action="append",
        default=None,
        help="a host name or address clients use to reach this server besides --host (repeatable); "
        "requests naming any other Host are refused",
    )
    parser.add_argument("--port", type=_port, default=None, help="TCP port (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None,
        help="SQLite file (default: tolerance.sqlite3 in the user's data directory)",
    )
    return parser._actions[before:]


def build_parser() -> argparse.ArgumentParser:
    from tolerance.api.formats.registry import EXPORTS

    parser = argparse.ArgumentParser(
        prog="tolerance",
        description=(
            "Live HRV biofeedback against your window of tolerance, from a BLE chest strap "
            "or a simulated one. A training aid, not a diagnosis."
        ),
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the live server and print the URL to open")
    _serve_options(serve)

    scan = sub.add_parser("scan", help="list straps advertising the Heart Rate Service")
    scan.add_argument("--timeout", type=_positive_float, default=8.0, help="seconds to scan (default 8)")

    decode = sub.add_parser("decode", help="decode Heart Rate Measurement payloads given as hex")
    decode.add_argument("hex", nargs="+", metavar="HEX", help="payload bytes in hex, e.g. 10495e039603")

    simulate = sub.add_parser("simulate", help="write a simulated RR series with its ground truth to CSV")
    simulate.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="scenario name (calm, stress-spike, paced-breathing, artifacts) or a .toml file",
    )
    simulate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    simulate.add_argument(
        "--duration",
        type=_positive_float,
        default=None,
        help="seconds to simulate (default: the scenario's own length)",
    )
    simulate.add_argument("--out", metavar="FILE.csv", required=True, help="output CSV ('-' for stdout)")

    analyze = sub.add_parser("analyze", help="HRV of an RR-interval file in sliding windows, artifact-corrected")
    analyze.add_argument(
        "file",
        metavar="FILE",
        nargs="+",
        help="RR files (one per line, a CSV with a named RR column, Kubios, Polar Sensor Logger, HRV Logger, "
        "FIT) or folders of them; several files: analysed in parallel into one table",
    )
    analyze.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="run a batch of files on this Dask scheduler (tcp://host:8786) instead of local processes",
    )
    analyze.add_argument("--window", type=_positive_float, default=300.0, help="window length in seconds (default 300)")
    analyze.add_argument(
        "--step", type=_positive_float, default=30.0, help="step between windows in seconds (default 30)"
    )
    analyze.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
    analyze.add_argument("--out", metavar="PATH", default="-", help="output file (default stdout)")
    analyze.add_argument(
        "--engine",
        choices=("fast", "neurokit"),
        default="fast",
        help=(
            "fast: Tolerance's vectorised engine (default); "
            "neurokit: neurokit2's own functions, window by window (the slow reference)"
        ),
    )
    analyze.add_argument(
        "--spectrum",
        choices=("welch", "neurokit2", "kubios"),
        default="welch",
        help=(
            "welch: Welch PSD whose 3 segments cover the whole window (default); neurokit2: exactly "
            "nk.hrv_frequency(normalize=False, interpolation_rate=4), whose segment rule leaves the last "
            "quarter of about one window in four out; kubios: Kubios HRV's FFT spectrum and time domain, "
            "checked against public Kubios reports (docs/validation.md); its settings below"
        ),
    )
    kubios = analyze.add_argument_group("Kubios HRV's settings (with --spectrum kubios; defaults Kubios')")
    kubios.add_argument(
        "--detrend", choices=("priors", "none"), default=None, help="smoothness priors (default) or none"
    )
    kubios.add_argument(
        "--lambda", dest="lam", type=_positive_float, default=None, help="smoothness priors lambda (500)"
    )
    kubios.add_argument(
        "--welch-window", type=_positive_float, default=None, metavar="S", help="Welch segment, seconds (256)"
    )
    kubios.add_argument("--welch-overlap", type=_overlap, default=None, help="Welch overlap, share 0-<1 (0.5)")
    kubios.add_argument("--points-per-hz", type=_positive_float, default=None, help="frequency grid, points/Hz (300)")
    analyze.add_argument(
        "--interp-hz",
        type=_positive_float,
        default=None,
        help="resampling rate of the NN series for the spectrum, Hz (default 4; every --spectrum)",
    )
    analyze.add_argument(
        "--correction",
        choices=("auto", "none", "very-low", "low", "medium", "strong", "very-strong", "neurokit"),
        default=None,
        help=(
            "artifact correction: auto (Lipponen & Tarvainen, default), none, a Kubios threshold level "
            "(very-low 0.45 s ... very-strong 0.05 s from the local median, cubic-spline replacement), "
            "neurokit (neurokit2's peak moving; the only one --engine neurokit takes)"
        ),
    )
    analyze.add_argument(
        "--max-corrected-share",
        type=_share,
        default=0.20,
        help="windows with a larger share of corrected beats give no numbers (0-1, default 0.20)",
    )
    analyze.add_argument(
        "--max-abnormal-share",
        type=_share,
        default=0.10,
        help="the fixed-criterion quality gate: windows whose raw successive differences exceed 20 %% "
        "in a larger share give no numbers (0-1, default 0.10)",
    )
    analyze.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    analyze.add_argument(
        "--baseline",
        metavar="START:END",
        type=_span,
        default=None,
        help="calibrate the window of tolerance from the beats between these seconds of the file "
        "(at least 180 s of seated rest; its 60 s windows usable over all of it but the first 70 s); "
        "default: population values, flagged in the output",
    )
    analyze.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="use this stored profile's baseline and window instead (see --db)",
    )
    analyze.add_argument(
        "--db", metavar="PATH", default=None, help="SQLite file holding --profile (default: as for serve)"
    )

    review = sub.add_parser("review", help="a day's time in window, episodes and trend")
    review.add_argument("date", metavar="DATE", nargs="?", default=None, help="YYYY-MM-DD (default: today)")
    review.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    review.add_argument("--db", metavar="PATH", default=None, help="SQLite file (default: as for serve)")

    sessions = sub.add_parser("sessions", help="list the stored sessions: ids, labels, start, duration, status")
    sessions.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    sessions.add_argument("--db", metavar="PATH", default=None, help="SQLite file (default: as for serve)")

    export = sub.add_parser("export", help="export a stored session")
    export.add_argument("session", metavar="SESSION", help="session id (see `tolerance sessions`)")
    export.add_argument(
        "--format",
        choices=tuple(EXPORTS),
        default="csv",
        help="; ".join(f"{f.name}: {f.description}" for f in EXPORTS.values()) + " (default csv)",
    )
    export.add_argument("--out", metavar="PATH", required=True, help="output file ('-' for stdout)")
    export.add_argument("--force", action="store_true", help="overwrite --out if it exists (default: refuse)")
    export.add_argument("--db", metavar="PATH", default=None, help="SQLite file (default: as for serve)")

    forget = sub.add_parser("forget", help="delete stored sessions for good, leaving no trace in the database file")
    forget.add_argument("sessions", metavar="SESSION", nargs="*", help="session ids (see `tolerance sessions`)")
    forget.add_argument("--all", action="store_true", help="every stored session")
    forget.add_argument("--before", metavar="DATE", default=None, help="sessions started before DATE (local time)")
    forget.add_argument(
        "--profiles",
        action="store_true",
        help="also every stored profile (a worker's baseline, window and resonance rate, under their name)",
    )
    forget.add_argument(
        "--finish",
        action="store_true",
        help="remove the traces an earlier forget left while another program held the database open",
    )
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.add_argument("--db", metavar="PATH", default=None, help="SQLite file (default: as for serve)")

    service = sub.add_parser(
        "service", help="start `tolerance serve` at every login (a systemd user unit; other systems: README)"
    )
    actions = service.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install",
        help="write ~/.config/systemd/user/tolerance.service running `tolerance serve` with these options, "
        "and enable and start it when systemctl is there",
    )
    options = _serve_options(install)
    # The service command writes these back as `serve` arguments: (dest, flag, default, metavar).
    install.set_defaults(
        serve_options=tuple((a.dest, a.option_strings[-1], a.default, a.metavar) for a in options if a.option_strings)
    )
    actions.add_parser("uninstall", help="stop and disable the unit, and remove its file")
    actions.add_parser("status", help="whether the unit is installed, enabled and running, and what it runs")
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tolerance`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    module = importlib.import_module(f"{__package__}.commands.{args.command}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # noqa: T201 - the CLI's own voice
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:
        known = exit_for(exc)
        if known is None:
            raise
        code, message = known
        print(f"tolerance {args.command}: {message}", file=sys.stderr)  # noqa: T201
        return code


if __name__ == "__main__":
    sys.exit(main())
