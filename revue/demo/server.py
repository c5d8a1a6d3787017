"""Serving the demo press on loopback: one threaded HTTP server for every outlet.

`serve_press(press)` starts a `ThreadingHTTPServer` in a daemon thread and returns a
`RunningPress` (base URL, feed URLs, request counters, `set_edition` to publish new articles
between two crawls, `close`). URLs, all under one host:port:

    /                                             the press index
    /<outlet>/                                    homepage (feed discovery links)
    /<outlet>/rubrique/<category>/                category page
    /<outlet>/<feed path>                         feeds (e.g. /echo-detroit/rss.xml, .../rss/sport.xml)
    /<outlet>/<yyyy>/<mm>/<slug>-<n>.html         articles (query strings are ignored)
    /<outlet>/images/<slug>-<n>.png               images

Conditional GET (ETag / Last-Modified, 304), gzip on `Accept-Encoding: gzip`, HEAD, 404 for
anything else. Standalone: `python -m revue.demo.server --port 8001`.
"""

from __future__ import annotations

import argparse
import gzip
import socket
import sys
import threading
import time
from collections import Counter
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .content import DemoOutlet, DemoPress
from .site import DemoSite, Document


class _PressServer(ThreadingHTTPServer):
    daemon_threads = True
    running: "RunningPress"

    def handle_error(self, request, client_address) -> None:
        """A reader that hangs up early (a timeout, a killed crawler) is normal weather."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _PressServer6(_PressServer):
    address_family = socket.AF_INET6


def accepts_gzip(header: str) -> bool:
    codings = {part.split(";")[0].strip().lower(): part for part in header.split(",")}
    return "gzip" in codings and "q=0" not in codings["gzip"].replace(" ", "")


def is_not_modified(document: Document, if_none_match: str, if_modified_since: str) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; only documents with validators qualify."""
    if not document.etag or document.status != 200:
        return False
    if if_none_match:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or document.etag in tags
    if if_modified_since and document.last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and document.last_modified.replace(microsecond=0) <= since
    return False


class PressRequestHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the running press's site."""

    protocol_version = "HTTP/1.1"
    server_version = "DemoPress/1.0"
    server: _PressServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def _answer(self, send_body: bool) -> None:
        started = time.monotonic()
        try:
            self._respond(send_body)
        finally:
            self.server.running._visited(urlsplit(self.path).path or "/", started)

    def _respond(self, send_body: bool) -> None:
        running = self.server.running
        if running.latency:
            time.sleep(running.latency)
        path = urlsplit(self.path).path or "/"
        document = running.site.document(path)
        not_modified = is_not_modified(document, self.headers.get("If-None-Match", ""),
                                       self.headers.get("If-Modified-Since", ""))
        running._record(path, not_modified)
        if not_modified:
            self.send_response(304)
            self._validators(document)
            self.end_headers()
            return
        body = document.body
        gzipped = document.compressible and body and accepts_gzip(self.headers.get("Accept-Encoding", ""))
        if gzipped:
            body = gzip.compress(body, mtime=0)
        self.send_response(document.status)
        self.send_header("Content-Type", document.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if document.location:
            self.send_header("Location", document.location)
        self._validators(document)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _validators(self, document: Document) -> None:
        if document.etag:
            self.send_header("ETag", document.etag)
        if document.etag and document.last_modified is not None:
            self.send_header("Last-Modified", format_datetime(document.last_modified, usegmt=True))


class RunningPress:
    """A demo press being served; use as a context manager or call `close()`."""

    def __init__(self, press: DemoPress, server: _PressServer, host: str) -> None:
        self.host = host
        self.port: int = server.server_address[1]
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else ("::1" if host == "::" else host)
        self.base_url = f"http://[{shown}]:{self.port}" if ":" in shown else f"http://{shown}:{self.port}"
        self.hits: Counter[str] = Counter()
        self.visits: list[tuple[str, float, float]] = []  # (path, start, end) of each answer, monotonic seconds
        self.not_modified = 0
        self.latency = 0.0  # seconds each answer waits, to play a distant server
        self._lock = threading.Lock()
        self._server = server
        self.press = press
        server.running = self
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"demo-press-{self.port}", daemon=True)
        self._thread.start()

    @property
    def press(self) -> DemoPress:
        return self.site.press

    @press.setter
    def press(self, press: DemoPress) -> None:
        self.site = DemoSite(press, self.base_url)

    def set_edition(self, edition: int) -> None:
        """Publish: from now on the press serves `edition` (same seed, now and outlets)."""
        self.press = self.press.with_edition(edition)

    def url(self, path: str) -> str:
        return self.base_url + path

    def feed_urls(self) -> list[tuple[DemoOutlet, str, str]]:
        """(outlet, absolute feed URL, category hint or "") for every feed of every outlet."""
        return [(outlet, self.base_url + feed.path, feed.category_hint)
                for outlet in self.press.outlets for feed in outlet.feeds]

    def reset_counters(self) -> None:
        with self._lock:
            self.hits.clear()
            self.visits.clear()
            self.not_modified = 0

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _visited(self, path: str, started: float) -> None:
        with self._lock:
            self.visits.append((path, started, time.monotonic()))

    def overlapping_visits(self, paths) -> dict[str, int]:
        """For each of ``paths`` asked twice at once (one answer begun before another had ended),
        how many times: two crawlers fetching the same feed together."""
        found: dict[str, int] = {}
        wanted = set(paths)
        with self._lock:
            visits = sorted(v for v in self.visits if v[0] in wanted)
        ended: dict[str, float] = {}  # the latest end of each path's answers so far, by start
        for path, start, end in visits:
            if start < ended.get(path, start):
                found[path] = found.get(path, 0) + 1
            ended[path] = max(end, ended.get(path, end))
        return found

    def _record(self, path: str, not_modified: bool) -> None:
        with self._lock:
            self.hits[path] += 1
            self.not_modified += not_modified

    def __enter__(self) -> RunningPress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def serve_press(press: DemoPress | None = None, host: str = "127.0.0.1", port: int = 0) -> RunningPress:
    """Serve `press` (default: `DemoPress()`) on host:port (0: any free port) in a daemon thread."""
    server_class = _PressServer6 if ":" in host else _PressServer
    server = server_class((host, port), PressRequestHandler)
    return RunningPress(press or DemoPress(), server, host)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m revue.demo.server",
                                     description="Serve the offline demo press.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--edition", type=int, default=0)
    parser.add_argument("--outlets", type=int, default=12)
    args = parser.parse_args(argv)
    press = DemoPress(seed=args.seed, edition=args.edition, outlets=args.outlets)
    running = serve_press(press, args.host, args.port)
    print(running.base_url, flush=True)
    for outlet, url, hint in running.feed_urls():
        print(f"  {outlet.slug:20} {url}{'  [' + hint + ']' if hint else ''}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.close()


if __name__ == "__main__":
    main()
