"""Source health in the admin, after two crawls of the loopback press with failing feeds (a 404
and a page that is no feed), as a logged-in operator sees it: the health columns, the filters
(failing, parked, silent, thin text), the bulk actions and a feed's recent fetch log; and the log
kept to ``REVUE_FETCH_LOG_SIZE`` rows a feed."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from revue.crawl.fetchlog import record_fetches
from revue.crawl.models import FeedFetch
from revue.crawl.worker import Crawler
from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article
from revue.sources.models import Feed
from revue.sources.services import FeedSpec, follow
from tests.e2e.conftest import empty_archive, follow_press

pytestmark = pytest.mark.django_db
LIST = "/admin/sources/feed/"


@pytest.fixture(scope="module")
def crawled_twice(django_db_setup, django_db_blocker):
    """The press (2 outlets) and two failing feeds, crawled twice; committed for the module."""
    saved = settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY, settings.REVUE_CRAWL_PROCESSES
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY, settings.REVUE_CRAWL_PROCESSES = ["127.0.0.1"], 0, 0
    with django_db_blocker.unblock(), serve_press(DemoPress(outlets=2)) as running:
        empty_archive()
        press = follow_press(running)
        dead = follow(FeedSpec(feed_url=f"{running.base_url}/disparu/rss", outlet_name="Disparu")).feed.id
        not_a_feed = follow(FeedSpec(feed_url=f"{running.base_url}/robots.txt", outlet_name="Pas un flux")).feed.id
        ids = [*press, dead, not_a_feed]
        Crawler().run_once(feed_ids=ids)
        Feed.objects.update(next_fetch_at=timezone.now())
        Crawler().run_once(feed_ids=ids)
        yield press, dead, not_a_feed
        empty_archive()  # outlets go with their feeds and fetch logs
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY, settings.REVUE_CRAWL_PROCESSES = saved


def with_articles(feed_ids) -> set[int]:
    return {f for f in feed_ids if Article.objects.filter(feed_id=f).exists()}


@pytest.fixture
def operator(client):
    get_user_model().objects.create_superuser("operateur", "op@example.org", "un mot de passe long")
    answer = client.post("/admin/login/", {"username": "operateur", "password": "un mot de passe long",
                                           "next": "/admin/"})  # the admin's own (throttled) login form
    assert answer.status_code == 302 and answer["Location"] == "/admin/", answer.content[:500]
    return client


def listed(client, query="") -> set[int]:
    page = client.get(LIST + query)
    assert page.status_code == 200
    return {int(n) for n in re.findall(r'name="_selected_action" value="(\d+)"', page.content.decode())}


def test_the_feed_list_shows_each_feeds_health(crawled_twice, operator):
    press, dead, not_a_feed = crawled_twice
    page = operator.get(LIST).content.decode()

    assert listed(operator) == {*press, dead, not_a_feed}
    row = page[page.index("/disparu/rss"):][:3000]
    assert ">404<" in row and "HTTP 404" in row  # the last status, and the error
    sparks = re.findall(r'<svg class="revue-spark"[^>]*aria-label="(\d+) articles en 14 jours', page)
    assert len(sparks) == len(press) + 2
    assert sum(map(int, sparks)) == Article.objects.count() > 0
    for header in ("dernier succès", "dernière erreur", "articles par jour", "longueur moyenne", "entries skipped"):
        assert header in page.lower() or header.replace(" ", "_") in page.lower(), header


@pytest.mark.parametrize("page", [LIST, "/admin/sources/source/"])
def test_a_longer_list_costs_no_more_queries(crawled_twice, operator, page):
    """Each row's sparkline comes from the list's one query, not one query a row."""
    def queries(query: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as run:
            shown = operator.get(page + query).content.decode()
        return len(run.captured_queries), shown.count('<svg class="revue-spark"')

    few, all_rows = queries("?q=disparu"), queries("")
    assert few[1] == 1 and all_rows[1] > 2
    assert all_rows[0] == few[0]


def test_the_health_filters(crawled_twice, operator, settings):
    press, dead, not_a_feed = crawled_twice
    assert with_articles(press), "the press brought articles"
    assert listed(operator, "?sante=failing") == {dead, not_a_feed}
    # silent: nothing new from them (an outlet's second feed whose articles its first brought is too)
    assert listed(operator, "?sante=silent") == {dead, not_a_feed} | (set(press) - with_articles(press))
    assert listed(operator, "?sante=parked") == set()
    settings.REVUE_HEALTH_THIN_CHARS = 10**6
    assert listed(operator, "?sante=thin") == with_articles(press)  # without articles, no average
    settings.REVUE_HEALTH_THIN_CHARS = 1
    assert listed(operator, "?sante=thin") == set()


def test_bulk_actions_park_wake_and_fetch_now(crawled_twice, operator):
    press, dead, not_a_feed = crawled_twice

    def act(action, ids):
        answer = operator.post(LIST, {"action": action, "_selected_action": [str(i) for i in ids]}, follow=True)
        assert answer.status_code == 200

    act("park", [dead, press[0]])
    assert listed(operator, "?sante=parked") == {dead, press[0]}
    act("wake", [dead])
    woken = Feed.objects.get(pk=dead)
    assert woken.state == Feed.State.ACTIVE and woken.error_count == 0
    act("fetch_now", [press[1]])
    assert Feed.objects.get(pk=press[1]).next_fetch_at <= timezone.now()
    assert Feed.objects.due().filter(pk=press[1]).exists()


def test_a_feeds_page_lists_its_recent_fetches(crawled_twice, operator):
    press, dead, _ = crawled_twice
    page = operator.get(f"{LIST}{dead}/change/").content.decode()
    assert "collectes récentes" in page.lower()
    log = page[page.lower().index("collectes récentes"):]
    assert log.count("erreur") >= 2 and log.count("404") >= 2
    assert FeedFetch.objects.filter(feed_id=press[0], outcome__in=["ok", "not_modified"]).count() == 2
    outlets = operator.get("/admin/sources/source/")
    assert outlets.status_code == 200 and 'class="revue-spark"' in outlets.content.decode()


def test_the_fetch_log_keeps_the_newest_rows_of_each_feed(settings):
    from revue.sources.models import Source

    settings.REVUE_FETCH_LOG_SIZE = 3
    source = Source.objects.create(name="Le Matin", slug="le-matin")
    feeds = [Feed.objects.create(source=source, url=f"https://lematin.example/{n}") for n in range(2)]
    for n in range(5):
        record_fetches([(feeds[0].pk, {"last_fetched_at": timezone.now(), "last_status": 200, "last_new_entries": n}),
                        (feeds[1].pk, {"last_fetched_at": timezone.now(), "last_status": 500, "last_error": "boom",
                                       "last_error_at": timezone.now()}),
                        (feeds[1].pk, {})])  # given back unfetched: no row
    kept = list(FeedFetch.objects.filter(feed=feeds[0]).order_by("id").values_list("new_articles", flat=True))
    assert kept == [2, 3, 4]
    assert set(FeedFetch.objects.filter(feed=feeds[1]).values_list("outcome", "error")) == {("error", "boom")}
    assert FeedFetch.objects.filter(feed=feeds[1]).count() == 3
