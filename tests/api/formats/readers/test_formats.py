"""Readers never guess silently: every case of the issue is read right (interpretation stated)
or refused naming the line or the columns."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from tolerance.api.formats import RRFileError, read_rr_file

DATA = Path(__file__).parents[3] / "data"
EXPECTED = np.loadtxt(DATA / "rr" / "pyhrv-nni-short-5min.txt")[:120]
RR = [812.0, 798.0, 1023.0, 845.0, 830.0, 901.0, 876.0, 820.0]


def _write(tmp_path: Path, text: str, name: str = "rr.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _table(header: str, rows: list[str], sep: str = ",") -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def test_rr_column_first_then_elapsed_is_read_by_its_name(tmp_path: Path) -> None:
    elapsed = np.cumsum(RR) / 1000
    text = _table("RR Interval (ms),Elapsed (s)", [f"{v:.0f},{e:.3f}" for v, e in zip(RR, elapsed, strict=True)])
    series = read_rr_file(_write(tmp_path, text))
    np.testing.assert_array_equal(series.rr_ms, RR)
    assert "RR Interval (ms)" in series.interpretation["rr_column"]
    assert "Elapsed (s)" in series.interpretation["time_columns"]


def test_rri_then_time_tab_separated(tmp_path: Path) -> None:
    elapsed = np.cumsum(RR) / 1000
    text = _table("RRI (ms)\tTime (s)", [f"{v:.0f}\t{e:.3f}" for v, e in zip(RR, elapsed, strict=True)])
    series = read_rr_file(_write(tmp_path, text, "rr.tsv"))
    np.testing.assert_array_equal(series.rr_ms, RR)
    assert series.interpretation["delimiter"] == "tab"


def test_a_csv_without_an_rr_column_is_refused_naming_its_columns(tmp_path: Path) -> None:
    text = _table("time,hr,steps", [f"{k},{70 + k % 3},{k * 2}" for k in range(20)])
    with pytest.raises(RRFileError) as info:
        read_rr_file(_write(tmp_path, text))
    assert "no column that can be RR" in info.value.reason
    assert all(name in info.value.reason for name in ("'time'", "'hr'", "'steps'"))


def test_r_peak_times_are_refused_as_beat_times(tmp_path: Path) -> None:
    peaks = np.cumsum(np.tile(RR, 4)) / 1000
    with pytest.raises(RRFileError, match="R-peak \\(beat\\) times"):
        read_rr_file(_write(tmp_path, "\n".join(f"{t:.3f}" for t in peaks) + "\n", "peaks.txt"))


def test_a_column_named_as_r_peak_times_is_converted_and_said(tmp_path: Path) -> None:
    peaks = np.concatenate([[0.5], 0.5 + np.cumsum(RR) / 1000])
    series = read_rr_file(_write(tmp_path, _table("R-peak time (s)", [f"{t:.3f}" for t in peaks])))
    np.testing.assert_allclose(series.rr_ms, RR, atol=1e-6)
    assert "differences" in series.interpretation["beat_times"]


def test_unquoted_thousands_separators_in_one_column(tmp_path: Path) -> None:
    rows = [f"{v:,.0f}" for v in RR]  # 1,023 among 812, 798 ...
    series = read_rr_file(_write(tmp_path, _table("RR (ms)", rows)))
    np.testing.assert_array_equal(series.rr_ms, RR)
    assert "thousands separator" in series.interpretation["number_format"]


def test_unquoted_thousands_separators_without_header(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, "\n".join(f"{v:,.0f}" for v in RR) + "\n", "rr.txt"))
    np.testing.assert_array_equal(series.rr_ms, RR)
    assert "thousands separator" in series.interpretation["number_format"]


def test_decimal_comma_seconds(tmp_path: Path) -> None:
    rows = [f"{v / 1000:.3f}".replace(".", ",") for v in RR]  # 0,812 ... 1,023
    series = read_rr_file(_write(tmp_path, "\n".join(rows) + "\n", "rr.txt"))
    np.testing.assert_allclose(series.rr_ms, RR)
    assert "decimal comma" in series.interpretation["number_format"]
    assert series.unit == "s"


def test_values_that_read_the_same_either_way_are_said_so(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, "1,023\n1,045\n1,101\n1,090\n", "rr.txt"))
    np.testing.assert_allclose(series.rr_ms, [1023.0, 1045.0, 1101.0, 1090.0])
    assert "same intervals" in series.interpretation["number_format"]


def test_decimal_comma_with_semicolons_and_a_time_column(tmp_path: Path) -> None:
    elapsed = np.cumsum(RR) / 1000
    rows = [f"{e:.3f};{v / 1000:.3f}".replace(".", ",") for v, e in zip(RR, elapsed, strict=True)]
    series = read_rr_file(_write(tmp_path, _table("Time (s);RR (s)", rows)))
    np.testing.assert_allclose(series.rr_ms, RR)
    assert series.interpretation["delimiter"] == "';'"
    assert "decimal comma" in series.interpretation["number_format"]


def test_an_unquoted_comma_in_a_comma_separated_table_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "rr_ms,flag\n812,0\n1,023,0\n845,0\n"
    with pytest.raises(RRFileError) as info:
        read_rr_file(_write(tmp_path, text))
    assert info.value.line == 3 and "1,023" in info.value.reason


def test_quoted_thousands_in_a_comma_separated_table(tmp_path: Path) -> None:
    series = read_rr_file(_write(tmp_path, 'rr_ms,flag\n812,0\n"1,023",0\n845,0\n'))
    np.testing.assert_array_equal(series.rr_ms, [812.0, 1023.0, 845.0])


def test_a_value_only_one_reading_accepts_decides(tmp_path: Path) -> None:
    # "1,5" cannot be a thousands separator: the column is decimal-comma seconds.
    series = read_rr_file(_write(tmp_path, "RR\n1,200\n1,250\n1,180\n1,5\n"))
    np.testing.assert_allclose(series.rr_ms, [1200.0, 1250.0, 1180.0, 1500.0])
    assert "decimal comma" in series.interpretation["number_format"]


def test_commas_plausible_neither_way_are_refused_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(RRFileError) as info:
        read_rr_file(_write(tmp_path, "RR (ms)\n1,2\n1,3\n1,25\n"))
    assert info.value.line == 2 and "ambiguous" in info.value.reason


@pytest.mark.parametrize("header", ["RR [ms]", "rr_interval", "IBI", "NN (ms)", "rr_ms"])
def test_rr_header_names(tmp_path: Path, header: str) -> None:
    series = read_rr_file(_write(tmp_path, _table(f"time;{header}", [f"{k};{v:.0f}" for k, v in enumerate(RR)])))
    np.testing.assert_array_equal(series.rr_ms, RR)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
     ("utf-16-le", b"")],
)  # fmt: skip
def test_boms_utf16_and_crlf(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "\r\n".join(["RR (ms);Time (s)", *[f"{v:.0f};{k}" for k, v in enumerate(RR)]]) + "\r\n"
    path = tmp_path / "rr.csv"
    path.write_bytes(bom + text.encode(encoding))
    series = read_rr_file(path)
    np.testing.assert_array_equal(series.rr_ms, RR)
    assert series.interpretation["encoding"].startswith("utf-")


def test_polar_sensor_logger_rr_file() -> None:
    series = read_rr_file(DATA / "formats" / "polar_sensor_logger_RR.txt")
    np.testing.assert_array_equal(series.rr_ms, EXPECTED)
    assert series.interpretation["reader"] == "polar-sensor-logger"
    assert "Phone timestamp" in series.interpretation["time_columns"]


def test_polar_sensor_logger_hr_file_is_refused_naming_the_rr_file() -> None:
    with pytest.raises(RRFileError, match="polar_sensor_logger_RR.txt"):
        read_rr_file(DATA / "formats" / "polar_sensor_logger_HR.txt")


def test_a_polar_sensor_logger_file_that_is_not_text_is_refused_at_its_byte(tmp_path: Path) -> None:
    raw = (DATA / "formats" / "polar_sensor_logger_RR.txt").read_bytes()
    cut = raw.index(b"\n") + 5
    path = tmp_path / "broken_RR.txt"
    path.write_bytes(raw[:cut] + b"\xff\xfe\xfa" + raw[cut:])
    with pytest.raises(RRFileError, match=f"not text in utf-8 .* at byte {cut}"):
        read_rr_file(path)


LONG = "1" * 140_000


@pytest.mark.parametrize(
    "text",
    [
        f"date,rr,since start\n2025-03-15 09:00:15.123,800,800\nx{LONG},800,1600\n",  # HRV Logger
        f'RR (ms),Time (s)\n800,1\n"{LONG}",2\n',  # a quoted field, headered
        f"rr_ms;t\n800;1\n{LONG};2\n",  # semicolons
    ],
)
def test_a_field_longer_than_csv_reads_is_refused_not_a_traceback(tmp_path: Path, text: str) -> None:
    with pytest.raises(RRFileError, match="a field of more than 131,072 characters"):
        read_rr_file(_write(tmp_path, text))


def test_hrv_logger_rr_export() -> None:
    series = read_rr_file(DATA / "formats" / "hrv_logger_RR.csv")
    np.testing.assert_array_equal(series.rr_ms, EXPECTED)
    assert series.interpretation["reader"] == "hrv-logger"


def test_elite_hrv_export() -> None:
    series = read_rr_file(DATA / "formats" / "elite_hrv.txt")
    np.testing.assert_array_equal(series.rr_ms, EXPECTED)
    assert series.unit == "ms" and "inferred" in series.interpretation["unit"]


def test_kubios_rr_text_two_columns() -> None:
    series = read_rr_file(DATA / "formats" / "kubios_rr.txt")
    np.testing.assert_allclose(series.rr_ms, EXPECTED)
    assert "Kubios" in series.interpretation["two_columns"]


def _fit_file(path: Path, rr_s: list[float], with_hrv: bool = True) -> Path:
    from garmin_fit_sdk import Encoder, Profile

    enc = Encoder()
    enc.write_mesg(
        {
            "mesg_num": Profile["mesg_num"]["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 0,
            "serial_number": 1,
            "time_created": datetime(2024, 3, 5, 9, 0, tzinfo=UTC),
        }
    )
    enc.write_mesg({"mesg_num": Profile["mesg_num"]["RECORD"], "heart_rate": 70})
    if with_hrv:
        for k in range(0, len(rr_s), 5):
            chunk = rr_s[k : k + 5]
            enc.write_mesg({"mesg_num": Profile["mesg_num"]["HRV"], "time": chunk + [65.535] * (5 - len(chunk))})
    path.write_bytes(enc.close())
    return path


def test_fit_file_hrv_messages(tmp_path: Path) -> None:
    series = read_rr_file(_fit_file(tmp_path / "run.fit", list(EXPECTED / 1000)))
    np.testing.assert_allclose(series.rr_ms, EXPECTED)
    assert series.layout == "fit-hrv" and series.interpretation["reader"] == "fit"


def test_fit_file_without_hrv_messages_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RRFileError, match="no HRV"):
        read_rr_file(_fit_file(tmp_path / "run.fit", [], with_hrv=False))


def test_a_damaged_fit_file_is_refused(tmp_path: Path) -> None:
    path = _fit_file(tmp_path / "run.fit", list(EXPECTED / 1000))
    data = bytearray(path.read_bytes())
    data[30] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(RRFileError, match="CRC"):
        read_rr_file(path)


def test_headerless_three_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RRFileError, match="no header naming the RR column"):
        read_rr_file(_write(tmp_path, "1;812;70\n2;798;71\n3;830;70\n", "rr.txt"))
