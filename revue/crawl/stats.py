"""The archive and the crawl in figures (``revue stats``; the metrics endpoint reads the same):
articles, outlets, feeds by state, errors in the last 24 hours, the last crawl, and the queues
the settle step empties (articles waiting for the search index, articles without a story)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from revue.crawl.models import FeedFetch
from revue.news.models import Article, Story
from revue.news.search import backend
from revue.sources.models import Feed, Source


def search_pending() -> int:
    """Articles whose search index entry is missing or stale (0 on a database without an index)."""
    index = backend()
    if index is None or not index.exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM news_search_pending")
        return cursor.fetchone()[0]


def feed_figures(now: datetime) -> dict:
    """Feeds by state, and those failing, leased, due and overdue (due for longer than
    ``REVUE_LEASE_SECONDS``) right now."""
    by_state = dict(Feed.objects.values_list("state").annotate(n=Count("id")))
    active = Feed.objects.active()
    due = Feed.objects.due(now)  # not leased: a leased feed is being fetched
    # overdue: due for longer than a lease lasts, so no running worker has taken it in time
    overdue_after = now - timedelta(seconds=settings.REVUE_LEASE_SECONDS)
    return {
        "total": sum(by_state.values()),
        **{state: by_state.get(state, 0) for state in Feed.State.values},
        "failing": active.filter(error_count__gt=0).count(),
        "leased": Feed.objects.filter(lease_expires_at__gt=now).count(),
        "due": due.count(),
        "overdue": due.filter(next_fetch_at__lt=overdue_after).count(),
        "errors_24h": Feed.objects.filter(last_error_at__gte=now - timedelta(hours=24)).count(),
        # failed fetches in the feeds' logs (a feed that failed then recovered counts here too)
        "failed_fetches_24h": FeedFetch.objects.filter(at__gte=now - timedelta(hours=24),
                                                       outcome__in=["error", "parked"]).count(),
    }


def gather(now: datetime | None = None) -> dict:
    """Every figure of ``revue stats``, as plain values (dates as ISO strings or None)."""
    now = now or timezone.now()
    articles = Article.objects.aggregate(
        total=Count("id"), last_24h=Count("id", filter=Q(fetched_at__gte=now - timedelta(hours=24))),
        newest=Max("fetched_at"),
    )
    last_crawl = Feed.objects.aggregate(at=Max("last_fetched_at"))["at"]
    return {
        "articles": {"total": articles["total"], "last_24h": articles["last_24h"],
                     "newest": _iso(articles["newest"])},
        "outlets": {"total": Source.objects.count(), "active": Source.objects.filter(is_active=True).count()},
        "feeds": feed_figures(now),
        "stories": Story.objects.count(),
        "last_crawl": _iso(last_crawl),
        "queues": {"search": search_pending(),
                   "stories": Article.objects.filter(fingerprint__isnull=True).count()},
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
