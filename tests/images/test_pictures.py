"""pictures: which bytes are pictures the proxy serves, judged by the bytes themselves."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from revue.images.pictures import NotAPicture, inspect, placeholder_png, resize
from tests.images.conftest import animated_gif, picture

pytestmark = pytest.mark.nodb
MAX_PIXELS = 40_000_000


@pytest.mark.parametrize(
    ("format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_the_four_formats_are_recognized_from_their_bytes(format, content_type):
    found = inspect(picture(format, (320, 200)), MAX_PIXELS)
    assert (found.format, found.width, found.height, found.content_type) == (format, 320, 200, content_type)


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!DOCTYPE html><html><body>Pas une image</body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing sensible
        picture("BMP", (10, 10)),  # a real picture, of a format not served
        picture("TIFF", (10, 10)),
    ],
    ids=["svg", "html", "empty", "fake-png", "bmp", "tiff"],
)
def test_anything_else_is_refused_with_a_reason(data):
    with pytest.raises(NotAPicture) as refused:
        inspect(data, MAX_PIXELS)
    assert str(refused.value)


def test_a_truncated_picture_is_refused_once_decoded():
    whole = picture("JPEG", (800, 600), quality=95)
    inspect(whole[: len(whole) // 2], MAX_PIXELS, decode=False)  # the header alone looks fine
    with pytest.raises(NotAPicture, match="tronquée"):
        inspect(whole[: len(whole) // 2], MAX_PIXELS)


def test_a_picture_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(NotAPicture, match="trop grande"):
        inspect(picture("PNG", (2000, 1000)), max_pixels=1_000_000)


def test_an_animation_is_marked_animated():
    assert inspect(animated_gif(), MAX_PIXELS).animated


def test_exif_rotation_gives_the_displayed_size_and_resize_applies_it():
    exif = PILImage.Exif()
    exif[0x0112] = 6  # rotated 90°: stored 400×200, shown 200×400
    data = picture("JPEG", (400, 200), exif=exif.tobytes())
    assert (inspect(data, MAX_PIXELS).width, inspect(data, MAX_PIXELS).height) == (200, 400)
    small = PILImage.open(io.BytesIO(resize(data, 100)))
    assert small.size == (100, 200)
    assert 0x0112 not in small.getexif()  # metadata dropped


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_resize_keeps_format_and_proportions(format):
    small = inspect(resize(picture(format, (1600, 900)), 640), MAX_PIXELS)
    assert (small.format, small.width, small.height) == (format, 640, 360)


def test_a_still_gif_is_resized_to_png():
    assert inspect(resize(picture("GIF", (800, 400)), 320), MAX_PIXELS).format == "PNG"


def test_the_placeholder_is_a_neutral_png():
    found = inspect(placeholder_png(), MAX_PIXELS)
    assert found.format == "PNG"
    assert PILImage.open(io.BytesIO(placeholder_png())).getcolors() == [(160 * 90, (229, 229, 229))]
