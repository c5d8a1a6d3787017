"""Small, valid PNG images for the demo press, one distinct picture per image path.

Made with zlib and struct only: a 160×90 picture in a colour drawn from the path, with a darker
band, so that different articles show different images (the portal tells images apart by URL, a
perceptual hash would tell them apart too).
"""

from __future__ import annotations

import hashlib
import struct
import zlib

WIDTH, HEIGHT = 160, 90


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_for(path: str) -> bytes:
    """The PNG image served at `path` (same path, same bytes)."""
    red, green, blue = hashlib.sha256(path.encode("utf-8")).digest()[:3]
    light = bytes((red, green, blue)) * WIDTH
    dark = bytes((red // 2, green // 2, blue // 2)) * WIDTH
    rows = b"".join(b"\x00" + (dark if HEIGHT // 3 <= y < HEIGHT // 2 else light) for y in range(HEIGHT))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b""))
