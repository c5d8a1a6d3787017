"""A hostile outlet on loopback for the security tests: pytest-httpserver's threaded server whose
answers are set per path (query strings ignored), counting every request it receives by path.
Nothing here leaves the machine; bind it to 127.0.0.2 to play an internal host that must never be
reached."""

from __future__ import annotations

from collections import Counter

from pytest_httpserver import HTTPServer


class HostilePress(HTTPServer):
    """``serve(path, body, content type, status, **headers)``; any other path is a 404."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port, threaded=True)
        self.no_handler_status_code = 404
        self.start()
        self.base = self.url_for("").rstrip("/")

    def serve(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
              status: int = 200, **headers: str) -> str:
        self.handlers[:] = [handler for handler in self.handlers if handler.matcher.uri != path]  # served anew
        self.expect_request(path).respond_with_data(body, status, headers, content_type=content_type)
        return self.base + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.serve(path, b"", "text/plain", status, Location=location)

    @property
    def hits(self) -> Counter:
        return Counter(request.path for request, _ in self.log)

    @property
    def total_hits(self) -> int:
        return len(self.log)

    def close(self) -> None:
        self.stop()
