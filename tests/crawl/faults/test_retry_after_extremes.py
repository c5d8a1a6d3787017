"""Retry-After values no outlet means: a decade, or a number of seconds past the year 9999.

Each test crawls its own two feeds (one healthy, one answering 503 with the odd Retry-After), so
a crawl that dies here cannot take the main fault run down with it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from revue.news.models import Article
from revue.sources.models import Feed
from revue.sources.services import FeedSpec, follow

from .documents import Item, rss
from revue.crawl.worker import Crawler
from .server import FaultServer, send

pytestmark = pytest.mark.django_db(transaction=True)

DECADE = 10 * 365 * 24 * 3600
PAST_YEAR_9999 = 999_999_999_999  # seconds: now + this overflows datetime


@pytest.fixture
def crawl_with_retry_after(allow_loopback, settings):
    settings.REVUE_FETCH_TOTAL_TIMEOUT = 2
    settings.REVUE_FETCH_READ_TIMEOUT = 1
    settings.REVUE_HOST_DELAY = 0

    def crawl(seconds: int):
        with FaultServer() as server:
            items = [Item(f"Sain {i}", server.url(f"/sain/a/{i}.html"), guid=f"s{i}") for i in (1, 2)]
            body = rss("Sain", items).encode()
            server.route("/sain.xml", lambda h: send(h, 200, body, "application/rss+xml"))
            server.route("/busy.xml", lambda h: send(h, 503, b"busy", "text/plain", Retry_After=str(seconds)))
            ids = [
                follow(FeedSpec(feed_url=server.url(path), outlet_name=name, slug=name)).feed.id
                for path, name in (("/sain.xml", "sain"), ("/busy.xml", "occupe"))
            ]
            summary = Crawler().run_once(feed_ids=ids)
        return summary, Feed.objects.get(id=ids[1])

    return crawl


def test_a_retry_after_of_a_decade_is_capped_at_the_longest_interval(crawl_with_retry_after, settings):
    summary, busy = crawl_with_retry_after(DECADE)
    assert summary.errors == 1 and Article.objects.count() == 2
    assert busy.next_fetch_at - busy.last_fetched_at <= timedelta(seconds=settings.REVUE_FEED_MAX_INTERVAL * 1.1), (
        f"next fetch on {busy.next_fetch_at:%Y-%m-%d}: the feed is silently gone for a decade"
    )


def test_an_absurd_retry_after_is_recorded_and_the_crawl_goes_on(crawl_with_retry_after, settings):
    before = timezone.now()
    summary, busy = crawl_with_retry_after(PAST_YEAR_9999)
    assert summary.errors == 1 and Article.objects.count() == 2
    assert busy.error_count == 1 and "503" in busy.last_error
    assert before < busy.next_fetch_at <= before + timedelta(days=365)
