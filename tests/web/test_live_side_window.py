"""The live view as a worker keeps it: a 400 px side window, 900 px tall. The two actions stay in
view in every state, the words agree with the chart, times come from the server, and a first
visit explains what the page shows."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute

pytestmark = pytest.mark.browser

SIDE = {"width": 400, "height": 900}

IN_VIEW = """(ids) => ids.map((id) => {
  const el = document.getElementById(id);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { id, top: r.top, bottom: r.bottom, left: r.left, right: r.right, on_top: el === hit || el.contains(hit) };
})"""


def _assert_in_view(page: Page, what: str) -> None:
    for box in page.evaluate(IN_VIEW, ["marker", "breathe"]):
        assert box["top"] >= 0 and box["bottom"] <= SIDE["height"], (what, box)
        assert box["left"] >= 0 and box["right"] <= SIDE["width"], (what, box)
        assert box["on_top"], (what, box)  # not covered by a nudge, a note or anything else


def _hello(now: float) -> dict[str, Any]:
    session = {
        "id": "s1", "created_utc": now - 600, "ended_utc": None, "status": "live", "status_detail": None,
        "source_kind": "sim", "source_id": "sim:calm:1", "label": "Ana", "profile_id": None, "params": {},
        "connection": "connected", "device": {"battery_percent": 80},
    }  # fmt: skip
    return {"v": 1, "type": "hello", "session": session, "history": [], "zones": [], "episodes": []}


def _zone(now: float, zone: str, arousal: float | None, *, since: float, baseline: str = "calibration") -> str:
    return json.dumps({
        "v": 1, "type": "zone", "t": 600.0, "t_utc": now, "arousal": arousal, "zone": zone, "change": False,
        "since_utc": since, "within_share": 0.8, "baseline": baseline,
    })  # fmt: skip


@pytest.fixture(scope="module")
def calm(server_factory: Any, web: Any) -> Any:
    """A calibrated worker at rest (its window from its first 180 s: 9 s at --speed 20)."""
    return server_factory("--sim", "calm", "--seed", "4", "--speed", "20", "--baseline", "0:180")


def test_noticed_and_breathe_stay_in_view_at_400_px_in_every_zone_state(browser: Browser, calm: Any, web: Any) -> None:
    # The test plays the server's part on the websocket, so that every state can be shown in turn.
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        ws.on_message(lambda m: None)
        ws.send(json.dumps(_hello(time.time())))

    w = web.open_page(browser, calm.url, **SIDE, before=lambda p: p.route_web_socket(re.compile(r"/ws/"), route))
    page = w.page
    ws = sockets[-1]
    now = time.time()
    states = [
        ("warmup", None, "warmup", "starting up"),
        ("learning", 0.1, "learning", "getting to know you"),
        ("within", 0.2, "calibration", "within your window"),
        ("within", 1.8, "calibration", "drifting above your window"),
        ("hyper", 2.6, "calibration", "above your window"),
        ("hyper", 0.4, "calibration", "coming back into your window"),
        ("hypo", -3.1, "calibration", "below your window"),
        ("activity", 1.5, "calibration", "moving"),
        ("unknown", None, "population", "no signal"),
    ]
    for k, (zone, arousal, baseline, words) in enumerate(states):
        ws.send(_zone(now + k, zone, arousal, since=now - 120, baseline=baseline))
        page.wait_for_function(f"() => document.querySelector('#zone').textContent === {words!r}")
        assert page.get_attribute("#zone-card", "data-zone") == zone
        _assert_in_view(page, words)
        if zone == "learning":  # the baseline note (with its calibrate button) is shown too
            assert page.is_visible("#baseline-note")
        if k == 0:
            w.shot("side-warmup", full_page=False)
        if words == "coming back into your window":
            page.emulate_media(color_scheme="dark")
            page.wait_for_timeout(700)  # the card's colour eases
            w.shot("side-coming-back-dark", full_page=False)
            page.emulate_media(color_scheme="light")
    # A nudge while above the window, then a closed episode with its note form: still in view.
    ws.send(_zone(now + 20, "hyper", 2.4, since=now))
    ws.send(json.dumps({"v": 1, "type": "nudge", "t": 620.0, "arousal": 2.4, "above_s": 120.0,
                        "message": "You have been above your window for a while."}))  # fmt: skip
    page.wait_for_selector("#nudge:not([hidden])")
    _assert_in_view(page, "with the nudge")
    w.shot("side-nudge", full_page=False)
    ws.send(json.dumps({"v": 1, "type": "episode", "state": "close", "index": 0, "t": 700.0, "start_s": 500.0,
                        "peak_s": 560.0, "peak": 3.1, "return_s": 690.0, "recovery_s": 130.0, "tau_s": 48.0,
                        "tau_low_s": 30.0, "tau_high_s": 90.0, "r2": 0.8}))  # fmt: skip
    page.wait_for_selector("#note-form:not([hidden])")
    assert "back within it in about 2 minutes" in (page.text_content("#episode-text") or "")
    _assert_in_view(page, "with the note form")
    # Scrolled to the bottom (the details open): the two actions are still there.
    page.click("#details summary")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0
    _assert_in_view(page, "scrolled down")
    w.check()


def test_the_zone_words_agree_with_the_last_drawn_point_and_recoveries_are_in_words(
    browser: Browser, server_factory: Any, web: Any
) -> None:
    spike = server_factory(*web.spike_args(speed=10))
    w = web.open_page(browser, spike.url, **SIDE)
    page = w.page
    page.wait_for_function("() => document.querySelector('#zone-card').dataset.zone === 'hyper'", timeout=40000)
    # Read together, in one evaluation: the newest point of the chart, the band and the words.
    read = """() => [Number(document.querySelector('#arousal-chart').dataset.last),
      document.querySelector('#arousal-chart').dataset.band || '-2,1',
      document.querySelector('#zone').textContent]"""
    seen = set()
    deadline = time.monotonic() + 60
    while page.is_hidden("#note-form") and time.monotonic() < deadline:
        last, band, words = page.evaluate(read)
        lower, upper = (float(x) for x in band.split(","))
        if lower <= last <= upper:
            assert words in ("within your window", "coming back into your window"), (last, words)
        elif last > upper + 0.25:
            assert words in ("above your window", "drifting above your window"), (last, words)
        seen.add(words)
        page.wait_for_timeout(400)
    assert "coming back into your window" in seen  # the dwell after the index is back inside
    page.wait_for_selector("#note-form:not([hidden])", timeout=30000)
    text = page.text_content("#episode-text") or ""
    assert re.search(r"back within it in (under a minute|about \d+ minutes?)", text), text
    assert "τ" not in text and "time constant" not in text  # the technical figure is in the details
    assert "recovery time constant" in (page.text_content("#episode-figures") or "")
    assert page.is_hidden("#episode-figures")
    page.click("#details summary")
    assert page.is_visible("#episode-figures") and page.is_visible("#heart-chart canvas")
    _assert_in_view(page, "after the recovery")
    w.shot("side-recovered", full_page=False)
    w.check()


def test_since_comes_from_the_server_and_a_reload_keeps_it(browser: Browser, calm: Any, web: Any) -> None:
    w = web.open_page(browser, calm.url, **SIDE)
    page = w.page
    page.wait_for_function("() => document.querySelector('#zone').textContent === 'within your window'", timeout=30000)
    since = float(page.get_attribute("#zone-since", "data-since-utc") or "0")
    page.wait_for_timeout(2000)  # 40 s of the worker's time at --speed 20
    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=15000)
    page.wait_for_function("() => document.querySelector('#zone').textContent === 'within your window'")
    assert float(page.get_attribute("#zone-since", "data-since-utc") or "0") == since
    last = float(page.evaluate("() => Number(document.querySelector('#arousal-chart').dataset.points)"))
    assert last > 0
    w.check()


def test_the_first_visit_explains_the_window_and_it_can_be_closed_and_opened_again(
    browser: Browser, calm: Any, web: Any
) -> None:
    w = web.open_page(browser, calm.url, **SIDE, first_run=True)
    page = w.page
    page.wait_for_selector("#intro[open]")
    text = page.text_content("#intro") or ""
    for words in ("time between your heart beats", "Your window", "Above your window", "not findings", "Calibration"):
        assert words in text, words
    assert "self-care" not in text.lower() and "diagnos" in text  # "not a diagnosis"
    w.shot("side-intro", full_page=False)
    page.keyboard.press("Escape")  # a dialog closes from the keyboard too
    assert page.is_hidden("#intro")
    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=15000)
    assert page.is_hidden("#intro")  # read once: not shown again
    page.click("#intro-open")
    page.wait_for_selector("#intro[open]")
    page.click("#intro-close")
    assert page.is_hidden("#intro")
    page.click(".help summary")
    assert "Let it fall" in (page.text_content(".help") or "")
    w.check()
