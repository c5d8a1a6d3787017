"""Fixtures of the image proxy tests: a real HTTP server on loopback playing the outlet (its
pictures made with Pillow, counting how often each is asked for), a fresh cache folder, images
stored through the ORM. Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import pytest
from PIL import Image as PILImage
from pytest_httpserver import HTTPServer

from revue.news.models import Image


def picture(format: str, size=(1600, 900), color=(200, 60, 40), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if format == "PNG" else "RGB"
    PILImage.new(mode, size, color).save(out, format, **save)
    return out.getvalue()


def animated_gif(size=(400, 300)) -> bytes:
    frames = [PILImage.new("RGB", size, (index * 80, 20, 20)) for index in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


@dataclass
class Outlet:
    """The loopback server (pytest-httpserver) playing the outlet, and the hits it received."""

    server: HTTPServer

    def serve(self, path: str, body: bytes, content_type: str = "image/jpeg", status: int = 200) -> str:
        self.server.expect_request(path).respond_with_data(body, status, content_type=content_type)
        return self.server.url_for(path)

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def hits(self) -> Counter:
        return Counter(request.path for request, _ in self.server.log)


@pytest.fixture
def outlet(allow_loopback, httpserver_ipv4):
    """The outlet on 127.0.0.1; ``outlet.serve(path, bytes, type)`` returns the image URL."""
    httpserver_ipv4.no_handler_status_code = 404
    return Outlet(httpserver_ipv4)


@pytest.fixture(autouse=True)
def image_cache(settings, tmp_path):
    """A cache folder of the test's own."""
    settings.REVUE_IMAGE_CACHE_DIR = tmp_path / "images"
    return settings.REVUE_IMAGE_CACHE_DIR


@pytest.fixture
def stored(db):
    """``stored(url)``: the ``Image`` row of an image URL, as the crawl stores it."""

    def make(url: str, **fields) -> Image:
        return Image.objects.create(url=url, **fields)

    return make
