"""Image bytes, judged and resized: pure functions over bytes, with Pillow.

``inspect(data, max_pixels)`` decides whether bytes really are a picture Revue serves — JPEG,
PNG, GIF or WebP, read from the bytes themselves, never from what an outlet's header claims;
SVG, HTML, truncated or oversized pictures raise ``NotAPicture`` with a reason in French.
``resize(data, width)`` makes the narrower copy the proxy serves at ``/img/<id>/<width>``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# Pillow format name → the content type served
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
JPEG_QUALITY = 82
WEBP_QUALITY = 80
_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
_EXIF_ORIENTATION = 0x0112


class NotAPicture(ValueError):
    """Bytes the proxy will not serve; ``str()`` says why, in French."""


@dataclass(frozen=True)
class Picture:
    """What the bytes are: format, size as displayed (EXIF rotation applied), animation."""

    format: str  # "JPEG", "PNG", "GIF" or "WEBP"
    width: int
    height: int
    animated: bool = False

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _open(data: bytes) -> PILImage.Image:
    return PILImage.open(io.BytesIO(data), formats=tuple(CONTENT_TYPES))


def inspect(data: bytes, max_pixels: int, *, decode: bool = True) -> Picture:
    """The picture ``data`` holds, or ``NotAPicture``. With ``decode`` the whole picture is
    decoded once, so truncated or corrupt files are refused too (the header alone can lie)."""
    if not data:
        raise NotAPicture("réponse vide")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with _open(data) as image:
                picture = _describe(image, max_pixels)
                if decode:
                    image.load()
    except NotAPicture:
        raise
    except UnidentifiedImageError:
        raise NotAPicture("ni JPEG, ni PNG, ni GIF, ni WebP (SVG, HTML et autres formats sont refusés)") from None
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise NotAPicture(f"image trop grande (plus de {max_pixels} pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotAPicture(f"image illisible ou tronquée ({exc})") from None
    return picture


def _describe(image: PILImage.Image, max_pixels: int) -> Picture:
    if image.format not in CONTENT_TYPES:
        raise NotAPicture(f"format {image.format} refusé")
    width, height = image.size
    if width < 1 or height < 1:
        raise NotAPicture("image sans dimensions")
    if width * height > max_pixels:
        raise NotAPicture(f"image trop grande ({width}×{height}, plus de {max_pixels} pixels)")
    if image.getexif().get(_EXIF_ORIENTATION) in _ROTATED:
        width, height = height, width
    return Picture(image.format, width, height, animated=getattr(image, "n_frames", 1) > 1)


def resize(data: bytes, width: int) -> bytes:
    """A copy of the picture ``width`` pixels wide (EXIF rotation applied, metadata dropped),
    in its own format (a still GIF becomes PNG). Callers never ask to enlarge or to resize an
    animation: they serve the original then."""
    with _open(data) as image:
        source_format = image.format
        if source_format == "JPEG":
            image.draft("RGB", (width, width * 4))  # decode at a reduced scale when it can
        picture = ImageOps.exif_transpose(image)
        height = max(1, round(picture.height * width / picture.width))
        small = picture.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    return _encode(small, source_format)


def _encode(image: PILImage.Image, source_format: str) -> bytes:
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif source_format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=1)
def placeholder_png() -> bytes:
    """The neutral stand-in served for a blocked or unavailable image: a plain light-grey PNG."""
    out = io.BytesIO()
    PILImage.new("RGB", (160, 90), (229, 229, 229)).save(out, "PNG", optimize=True)
    return out.getvalue()
