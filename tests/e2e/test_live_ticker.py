"""The live ticker's event streams through the real ``revue serve`` (``revue.portal.streams``).

``revue serve`` runs as an operator starts it (a subprocess on the test database, its cache in
its own memory), with two processes of two threads each, so that streams holding a thread each
would leave none for the pages. Readers are raw sockets that speak HTTP/1.1 as a browser's ``EventSource`` does:

* twenty readers keep their stream open, and the portal's pages still answer at once: the
  streams hold no thread of gunicorn's (the worker's threads are counted in ``/proc``);
* a settle (the crawler's ``settle_articles``, in this process) brings the new headline to every
  open stream within a few seconds, as one ``titres`` event;
* past ``REVUE_TICKER_MAX_STREAMS`` a stream ends after its first event (the browser comes back
  after ``retry``); a reader who leaves frees its place.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from revue.crawl.store import settle_articles
from revue.news.models import Article
from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_reports_behind_a_proxy import revue_serve as revue_serve_one
from tests.e2e.test_serve_processes import children, revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STREAMS = 20
FEW_THREADS = {"REVUE_SERVE_THREADS": "2", "REVUE_TICKER_CHECK_SECONDS": "0.2"}  # and WORKERS (2) processes


class Reader:
    """One reader's event stream on a socket of its own."""

    def __init__(self, base: str):
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(
            f"GET /direct/flux HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            "Accept-Encoding: gzip, deflate, br\r\nCache-Control: no-cache\r\n\r\n".encode()
        )
        self.received = b""

    def receive(self, done, seconds: float) -> str:
        """Read until ``done()`` ("done"), the connection's end ("closed") or ``seconds`` ("waiting")."""
        deadline = time.monotonic() + seconds
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return "waiting"
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return "waiting"
            if not chunk:
                return "closed"
            self.received += chunk
        return "done"

    def read_until(self, marker: bytes, seconds: float = 10) -> bool:
        """``marker`` arrived within ``seconds``, the stream still open."""
        return self.receive(lambda: marker in self.received, seconds) == "done"

    def ended(self, seconds: float) -> bool:
        """The server ended the response (its last chunk, or the end of the connection) within ``seconds``."""
        return self.receive(lambda: self.received.endswith(b"\r\n0\r\n\r\n"), seconds) != "waiting"

    def headlines(self) -> list[list[str]]:
        """The titles of each ``titres`` event received so far."""
        return [
            [item["title"] for item in json.loads(line.removeprefix(b"data: "))["headlines"]]
            for line in self.received.split(b"\n") if line.startswith(b"data: ")
        ]  # fmt: skip

    def close(self) -> None:
        self.sock.close()


def threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def test_open_streams_hold_no_thread_and_a_settle_reaches_every_one():
    article = publish("http://127.0.0.1:9")
    with revue_serve(**FEW_THREADS) as (base, server):
        workers = children(server.pid)
        readers = [Reader(base) for _ in range(STREAMS)]
        try:
            assert all(reader.read_until(b"event: titres\n") for reader in readers)
            first = readers[0].received.split(b"\r\n\r\n", 1)[0].decode().lower()
            assert "content-type: text/event-stream" in first and "content-encoding" not in first
            assert all(reader.headlines() == [[article.title]] for reader in readers)

            started = time.monotonic()
            for path in ("/", article.get_absolute_url(), "/direct/titres.json"):
                assert httpx.get(f"{base}{path}", timeout=5).status_code == 200, path
            assert time.monotonic() - started < 5
            assert sum(threads_of(worker) for worker in workers) < STREAMS, "a thread per open stream"

            arrived = Article.objects.create(
                source=article.source, feed=article.feed, url="https://www.barlamane.com/fr/direct-nouveau/",
                title="Le Conseil de sécurité adopte la résolution", content_html="<p>…</p>",
                language="fr", published_at=timezone.now(),
            )  # fmt: skip
            settle_articles([arrived.pk])

            assert all(reader.read_until(arrived.title.encode(), 10) for reader in readers)
            assert all(reader.headlines()[-1] == [arrived.title, article.title] for reader in readers)
        finally:
            for reader in readers:
                reader.close()


def test_past_the_limit_a_stream_ends_after_its_first_event_and_a_reader_who_leaves_frees_a_place():
    publish("http://127.0.0.1:9")
    settings = {
        **FEW_THREADS,
        "REVUE_SERVE_WORKERS": "1",
        "REVUE_TICKER_MAX_STREAMS": "2",
        "REVUE_TICKER_POLL_SECONDS": "7",
    }
    with revue_serve_one(**settings) as base:  # one process: the limit is per process
        kept = [Reader(base), Reader(base)]
        assert all(reader.read_until(b"event: titres\n") for reader in kept)
        extra = Reader(base)
        assert extra.read_until(b"event: titres\n") and b"retry: 7000" in extra.received
        assert extra.ended(5), "a stream past the limit ends, and the browser comes back after retry"
        assert not any(reader.ended(1) for reader in kept)

        kept[0].close()
        time.sleep(1)  # the process notices the reader left
        again = Reader(base)
        assert again.read_until(b"event: titres\n")
        assert not again.ended(2), "the place of the reader who left is taken"
        for reader in (kept[1], extra, again):
            reader.close()
