"""One bad entry costs that entry only, never its feed (issue #15, item 1).

A real loopback server serves feeds where hostile or broken items sit among good ones; the
real crawler (its CPU process pool, its store, its outcome writer) crawls them into the test
database. The good items must be stored, the feed must stay healthy (no error, not parked), and
every entry left out must be logged and counted on the feed's row (``entries_skipped``), where
``revue sources list`` and the admin show it.
"""

from __future__ import annotations

import io
import json
from html import escape

import pytest
from django.core.management import call_command
from pytest_httpserver import HTTPServer

from revue.crawl.worker import Crawler
from revue.news.models import Article
from revue.sources.models import Feed, Source

pytestmark = pytest.mark.django_db(transaction=True)  # the crawler commits from its own thread

# what the attack pass sent: an RSS description that is a whole HTML document without a body,
# once escaped in the XML, once as CDATA with an event handler
POISON_ESCAPED = "&lt;html&gt;&lt;head&gt;&lt;/head&gt;&lt;/html&gt;"
POISON_CDATA = "<![CDATA[<html id=x tabindex=1 onbeforeactivate=alert(1)></html>]]>"
BODY = (
    "Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine, "
    "après un long débat sur les transports, les écoles et l'entretien des quartiers anciens. "
) * 6  # well over REVUE_FULL_CONTENT_MIN_CHARS: no article page is needed
GOOD = ["Le budget de la ville adopté", "Les transports en débat", "Les écoles rénovées"]


class Site:
    """The outlet on loopback (pytest-httpserver): ``serve(path, content type, body)``; the rest is 404."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        server.no_handler_status_code = 404
        self.base = server.url_for("").rstrip("/")

    def serve(self, path: str, content_type: str, body: bytes) -> None:
        self.server.expect_request(path).respond_with_data(body, content_type=content_type)


@pytest.fixture
def site(allow_loopback, httpserver_ipv4):
    return Site(httpserver_ipv4)


def good_item(base: str, n: int) -> str:
    return (f"<item><title>{escape(GOOD[n])}</title><link>{base}/articles/{n}</link>"
            f"<guid>{base}/articles/{n}</guid><pubDate>Tue, 02 Dec 2025 0{n}:00:00 GMT</pubDate>"
            f"<description>{escape(BODY)}</description></item>")


def poisoned_rss(base: str) -> bytes:
    items = [
        good_item(base, 0),
        # with a title: once its description reads as empty text, it is a short article like any other
        f"<item><title>Un titre piégé</title><link>{base}/articles/poison-1</link>"
        f"<description>{POISON_ESCAPED}</description></item>",
        good_item(base, 1),
        # nothing but the poison: no title, no text, nothing to show: left out, and counted
        f"<item><link>{base}/articles/poison-2</link><description>{POISON_CDATA}</description></item>",
        good_item(base, 2),
    ]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>La Gazette</title>'
            f"<link>{base}/</link><language>fr</language>{''.join(items)}</channel></rss>").encode()


def follow(site: Site, path: str) -> Feed:
    source = Source.objects.create(name="La Gazette", slug="la-gazette", homepage=f"{site.base}/", language="fr")
    return Feed.objects.create(source=source, url=f"{site.base}{path}")


def test_a_poisoned_item_costs_that_item_only_and_is_counted(site):
    site.serve("/feed.xml", "application/rss+xml; charset=utf-8", poisoned_rss(site.base))
    feed = follow(site, "/feed.xml")

    summary = Crawler(processes=1).run_once(feed_ids=[feed.id])

    feed.refresh_from_db()
    assert (feed.state, feed.error_count, feed.last_error, feed.last_status) == (Feed.State.ACTIVE, 0, "", 200)
    stored = {a.url.rsplit("/", 1)[1]: a for a in Article.objects.filter(feed=feed)}
    assert sorted(stored) == ["0", "1", "2", "poison-1"]
    assert sorted(stored[n].title for n in "012") == sorted(GOOD)
    assert all(stored[n].text.startswith("Le conseil municipal") for n in "012")
    poisoned = stored["poison-1"]
    assert (poisoned.title, poisoned.text) == ("Un titre piégé", "")
    assert "onbeforeactivate" not in poisoned.content_html and "<html" not in poisoned.content_html
    # the item with nothing to show is left out, counted on the feed's row and in the summary
    assert feed.entries_skipped == 1 and summary.entries_skipped == 1
    assert "poison-2" in feed.last_skip_reason and "no title and no text" in feed.last_skip_reason
    assert feed.last_skipped_at is not None
    assert summary.errors == 0 and summary.new_articles == 4

    # the next crawl of the unchanged feed stores nothing twice and counts the skip again
    summary = Crawler(processes=0).run_once(feed_ids=[feed.id])
    feed.refresh_from_db()
    assert Article.objects.filter(feed=feed).count() == 4 and summary.new_articles == 0
    assert (feed.state, feed.error_count, feed.entries_skipped) == (Feed.State.ACTIVE, 0, 2)

    out = io.StringIO()
    call_command("sources", "list", stdout=out)
    assert "2 entrées ignorées" in out.getvalue() and "poison-2" in out.getvalue()


def test_a_poisoned_item_never_parks_its_feed(site, settings):
    """Without the fix, every crawl of this feed failed; after REVUE_FEED_MAX_ERRORS it was parked."""
    settings.REVUE_FEED_MAX_ERRORS = 2
    site.serve("/feed.xml", "application/rss+xml; charset=utf-8", poisoned_rss(site.base))
    feed = follow(site, "/feed.xml")
    for _ in range(3):
        Feed.objects.filter(id=feed.id).update(next_fetch_at=feed.created_at)
        Crawler(processes=0).run_once(feed_ids=[feed.id])
    feed.refresh_from_db()
    assert (feed.state, feed.error_count, feed.last_error) == (Feed.State.ACTIVE, 0, "")
    assert Article.objects.filter(feed=feed).count() == 4 and feed.entries_skipped == 3


def test_an_unreadable_json_feed_item_is_left_out_alone(site):
    """A JSON Feed item whose values have types the format does not allow (``attachments``
    must be an array) cannot be read: it alone is left out, logged and counted. Items with a
    control character XML forbids in their HTML (JSON may carry ``\b``) or an image on a port out
    of range used to take the feed down too: they are stored."""
    items = [
        {"id": f"{n}", "url": f"{site.base}/articles/{n}", "title": GOOD[n], "content_html": f"<p>{escape(BODY)}</p>",
         "date_published": f"2025-12-02T0{n}:00:00Z"}
        for n in range(3)
    ]
    items.insert(1, {"id": "bad", "url": f"{site.base}/articles/bad", "title": "Mal formé", "attachments": 5})
    items.append({"id": "ctl", "url": f"{site.base}/articles/ctl", "title": "Un retour arrière",
                  "content_html": "<p>Un texte\b avec\x1b des caractères de contrôle.</p>",
                  "image": "http://127.0.0.1:99999/photo.jpg"})
    # JSON escapes may carry what no database stores: NULs (PostgreSQL refuses them), lone
    # surrogates (no UTF-8 encoder takes them): in the guid, the author, the title
    items.append({"id": "nul\u0000\ud800", "url": f"{site.base}/articles/nul", "title": "Un nul\u0000 \udc00isolé",
                  "authors": [{"name": "La r\u0000édaction\ud83d"}], "tags": ["\u0000"],
                  "content_html": f"<p>{escape(BODY)}</p>"})
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "La Gazette", "items": items}
    site.serve("/feed.json", "application/feed+json", json.dumps(document).encode())
    feed = follow(site, "/feed.json")

    summary = Crawler(processes=1).run_once(feed_ids=[feed.id])

    feed.refresh_from_db()
    assert (feed.state, feed.error_count, feed.last_error) == (Feed.State.ACTIVE, 0, "")
    assert sorted(Article.objects.filter(feed=feed).values_list("title", flat=True)) == sorted(
        GOOD + ["Un retour arrière", "Un nul \ufffdisolé"])
    odd = Article.objects.get(url=f"{site.base}/articles/nul")
    assert (odd.guid, odd.author) == ("nul\ufffd", "La rédaction\ufffd")
    assert Article.objects.get(title="Un retour arrière").text == "Un texte avec des caractères de contrôle."
    assert feed.entries_skipped == 1 and summary.entries_skipped == 1
    assert feed.last_skip_reason.startswith("parse: TypeError") and f"{site.base}/articles/bad" in feed.last_skip_reason


def test_the_feed_admin_shows_the_entries_left_out(site, admin_client):
    source = Source.objects.create(name="La Gazette", slug="la-gazette", language="fr")
    feed = Feed.objects.create(source=source, url=f"{site.base}/feed.xml", entries_skipped=7,
                               last_skip_reason="draft: AssertionError: too many bodies (https://x.example/a)")
    listing = admin_client.get("/admin/sources/feed/").content.decode()
    assert "entries skipped" in listing.lower() and ">7<" in listing
    page = admin_client.get(f"/admin/sources/feed/{feed.id}/change/").content.decode()
    assert "too many bodies" in page
