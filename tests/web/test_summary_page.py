"""A worker's own printable summary (/summary): made only on request, with the counts of the
period and only the notes the worker chose."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_the_summary_is_made_on_request_and_prints_only_the_chosen_notes(
    browser: Browser, spike: Any, web: Any
) -> None:
    sid = web.session_id(spike)
    web.wait_until(
        lambda: any(e["closed"] for e in spike.http.get(spike.api(f"api/sessions/{sid}/episodes")).json()),
        60,
        "the stress event's episode to close",
    )
    for text in ("a call with a family", "a private thought"):
        assert (
            spike.http.post(spike.api(f"api/sessions/{sid}/episodes/0/notes"), json={"text": text}).status_code == 201
        )
    assert spike.http.post(spike.api(f"api/sessions/{sid}/markers"), json={"text": "noticed"}).status_code == 201
    w = web.open_page(browser, spike.url + "summary", width=400, height=900)
    page = w.page
    assert page.is_hidden("#sheet")
    assert not [u for u in w.requests if "/api/summary" in u]  # nothing made until asked
    page.select_option("#period", "month")
    page.click("#make")
    page.wait_for_selector("#sheet:not([hidden])")
    made = spike.http.get(spike.api("api/summary"), params={"period": "month"}).json()
    assert len(made["days"]) == 30 and made["totals"]["noticed"] >= 1 and made["totals"]["recoveries"] >= 1
    totals = page.text_content("#totals") or ""
    assert "Times I noticed" in totals and "Recoveries" in totals and "Time in my window" in totals
    assert page.locator("#days tbody tr").count() >= 1
    # The worker ticks one note; on paper only it appears, and no control.
    page.locator("#notes li", has_text="a call with a family").locator("input").check()
    page.emulate_media(media="print")
    assert page.is_visible("#notes li:has-text('a call with a family')")
    assert page.is_hidden("#notes li:has-text('a private thought')")
    assert page.is_hidden("#make") and page.is_hidden("#print")
    w.shot("summary-print", full_page=True)
    page.emulate_media(media="screen")
    w.check()
