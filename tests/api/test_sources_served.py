"""Issue 23: over the API a source reads only what the worker allowed when starting the server,
and every bad source is a 4xx with a message (a real ``tolerance serve`` on 127.0.0.1)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import Served, start_server, stop_server

BEAT = "10495e039603"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    tmp = tmp_path_factory.mktemp("sources")
    allowed = tmp / "allowed"
    allowed.mkdir()
    (allowed / "mine.toml").write_text('name = "mine"\nduration_s = 60\n[heart]\nhr_bpm = 70\n')
    (allowed / "huge.toml").write_text("# padding\n" * 200_000)
    (allowed / "broken.toml").write_text("name = \n")
    os.mkfifo(allowed / "pipe.toml")
    os.mkfifo(allowed / "pipe.jsonl")
    lines = [json.dumps({"t": i * 1.0, "t_utc": 1.7e9 + i, "hex": BEAT}) for i in range(30)]
    (allowed / "good.jsonl").write_text("\n".join(lines) + "\n")
    (allowed / "cut.jsonl").write_text("\n".join(lines) + '\n{"t": 30.0, "t_ut')
    (allowed / "bad.jsonl").write_text(lines[0] + "\n{not json}\n" + lines[1] + "\n")
    served = start_server(
        tmp, "--sim", "calm", "--speed", "20", "--replay-dir", str(allowed), "--scenario-dir", str(allowed)
    )
    yield served, allowed
    stop_server(served)


def _post(served: Served, source: str) -> httpx.Response:
    # A timeout as a hang guard only: an answer that never comes fails the test.
    return httpx.post(served.url + "api/sessions", json={"source": source, "speed": 50}, timeout=60)


@pytest.mark.parametrize("source", ["sim:/dev/zero", "sim:/etc/passwd", "sim:/etc/no-such-file", "sim:../x"])
def test_a_simulated_source_outside_the_scenario_folder_is_refused_without_reading_it(
    served: tuple[Served, Path], source: str
) -> None:
    r = _post(served[0], source)
    assert r.status_code == 422, r.text
    message = json.dumps(r.json())
    assert "scenario files must be inside" in message
    assert "root" not in message.replace(str(served[1]), "")  # nothing of /etc/passwd's content


def test_whether_a_file_exists_outside_is_not_told(served: tuple[Served, Path]) -> None:
    there, missing = _post(served[0], "sim:/etc/passwd").json(), _post(served[0], "sim:/etc/no-such-file").json()
    assert json.dumps(there).replace("passwd", "X") == json.dumps(missing).replace("no-such-file", "X")


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("sim:pipe", "not a regular file"),
        ("sim:huge", "larger than"),
        ("sim:broken", "not valid TOML"),
        ("sim:nowhere", "does not exist"),
        ("replay:pipe.jsonl", "not a regular file"),
        ("replay:bad.jsonl", "bad.jsonl, line 2"),
        ("replay:a\x00b.jsonl", "control characters"),
        ("sim:a\x00b", "control characters"),
        ("replay:/etc/passwd", "replay files must be inside"),
    ],
)
def test_every_unusable_source_is_a_4xx_with_a_message(served: tuple[Served, Path], source: str, words: str) -> None:
    r = _post(served[0], source)
    assert r.status_code == 422, r.text
    assert words in json.dumps(r.json()), r.text


def test_a_bundled_scenario_and_one_in_the_scenario_folder_start(served: tuple[Served, Path]) -> None:
    for source in ("sim:calm", "sim:mine", "sim:mine.toml"):
        r = _post(served[0], source)
        assert r.status_code == 201, r.text
        httpx.delete(served[0].url + f"api/sessions/{r.json()['id']}", timeout=60)


def test_a_replay_with_a_cut_last_line_plays_the_rest(served: tuple[Served, Path]) -> None:
    r = _post(served[0], "replay:cut.jsonl")
    assert r.status_code == 201, r.text
    assert _post(served[0], "replay:good.jsonl").status_code == 201
    assert "cut.jsonl, line 31: the last line is cut short" in served[0].log.read_text()
