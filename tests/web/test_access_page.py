"""The access token in a real browser: the printed address logs in and leaves the address bar
clean; without it the page says what to do, and nothing of the worker's shows."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_the_printed_address_logs_the_browser_in_and_the_token_leaves_the_address_bar(
    browser: Browser, spike: Any, web: Any
) -> None:
    w = web.open_page(browser, spike.login_url, log_in=False)
    assert w.page.url == spike.url, "redirected to the same page, without the token"
    assert "token" not in w.page.url
    cookies = w.page.context.cookies()
    (cookie,) = [c for c in cookies if c["name"].startswith("tolerance_token")]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert w.page.evaluate("document.cookie") == "", "page scripts cannot read the token"
    # The next visit needs no token in the address: the cookie carries it, websocket included.
    w.page.goto(spike.url + "review")
    w.page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=15000)
    w.check()


def test_without_the_token_a_browser_gets_only_the_page_that_says_to_open_the_printed_address(
    browser: Browser, spike: Any, web: Any
) -> None:
    w = web.open_page(browser, spike.url, log_in=False, ready=False)
    body = w.page.inner_text("body")
    assert "printed" in body and "?token=" in body
    assert w.page.title().startswith("Tolerance")
    # Nothing else was fetched: no script, no websocket, no API call.
    assert w.requests == [spike.url], w.requests
