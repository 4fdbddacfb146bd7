"""Breathing and resonance in the live page: the assessment started from the page with its
progress and per-rate table, and while the guide runs a breath count and time, and how well the
heart follows it with the coherence behind the words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_the_resonance_assessment_runs_from_the_page_and_ends_with_its_table(
    browser: Browser, server_factory: Any, web: Any
) -> None:
    # 5 rates x 2 min of beat time: 30 s at --speed 20.
    sim = server_factory("--sim", "calm", "--seed", "6", "--speed", "20", "--baseline", "0:180")
    w = web.open_page(browser, sim.url)
    page = w.page
    page.click("#resonance summary")
    page.click("#resonance-start")
    page.wait_for_function("() => /step \\d of 5/.test(document.querySelector('#resonance-status').textContent)")
    assert page.is_visible("#resonance-progress")
    assert page.is_disabled("#resonance-start")
    # The guide runs the protocol's rates: a breath count and time, and the heart's adherence.
    page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'true'", timeout=15000)
    page.wait_for_function("() => Number(document.querySelector('#breath-count').dataset.breaths) >= 1", timeout=20000)
    assert re.fullmatch(r"\d+ breaths? · \d+ s", page.text_content("#breath-count") or ""), page.text_content(
        "#breath-count"
    )
    page.wait_for_function(
        "() => /coherence 0\\.\\d\\d|coherence 1\\.00/.test(document.querySelector('#adherence').textContent)",
        timeout=20000,
    )
    coherence = float(page.get_attribute("#adherence", "data-coherence") or "nan")
    assert 0.0 <= coherence <= 1.0
    w.shot("live-resonance-running", full_page=False)
    page.wait_for_selector("#resonance-table:not([hidden])", timeout=90000)
    rows = page.locator("#resonance-table tbody tr")
    assert rows.count() == 5
    chosen = page.text_content("#resonance-table tbody tr[aria-current='true'] td") or ""
    assert re.search(r"Your breathing rate: [\d.]+ / min", page.text_content("#resonance-status") or "")
    assert chosen and chosen in (page.text_content("#resonance-status") or "")
    sid = web.session_id(sim)
    assert sim.http.get(sim.api(f"api/sessions/{sid}/pacer")).json()["rate_per_min"] == float(chosen)
    page.locator("#resonance").scroll_into_view_if_needed()
    w.shot("live-resonance-done")
    w.check()
