"""The daily review (/review) and the sessions page (/sessions) over the shared stress-spike server."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def _closed_episode(spike: Any, web: Any) -> None:
    sid = web.session_id(spike)
    web.wait_until(
        lambda: any(e["closed"] for e in spike.http.get(f"api/sessions/{sid}/episodes").json()),
        60,
        "the stress event's episode to close",
    )


def test_review_lists_the_days_episodes_with_their_curves(browser: Browser, spike: Any, web: Any) -> None:
    _closed_episode(spike, web)
    sid = web.session_id(spike)
    for _ in range(2):
        assert spike.http.post(f"api/sessions/{sid}/markers", json={"text": "noticed"}).status_code == 201
    day = spike.http.get("api/review").json()
    assert len(day["noticed"]) >= 2 and day["counts"]["day"]["noticed"] == len(day["noticed"])
    assert day["counts"]["day"]["recoveries"] >= 1 and day["counts"]["day"]["recovery_median_s"] > 0
    assert day["counts"]["week"]["noticed"] >= day["counts"]["day"]["noticed"]
    w = web.open_page(browser, spike.url + "review")
    page = w.page
    assert page.input_value("#date") == day["date"]
    cards = page.locator("#episodes > li")
    assert cards.count() == len(day["episodes"]) >= 1
    first = day["episodes"][0]
    assert page.get_attribute("#episodes > li:first-child", "data-points") == str(len(first["curve"]["t_s"]))
    assert page.locator("#episodes > li:first-child canvas").count() == 1
    figures = page.text_content("#episodes > li:first-child .e-figures") or ""
    assert f"τ {round(first['tau_s'])} s (95 % {round(first['tau_low_s'])}–" in figures
    assert first["half_recovery_s"] > 0 and "half-way back after" in figures
    words = page.text_content("#episodes > li:first-child .e-words") or ""
    assert "back within it in" in words and "τ" not in words
    # The whole day's arousal, every Noticed press, and the day's counts.
    assert int(page.get_attribute("#day-chart", "data-points") or "0") >= len(day["arousal"]["t_utc"]) // 2 > 20
    assert int(page.get_attribute("#day-chart", "data-noticed") or "0") >= 2
    assert page.locator("#moments li", has_text="Noticed").count() >= 2
    assert int(page.get_attribute("#practice", "data-noticed") or "0") >= 2
    assert "Times noticed" in (page.text_content("#practice") or "")
    # The live session runs on: the page's figure lies between the API's before and after it loaded.
    shown = int((page.text_content("#summary .big") or "").removesuffix(" %"))
    after = spike.http.get("api/review").json()["time_in_window"]["within_share"] * 100
    low, high = sorted((day["time_in_window"]["within_share"] * 100, after))
    assert round(low) - 1 <= shown <= round(high) + 1
    # A note from the review reaches the API.
    page.fill("#episodes > li:first-child input", "walked it off")
    page.click("#episodes > li:first-child button[type=submit]")
    status = "#episodes > li:first-child .e-status"
    page.wait_for_function(f"() => document.querySelector('{status}').textContent === 'saved'")
    notes = spike.http.get(f"api/sessions/{first['session_id']}/episodes").json()[first["index"]]["notes"]
    assert "walked it off" in [n["text"] for n in notes]
    w.shot("review")
    # Date navigation: the day before has nothing; back to today.
    page.click("#prev")
    page.wait_for_function("() => document.body.dataset.ready === 'true' && document.body.dataset.episodes === '0'")
    assert page.is_visible("#empty")
    page.click("#today")
    page.wait_for_function("() => document.body.dataset.ready === 'true' && document.body.dataset.episodes !== '0'")
    w.check()
    page.context.close()


def test_a_day_with_no_excursion_still_draws_its_arousal(browser: Browser, server_factory: Any, web: Any) -> None:
    calm = server_factory("--sim", "calm", "--seed", "5", "--speed", "20", "--baseline", "0:180")
    web.wait_until(
        lambda: sum(a is not None for a in calm.http.get(calm.api("api/review")).json()["arousal"]["arousal"]) > 30,
        30,
        "a few minutes of arousal",
    )
    w = web.open_page(browser, calm.url + "review")
    page = w.page
    assert page.get_attribute("body", "data-episodes") == "0" and page.is_visible("#empty")
    drawn = int(page.get_attribute("#day-chart", "data-points") or "0")
    assert drawn > 20 and page.locator("#day-chart canvas").count() == 1
    assert page.is_hidden("#day-empty")
    w.shot("review-calm-day")
    w.check()


def test_sessions_page_exports_every_format_and_the_csv_matches_the_api(browser: Browser, spike: Any, web: Any) -> None:
    sid = web.session_id(spike)
    w = web.open_page(browser, spike.url + "sessions")
    page = w.page
    page.click(f"tr[data-session='{sid}'] button.link")
    page.wait_for_selector("#exports a[data-format]")
    offered = page.eval_on_selector_all("#exports a[data-format]", "els => els.map(e => e.dataset.format)")
    schema = spike.http.get("openapi.json").json()["components"]["schemas"]["ExportName"]["enum"]
    assert offered == schema
    with page.expect_download() as info:
        page.click("#exports a[data-format=csv]")
    download = info.value
    assert download.suggested_filename == f"tolerance-{sid}.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    beats = {b["idx"]: b for b in spike.http.get(f"api/sessions/{sid}/beats").json()}
    assert len(rows) > 100 and len(rows) <= len(beats)  # the session runs on: the API has as many or more
    for row in rows:
        beat = beats[int(row["index"])]
        assert float(row["rr_ms"]) == pytest.approx(beat["rr_ms"])
        assert int(row["segment"]) == beat["segment"]
    assert page.is_visible("#calibrate")
    w.shot("sessions")
    page.click("#calibrate")
    assert page.is_visible("#calibration")
    w.shot("calibration-wizard", full_page=False)
    w.check()
    page.context.close()
