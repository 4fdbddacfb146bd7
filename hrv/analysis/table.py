"""The windows of an analysis as values: their figures' names, one window
(:class:`AnalysisWindow`), a whole analysis (:class:`Analysis`) and its windows stored as
columns (:class:`WindowTable`). Built by :func:`~tolerance.hrv.analysis.windows.build_windows`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, overload

import numpy as np

__all__ = [
    "CORRECTED_KINDS",
    "CSV_COLUMNS",
    "FREQUENCY_KEYS",
    "TIME_KEYS",
    "Analysis",
    "AnalysisWindow",
    "Progress",
    "Values",
    "WindowTable",
]

CORRECTED_KINDS: Final = ("ectopic", "missed", "extra", "long", "short")
"""The classes a window's ``corrected`` counts, in the order of their ``corrected_<kind>`` CSV columns."""
TIME_KEYS: Final = ("HRV_MeanNN", "HRV_SDNN", "HRV_RMSSD", "HRV_pNN50", "HR")
FREQUENCY_KEYS: Final = ("HRV_VLF", "HRV_LF", "HRV_HF", "HRV_LFHF", "HRV_TP", "HF_peak_Hz")
CSV_COLUMNS: Final = (
    "start_s",
    "end_s",
    "n_beats",
    "covered_s",
    "segment",
    "corrected_share",
    "abnormal_share",
    *TIME_KEYS,
    *FREQUENCY_KEYS,
    *(f"corrected_{k}" for k in CORRECTED_KINDS),
    "reason",
)

Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each window."""
Values = dict[str, float | None]


@dataclass(frozen=True, slots=True)
class AnalysisWindow:
    """One window: bounds (s from the start of the input), NN count, coverage, metrics.

    ``covered_s`` is how much of the window the segment its intervals come from spans (s);
    ``segment`` is that segment's 0-based number (None when no beat falls in the window).
    """

    start_s: float
    end_s: float
    n_beats: int
    corrected_share: float | None
    values: Values
    reason: str | None
    covered_s: float = 0.0
    segment: int | None = None
    abnormal_share: float | None = None
    corrected: dict[str, int] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "n_beats": self.n_beats,
            "covered_s": self.covered_s,
            "segment": self.segment,
            "corrected_share": self.corrected_share,
            "abnormal_share": self.abnormal_share,
        }
        for key in (*TIME_KEYS, *FREQUENCY_KEYS):
            out[key] = self.values.get(key)
        out["corrected"] = {k: self.corrected.get(k, 0) for k in CORRECTED_KINDS}
        out["reason"] = self.reason
        return out


@dataclass(frozen=True, slots=True)
class Analysis:
    """Result of :func:`analyze_rr`; serialise with :meth:`to_json_dict` or :meth:`csv_rows`."""

    windows: Sequence[AnalysisWindow]
    artifacts: tuple[tuple[int, str], ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """``{"windows": [...], "artifacts": [{"index", "type"}], "parameters": {...}}``.

        The ``tolerance analyze`` contract (DESIGN.md): ``index`` is the 0-based position of
        the interval in the input; values that cannot be computed are null.
        """
        return {
            "windows": [w.to_json_dict() for w in self.windows],
            "artifacts": [{"index": i, "type": t} for i, t in self.artifacts],
            "parameters": dict(self.parameters),
        }

    def csv_rows(self) -> Iterator[list[object]]:
        """Header row (:data:`CSV_COLUMNS`), then one row per window; None for null."""
        yield list(CSV_COLUMNS)
        for w in self.windows:
            d = w.to_json_dict()
            d.update({f"corrected_{k}": n for k, n in d["corrected"].items()})
            yield [d[c] for c in CSV_COLUMNS]


class WindowTable(Sequence[AnalysisWindow]):
    """The windows of an analysis as columns, a read-only sequence of :class:`AnalysisWindow`.

    A month of 5-minute windows every 30 s is ~90,000 windows a day; as objects (a window, its
    dict of 11 values, their floats) they cost ~1 kB each, ~30 bytes per beat of the input. Here
    each is ~150 bytes of arrays, and an :class:`AnalysisWindow` is built only when it is read
    (``tolerance analyze`` writes them one at a time). Values are float64 columns with NaN for
    None (every engine gives floats or None: :meth:`~tolerance.hrv.time_domain.TimeDomain.as_dict`
    turns NaN into None), so reading a window gives back exactly what was stored.
    """

    __slots__ = (
        "_abnormal",
        "_covered",
        "_kinds",
        "_n",
        "_reasons",
        "_segment",
        "_share",
        "_starts",
        "_values",
        "_window_s",
    )

    def __init__(
        self,
        window_s: float,
        starts: np.ndarray,
        n: np.ndarray,
        share: np.ndarray,
        reasons: list[str | None],
        covered: np.ndarray,
        segment: np.ndarray,
        abnormal: np.ndarray,
        values: dict[str, np.ndarray],
        kinds: np.ndarray | None = None,
    ) -> None:
        self._window_s = window_s
        # Corrected NN intervals per window and class (:data:`CORRECTED_KINDS`), int32 columns.
        self._kinds = np.zeros((len(reasons), len(CORRECTED_KINDS)), dtype=np.int32) if kinds is None else kinds
        self._starts, self._n, self._share, self._reasons = starts, n, share, reasons
        self._covered, self._segment, self._abnormal, self._values = covered, segment, abnormal, values

    def __len__(self) -> int:
        return len(self._reasons)

    @overload
    def __getitem__(self, k: int) -> AnalysisWindow: ...

    @overload
    def __getitem__(self, k: slice) -> tuple[AnalysisWindow, ...]: ...

    def __getitem__(self, k: int | slice) -> AnalysisWindow | tuple[AnalysisWindow, ...]:
        if isinstance(k, slice):
            return tuple(self._window(i) for i in range(len(self))[k])
        return self._window(range(len(self))[k])  # negative indices, IndexError

    def __iter__(self) -> Iterator[AnalysisWindow]:
        # Columns turned into Python numbers a block at a time (numpy scalars are slow to test
        # and convert one by one): a few µs per window, a block's lists in memory.
        names = list(self._values)
        for k0 in range(0, len(self), _ITER_BLOCK):
            k1 = min(k0 + _ITER_BLOCK, len(self))
            starts, n, share = (c[k0:k1].tolist() for c in (self._starts, self._n, self._share))
            covered, segment, abnormal = (c[k0:k1].tolist() for c in (self._covered, self._segment, self._abnormal))
            values = [self._values[key][k0:k1].tolist() for key in names]
            kinds = self._kinds[k0:k1].tolist()
            for j in range(k1 - k0):
                yield AnalysisWindow(
                    starts[j],
                    starts[j] + self._window_s,
                    n[j],
                    _none_if_nan(share[j]),
                    {key: _none_if_nan(column[j]) for key, column in zip(names, values, strict=True)},
                    self._reasons[k0 + j],
                    covered[j],
                    segment[j] if segment[j] >= 0 else None,
                    _none_if_nan(abnormal[j]),
                    dict(zip(CORRECTED_KINDS, kinds[j], strict=True)),
                )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a sequence compared by value, like a list

    def __repr__(self) -> str:
        return f"WindowTable({len(self)} windows)"

    @property
    def reasons(self) -> list[str | None]:
        """Each window's reason for null values (None: it gives numbers), without building it."""
        return list(self._reasons)

    def _window(self, k: int) -> AnalysisWindow:
        values: Values = {key: _none_if_nan(float(column[k])) for key, column in self._values.items()}
        start = float(self._starts[k])
        seg = int(self._segment[k])
        return AnalysisWindow(
            start,
            start + self._window_s,
            int(self._n[k]),
            _none_if_nan(float(self._share[k])),
            values,
            self._reasons[k],
            float(self._covered[k]),
            seg if seg >= 0 else None,
            _none_if_nan(float(self._abnormal[k])),
            dict(zip(CORRECTED_KINDS, self._kinds[k].tolist(), strict=True)),
        )


_ITER_BLOCK: Final = 4096
"""Windows whose columns are turned into Python lists at a time when iterating."""


def _none_if_nan(v: float) -> float | None:
    return None if v != v else v  # NaN is the only float unequal to itself
