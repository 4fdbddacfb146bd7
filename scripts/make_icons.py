"""Draw the installable web app's icons: web/static/icon-192.png and icon-512.png.

The favicon's design (web/static/favicon.svg: a heart-rate trace in white on blue) on a full
square, the trace inside the central 60 % so that platforms which crop icons to a circle or a
rounded square ("maskable" icons: safe zone a centred circle of 80 % of the width) keep all of
it. Drawn at four times the size and scaled down, for smooth lines. The PNGs are committed;
run this again only to change them: ``.venv/bin/python scripts/make_icons.py`` (needs Pillow,
which the ``bench`` extra's matplotlib brings, or ``pip install pillow``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
BLUE = "#2f6f8f"
"""The favicon's circle, and the manifest's theme_color."""
TRACE = [(5, 17), (11, 17), (13, 12), (16, 22), (19, 14), (21, 17), (27, 17)]
"""The favicon's path, in its 32-unit view box."""
SIZES = (192, 512)
SUPERSAMPLE = 4


def icon(size: int) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGB", (big, big), BLUE)
    draw = ImageDraw.Draw(image)
    # The trace spans 22 of the view box's 32 units; here it spans 60 % of the icon, centred.
    scale = 0.6 * big / 22
    cx, cy = 16, 17
    points = [(big / 2 + (x - cx) * scale, big / 2 + (y - cy) * scale) for x, y in TRACE]
    width = round(2.2 * scale)
    draw.line(points, fill="white", width=width, joint="curve")
    for x, y in (points[0], points[-1]):  # round caps, as the favicon's stroke-linecap
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="white")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    for size in SIZES:
        out = STATIC / f"icon-{size}.png"
        icon(size).save(out, optimize=True)
        sys.stdout.write(f"wrote {out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
