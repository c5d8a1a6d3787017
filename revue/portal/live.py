"""The live ticker's two endpoints: the latest headlines as a small cacheable JSON, and as events.

* ``/direct/titres.json``: the ticker's headlines (``REVUE_TICKER_SIZE``, newest first, one per
  story), kept by the page cache like a front page (``revue.portal.cache``: rendered once per
  generation, ``Cache-Control: public``, ETag, 304s). The home page's script fetches it every
  ``REVUE_TICKER_POLL_SECONDS`` when it cannot keep an event stream open.
* ``/direct/flux``: the same headlines as server-sent events (``event: titres``, its ``id`` the
  reader generation). Under ``revue serve`` the connection is then handed to the process's one
  broadcaster thread (``revue.portal.streams``), which sends the new headlines when a settle
  renews the generation: a reader waiting costs no thread, only the open connection. Anywhere
  else (another server, every process's streams taken) the answer ends after the first event
  with ``retry:`` set to the poll interval, and the browser's ``EventSource`` comes back then.

The headlines themselves are built once per generation (``cached``), so a settle costs one query
per process, whatever the number of readers.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from revue.news.models import Article
from revue.portal import queries
from revue.portal.cache import cached, generation
from revue.portal.templatetags.portal_tags import language_of

GENERATION = "revue.stream.generation"  # the generation of a stream's first event, for revue.portal.streams


def headline(article: Article) -> dict:
    """One headline as the ticker shows it."""
    code = language_of(article)
    return {
        "id": article.pk,
        "title": article.title,
        "url": reverse("portal:article", args=[article.source.slug, article.pk]),
        "outlet": article.source.name,
        "lang": code,
        "dir": "auto",  # as in every list: the title's own letters decide
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


def headlines_json() -> str:
    """The ticker's headlines as compact JSON, built once per generation."""
    return cached(
        "live-headlines",
        lambda: json.dumps(
            {"headlines": [headline(article) for article in queries.latest_headlines()]},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
    )


def event(token: str, data: str) -> bytes:
    """One server-sent event carrying the headlines (``data`` is one line of JSON)."""
    return f"id: {token}\nevent: titres\ndata: {data}\n\n".encode()


def current_event() -> tuple[str, bytes]:
    """The current generation and its event."""
    token = generation()
    return token, event(token, headlines_json())


@require_safe
def headlines(request):
    """``/direct/titres.json``: the ticker's latest headlines (kept by the page cache)."""
    return HttpResponse(headlines_json(), content_type="application/json")


@require_safe
def stream(request):
    """``/direct/flux``: the headlines now, then (when ``revue.portal.streams`` keeps the
    connection) whenever a settle brings new ones."""
    retry = f"retry: {settings.REVUE_TICKER_POLL_SECONDS * 1000}\n\n".encode()
    token, first = current_event()
    request.environ[GENERATION] = token
    response = StreamingHttpResponse(iter([retry + first]), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy in front (nginx) passes events at once
    return response
