"""The generic RR text reader, asked last: plain one-per-line, CSV with a named RR column,
Kubios RR text.

Layouts read (every rule, and how each decision is stated: :mod:`.tabular`):

* one number per line, ms or s (Elite HRV's export is this layout: one RR interval in ms per
  line, no header, as described in "Reading RR intervals from EliteHRV with Pandas",
  dataespresso.com, 2017; and the plain layout of Kubios' RR import);
* a delimited table (``,`` ``;`` or tab) whose header names the RR column (``rr_ms``,
  ``RR (ms)``, ``RR [ms]``, ``RRI``, ``IBI``, ``NN``, ``rr_interval``, ``RR-interval [ms]``...)
  anywhere among other columns, which may hold text (``tolerance simulate``'s ``artifact``);
* Kubios' RR text: one column of RR values, or two columns ``time  RR`` separated by blanks,
  tabs, commas or semicolons, with optional text lines before the data (Kubios HRV user's
  guide, "RR interval data": "one column containing RR intervals or two columns containing
  the time index and RR intervals"). Without a header the two columns are taken as
  ``time, RR`` only when the time steps equal the RR values beside them.

Values that are not numbers, NaN, infinite, zero or negative make the file unusable:
:class:`RRFileError`, with the path, the 1-based line and the reason. Values that are numbers
but physiologically implausible (below :data:`MIN_PLAUSIBLE_RR_MS` or above
:data:`MAX_PLAUSIBLE_RR_MS`) are *excluded* from the series and listed in
:attr:`RRSeries.excluded` (e.g. the ~50 ms extra value some Garmin straps append): treating
such a value as a beat would shift every later beat's time. The bounds are the live
timeline's (:mod:`tolerance.hrv.timeline`), so a file and a live session drop the same values.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from tolerance.hrv.timeline import MAX_PLAUSIBLE_RR_MS, MIN_PLAUSIBLE_RR_MS

from ..kinds import RRReader
from ..rr_series import RRSeries
from .numbers import SECONDS_MEDIAN_LIMIT
from .tabular import TableSpec, read_table

__all__ = ["MAX_PLAUSIBLE_RR_MS", "MIN_PLAUSIBLE_RR_MS", "READER", "SECONDS_MEDIAN_LIMIT", "read_rr_text"]

_log = logging.getLogger(__name__)


def read_rr_text(path: str | Path) -> RRSeries:
    """Read RR intervals from a text file (layouts: module docstring; rules: :mod:`.tabular`).

    Raises
    ------
    RRFileError
        Unreadable file, no data, no column that can be RR, an ambiguous number or layout,
        beat times given as RR, a non-numeric, NaN, infinite, zero or negative value.
    """
    series = read_table(path, TableSpec(reader="rr-text"))
    if series.excluded:
        _log.warning("%s: %d implausible RR value(s) excluded", path, len(series.excluded))
    return series


READER: Final = RRReader(
    name="rr-text",
    description="plain one-per-line (ms or s), CSV with a named RR column, Kubios RR text, Elite HRV",
    sniff=lambda head: True,  # the fallback: it reads any text layout or refuses it with a reason
    read=read_rr_text,
)
