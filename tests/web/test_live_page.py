"""The live view (/) in a real headless browser, on a simulated strap with a stress event."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, WebSocketRoute

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spike(server_factory: Any, web: Any) -> Any:
    """A worker of its own, started with this module, so the page sees the stress event arrive
    (at --speed 10: above the window 22-36 s after the start, time for a slow page to open)."""
    return server_factory(*web.spike_args(speed=10))


def _server_phase(pacer: dict[str, Any], t_utc: float) -> float:
    return ((t_utc - pacer["epoch_utc"]) * pacer["rate_per_min"] / 60.0) % 1.0


def _page_phase(page: Any) -> tuple[float, float]:
    """The guide's phase and the browser's clock (s), read together (one round trip, not two)."""
    phase, now_ms = page.evaluate("() => [Number(document.querySelector('#guide').dataset.phase), Date.now()]")
    return float(phase), float(now_ms) / 1000.0


def _circular_diff(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d)


def _events(server: Any, sid: str) -> list[dict[str, Any]]:
    exported = server.http.get(f"api/sessions/{sid}/export", params={"format": "json"}).json()
    return list(exported["events"])


def test_frames_fill_the_charts_and_numbers_and_the_zone_follows_the_stress_event(
    browser: Browser, spike: Any, web: Any
) -> None:
    w = web.open_page(browser, spike.url)
    page = w.page
    page.wait_for_function("() => Number(document.querySelector('#heart-chart').dataset.points) > 5", timeout=20000)
    page.wait_for_function("() => /^\\d+$/.test(document.querySelector('#hr').textContent)", timeout=20000)
    hr_before = int(page.text_content("#hr") or "0")
    assert 40 < hr_before < 120
    points = int(page.get_attribute("#heart-chart", "data-points") or "0")
    page.wait_for_function("() => document.querySelector('#zone').textContent === 'above your window'", timeout=40000)
    assert page.get_attribute("#zone-card", "data-zone") == "hyper"
    assert int(page.get_attribute("#heart-chart", "data-points") or "0") > points
    assert int(page.get_attribute("#arousal-chart", "data-points") or "0") > 3
    page.wait_for_function(f"() => Number(document.querySelector('#hr').textContent) > {hr_before + 5}", timeout=20000)
    assert page.is_visible("#arousal-chart canvas") and page.is_hidden("#heart-chart canvas")
    page.click("#details summary")  # heart rate and HRV are details, behind one disclosure
    assert page.is_visible("#heart-chart canvas")
    assert page.get_attribute("#connection", "data-state") == "connected"
    # Calibrated on its first 180 s: no population note.
    assert page.get_attribute("body", "data-baseline") == "calibration"
    assert page.is_hidden("#baseline-note")
    # The excursion ends (back within, then a minute's dwell): the page names its recovery.
    page.wait_for_selector("#note-form:not([hidden])", timeout=60000)
    page.wait_for_function("() => document.querySelector('#zone').textContent === 'within your window'")
    assert "back within it in" in (page.text_content("#episode-text") or "")
    assert "recovery time constant" in (page.text_content("#episode-figures") or "")
    assert int(page.get_attribute("body", "data-nudges") or "0") >= 1  # offered while above, gone since
    assert page.is_hidden("#nudge")
    page.wait_for_timeout(1000)  # the zone card's colour eases over 0.6 s
    w.shot("live-view")
    w.check()
    # A tab opened now draws the arousal of the last minutes at once, from its hello.
    late = web.open_page(browser, spike.url).page
    late.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=20000)
    assert int(late.get_attribute("#arousal-chart", "data-points") or "0") >= 20
    late.context.close()
    page.context.close()


def test_breathing_guide_follows_the_server_pacer_in_two_tabs(browser: Browser, spike: Any, web: Any) -> None:
    a = web.open_page(browser, spike.url)
    b = web.open_page(browser, spike.url)
    a.page.select_option("#ratio", "1,1")
    a.page.click("#breathe")
    for w in (a, b):
        w.page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'true'", timeout=10000)
    pacer = spike.http.get(spike.api(f"api/sessions/{web.session_id(spike)}/pacer")).json()
    assert pacer["running"] and pacer["rate_per_min"] == 6.0 and pacer["inhale_fraction"] == 0.5
    assert b.page.input_value("#ratio") == "1,1"
    for _ in range(2):  # sampled twice, some way apart in the cycle
        # Within 10 % of a breath cycle of the server's phase (the browser shares this machine's
        # clock), and so of each other.
        for page in (a.page, b.page):
            phase, at = _page_phase(page)
            assert _circular_diff(phase, _server_phase(pacer, at)) < 0.1, (phase, _server_phase(pacer, at))
        size = float(a.page.evaluate("() => document.querySelector('#guide').dataset.size"))
        assert 0.0 <= size <= 1.0
        time.sleep(2.5)
    a.shot("breathing-guide")
    b.page.click("#focus")
    assert b.page.is_hidden("#zone-card") and b.page.is_visible("#guide")
    b.shot("focus-mode", full_page=False)
    b.page.keyboard.press("Escape")
    assert b.page.is_visible("#zone-card")
    # Stopping from the other tab stops both.
    b.page.click("#breathe")
    for w in (a, b):
        w.page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'false'", timeout=10000)
        w.check()
        w.page.context.close()


def test_the_page_reconnects_and_resyncs_the_guide_after_the_link_drops_and_the_tab_sleeps(
    browser: Browser, spike: Any, web: Any
) -> None:
    # The test stands between page and server: it can drop the link and refuse reconnections.
    refuse = {"on": False}
    routes: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        if refuse["on"]:
            ws.close(code=1012, reason="test: server restarting")
            return
        ws.connect_to_server()
        routes.append(ws)

    w = web.open_page(browser, spike.url, before=lambda p: p.route_web_socket(re.compile(r"/ws/"), route))
    page = w.page
    sid = web.session_id(spike)
    spike.http.post(f"api/sessions/{sid}/pacer", json={"action": "start", "rate_per_min": 6})
    page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'true'", timeout=10000)
    refuse["on"] = True
    routes[-1].close(code=1012, reason="test: link dropped")
    page.wait_for_function("() => /^reconnecting \\([2-9]\\)$/.test(document.querySelector('#connection').textContent)")
    assert page.get_attribute("#connection", "data-state") == "reconnecting"
    refuse["on"] = False
    page.wait_for_function("() => Number(document.body.dataset.hellos) >= 2", timeout=15000)
    page.wait_for_function("() => document.querySelector('#connection').textContent === 'connected'")
    hellos = int(page.get_attribute("body", "data-hellos") or "0")
    # A sleeping tab: the main thread stops for 6.5 s; on waking the page starts over. (It then
    # works through the frames the test's proxy queued meanwhile: a generous wait under load.)
    page.evaluate("() => { const t = Date.now(); while (Date.now() - t < 6500) {} }")
    page.wait_for_function(f"() => Number(document.body.dataset.hellos) > {hellos}", timeout=30000)
    page.wait_for_timeout(2500)  # the first pings measure the clock again (the test's proxy relays them)
    pacer = spike.http.get(f"api/sessions/{sid}/pacer").json()
    phase, at = _page_phase(page)
    assert _circular_diff(phase, _server_phase(pacer, at)) < 0.1
    spike.http.post(f"api/sessions/{sid}/pacer", json={"action": "stop"})
    w.check()
    page.context.close()


def test_noticed_moving_and_an_episode_note_reach_the_api(browser: Browser, spike: Any, web: Any) -> None:
    w = web.open_page(browser, spike.url)
    page = w.page
    sid = web.session_id(spike)
    # The simulated H10 sends accelerometer frames: the page says movement needs no marker.
    page.wait_for_function("() => document.querySelector('#activity-signal').dataset.kind === 'accelerometer'")
    assert "accelerometer" in (page.text_content("#activity-signal") or "")
    page.click("#marker")
    page.keyboard.press("Tab")  # the toggle is next in the tab order, and works from the keyboard
    page.focus("#activity")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#activity').getAttribute('aria-pressed') === 'true'")
    page.click("#activity")
    page.wait_for_function("() => document.querySelector('#activity').getAttribute('aria-pressed') === 'false'")
    texts = web.wait_until(
        lambda: (
            (t := [e["data"].get("text") for e in _events(spike, sid) if e["type"] == "marker"])
            and {"noticed", "moving", "still"} <= set(t)
            and t
        ),
        10,
        "the markers in the export",
    )
    assert texts
    # The stress event's episode closes (back within the window, then 60 s of dwell).
    page.wait_for_selector("#note-form:not([hidden])", timeout=60000)
    index = int(page.get_attribute("#note-form", "data-index") or "-1")
    page.fill("#note-text", "a hard phone call")
    page.press("#note-text", "Enter")
    page.wait_for_function("() => document.querySelector('#note-status').textContent === 'saved'", timeout=10000)
    episodes = spike.http.get(f"api/sessions/{sid}/episodes").json()
    assert [n["text"] for n in episodes[index]["notes"]] == ["a hard phone call"]
    w.shot("live-episode-note")
    w.check()
    page.context.close()


def test_a_400_px_side_window_never_scrolls_sideways(browser: Browser, spike: Any, web: Any) -> None:
    for path in ("", "review", "sessions", "trainer"):
        w = web.open_page(browser, spike.url + path, width=400, height=900)
        w.page.wait_for_timeout(1500)  # frames arrive, charts draw
        width = w.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 400, (path, width)
        w.shot(f"narrow-{path or 'live'}")
        w.check()
        w.page.context.close()


def test_without_calibration_the_page_says_so_and_offers_it(browser: Browser, server_factory: Any, web: Any) -> None:
    calm = server_factory("--sim", "calm", "--seed", "2", "--speed", "20")
    w = web.open_page(browser, calm.url)
    page = w.page
    page.wait_for_selector("#baseline-note:not([hidden])", timeout=20000)
    # Without a calibration the window is learnt from the first minutes (provisional), and says so.
    assert re.search("Getting to know you|provisional", page.text_content("#baseline-text") or "")
    page.click("#calibrate")
    assert page.is_visible("#calibration")
    page.click("#cal-start")
    page.wait_for_function(
        "() => /% of the rest recorded/.test(document.querySelector('#cal-text').textContent)", timeout=30000
    )
    w.shot("calibrating", full_page=False)
    # 240 s of beat time later (12 s at --speed 20) the window is the worker's own.
    page.wait_for_function("() => document.body.dataset.baseline === 'calibration'", timeout=40000)
    assert page.text_content("#cal-step") == "Your own window is in use"
    page.click("#cal-close")
    assert page.is_hidden("#baseline-note")
    assert page.is_hidden("#calibration")
    w.check()
    page.context.close()
