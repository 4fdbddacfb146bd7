"""``analyze`` writes its JSON window by window: the same text as ``json.dumps`` of the document."""

from __future__ import annotations

import io
import json
import math

from tolerance.api.cli.commands.analyze import _json_safe, write_json


def test_write_json_is_json_dumps_of_the_whole_document() -> None:
    windows = [{"start_s": 0.0, "HRV_LF": math.nan, "reason": None}, {"start_s": 30.0, "HRV_LF": 1.5e3}]
    rest = [("artifacts", [{"index": 3, "type": "ectopic"}]), ("parameters", {"inf": math.inf, "é": "ü"})]
    out = io.StringIO()
    write_json(out, iter(windows), rest)
    doc = {"windows": windows, **dict(rest)}
    assert out.getvalue() == json.dumps(_json_safe(doc), allow_nan=False) + "\n"


def test_write_json_with_no_window() -> None:
    out = io.StringIO()
    write_json(out, iter(()), [("tolerance", None)])
    assert out.getvalue() == json.dumps({"windows": [], "tolerance": None}) + "\n"


def test_a_value_given_as_an_iterator_is_written_as_its_list() -> None:
    artifacts = [{"index": 3, "type": "ectopic"}, {"index": 9, "type": "missed", "x": math.inf}]
    for items in (artifacts, []):
        out = io.StringIO()
        write_json(out, iter(()), [("artifacts", iter(items)), ("excluded", [])])
        assert out.getvalue() == json.dumps(_json_safe({"windows": [], "artifacts": items, "excluded": []})) + "\n"
