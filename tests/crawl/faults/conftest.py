"""One fault server, every case followed as its own outlet, crawled twice by the real crawler.

``fault_runs`` (module scope) runs ``Crawler().run_once(feed_ids=…)`` over every case at once
with the faults on, snapshots what the database then says, switches the server to healthy
answers, crawls again and snapshots again; the tests only read the snapshots. The crawler
writes from its own database thread, so the rows are really committed (as with
``django_db(transaction=True)``); the fixture empties the tables afterwards.

``allow_loopback`` is function-scoped, so the module fixture sets the same
``REVUE_FETCH_ALLOW`` itself, with the short limits, through ``override_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from revue.crawl.worker import CrawlSummary
from revue.news.models import Article, Image, Story
from revue.sources.models import Feed, Source
from revue.sources.services import FeedSpec, follow

from .cases import MAX_ERRORS, Case, install
from revue.crawl.worker import Crawler
from .server import FaultServer

FAULT_SETTINGS = dict(
    REVUE_FETCH_ALLOW=["127.0.0.1", "::1", "localhost"],
    REVUE_FETCH_CONNECT_TIMEOUT=1.0,
    REVUE_FETCH_READ_TIMEOUT=1.5,  # more than the drip's one second between bytes …
    REVUE_FETCH_TOTAL_TIMEOUT=2.5,  # … so only the whole-fetch deadline can stop the drip
    REVUE_FETCH_MAX_BYTES=1_000_000,
    REVUE_FETCH_MAX_REDIRECTS=5,
    REVUE_FETCH_CONCURRENCY=64,  # every case is in flight at once: the run lasts as long as
    REVUE_FETCH_PER_HOST=64,  # the slowest fault, not the sum of them (one host serves all)
    REVUE_HOST_DELAY=0,
    REVUE_FEED_MAX_ERRORS=MAX_ERRORS,
)


@dataclass(frozen=True)
class Run:
    summary: CrawlSummary
    started: datetime
    finished: datetime
    feeds: dict[str, Feed]  # case name → its row after the crawl
    articles: dict[str, list[Article]]  # case name → the articles stored from its feed


@dataclass(frozen=True)
class FaultRuns:
    server: FaultServer
    cases: dict[str, Case]
    feed_ids: dict[str, int]
    first: Run  # faults on
    second: Run  # faults fixed


def empty_archive() -> None:
    Article.objects.all().delete()
    Image.objects.all().delete()
    Story.objects.all().delete()
    Source.objects.all().delete()


def _follow(case: Case) -> int:
    spec = FeedSpec(
        feed_url=case.feed_url,
        outlet_name=f"Panne {case.name}",
        slug=f"panne-{case.name}",
        language=case.language,
    )
    feed = follow(spec).feed
    if case.prior_errors:
        Feed.objects.filter(id=feed.id).update(error_count=case.prior_errors, last_error="an earlier failure")
    return feed.id


def _crawl(feed_ids: dict[str, int]) -> Run:
    crawler = Crawler()
    started = timezone.now()
    summary = crawler.run_once(feed_ids=list(feed_ids.values()))
    finished = timezone.now()
    by_id = Feed.objects.in_bulk(feed_ids.values())
    articles: dict[str, list[Article]] = {name: [] for name in feed_ids}
    name_of = {feed_id: name for name, feed_id in feed_ids.items()}
    for article in Article.objects.filter(feed_id__in=feed_ids.values()).order_by("id"):
        articles[name_of[article.feed_id]].append(article)
    feeds = {name: by_id[feed_id] for name, feed_id in feed_ids.items()}
    return Run(summary=summary, started=started, finished=finished, feeds=feeds, articles=articles)


@pytest.fixture(scope="module")
def fault_runs(django_db_setup, django_db_blocker):
    with FaultServer() as server, override_settings(**FAULT_SETTINGS), django_db_blocker.unblock():
        empty_archive()
        try:
            cases = install(server)
            feed_ids = {name: _follow(case) for name, case in cases.items()}
            first = _crawl(feed_ids)
            server.heal()
            second = _crawl(feed_ids)
            yield FaultRuns(server=server, cases=cases, feed_ids=feed_ids, first=first, second=second)
        finally:
            empty_archive()
