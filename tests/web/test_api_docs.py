"""The API's documentation pages work offline: Swagger UI at /docs and Redoc at /redoc load
every file from this server (Tolerance's copies from npm), under the pages' own policy.
Regression (issue 23): both were blank, their assets coming from CDNs the policy blocks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SHOWN = {"docs": ".swagger-ui .info .title", "redoc": "#redoc h1"}


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_the_api_documentation_loads_only_this_servers_files(spike: Any, page: str) -> None:
    html = spike.http.get(page)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    policy = dict(d.strip().split(" ", 1) for d in html.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["connect-src"] == "'self'"
    # Redoc's styles: this server's files and two exact inline texts (by hash), nothing else.
    styles = policy["style-src"].split()
    assert styles[0] == "'self'" and all(s.startswith("'sha256-") for s in styles[1:]), styles
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert any(a.startswith("/vendor/") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), f"{asset} is not on this server"
        r = spike.http.get(asset)
        assert r.status_code == 200 and r.content, asset


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_the_api_documentation_renders_in_a_browser_without_policy_refusals(
    browser: Browser, spike: Any, web: Any, page: str
) -> None:
    w = web.open_page(browser, spike.url + page, ready=False)
    statuses: dict[str, int] = {}
    w.page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    w.page.reload()
    title = w.page.wait_for_selector(SHOWN[page], timeout=20000)
    assert title is not None and "Tolerance" in title.inner_text()
    # The operations are listed, from /openapi.json (fetched with the worker's cookie).
    assert "/api/sessions" in w.page.inner_text("body")
    w.page.wait_for_timeout(500)
    w.check()
    assert statuses and all(s in (200, 304) for s in statuses.values()), statuses
    assert all(u.startswith(spike.url) for u in statuses), statuses
