"""Every page at a worker's 400 px side window and at 1280x720, after a stress event and its
recovery: no sideways scrolling, the live page's actions on the first screen; the screenshots
(artifacts/screens/view-*.png) are the README's (scripts/screenshots.sh copies them to docs/)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SIZES = ((400, 900), (1280, 720))


def test_every_page_at_400_and_1280_px(browser: Browser, spike: Any, web: Any) -> None:
    sid = web.session_id(spike)
    web.wait_until(
        lambda: any(e["closed"] for e in spike.http.get(spike.api(f"api/sessions/{sid}/episodes")).json()),
        60,
        "the stress event's episode to close",
    )
    spike.http.post(spike.api(f"api/sessions/{sid}/markers"), json={"text": "noticed"})
    spike.http.post(spike.api(f"api/sessions/{sid}/episodes/0/notes"), json={"text": "after the hard phone call"})
    for width, height in SIZES:
        for path in ("", "review", "sessions", "summary"):
            w = web.open_page(browser, spike.url + path, width=width, height=height)
            page = w.page
            if path == "summary":
                page.click("#make")
                page.wait_for_selector("#sheet:not([hidden])")
                page.locator("#notes input").first.check()
            if path == "":
                page.wait_for_function("() => document.querySelector('#episode-box').dataset.state === 'close'")
                for button in ("#marker", "#breathe"):
                    box = page.locator(button).bounding_box()
                    assert box and box["y"] + box["height"] <= height, (width, button, box)
            page.wait_for_timeout(1200)  # frames arrive, charts draw, colours ease
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (path, width)
            w.shot(f"view-{path or 'live'}-{width}", full_page=width > 400)
            w.check()
            page.context.close()
