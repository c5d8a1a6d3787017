"""A hostile outlet on loopback for the security tests: a threaded HTTP server whose answers are
set per path (query strings ignored), counting every request it receives by path. Nothing here
leaves the machine; bind it to 127.0.0.2 to play an internal host that must never be reached."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class HostilePress:
    """``routes[path] = (status, content type, body, extra headers)``; every hit is counted."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict]] = {}
        self.hits: Counter = Counter()
        press = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = urlsplit(self.path).path
                press.hits[path] += 1
                status, content_type, body, headers = press.routes.get(path, (404, "text/plain", b"absent", {}))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("Server", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True})
        self.server = server_class((host, port), Handler)
        self.port = self.server.server_address[1]
        self.host = host
        self.base = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def serve(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
              status: int = 200, **headers: str) -> str:
        self.routes[path] = (status, content_type, body.encode() if isinstance(body, str) else body, headers)
        return self.base + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.serve(path, b"", "text/plain", status, Location=location)

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
