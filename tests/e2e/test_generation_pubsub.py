"""Beside Redis, each ``revue serve`` process keeps the reader generation and hears of its renewals (issue #17).

``revue serve`` runs with several processes, its cache on the test run's Redis (the PostgreSQL run
sets ``REVUE_CACHE_URL``; without Redis these tests are skipped). Each process serves a kept page
from its own copy under its own copy of the generation, which a subscription to the renewals
keeps (``revue.news.cache``). A reader on a kept-alive connection to each process checks:

* a block made through one process (three readers' reports behind the trusted proxy): the picture
  is refused at once by every process (the image proxy reads the block from the database), and
  within milliseconds every process's pages, though each had kept the page with the image, show
  the placeholder instead, on kept and on fresh connections (the renewal reaches each process by
  its subscription: a request already on its way may still get the page kept before, never the
  picture);
* with the processes' subscriptions cut in Redis (``CLIENT KILL``), a moderator's block made
  meanwhile, from another process, is seen by every process: while they are cut off, and once
  they are subscribed again (a renewal missed while disconnected is not left behind).
"""

from __future__ import annotations

import http.client
import os
import re
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string

from revue.moderation.services import block_image
from revue.news.cache import invalidate_reader_caches
from revue.news.models import Image
from tests.e2e.test_cached_pages import report_through_the_proxy
from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_serve_processes import WORKERS, children, fresh, revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SERVED = {"REVUE_CLIENT_ADDRESS_HEADER": "X-Forwarded-For", "REVUE_TRUSTED_PROXIES": "127.0.0.1",
          "REVUE_FRONT_CACHE_SECONDS": "3600", "REVUE_ARTICLE_CACHE_SECONDS": "3600"}  # fmt: skip
PLACEHOLDER = 'aria-label="Image retirée"'


@pytest.fixture
def redis_client():
    """The test run's Redis (the server processes inherit REVUE_CACHE_URL); skip without it."""
    cache = settings.CACHES["default"]
    if not issubclass(import_string(cache["BACKEND"]), RedisCache):
        pytest.skip("needs the cache on Redis (REVUE_CACHE_URL=redis://…: the PostgreSQL run)")
    client = redis.Redis.from_url(cache["LOCATION"])
    invalidate_reader_caches()  # pages kept in Redis by earlier tests were of another archive
    yield client
    client.close()
    Image.objects.all().delete()
    invalidate_reader_caches()  # nor are the pages kept here (for an hour) of the next test's archive


class Reader:
    """A kept-alive connection to the server, and the worker process that accepted it (/proc)."""

    def __init__(self, base: str):
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=20)
        self.get("/robots.txt")  # connected and accepted
        self.worker = worker_holding(self.connection.sock.getsockname()[1], int(port))

    def status(self, path: str) -> int:
        self.connection.request("GET", path)
        answer = self.connection.getresponse()
        answer.read()
        return answer.status

    def get(self, path: str) -> tuple[str, str]:
        """The page's text and Last-Modified."""
        self.connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        answer = self.connection.getresponse()
        body = answer.read().decode()
        assert answer.status == 200, (path, answer.status)
        return body, answer.getheader("Last-Modified", "")


def worker_holding(client_port: int, server_port: int) -> int | None:
    """The process holding the server's end of the loopback connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == server_port and int(fields[2].split(":")[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (entry / "fd").iterdir()):
                    return int(entry.name)
            except OSError:
                continue
    return None


def readers_on_every_worker(base: str, workers: list[int]) -> list[Reader]:
    """Kept-alive connections until each worker process holds at least two."""
    readers: list[Reader] = []
    for _ in range(60):
        if all(sum(reader.worker == pid for reader in readers) >= 2 for pid in workers):
            return readers
        readers.append(Reader(base))
    pytest.fail(f"connections did not reach every worker: {[reader.worker for reader in readers]} of {workers}")


def keep_pages_with_the_image(readers: list[Reader], path: str) -> None:
    """Every worker renders, then serves its kept copy of, the article and the home page."""
    for reader in readers:
        for page in (path, "/"):
            first, rendered = reader.get(page)
            again, rendered_again = reader.get(page)
            assert "/img/" in first and PLACEHOLDER not in first, page
            assert rendered_again == rendered, f"{page}: kept, not rendered again"


def shown_images(readers: list[Reader], base: str, path: str, fresh_requests: int = 20) -> list[str]:
    """The requests (on each reader's connection, and on fresh ones) whose page shows the image."""
    shown = []
    for reader in readers:
        article, _ = reader.get(path)
        home, _ = reader.get("/")
        if PLACEHOLDER not in article:
            shown.append(f"worker {reader.worker}: {path}")
        if "image-placeholder" not in home:
            shown.append(f"worker {reader.worker}: /")
    for n in range(fresh_requests):
        page = fresh(base, path if n % 2 else "/")
        if "image-placeholder" not in page.text:
            shown.append(f"a fresh connection: {page.url.path}")
    return shown


def shown_after(readers: list[Reader], base: str, path: str, seconds: float) -> list[str]:
    """``shown_images`` once none shows the image, or at the end of ``seconds``."""
    deadline = time.monotonic() + seconds
    while (shown := shown_images(readers, base, path)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return shown


def subscribers(client: redis.Redis, workers: list[int]) -> dict[int, int]:
    """The workers' subscriptions to the renewals, as Redis lists them: worker's pid → client id."""
    names = {f"revue-generation-{pid}": pid for pid in workers}
    return {
        names[entry["name"]]: int(entry["id"]) for entry in client.client_list(_type="pubsub") if entry["name"] in names
    }


def wait_for_subscribers(
    client: redis.Redis, workers: list[int], other_than: dict[int, int] | None = None
) -> dict[int, int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = subscribers(client, workers)
        if len(found) == len(workers) and not set(found.values()) & set((other_than or {}).values()):
            return found
        time.sleep(0.02)
    pytest.fail(f"the workers are not subscribed to the renewals: {subscribers(client, workers)}")


def test_a_block_through_one_process_is_seen_at_once_by_every_process(redis_client):
    article = publish("http://127.0.0.1:9")
    image, path = article.image, article.get_absolute_url()
    with revue_serve(**SERVED) as (base, server):
        workers = children(server.pid)
        assert len(workers) == WORKERS
        readers = readers_on_every_worker(base, workers)
        keep_pages_with_the_image(readers, path)
        picture = re.search(r'/img/[^"\s,]+', readers[0].get(path)[0]).group(0)
        assert 410 not in {reader.status(picture) for reader in readers}  # (its outlet, port 9, answers nothing: 502)
        wait_for_subscribers(redis_client, workers)

        for network in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):
            report_through_the_proxy(base, path, image.pk, network)
        image.refresh_from_db()
        assert image.is_blocked

        assert {reader.status(picture) for reader in readers} == {410}, "the picture: refused at once"
        assert shown_after(readers, base, path, seconds=1) == [], "the pages: within a second at most"
        assert shown_images(readers, base, path, fresh_requests=40) == []


def test_a_block_made_while_the_subscriptions_are_cut_is_seen_by_every_process(redis_client):
    article = publish("http://127.0.0.1:9")
    image, path = article.image, article.get_absolute_url()
    with revue_serve(**SERVED) as (base, server):
        workers = children(server.pid)
        readers = readers_on_every_worker(base, workers)
        keep_pages_with_the_image(readers, path)
        subscribed = wait_for_subscribers(redis_client, workers)

        for pid, client_id in subscribed.items():  # Redis drops the workers' subscriptions
            assert redis_client.client_kill_filter(_id=client_id) == 1, pid
        block_image(image, note="bloquée depuis l'administration")  # another process: renewed as it commits
        cut_off = subscribers(redis_client, workers)
        assert not cut_off, f"the block came after the workers subscribed again ({cut_off}): it was not made meanwhile"
        image.refresh_from_db()
        assert image.is_blocked

        assert shown_images(readers, base, path) == [], "while the workers are cut off"
        wait_for_subscribers(redis_client, workers, other_than=subscribed)
        time.sleep(0.2)  # their copy of the generation: back from Redis by now
        assert shown_images(readers, base, path) == [], "once the workers are subscribed again"
