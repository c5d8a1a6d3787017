"""The live ticker's endpoints with Django's test client (``revue.portal.live``): the headlines as a
kept JSON page and as server-sent events, and the home page's ticker that reads them.

What happens under the real server (streams kept open without a thread, events when a settle
lands, the limit per process) is in ``tests/e2e/test_live_ticker.py``; what a reader sees in a
browser, in ``tests/e2e/test_portal_browser.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from revue.crawl.store import settle_articles
from revue.news.cache import reader_generation

pytestmark = pytest.mark.django_db


def events(body: bytes) -> list[dict[str, str]]:
    """The server-sent events of ``body``, each as its fields."""
    found = []
    for block in body.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if fields:
            found.append(fields)
    return found


def test_the_headlines_json_lists_the_newest_first_with_their_outlet_language_and_address(
    client, barlamane, hespress, make_article
):
    older = make_article(barlamane, title="Le pacte de Marrakech servira de base")
    newer = make_article(
        hespress, title="بلينكن: ميثاق مراكش سيكون أساسا", published_at=older.published_at.replace(year=2030)
    )

    response = client.get("/direct/titres.json")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    headlines = response.json()["headlines"]
    assert [item["title"] for item in headlines] == [newer.title, older.title]
    assert headlines[0] == {
        "id": newer.pk, "title": newer.title, "url": f"/hespress/{newer.pk}", "outlet": "Hespress",
        "lang": "ar", "dir": "auto", "published_at": newer.published_at.isoformat(),
    }  # fmt: skip


def test_the_headlines_json_is_a_kept_public_page_renewed_by_a_settle(
    client, barlamane, make_article, django_capture_on_commit_callbacks
):
    make_article(barlamane, title="Le premier titre")
    first = client.get("/direct/titres.json")
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert "Cookie" not in first.get("Vary", "") and not first.cookies
    assert client.get("/direct/titres.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    arrived = make_article(barlamane, title="Un titre arrivé depuis", published_at=timezone.now())
    assert "Un titre arrivé depuis" not in client.get("/direct/titres.json").content.decode(), "stored, not settled yet"
    with django_capture_on_commit_callbacks(execute=True):  # the settle renews the generation once committed
        settle_articles([arrived.pk])

    after = client.get("/direct/titres.json")
    assert after["ETag"] != first["ETag"]
    assert after.json()["headlines"][0]["title"] == "Un titre arrivé depuis"


def test_the_stream_sends_the_headlines_as_one_event_with_the_generation_and_the_poll_interval(
    client, barlamane, make_article, settings
):
    settings.REVUE_TICKER_POLL_SECONDS = 45
    make_article(barlamane, title="Le premier titre")

    response = client.get("/direct/flux")

    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"retry: 45000\n\n")
    (event,) = [fields for fields in events(body) if "event" in fields]
    assert event["event"] == "titres" and event["id"] == reader_generation()
    assert [item["title"] for item in json.loads(event["data"])["headlines"]] == ["Le premier titre"]


def test_the_endpoints_only_read(client):
    assert client.post("/direct/flux").status_code == 405
    assert client.post("/direct/titres.json").status_code == 405


def test_the_home_page_ticker_names_its_endpoints_and_script(client, barlamane, make_article, settings):
    settings.REVUE_TICKER_POLL_SECONDS = 20
    article = make_article(barlamane, title="Le premier titre")

    page = client.get("/").content.decode()

    ticker = re.search(r'<section class="ticker"[^>]*>', page).group(0)
    assert 'data-stream-url="/direct/flux"' in ticker and 'data-headlines-url="/direct/titres.json"' in ticker
    assert 'data-poll-seconds="20"' in ticker
    assert f'<li class="ticker__item" data-id="{article.pk}">' in page
    assert re.search(r'<script src="/static/portal/ticker\.js[^"]*" defer></script>', page)
    assert re.search(r'<button type="button" class="ticker__pause" aria-pressed="false" hidden>', page)


def test_the_words_direct_are_reserved_for_the_portal():
    from revue.sources.models import reserved_slugs

    assert "direct" in reserved_slugs()


def test_a_process_keeps_streams_for_at_most_half_its_open_file_limit(settings):
    import resource

    from revue.portal.streams import max_streams

    settings.REVUE_TICKER_MAX_STREAMS = 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        assert max_streams() == 128
        settings.REVUE_TICKER_MAX_STREAMS = 50
        assert max_streams() == 50
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
