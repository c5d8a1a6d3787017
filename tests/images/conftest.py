"""Fixtures of the image proxy tests: a real HTTP server on loopback playing the outlet (its
pictures made with Pillow, counting how often each is asked for), a fresh cache folder, images
stored through the ORM. Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import io
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image as PILImage

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
    """The loopback server's answers by path, and the hits it received."""

    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    base_url: str = ""

    def serve(self, path: str, body: bytes, content_type: str = "image/jpeg", status: int = 200) -> str:
        self.routes[path] = (status, content_type, body)
        return self.base_url + path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        outlet: Outlet = self.server.outlet  # type: ignore[attr-defined]
        outlet.hits[self.path] += 1
        status, content_type, body = outlet.routes.get(self.path, (404, "text/plain", b"absent"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def outlet(allow_loopback):
    """A running loopback server; ``outlet.serve(path, bytes, type)`` returns the image URL."""
    state = Outlet()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.outlet = state  # type: ignore[attr-defined]
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


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
