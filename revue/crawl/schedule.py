"""Which feeds are due, who fetches them, and when each is fetched next.

Two parts:

* ``next_check`` — the scheduling arithmetic as one pure function over plain values (no ORM),
  in the manner of Miniflux's ``ScheduleNextCheck``: success, not-modified and failure all go
  through it.
* ``lease_due_feeds`` / ``renew`` / ``release`` / ``release_many`` — a worker *leases* a batch of due feeds with a conditional
  ``UPDATE … WHERE lease is free`` that only one worker can win for a given row, on SQLite and
  PostgreSQL alike (PostgreSQL pre-selects with ``FOR UPDATE SKIP LOCKED`` so workers don't
  even contend). A lease expires, so a killed worker's feeds come back by themselves; a live
  worker renews the leases of the feeds it is still working on (``renew``, one ``UPDATE … WHERE
  lease_owner = it``), so that a long feed is neither taken by another worker nor cut.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone as django_timezone

from revue.db import read_rows, skip_locked, update_rows
from revue.sources.models import Feed


@dataclass(frozen=True)
class Policy:
    """The bounds ``next_check`` works within (from the ``REVUE_FEED_*`` settings)."""

    min_interval: int = 5 * 60
    max_interval: int = 6 * 60 * 60
    default_interval: int = 15 * 60
    max_errors: int = 10

    @classmethod
    def from_settings(cls) -> "Policy":
        return cls(
            min_interval=settings.REVUE_FEED_MIN_INTERVAL,
            max_interval=settings.REVUE_FEED_MAX_INTERVAL,
            default_interval=settings.REVUE_FEED_DEFAULT_INTERVAL,
            max_errors=settings.REVUE_FEED_MAX_ERRORS,
        )


@dataclass(frozen=True)
class NextCheck:
    at: datetime
    interval: int  # seconds; the feed's remembered polling interval
    park: bool = False  # stop polling until an operator looks


def _clamp(value: float, policy: Policy) -> int:
    return int(max(policy.min_interval, min(policy.max_interval, value)))


def next_check(
    now: datetime,
    policy: Policy,
    *,
    interval: int,
    ok: bool,
    new_entries: int = 0,
    error_count: int = 0,
    retry_after: float | None = None,
    fresh_for: float | None = None,
    ttl_minutes: int | None = None,
    skip_hours: tuple[int, ...] = (),
    gone: bool = False,
    rng: random.Random | None = None,
) -> NextCheck:
    """When to fetch a feed next, given what its last fetch taught us.

    * Success with new entries shortens the interval (the feed is lively), success without
      them (or a 304) lengthens it, always within ``[min_interval, max_interval]``; an RSS
      ``<ttl>`` is a floor.
    * Failure backs off exponentially from the current interval with ±10 % jitter, so a
      thousand feeds failing together do not come back together; ``Retry-After`` is a floor.
    * ``Cache-Control: max-age`` (``fresh_for``) and ``Retry-After`` are floors on success too;
      RSS ``<skipHours>`` (GMT hours) push the next check past the hours the feed asks us to skip.
    * ``gone`` (HTTP 410) and ``error_count >= max_errors`` park the feed.
    """
    rng = rng or random
    interval = interval or policy.default_interval
    if gone:
        return NextCheck(at=now + timedelta(seconds=policy.max_interval), interval=interval, park=True)
    if not ok:
        if error_count >= policy.max_errors:
            return NextCheck(at=now + timedelta(seconds=policy.max_interval), interval=interval, park=True)
        backoff = policy.min_interval * (2 ** max(0, error_count - 1))
        delay = min(policy.max_interval, backoff) * rng.uniform(0.9, 1.1)
        if retry_after:  # a floor, but never past the longest interval (nor past year 9999)
            delay = max(delay, min(retry_after, policy.max_interval))
        return NextCheck(at=now + timedelta(seconds=delay), interval=interval)
    if new_entries:
        interval = _clamp(interval * 0.75, policy)
    else:
        interval = _clamp(interval * 1.25, policy)
    if ttl_minutes:
        interval = _clamp(max(interval, ttl_minutes * 60), policy)
    delay = interval * rng.uniform(0.95, 1.05)
    delay = max(delay, min(retry_after or 0, policy.max_interval), min(fresh_for or 0, policy.max_interval))
    return NextCheck(at=_after_skipped_hours(now + timedelta(seconds=delay), skip_hours), interval=interval)


def _after_skipped_hours(at: datetime, skip_hours: tuple[int, ...]) -> datetime:
    """``at``, or the start of the first hour after it that the feed does not skip (GMT)."""
    if not skip_hours or len(set(skip_hours)) >= 24:
        return at
    at_utc = at.astimezone(timezone.utc)
    while at_utc.hour in skip_hours:
        at_utc = (at_utc + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return at_utc


# --- leases ---------------------------------------------------------------------------------


def new_owner(prefix: str = "worker") -> str:
    """A token naming one lease batch of one worker (unique, so read-back is exact)."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def lease_due_feeds(
    owner: str,
    *,
    limit: int,
    lease_seconds: int,
    now: datetime | None = None,
    due_before: datetime | None = None,
    ids: list[int] | None = None,
    fields: Sequence[str] = (),
) -> list:
    """Lease up to ``limit`` due feeds to ``owner`` and return them (with their source), or
    only ``fields`` of each as a dict (``Feed.objects.values`` names, e.g. ``source__name``:
    what a crawler needs, without building model instances).

    ``due_before`` leaves out feeds that fell due after it (so a crawl that started then has an
    end); ``ids`` limits the lease to those feeds. The UPDATE repeats the "due and not leased"
    condition, so when two workers pick the same candidate only the first UPDATE touches it;
    each then reads back only what it won.
    """
    now = now or django_timezone.now()
    expires = now + timedelta(seconds=lease_seconds)
    due = Feed.objects.due(now).filter(next_fetch_at__lte=due_before or now)
    if ids is not None:
        due = due.filter(id__in=ids)
    with transaction.atomic():
        candidates = skip_locked(due.order_by("next_fetch_at", "id"))
        ids = _ids(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        due.filter(id__in=ids).update(lease_owner=owner, lease_expires_at=expires)
    won = Feed.objects.filter(id__in=ids, lease_owner=owner).order_by("id")
    if not fields:
        return list(won.select_related("source"))
    if all(_plain(name) for name in fields):
        return _values_in_one_row(won, fields)
    return list(won.values(*fields))


# On SQLite, a lease's reads come back as one row: the calling thread needs the interpreter
# lock again after every row a statement returns, and in a busy crawler that is a wait for
# each (the lease reads 2 × REVUE_LEASE_BATCH rows). Aggregated in SQLite, it is one wait.

_PLAIN_TYPES = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "SmallIntegerField", "CharField", "TextField", "URLField",
                "SlugField", "EmailField", "ForeignKey"}  # read from JSON exactly as the ORM reads them


@functools.cache
def _plain(name: str) -> bool:
    model, *path, last = [Feed, *name.split("__")]
    for step in path:
        model = model._meta.get_field(step).related_model
    field = model._meta.get_field(last)
    return field.get_internal_type() in _PLAIN_TYPES and not getattr(field, "null", False)


def _ids(query) -> list[int]:
    sql, params = query.query.sql_with_params()  # (with its FOR UPDATE SKIP LOCKED where there is one)
    with connection.cursor() as cursor:
        return [feed_id for (feed_id,) in read_rows(cursor, sql, params, ["id"])]


def _values_in_one_row(query, fields: Sequence[str]) -> list[dict]:
    names = [f"v{n}" for n in range(len(fields))]
    sql, params = query.values(**{name: F(field) for name, field in zip(names, fields)}).query.sql_with_params()
    with connection.cursor() as cursor:
        return [dict(zip(fields, values)) for values in read_rows(cursor, sql, params, names)]


def renew(owner: str, feed_ids: Sequence[int], lease_seconds: int, now: datetime | None = None) -> set[int]:
    """Extend to ``lease_seconds`` from now the leases ``owner`` still holds among ``feed_ids``
    (its feeds at work), in one UPDATE with the condition ``release`` writes under; return the
    ids it holds. A feed another worker leased meanwhile (this one's lease ran out: the process
    was paused, or its database thread busy past the lease) is left alone and not returned.
    A lease that ran out but that nobody took is still ``owner``'s: renewed."""
    feed_ids = set(feed_ids)
    if not feed_ids:
        return set()
    expires = (now or django_timezone.now()) + timedelta(seconds=lease_seconds)
    renewed = Feed.objects.filter(id__in=feed_ids, lease_owner=owner).update(lease_expires_at=expires)
    if renewed == len(feed_ids):
        return feed_ids
    return set(Feed.objects.filter(id__in=feed_ids, lease_owner=owner).values_list("id", flat=True))


def release(feed_id: int, owner: str, **fields) -> bool:
    """Write the outcome of one fetch and give the lease back, if ``owner`` still holds it."""
    updated = Feed.objects.filter(id=feed_id, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None, **fields
    )
    return bool(updated)


def give_back(owner: str) -> int:
    """Give back every lease ``owner`` still holds, untouched (a worker stopping mid-run): its
    feeds are due again at once instead of waiting for the leases to expire."""
    return Feed.objects.filter(lease_owner=owner).update(lease_owner="", lease_expires_at=None)


def release_many(owner: str, outcomes: Sequence[tuple[int, dict]]) -> None:
    """``release`` for many feeds at once: one ``update_rows`` per set of fields written.

    A crawl releases thousands of feeds, nearly all with the same fields (a 304 writes the
    same seven columns); compiling an ORM ``update`` for each costs more than the write. Values
    are converted by each model field (``get_db_prep_save``), as the ORM would; a feed whose
    lease ``owner`` no longer holds is left alone, as in ``release``. Call it inside a
    transaction to make the batch one commit.
    """
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = {}
    for feed_id, fields in outcomes:
        groups.setdefault(tuple(sorted(fields)), []).append((feed_id, fields))
    meta = Feed._meta
    owner_column, expires_column = meta.get_field("lease_owner").column, meta.get_field("lease_expires_at").column
    where = f"{connection.ops.quote_name(owner_column)} = %s"
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            columns = [meta.get_field(name) for name in names]
            values = [[f.get_db_prep_save(fields[f.name], connection) for f in columns] + ["", None, feed_id]
                      for feed_id, fields in rows]
            update_rows(cursor, meta.db_table, [f.column for f in columns] + [owner_column, expires_column],
                        meta.pk.column, values, where=where, where_params=[owner])
