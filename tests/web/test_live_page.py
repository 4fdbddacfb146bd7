"""The live page in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is needed for the browser tests: apt-get install chromium (scripts/test.sh does)"
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _open(browser: Browser, url: str, requests: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=15000)
    assert not errors, errors
    return page


def _server_phase(pacer: dict[str, Any], t_utc: float) -> float:
    return ((t_utc - pacer["epoch_utc"]) * pacer["rate_per_min"] / 60.0) % 1.0


def _circular_diff(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d)


def test_live_view_fills_with_numbers_and_loads_nothing_from_other_origins(browser: Browser, served_calm: Any) -> None:
    requests: list[str] = []
    page = _open(browser, served_calm.url, requests)
    page.wait_for_function("() => document.querySelector('#beats').textContent !== '0'", timeout=20000)
    first = int(page.text_content("#beats") or "0")
    page.wait_for_function(f"() => Number(document.querySelector('#beats').textContent) > {first}", timeout=20000)
    page.wait_for_function("() => /^\\d+$/.test(document.querySelector('#hr').textContent)", timeout=30000)
    hr = int(page.text_content("#hr") or "0")
    assert 40 < hr < 120
    assert page.get_attribute("#connection", "data-state") in ("connected", "live")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-view.png"), full_page=True)
    origin = served_calm.url.rstrip("/")
    foreign = [u for u in requests if not (u.startswith(origin) or u.startswith(origin.replace("http", "ws")))]
    assert not foreign, f"the page requested other origins: {foreign}"
    page.close()


def test_breathing_guide_follows_the_server_pacer_in_two_tabs(browser: Browser, served_calm: Any) -> None:
    a = _open(browser, served_calm.url, [])
    b = _open(browser, served_calm.url, [])
    a.click("#breathe")
    for page in (a, b):
        page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'true'", timeout=10000)
    session = a.evaluate("() => document.body.dataset.session")
    pacer = httpx.get(served_calm.url + f"api/sessions/{session}/pacer").json()
    assert pacer["running"] and pacer["rate_per_min"] == 6.0
    for _ in range(2):  # sampled twice, some way apart in the cycle
        t_before = time.time()
        pa = float(a.evaluate("() => document.querySelector('#guide').dataset.phase"))
        pb = float(b.evaluate("() => document.querySelector('#guide').dataset.phase"))
        t_after = time.time()
        expected = _server_phase(pacer, (t_before + t_after) / 2)
        # Within 10 % of a breath cycle of the server's phase, and of each other.
        assert _circular_diff(pa, expected) < 0.1, (pa, expected)
        assert _circular_diff(pb, expected) < 0.1, (pb, expected)
        assert _circular_diff(pa, pb) < 0.1
        time.sleep(2.5)
    size = float(a.evaluate("() => document.querySelector('#guide').dataset.size"))
    assert 0.0 <= size <= 1.0
    ARTIFACTS.mkdir(exist_ok=True)
    a.screenshot(path=str(ARTIFACTS / "breathing-guide.png"), full_page=True)
    # Stopping from the other tab stops both.
    b.click("#breathe")
    for page in (a, b):
        page.wait_for_function("() => document.querySelector('#guide').dataset.running === 'false'", timeout=10000)
    a.close()
    b.close()


def test_marker_button_stores_a_marker(browser: Browser, served_calm: Any) -> None:
    page = _open(browser, served_calm.url, [])
    session = page.evaluate("() => document.body.dataset.session")
    page.wait_for_function("() => document.querySelector('#connection').dataset.state !== 'connecting'", timeout=15000)
    page.click("#marker")
    deadline = time.monotonic() + 10
    found = False
    while time.monotonic() < deadline and not found:
        exported = httpx.get(served_calm.url + f"api/sessions/{session}/export", params={"format": "json"}).json()
        found = any(e["type"] == "marker" for e in exported["events"])
        time.sleep(0.2)
    assert found
    page.close()
