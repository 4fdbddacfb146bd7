"""Pairing from the sessions page: the server scans (here, for real, with no Bluetooth adapter:
clear words), lists straps by name and signal, and starts a session on the one picked."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Route

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spike(server_factory: Any) -> Any:
    """A server of this module's own (a session started here must not become another test's)."""
    return server_factory("--sim", "calm", "--seed", "9")


def test_without_an_adapter_the_page_says_what_to_check(browser: Browser, spike: Any, web: Any) -> None:
    w = web.open_page(browser, spike.url + "sessions", width=400, height=900)
    page = w.page
    page.click("#pair-scan")
    page.wait_for_function("() => document.querySelector('#pair-status').dataset.state === 'problem'", timeout=30000)
    text = page.text_content("#pair-status") or ""
    assert "Bluetooth" in text and "adapter" in text, text
    assert page.locator("#pair-list li").count() == 0 and page.is_enabled("#pair-scan")
    w.shot("sessions-no-adapter", full_page=False)
    w.check()


def test_straps_found_are_listed_by_name_and_signal_and_one_is_picked(browser: Browser, spike: Any, web: Any) -> None:
    found = {
        "straps": [
            {"name": "Polar H10 1A2B3C4D", "address": "AA:BB:CC:00:00:02", "rssi": -52},
            {"name": None, "address": "AA:BB:CC:00:00:01", "rssi": -81},
        ],
        "advice": None,
        "bluetooth": True,
    }

    def fake_scan(route: Route) -> None:  # what a scan near two straps answers
        route.fulfill(status=200, content_type="application/json", body=json.dumps(found))

    w = web.open_page(browser, spike.url + "sessions", before=lambda p: p.route(re.compile(r"/api/straps"), fake_scan))
    page = w.page
    page.fill("#pair-label", "Ana")
    page.click("#pair-scan")
    page.wait_for_function("() => document.querySelectorAll('#pair-list li').length === 2")
    items = page.locator("#pair-list li").all_text_contents()
    assert "Polar H10 1A2B3C4D" in items[0] and "strong signal (-52 dBm)" in items[0]
    assert "weak signal (-81 dBm)" in items[1]
    with page.expect_navigation():
        page.click("#pair-list li:first-child button")
    sid = re.search(r"session=([0-9a-f]+)", page.url)
    assert sid, page.url
    row = spike.http.get(spike.api(f"api/sessions/{sid.group(1)}")).json()
    assert row["source_id"] == "ble:AA:BB:CC:00:00:02" and row["label"] == "Ana"
    page.wait_for_function("() => document.querySelector('#source').textContent === 'Ana'")
    w.check()
