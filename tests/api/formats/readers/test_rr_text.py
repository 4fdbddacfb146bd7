"""read_rr_file: layouts, units, typed errors with line numbers, implausible values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tolerance.api.formats import RRFileError, read_rr_file

RR_DIR = Path(__file__).parents[3] / "data" / "rr"


def _write(tmp_path: Path, text: str, name: str = "rr.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_one_value_per_line_in_ms() -> None:
    series = read_rr_file(RR_DIR / "pyhrv-nni-short-5min.txt")
    expected = np.loadtxt(RR_DIR / "pyhrv-nni-short-5min.txt")
    np.testing.assert_array_equal(series.rr_ms, expected)
    assert series.unit == "ms" and series.layout == "single-column"
    assert series.source_lines[0] == 1


def test_reads_the_rr_ms_column_of_a_csv(tmp_path: Path) -> None:
    path = _write(tmp_path, "t_s,rr_ms,flag\n0.8,800,0\n1.61,810.5,1\n", "rr.csv")
    series = read_rr_file(path)
    np.testing.assert_array_equal(series.rr_ms, [800.0, 810.5])
    assert series.layout == "named-column"
    np.testing.assert_array_equal(series.source_lines, [2, 3])


def test_kubios_two_columns_in_seconds_become_ms(tmp_path: Path) -> None:
    text = "Time (s)\tRR (s)\n0.812\t0.812\n1.620\t0.808\n2.450\t0.830\n"
    series = read_rr_file(_write(tmp_path, text))
    np.testing.assert_allclose(series.rr_ms, [812.0, 808.0, 830.0])
    assert series.unit == "s" and series.layout == "named-column"


def test_single_column_in_seconds_is_detected_by_the_median(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, "# exported\n0.8\n0.81\n0.79\n"))
    np.testing.assert_allclose(series.rr_ms, [800.0, 810.0, 790.0])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("800\n810\nabc\n", 3, "not a number"),
        ("800\nnan\n", 2, "not finite"),
        ("800\n-5\n", 2, "not positive"),
        ("", None, "no RR values"),
        ("just a header\n", None, "no RR values"),
    ],
)
def test_bad_content_raises_a_typed_error_with_the_line(
    tmp_path: Path, text: str, line: int | None, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RRFileError) as info:
        read_rr_file(path)
    assert info.value.line == line
    assert words in info.value.reason
    assert str(path) in str(info.value)


def test_missing_file_raises_rr_file_error(tmp_path: Path) -> None:
    with pytest.raises(RRFileError):
        read_rr_file(tmp_path / "nope.txt")


def test_implausible_values_are_excluded_and_reported(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, "800\n52\n810\n3500\n820\n"))
    np.testing.assert_array_equal(series.rr_ms, [800.0, 810.0, 820.0])
    np.testing.assert_array_equal(series.input_index, [0, 2, 4])
    assert [(e.index, e.line) for e in series.excluded] == [(1, 2), (3, 4)]
    assert "below 200 ms" in series.excluded[0].reason


def test_two_unnamed_columns_are_time_and_rr_when_the_time_steps_match(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, "0.80 800\n1.61 810\n2.40 790\n3.22 820\n"))
    np.testing.assert_array_equal(series.rr_ms, [800.0, 810.0, 790.0, 820.0])
    assert series.layout == "two-column"
    assert "time" in series.interpretation["two_columns"]


def test_two_unnamed_columns_that_are_not_time_and_rr_are_refused(tmp_path: Path) -> None:
    # RR first, elapsed time second: the last column is not RR, and nothing says which is.
    with pytest.raises(RRFileError, match="cannot be known"):
        read_rr_file(_write(tmp_path, "800 0.80\n810 1.61\n790 2.40\n820 3.22\n"))


def test_named_rr_column_is_read_beside_text_columns(tmp_path: Path) -> None:
    # `tolerance simulate` writes an artifact column holding "none": only rr_ms must parse.
    text = "t_s,rr_ms,artifact,contact\n0.93,933.6,none,1\n1.84,910.2,extra,1\n"
    series = read_rr_file(_write(tmp_path, text, "sim.csv"))
    np.testing.assert_array_equal(series.rr_ms, [933.6, 910.2])
    assert series.layout == "named-column"
    np.testing.assert_array_equal(series.source_lines, [2, 3])


def test_a_non_numeric_named_rr_field_after_the_data_starts_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "rr_ms,note\n800,ok\nabc,ok\n", "rr.csv")
    with pytest.raises(RRFileError) as info:
        read_rr_file(path)
    assert info.value.line == 3 and "'abc' is not a number" in info.value.reason


def test_lines_before_the_data_whose_rr_field_is_not_a_number_are_headers(tmp_path: Path) -> None:
    # e.g. a units line under the column names
    series = read_rr_file(_write(tmp_path, "t,rr_ms,flag\ns,ms,-\n0.8,800,x\n", "rr.csv"))
    np.testing.assert_array_equal(series.rr_ms, [800.0])


@pytest.mark.parametrize(
    "header",
    ["Time (s)  RR (s)", "Time [s]  RR interval [s]", "RR intervals exported", "time\trr (s)"],
)
def test_a_header_cannot_point_at_the_wrong_column(header: str, tmp_path: Path) -> None:
    # Blank-separated names with spaces, or a prose line mentioning RR: the data lines have
    # two fields, so the RR values are the last column (and seconds, by unit or by size).
    path = tmp_path / "rr.txt"
    rr = [0.8 + (k % 7) / 100 for k in range(1, 50)]
    t = np.cumsum(rr)
    path.write_text(header + "\n" + "".join(f"{t[k]:.3f} {rr[k]:.2f}\n" for k in range(49)))
    series = read_rr_file(path)
    assert series.rr_ms.size == 49
    assert np.all((series.rr_ms >= 800) & (series.rr_ms <= 860))
    assert series.unit == "s"


def test_trailing_delimiters_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "rr.csv"
    path.write_text("800,\n810,\n790,\n")
    assert list(read_rr_file(path).rr_ms) == [800.0, 810.0, 790.0]


def test_tolerances_own_beats_export_is_read_on_its_rr_column(tmp_path: Path) -> None:
    from tolerance.api.formats.writers.beats_csv import COLUMNS

    path = tmp_path / "beats.csv"
    lines = [",".join(COLUMNS)]
    lines += [f"{i},{i * 0.9:.6f},2026-12-01T09:00:00Z,{900 + i},{921 + i},0,true,normal,{880 + i}" for i in range(50)]
    path.write_text("\n".join(lines) + "\n")
    series = read_rr_file(path)
    assert series.rr_ms.tolist() == [900.0 + i for i in range(50)], "rr_ms as sent, not the corrected nn_ms"
