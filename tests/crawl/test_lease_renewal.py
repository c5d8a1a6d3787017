"""A feed at work longer than its lease keeps it: the crawler renews the leases of its feeds at
work, so no other worker takes them and none is cut at the lease's end (issue #18: a cold
import on a loaded machine once failed half its feeds, waiting for our own CPU processes).
And a lease another worker did take stops this run's work on that feed, storing nothing.

Real crawls of the demo press on loopback, slow as a distant press is (each answer waits), on
the test database; the other worker is a real ``revue crawl`` process, or (for the lost lease)
the lease a worker takes once the first one's lease has run out.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from revue.crawl import schedule
from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article
from revue.sources.models import Feed
from tests.crawl.test_workers import start_worker
from tests.e2e.conftest import follow_press

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
LEASE = 4  # seconds


def slow_summary_feed(running) -> tuple[Feed, str, set[str]]:
    """The one due feed: a summary-only outlet's, so each of its 33 entries' pages is fetched
    (one at a time, each answer 0.4 s late: about 14 s of work, more than three leases); its
    path on the press and the titles it lists."""
    follow_press(running)
    outlet = next(o for o in running.press.outlets if not o.full_content)
    path = outlet.feeds[0].path
    feed = Feed.objects.get(url=running.url(path))
    Feed.objects.exclude(id=feed.id).update(next_fetch_at=timezone.now() + timedelta(days=1))
    running.latency = 0.4
    return feed, path, {a.title for a in outlet.feed_articles(outlet.feeds[0])}


def when_fetched(running, path: str, then) -> threading.Thread:
    """Run ``then()`` in a thread once the feed at ``path`` was fetched (its pages are next)."""
    def wait_then():
        try:
            deadline = time.monotonic() + 60
            while not running.hits[path] and time.monotonic() < deadline:
                time.sleep(0.05)
            then()
        finally:
            connections.close_all()

    thread = threading.Thread(target=wait_then)
    thread.start()
    return thread


def crawler():
    from revue.crawl.worker import Crawler

    return Crawler(concurrency=1, per_host=1, host_delay=0, processes=1, fetch_pages=True)


@pytest.fixture
def press(allow_loopback, settings):
    settings.REVUE_LEASE_SECONDS = LEASE
    with serve_press(DemoPress(outlets=2)) as running:
        yield running


def test_a_feed_at_work_longer_than_its_lease_keeps_it(press):
    """A second worker started once the first lease would have run out finds nothing due: the
    feed is fetched once, its pages once, all its entries stored, and no error on it."""
    feed, path, titles = slow_summary_feed(press)
    other = {}

    def second_worker():
        time.sleep(LEASE + 1)  # past the lease taken before the fetch (the worker leases ~2 s later)
        worker = start_worker(REVUE_LEASE_SECONDS=LEASE, REVUE_FETCH_PER_HOST=1)
        other["output"] = worker.communicate(timeout=180)[0]
        other["returncode"] = worker.returncode
        other["feed"] = Feed.objects.values("last_fetched_at", "lease_owner").get(id=feed.id)  # as it ended

    thread = when_fetched(press, path, second_worker)
    summary = crawler().run_once()
    thread.join(timeout=200)

    assert summary.seconds > 2 * LEASE, summary.line()  # the case at hand: work outlasted the lease
    assert other["returncode"] == 0, other["output"]
    assert other["output"].strip().startswith("0 flux"), other["output"]  # it found nothing due
    assert other["feed"]["last_fetched_at"] is None and other["feed"]["lease_owner"]  # it ended before ours
    assert press.hits[path] == 1
    assert max(press.hits.values()) == 1, press.hits  # no page fetched twice either
    assert (summary.feeds, summary.errors, summary.lost) == (1, 0, 0), summary.line()
    feed.refresh_from_db()
    assert (feed.error_count, feed.last_error, feed.lease_owner) == (0, "", "")
    assert feed.last_fetched_at is not None
    assert set(Article.objects.values_list("title", flat=True)) == titles
    assert summary.new_articles == len(titles)


def test_a_feed_whose_lease_another_worker_took_is_dropped_unstored(press):
    """The first worker's lease ran out unrenewed (a process paused, say) and another worker
    leased the feed: the first one stops its work on it, stores nothing of it and writes no
    outcome over the other's lease."""
    feed, path, titles = slow_summary_feed(press)
    taken = {}

    def other_worker_leases_it():
        time.sleep(1)  # among the pages
        for _ in range(50):  # (the first worker renews now and then: lease right after its lease ran out)
            Feed.objects.filter(id=feed.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
            if schedule.lease_due_feeds("other-worker", limit=1, lease_seconds=600, ids=[feed.id]):
                taken["by"] = "other-worker"
                return
            time.sleep(0.05)

    thread = when_fetched(press, path, other_worker_leases_it)
    summary = crawler().run_once()
    thread.join(timeout=60)

    assert taken
    assert sum(press.hits.values()) < 2 + len(titles)  # its work stopped: not every page was fetched (+ feed, robots.txt)
    assert not Article.objects.exists()
    feed.refresh_from_db()
    assert feed.lease_owner == "other-worker" and feed.last_fetched_at is None and feed.error_count == 0
    assert (summary.feeds, summary.errors, summary.lost) == (0, 0, 1), summary.line()
    assert "repris par un autre worker" in summary.line()
