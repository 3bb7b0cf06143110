"""Draw the web app's icons (a white W on the reader's blue) as PNG and SVG, with the
standard library only: ``python scripts/make_icons.py`` rewrites src/wirebrief/web/static/icon*.

The W keeps inside the middle 80 % of the square, so the icons also serve as maskable ones.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "wirebrief" / "web" / "static"
BLUE, WHITE = (11, 92, 173), (255, 255, 255)
W = [(0.22, 0.32), (0.36, 0.70), (0.50, 0.44), (0.64, 0.70), (0.78, 0.32)]
STROKE = 0.085


def _distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def png(size: int) -> bytes:
    """The icon as a PNG of ``size`` × ``size`` pixels (edges anti-aliased)."""
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type: none
        for x in range(size):
            px, py = (x + 0.5) / size, (y + 0.5) / size
            d = min(_distance(px, py, W[i], W[i + 1]) for i in range(len(W) - 1))
            cover = max(0.0, min(1.0, (STROKE / 2 - d) * size + 0.5))
            row += bytes(round(b + (w - b) * cover) for b, w in zip(BLUE, WHITE, strict=True))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def svg() -> str:
    """The icon as SVG."""
    points = " ".join(f"{x * 100:g},{y * 100:g}" for x, y in W)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        '<rect width="100" height="100" fill="#0b5cad"/>'
        f'<polyline points="{points}" fill="none" stroke="#fff" stroke-width="{STROKE * 100:g}" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>\n'
    )


if __name__ == "__main__":
    for size in (32, 192, 512):
        (STATIC / f"icon-{size}.png").write_bytes(png(size))
    (STATIC / "icon.svg").write_text(svg())
