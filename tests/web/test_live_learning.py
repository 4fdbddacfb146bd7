"""The live view of a new worker with no calibration: starting up, then getting to know you, then
a provisional window, and never *no signal* while the strap sends beats (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def newcomer(server_factory: Any) -> Any:
    """A calm worker with no calibration and no profile, at --speed 6 (the first minute's windows
    fill in about 10 s of real time, the learning minute in about 10 s more)."""
    return server_factory("--sim", "calm", "--seed", "5", "--speed", "6")


def test_a_new_worker_sees_starting_up_then_getting_to_know_you_then_a_provisional_window(
    browser: Browser, newcomer: Any, web: Any
) -> None:
    w = web.open_page(browser, newcomer.url, width=400, height=900)
    page = w.page
    page.evaluate(
        """() => {
          window.__zones = [];
          const seen = () => window.__zones.push(document.querySelector('#zone').textContent);
          seen();
          const all = {childList: true, characterData: true, subtree: true};
          new MutationObserver(seen).observe(document.querySelector('#zone'), all);
        }"""
    )
    page.wait_for_function("() => document.body.dataset.baseline === 'provisional'", timeout=60000)
    page.wait_for_function("() => document.querySelector('#zone').textContent === 'within your window'", timeout=30000)
    zones = page.evaluate("() => window.__zones")
    assert "no signal" not in zones, zones
    assert {"starting up", "getting to know you"} & set(zones), zones
    assert page.is_visible("#baseline-note")  # provisional: the calibration stays on offer
    assert "provisional" in (page.text_content("#baseline-text") or "")
    w.check()
    page.context.close()
