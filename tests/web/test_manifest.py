"""The page is an installable web app on localhost: every page links one manifest, served as
``application/manifest+json``, that parses, starts at ``/`` standalone, and whose icons are PNGs
of the sizes it claims, fetchable from the same server."""

from __future__ import annotations

import struct
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from tolerance.api.routes.pages import PAGES


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.metas: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links.append(dict(attrs))
        elif tag == "meta":
            self.metas.append(dict(attrs))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_page_links_the_manifest_which_parses_and_whose_icons_are_served(served_calm: Any) -> None:
    # The server's address as printed; an access token in it goes with every request.
    url = urlsplit(served_calm.url)
    token = parse_qs(url.query).get("token", [None])[0]
    headers = {"authorization": f"Bearer {token}"} if token else {}
    base = f"{url.scheme}://{url.netloc}"
    with httpx.Client(base_url=base, headers=headers, follow_redirects=True, timeout=30) as client:
        hrefs = set()
        for path in PAGES:
            page = client.get(path)
            assert page.status_code == 200, path
            head = _Head()
            head.feed(page.text)
            manifests = [link for link in head.links if link.get("rel") == "manifest"]
            assert len(manifests) == 1, f"{path} links {len(manifests)} manifests"
            # The manifest is fetched without cookies unless asked: the access token's cookie goes with it.
            assert manifests[0].get("crossorigin") == "use-credentials", path
            hrefs.add(manifests[0]["href"])
            assert {"name": "theme-color", "content": "#2f6f8f"} in head.metas, path
        (href,) = hrefs
        assert isinstance(href, str)
        got = client.get(href)
        assert got.status_code == 200
        assert got.headers["content-type"].split(";")[0] == "application/manifest+json"
        manifest = got.json()
        assert manifest["name"] == "Tolerance" and manifest["short_name"]
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        assert manifest["theme_color"] == "#2f6f8f"
        sizes = set()
        for icon in manifest["icons"]:
            data = client.get(icon["src"])
            assert data.status_code == 200, icon["src"]
            assert data.headers["content-type"] == "image/png" and icon["type"] == "image/png"
            width, height = _png_size(data.content)
            assert icon["sizes"] == f"{width}x{height}", icon["src"]
            sizes.add(width)
        assert {192, 512} <= sizes
        assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
