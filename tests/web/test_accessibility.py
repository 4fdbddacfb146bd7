"""Every page: text contrast meets WCAG AA, every control has a name, and only the page's own
files are served (no npm manifest, no node_modules)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

PAGES = ("", "review", "sessions", "trainer", "summary")

# Contrast of each visible text element against the first opaque background behind it
# (WCAG 2.1: 4.5 for text, 3 for large text: >= 24 px, or >= 18.66 px bold). Disabled
# controls are exempt, as WCAG says.
LOW_CONTRAST = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility() || el.closest(":disabled") || el.closest(".uplot")) continue;
    const s = getComputedStyle(el);
    const fg = rgb(s.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const what = `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}"`;
    if (ratio < (large ? 3 : 4.5)) bad.push(`${what} ${ratio.toFixed(2)}`);
  }
  return bad;
}"""

UNNAMED = """() => [...document.querySelectorAll("button, select, input, a[href]")]
  .filter((el) => el.checkVisibility())
  .filter((el) => !(el.getAttribute("aria-label") || el.textContent.trim() || (el.labels && el.labels.length)))
  .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize("path", PAGES)
def test_text_contrast_meets_wcag_aa_and_every_control_is_named(
    browser: Browser, spike: Any, web: Any, path: str
) -> None:
    for scheme in ("light", "dark"):
        w = web.open_page(browser, spike.url + path)
        w.page.emulate_media(color_scheme=scheme)
        w.page.wait_for_timeout(800)
        assert w.page.evaluate(LOW_CONTRAST) == [], (path, scheme)
        assert w.page.evaluate(UNNAMED) == [], path
        w.check()
        w.page.context.close()


def test_only_the_pages_own_files_and_the_copied_library_are_served(spike: Any) -> None:
    served = ("", "review", "trainer", "sessions", "static/app.js", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css")
    for path in served:
        r = spike.http.get(spike.api(path))
        assert r.status_code == 200, path
        assert "script-src 'self'" in r.headers["content-security-policy"]
    assert spike.http.get("vendor/uPlot.iife.min.js").headers["content-type"].startswith("text/javascript")
    for path in (
        "package.json", "static/package.json", "vendor/package.json", "web/package.json", "static/../package.json",
        "vendor/../package-lock.json", "node_modules/uplot/package.json", "static/node_modules/uplot/package.json",
        "static/__init__.py", "vendor/../__init__.py",
    ):  # fmt: skip
        assert spike.http.get(spike.api(path)).status_code == 404, path
