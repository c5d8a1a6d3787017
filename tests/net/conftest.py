"""Loopback servers for the fetch tests: a feed site with many behaviours, and raw-socket servers
for what http.server cannot do (drip, reset, stall, garbage).  Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import socket
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Le Desk</title>'
    + b"".join(
        b"<item><title>Article %d</title><link>http://example.test/%d</link></item>" % (i, i)
        for i in range(200)
    )
    + b"</channel></rss>"
)
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
BOMB_SIZE = 1 << 30  # 1 GiB of zeros once inflated


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """A valid gzip body of 1 GiB of zeros, about 1 MB long, built without holding 1 GiB.

    After a full flush the deflate state is reset, so compressing another MiB of zeros gives the
    same bytes again: compress one MiB once and repeat it."""
    zeros = bytes(1 << 20)
    machine = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = machine.compress(zeros) + machine.flush(zlib.Z_FULL_FLUSH)
    end = machine.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(BOMB_SIZE >> 20):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, BOMB_SIZE & 0xFFFFFFFF)
    return header + block * (BOMB_SIZE >> 20) + end + trailer


# Hand-written: tests count connections, stream cut-off bodies and wrap sockets in TLS (pytest-httpserver cannot)
class FeedSite(BaseHTTPRequestHandler):
    """Routes by path; the server object carries counters and the last request headers."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = ROUTES.get(parts.path.rstrip("/") or "/") or _prefixed_route(parts.path)
        if route is None:
            return self.send_body(404, b"not here", "text/plain")
        route(self, parts.path, query)

    def send_body(self, status: int, body: bytes, content_type: str = "", **headers) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, location: str) -> None:
        self.send_body(status, b"", "text/plain", Location=location)

    def stream(self, status: int, chunks, **headers) -> None:
        """A close-delimited body (no Content-Length); stops quietly when the client hangs up."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
        except OSError:
            pass


def _feed(h: FeedSite, path, query) -> None:
    validators = {"ETag": ETAG, "Last_Modified": LAST_MODIFIED}
    if h.headers.get("If-None-Match") == ETAG or (
        h.headers.get("If-None-Match") is None
        and h.headers.get("If-Modified-Since") == LAST_MODIFIED
    ):
        return h.send_body(304, b"", **validators)
    h.send_body(200, FEED, "application/rss+xml; charset=utf-8", **validators)


def _gzip(h, path, query) -> None:
    h.send_body(200, gzip.compress(FEED), "application/rss+xml", Content_Encoding="gzip")


def _deflate(h, path, query) -> None:
    h.send_body(200, zlib.compress(FEED), "application/rss+xml", Content_Encoding="deflate")


def _raw_deflate(h, path, query) -> None:
    machine = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = machine.compress(FEED) + machine.flush()
    h.send_body(200, body, "application/rss+xml", Content_Encoding="deflate")


def _brotli(h, path, query) -> None:
    h.send_body(200, b"\x0b\x02\x80hello\x03", "text/plain", Content_Encoding="br")


def _bomb(h, path, query) -> None:
    h.send_body(200, gzip_bomb(), "application/rss+xml", Content_Encoding="gzip")


def _bomb_stream(h, path, query) -> None:
    bomb = gzip_bomb()
    chunks = (bomb[i : i + 65536] for i in range(0, len(bomb), 65536))
    h.stream(200, chunks, Content_Type="application/rss+xml", Content_Encoding="gzip")


def _big(h, path, query) -> None:
    size = int(query.get("size", 3 * 1024 * 1024))
    h.server.big_sent = 0

    def chunks():
        for _ in range(0, size, 65536):
            h.server.big_sent += 65536
            yield b"x" * 65536

    h.stream(200, chunks(), Content_Type="text/plain")


def _declared_huge(h, path, query) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.send_header("Content-Length", str(50 * 1024 * 1024))
    h.end_headers()
    h.close_connection = True
    try:
        h.wfile.write(b"x" * 1024)
    except OSError:
        pass


def _hops(h, path, query) -> None:
    """/hops/N redirects to /hops/N-1 ... /hops/0 serves the feed."""
    left = int(path.rsplit("/", 1)[-1])
    if left == 0:
        return _feed(h, path, query)
    h.redirect(int(query.get("code", 302)), f"/hops/{left - 1}?code={query.get('code', 302)}")


def _headers_echo(h, path, query) -> None:
    body = json.dumps(dict(h.headers)).encode()
    h.send_body(200, body, "application/json", Set_Cookie="session=abc; Path=/")


def _status(h, path, query) -> None:
    code = int(path.rsplit("/", 1)[-1])
    extra = {"Retry_After": query["retry"]} if "retry" in query else {}
    h.send_body(code, b"error page", "text/html", **extra)


def _to(h, path, query) -> None:
    h.redirect(int(query.get("code", 302)), query["url"])


ROUTES: dict[str, Callable] = {
    "/feed": _feed,
    "/gzip": _gzip,
    "/deflate": _deflate,
    "/raw-deflate": _raw_deflate,
    "/brotli": _brotli,
    "/bomb": _bomb,
    "/bomb-stream": _bomb_stream,
    "/big": _big,
    "/declared-huge": _declared_huge,
    "/headers": _headers_echo,
    "/to": _to,
    "/chain": lambda h, p, q: h.redirect(301, "/chain/2"),
    "/chain/2": lambda h, p, q: h.redirect(302, "http://%s:%d/feed" % h.server.server_address),
    "/permanent": lambda h, p, q: h.redirect(301, "/permanent/2"),
    "/permanent/2": lambda h, p, q: h.redirect(308, "../feed"),
    "/loop/a": lambda h, p, q: h.redirect(302, "/loop/b"),
    "/loop/b": lambda h, p, q: h.redirect(302, "/loop/a"),
    "/no-location": lambda h, p, q: h.send_body(302, b"", "text/plain"),
    "/multiple-choices": lambda h, p, q: h.send_body(300, b"", "text/plain"),
}


def _prefixed_route(path: str):
    for prefix, route in (("/hops/", _hops), ("/status/", _status)):
        if path.startswith(prefix):
            return route
    return None


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.connections = 0
        self.requests: list[tuple[str, dict]] = []
        self.big_sent = 0

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up mid-body (that is the point of several tests) are not errors."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


@dataclass
class Site:
    server: CountingServer

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/feed") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def connections(self) -> int:
        return self.server.connections

    @property
    def requests(self) -> list[tuple[str, dict]]:
        return self.server.requests


@pytest.fixture
def site():
    server = CountingServer(("127.0.0.1", 0), FeedSite)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield Site(server)
    server.shutdown()
    server.server_close()


# --- raw socket servers ------------------------------------------------------------------


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@dataclass
class RawServer:
    port: int
    stop: threading.Event
    connections: list = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def raw_server():
    """``raw_server(behaviour)`` serves each connection with ``behaviour(conn, stop_event)``."""
    listeners: list[socket.socket] = []
    stop = threading.Event()

    def start(behaviour: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        listeners.append(listener)
        server = RawServer(listener.getsockname()[1], stop)

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    return
                server.connections.append(conn)
                threading.Thread(target=_run, args=(behaviour, conn, stop), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return server

    yield start
    stop.set()
    for listener in listeners:
        listener.close()


def _run(behaviour, conn: socket.socket, stop: threading.Event) -> None:
    try:
        behaviour(conn, stop)
    except OSError:
        pass
    finally:
        conn.close()


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """Headers promptly, then one body byte a second, forever."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(1.0):
        conn.sendall(b"<")


def stall(conn: socket.socket, stop: threading.Event) -> None:
    """Headers, then silence."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    stop.wait(10)


def reset(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, then abort the connection with a TCP RST."""
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"THIS IS NOT HTTP\r\n\r\n")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def clock():
    start = time.monotonic()
    return lambda: time.monotonic() - start


# --- running fetches from sync tests (pytest-asyncio is not installed) --------------------

LOOPBACK = ("127.0.0.1",)


def make_limits(**kw):
    from revue.net.fetch import FetchLimits

    kw.setdefault("user_agent", "RevueTest/1.0")
    kw.setdefault("allow", LOOPBACK)
    return FetchLimits(**kw)


@pytest.fixture
def fetch_one():
    """``fetch_one(url, etag=…, accept=…, **limits)`` → FetchResult, via a fresh Fetcher."""
    from revue.net.fetch import Fetcher

    def run(url: str, *, etag: str = "", last_modified: str = "", accept: str | None = None,
            **limits_kw):
        extra = {"accept": accept} if accept else {}

        async def once():
            async with Fetcher(make_limits(**limits_kw)) as fetcher:
                return await fetcher.fetch(url, etag=etag, last_modified=last_modified, **extra)

        return asyncio.run(once())

    return run


@pytest.fixture
def fetch_error(fetch_one):
    """``fetch_error(url, **kw)`` → the FetchError the fetch raised (fails if none)."""
    from revue.net.fetch import FetchError

    def run(url: str, **kw):
        with pytest.raises(FetchError) as info:
            fetch_one(url, **kw)
        return info.value

    return run
