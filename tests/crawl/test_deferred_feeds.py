"""A crawl run fetches every due feed, even those it gave back unfetched along the way.

Feeds leased ahead of a settle wait for a place at work behind the feeds leased before them;
one that waited longer than half its lease is given back untouched ("deferred"). The run must
lease it again: ``revue crawl`` once ended with 181 of 200 feeds fetched. Real crawls of the demo
press on loopback, slow as a distant press is (each answer waits), on the test database.
"""

from __future__ import annotations

import pytest

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article
from revue.sources.models import Feed
from tests.e2e.conftest import follow_press

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def feed_hits(running) -> dict[str, int]:
    return {url.split(running.base_url, 1)[1]: running.hits[url.split(running.base_url, 1)[1]]
            for _o, url, _h in running.feed_urls()}


def test_feeds_given_back_behind_slow_ones_are_fetched_in_the_same_run(allow_loopback, settings):
    """One request in flight, two feeds at work, a settle after every feed (each leases a dozen
    feeds ahead of it), answers 2 s slow and a 60 s lease: the last feeds leased wait more than
    half their lease (15 s) for their place and are given back; the run leases them again,
    and every feed is fetched exactly once."""
    from revue.crawl.worker import Crawler

    settings.REVUE_LEASE_SECONDS = 60  # a feed is given back after waiting 15 s for its place
    settings.REVUE_CRAWL_SETTLE_EVERY = 1
    with serve_press(DemoPress(outlets=12)) as running:  # 14 feeds
        follow_press(running)
        running.latency = 2.0
        summary = Crawler(concurrency=1, per_host=1, host_delay=0, processes=1, fetch_pages=False).run_once()
        hits = feed_hits(running)
    assert summary.deferred > 0, summary.line()  # the case at hand happened
    assert hits == {path: 1 for path in hits}, summary.line()
    assert summary.feeds == len(hits) == Feed.objects.exclude(last_fetched_at=None).count()
    assert not Feed.objects.exclude(lease_owner="").exists()
    assert not Feed.objects.due().exists()
    assert summary.new_articles == Article.objects.count() > 0
    assert not Article.objects.filter(story__isnull=True).exists()


def test_a_run_over_given_feeds_fetches_them_all_whatever_the_lease_batch(allow_loopback, settings):
    """``run_once(feed_ids=…)`` (``revue demo``, the admin's « fetch now ») with more feeds than
    one lease takes: every one of them is fetched once, and no other feed."""
    from revue.crawl.worker import Crawler

    settings.REVUE_LEASE_BATCH = 2
    with serve_press(DemoPress(outlets=5)) as running:  # 7 feeds
        feed_ids = follow_press(running)
        summary = Crawler(concurrency=2, host_delay=0, processes=1, fetch_pages=False).run_once(feed_ids=feed_ids[:-1])
        hits = feed_hits(running)
    assert summary.feeds == len(feed_ids) - 1, summary.line()
    assert sorted(hits.values()) == [0] + [1] * (len(feed_ids) - 1)
    assert list(Feed.objects.filter(last_fetched_at=None).values_list("id", flat=True)) == feed_ids[-1:]
