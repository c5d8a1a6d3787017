"""Crawling again: nothing new is nothing added; a new edition adds only its new items; a broken
feed marks that feed and the crawl goes on.

The press has six outlets (eight feeds, every feed format the demo serves: RSS, RDF, Atom, JSON
Feed; French and Arabic; validators or none), not twelve: what is tested is what a second crawl does, not how much
the first one takes in, and each test crawls the press once more (half the time)."""

from __future__ import annotations

import pytest

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article
from revue.sources.models import Source
from revue.sources.services import FeedSpec, follow

from .conftest import crawl, follow_press

pytestmark = pytest.mark.django_db(transaction=True)
OUTLETS = 6


@pytest.fixture
def running(allow_loopback):
    with serve_press(DemoPress(outlets=OUTLETS)) as running:
        yield running


def test_a_second_crawl_adds_nothing_and_uses_conditional_gets(running):
    feed_ids = follow_press(running)
    first = crawl(feed_ids)
    count = Article.objects.count()
    running.reset_counters()
    second = crawl(feed_ids)
    assert first.new_articles == count == len(running.press.articles())
    assert second.new_articles == 0 and Article.objects.count() == count
    validated = sum(outlet.supports_304 for outlet, _url, _hint in running.feed_urls())
    assert 0 < validated < len(feed_ids)  # outlets with validators, and one without
    assert second.not_modified == validated and running.not_modified == second.not_modified
    page_hits = [p for p in running.hits if p.endswith(".html")]
    assert page_hits == []  # known entries never refetch their page


def test_a_new_edition_adds_only_its_new_items(running):
    feed_ids = follow_press(running)
    crawl(feed_ids)
    before = set(Article.objects.values_list("title", flat=True))
    running.set_edition(1)
    press = DemoPress(edition=1, outlets=OUTLETS)
    new_titles = {a.title for o in press.outlets for a in o.articles if a.edition == 1}
    summary = crawl(feed_ids)
    after = set(Article.objects.values_list("title", flat=True))
    assert new_titles and after - before == new_titles
    assert summary.new_articles == len(new_titles)


def test_a_broken_feed_records_its_error_and_the_crawl_goes_on(running):
    feed_ids = follow_press(running)
    outlet = Source.objects.get(slug="echo-detroit")
    broken = follow(FeedSpec(feed_url=f"{running.base_url}/echo-detroit/no-such-feed.xml", outlet_name=outlet.name, slug=outlet.slug)).feed
    summary = crawl([*feed_ids, broken.id])
    broken.refresh_from_db()
    assert summary.errors == 1 and summary.new_articles == len(running.press.articles())
    assert broken.error_count == 1 and broken.last_status == 404
    assert "404" in broken.last_error
    assert broken.next_fetch_at > broken.last_fetched_at
