"""A fault-injecting HTTP server on 127.0.0.1 for the crawler's fault tests.

``FaultServer`` routes each path to a pair of responders: the *faulty* one (what a broken outlet
does: stall, drip, reset, 4xx/5xx, bad bytes …) and the *healthy* one (what the outlet serves
once it is fixed). ``server.heal()`` switches every route at once, so a second crawl can show
that nothing was lost. Responders are plain functions of the request handler; the helpers below
(``send``, ``stall``, ``drip``, ``reset``, ``stream``) are what they are built from.

Faults below HTTP get a port of their own (``server.side_port("refused" | "blackhole")``): a
socket that is bound but not listening refuses connections; one listening with a full backlog
drops the SYNs, so connecting times out. Healed, the port serves the same routes.

Nothing here leaves 127.0.0.1, and nothing blocks the server's shutdown for long: stalls wait on
an event that ``stop()`` sets, and every thread is a daemon.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Responder = Callable[["FaultHandler"], None]


@dataclass(frozen=True)
class Route:
    faulty: Responder
    healthy: Responder


# Hand-written: responders stall, drip and reset on the raw socket; side ports heal in place (pytest-httpserver cannot)
class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.owner.hits[path] += 1
        self.server.owner.first_asked.setdefault(path, time.monotonic())
        route = self.server.owner.routes.get(path)
        if route is None:
            return send(self, 404, b"no such page", "text/plain")
        (route.healthy if self.server.owner.healthy else route.faulty)(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # every feed connects at once; the default backlog of 5 drops SYNs
    owner: "FaultServer"

    def handle_error(self, request, client_address) -> None:  # resets and hang-ups are the point
        pass


class FaultServer:
    """``with FaultServer() as server: server.route(path, faulty, healthy)``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.first_asked: dict[str, float] = {}  # path → when it was first asked (monotonic clock)
        self.healthy = False
        self.stopping = threading.Event()
        self._sides: list[_SidePort] = []
        self._httpd = _Server(("127.0.0.1", 0), FaultHandler)
        self._httpd.owner = self
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, faulty: Responder, healthy: Responder | None = None) -> None:
        self.routes[path] = Route(faulty, healthy or faulty)

    def side_port(self, fault: str) -> str:
        """The base URL of a new port whose fault is at the TCP level, until ``heal()``."""
        side = _SidePort(self, fault)
        self._sides.append(side)
        return f"http://127.0.0.1:{side.port}"

    def heal(self) -> None:
        """Every route and port answers as a healthy outlet from now on."""
        self.healthy = True
        for side in self._sides:
            side.heal()

    def __enter__(self) -> "FaultServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for side in self._sides:
            side.close()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _SidePort:
    """A port that refuses connections ("refused") or lets them time out ("blackhole")."""

    def __init__(self, owner: FaultServer, fault: str) -> None:
        self.owner = owner
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.fillers: list[socket.socket] = []
        self.httpd: _Server | None = None
        if fault == "blackhole":  # a backlog of 0 holds one connection: fill it, later SYNs drop
            self.socket.listen(0)
            for _ in range(2):
                filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", self.port))
                self.fillers.append(filler)
            time.sleep(0.05)
        elif fault != "refused":  # bound, never listening: the kernel answers SYN with RST
            raise ValueError(f"unknown side-port fault {fault!r}")

    def heal(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.socket.listen(64)
        self.httpd = _Server(("127.0.0.1", self.port), FaultHandler, bind_and_activate=False)
        self.httpd.socket.close()
        self.httpd.socket = self.socket
        self.httpd.owner = self.owner
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        if self.httpd is not None:
            self.httpd.shutdown()
        self.socket.close()


# --- responders' building blocks -------------------------------------------------------------


def send(h: FaultHandler, status: int, body: bytes, content_type: str = "", **headers: str) -> None:
    """A complete response with a Content-Length."""
    h.send_response(status)
    if content_type:
        h.send_header("Content-Type", content_type)
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    try:
        h.wfile.write(body)
    except OSError:
        h.close_connection = True


def stream(h: FaultHandler, status: int, chunks: Iterable[bytes], **headers: str) -> int:
    """A close-delimited body (no Content-Length); stops when the client hangs up.

    Returns the bytes written, so a test can see the client stopped reading early."""
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.send_header("Connection", "close")
    h.end_headers()
    h.close_connection = True
    written = 0
    try:
        for chunk in chunks:
            h.wfile.write(chunk)
            written += len(chunk)
    except OSError:
        pass
    return written


def stall(h: FaultHandler, seconds: float) -> None:
    """Hold the connection open without answering (or after a partial answer)."""
    h.server.owner.stopping.wait(seconds)
    h.close_connection = True


def drip(h: FaultHandler, data: bytes, every: float = 1.0) -> None:
    """Send ``data`` (the whole response, status line included) one byte per ``every`` seconds."""
    h.close_connection = True
    for byte in data:
        try:
            h.wfile.write(bytes([byte]))
        except OSError:
            return
        if h.server.owner.stopping.wait(every):
            return


def reset(h: FaultHandler, partial: bytes = b"") -> None:
    """Optionally send ``partial``, then abort the connection with a TCP RST (SO_LINGER 0)."""
    if partial:
        h.wfile.write(partial)
        time.sleep(0.05)  # let the client read it before the reset
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def gzip_bomb_chunks(inflated_size: int = 1 << 30) -> Iterator[bytes]:
    """A valid gzip stream of ``inflated_size`` zero bytes (1 GiB: ~1 MB on the wire), produced
    piece by piece: neither the inflated nor the compressed body is ever held whole.

    After a full flush the deflate state is reset, so one compressed MiB of zeros can be sent
    again and again; the header and trailer (CRC-32, size) make it a well-formed gzip member."""
    mib = 1 << 20
    zeros = bytes(mib)
    machine = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = machine.compress(zeros) + machine.flush(zlib.Z_FULL_FLUSH)
    end = machine.flush(zlib.Z_FINISH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    crc = 0
    for _ in range(inflated_size // mib):
        crc = zlib.crc32(zeros, crc)
        yield block
    yield end + struct.pack("<II", crc, inflated_size & 0xFFFFFFFF)
