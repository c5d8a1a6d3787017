"""A feed's recent fetch log (``FeedFetch``): one row per fetch, written by the outcome writer in
the transaction that records the feed's outcome, and trimmed there to the newest
``REVUE_FETCH_LOG_SIZE`` rows of each feed (one statement for the whole batch)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from revue.crawl.models import FeedFetch
from revue.sources.models import Feed


def fetch_row(feed_id: int, fields: dict) -> FeedFetch | None:
    """The log row of an outcome written as ``fields`` on the feed (None: given back unfetched)."""
    if "last_fetched_at" not in fields:
        return None
    if fields.get("state") == Feed.State.PARKED:
        outcome = FeedFetch.Outcome.PARKED
    elif "last_error_at" in fields:
        outcome = FeedFetch.Outcome.ERROR
    elif fields.get("last_status") == 304:
        outcome = FeedFetch.Outcome.NOT_MODIFIED
    else:
        outcome = FeedFetch.Outcome.OK
    return FeedFetch(feed_id=feed_id, at=fields["last_fetched_at"], outcome=outcome,
                     http_status=fields.get("last_status"), new_articles=fields.get("last_new_entries") or 0,
                     error=fields.get("last_error", "") if outcome in ("error", "parked") else "")


def record_fetches(outcomes: Iterable[tuple[int, dict]]) -> int:
    """Log these ``(feed id, fields)`` outcomes and trim each feed's log; returns rows written."""
    rows = [row for feed_id, fields in outcomes if (row := fetch_row(feed_id, fields)) is not None]
    if not rows:
        return 0
    FeedFetch.objects.bulk_create(rows)
    trim({row.feed_id for row in rows}, settings.REVUE_FETCH_LOG_SIZE)
    return len(rows)


def trim(feed_ids: set[int], keep: int) -> None:
    """Delete all but the newest ``keep`` rows of each of these feeds."""
    table = connection.ops.quote_name(FeedFetch._meta.db_table)
    marks = ",".join(["%s"] * len(feed_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
            f" (PARTITION BY feed_id ORDER BY id DESC) AS place FROM {table} WHERE feed_id IN ({marks}))"
            f" AS ranked WHERE place > %s)", [*sorted(feed_ids), max(keep, 0)])
