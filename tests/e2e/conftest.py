"""The demo press on loopback, followed and crawled into the test database.

``crawled_press`` crawls once per module (a few seconds) and leaves the rows committed for the
module's read-only tests; it empties the tables afterwards so other modules start clean.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings

from revue.crawl.worker import Crawler, CrawlSummary
from revue.demo import DemoPress
from revue.demo.server import RunningPress, serve_press
from revue.news.models import Article, Image, Story
from revue.sources.models import Source
from revue.sources.services import FeedSpec, follow


@dataclass
class CrawledPress:
    press: DemoPress
    running: RunningPress
    summary: CrawlSummary
    feed_ids: list[int]


def follow_press(running: RunningPress) -> list[int]:
    """Follow every feed of the running press, as ``revue demo`` does."""
    return [
        follow(
            FeedSpec(
                feed_url=url,
                outlet_name=outlet.name,
                slug=outlet.slug,
                homepage=f"{running.base_url}/{outlet.slug}/",
                language=outlet.language,
                category_hint=hint,
            )
        ).feed.id
        for outlet, url, hint in running.feed_urls()
    ]


def crawl(feed_ids: list[int]) -> CrawlSummary:
    return Crawler().run_once(feed_ids=feed_ids)


def empty_archive() -> None:
    Article.objects.all().delete()
    Image.objects.all().delete()
    Story.objects.all().delete()
    Source.objects.all().delete()


@pytest.fixture(scope="module")
def crawled_press(django_db_setup, django_db_blocker):
    allowed, delay = settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY = ["127.0.0.1"], 0
    press = DemoPress()
    with django_db_blocker.unblock(), serve_press(press) as running:
        empty_archive()
        feed_ids = follow_press(running)
        summary = crawl(feed_ids)
        yield CrawledPress(press=press, running=running, summary=summary, feed_ids=feed_ids)
        empty_archive()
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY = allowed, delay
