"""Scheduling arithmetic (pure) and feed leases (on the real database)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone as tz

import pytest
from django.utils import timezone

from revue.crawl import schedule
from revue.db import MAX_PARAMETERS
from revue.sources.models import Feed, Source

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=tz.utc)
POLICY = schedule.Policy(min_interval=300, max_interval=6 * 3600, default_interval=900, max_errors=5)


def check(**kw):
    return schedule.next_check(NOW, POLICY, rng=random.Random(1), **kw)


def test_a_lively_feed_is_polled_more_often_and_a_quiet_one_less():
    lively = check(interval=900, ok=True, new_entries=5)
    quiet = check(interval=900, ok=True, new_entries=0)
    assert lively.interval < 900 < quiet.interval
    assert not lively.park and not quiet.park


def test_interval_stays_within_bounds():
    assert check(interval=300, ok=True, new_entries=9).interval == 300
    assert check(interval=6 * 3600, ok=True).interval == 6 * 3600


def test_rss_ttl_is_a_floor():
    result = check(interval=900, ok=True, new_entries=3, ttl_minutes=60)
    assert result.interval == 3600


def test_errors_back_off_exponentially_and_park_at_the_limit():
    delays = [(check(interval=900, ok=False, error_count=n).at - NOW).total_seconds() for n in (1, 2, 3, 4)]
    assert delays == sorted(delays)
    assert delays[3] > 5 * delays[0]
    assert check(interval=900, ok=False, error_count=5).park


def test_retry_after_is_honoured_on_errors():
    result = check(interval=900, ok=False, error_count=1, retry_after=7200)
    assert (result.at - NOW).total_seconds() >= 7200


def test_gone_parks_at_once():
    assert check(interval=900, ok=False, error_count=1, gone=True).park


@pytest.fixture
def feeds(db):
    source = Source.objects.create(name="Le Quotidien", language="fr")
    past = timezone.now() - timedelta(minutes=1)
    return [Feed.objects.create(source=source, url=f"https://example.org/feed/{i}", next_fetch_at=past) for i in range(6)]


def test_two_workers_never_lease_the_same_feed(feeds):
    first = schedule.lease_due_feeds("a", limit=4, lease_seconds=60)
    second = schedule.lease_due_feeds("b", limit=4, lease_seconds=60)
    assert len(first) == 4 and len(second) == 2
    assert not {f.id for f in first} & {f.id for f in second}
    assert schedule.lease_due_feeds("c", limit=4, lease_seconds=60) == []


def test_an_expired_lease_returns_the_feed(feeds):
    past = timezone.now() - timedelta(minutes=10)
    schedule.lease_due_feeds("dead-worker", limit=10, lease_seconds=60, now=past)
    assert schedule.lease_due_feeds("alive", limit=10, lease_seconds=60) != []


def test_release_only_by_the_owner(feeds):
    leased = schedule.lease_due_feeds("a", limit=1, lease_seconds=60)
    assert not schedule.release(leased[0].id, "b", error_count=0)
    assert schedule.release(leased[0].id, "a", error_count=0)
    assert Feed.objects.get(id=leased[0].id).lease_owner == ""


def test_release_many_writes_each_outcome_and_gives_the_leases_back(feeds):
    leased = schedule.lease_due_feeds("a", limit=4, lease_seconds=60)
    later = timezone.now() + timedelta(hours=2)
    outcomes = [
        (leased[0].id, {"next_fetch_at": later, "last_status": 304, "error_count": 0, "last_error": ""}),
        (leased[1].id, {"next_fetch_at": later, "last_status": 304, "error_count": 0, "last_error": ""}),
        (leased[2].id, {"next_fetch_at": later, "last_status": 503, "error_count": 5, "last_error": "HTTP 503",
                        "state": Feed.State.PARKED}),
        (leased[3].id, {}),  # given back untouched
    ]
    schedule.release_many("a", outcomes)
    rows = {f.id: f for f in Feed.objects.filter(id__in=[f.id for f in leased])}
    assert all(f.lease_owner == "" and f.lease_expires_at is None for f in rows.values())
    assert rows[leased[0].id].next_fetch_at == later and rows[leased[1].id].last_status == 304
    assert rows[leased[2].id].state == Feed.State.PARKED and rows[leased[2].id].last_error == "HTTP 503"
    assert rows[leased[3].id].last_status is None and rows[leased[3].id].next_fetch_at < timezone.now()
    assert not schedule.lease_due_feeds("b", limit=10, lease_seconds=60, ids=[leased[0].id, leased[2].id])


def test_release_many_leaves_a_feed_whose_lease_another_worker_holds(feeds):
    leased = schedule.lease_due_feeds("a", limit=1, lease_seconds=60)
    schedule.release_many("b", [(leased[0].id, {"last_status": 200})])
    row = Feed.objects.get(id=leased[0].id)
    assert row.lease_owner == "a" and row.last_status is None


def test_parked_feeds_are_not_due(feeds):
    Feed.objects.filter(id=feeds[0].id).update(state=Feed.State.PARKED)
    leased = schedule.lease_due_feeds("a", limit=10, lease_seconds=60)
    assert feeds[0].id not in {f.id for f in leased}


def test_a_lease_reads_the_fields_asked_for_exactly_as_the_orm_does(feeds):
    """The crawler asks for plain values; on SQLite they come back in one aggregated row, so
    text with quotes, accents, Arabic or JSON-like content must survive the trip unchanged,
    and a field that could be NULL is read by the ORM itself."""
    feed = Feed.objects.order_by("id").first()
    Feed.objects.filter(id=feed.id).update(title='« L\'"Écho" » — صدى البلد {"a": [1]} \\n', etag='W/"x\\"y"')
    Feed.objects.filter(source=feed.source).update(interval_seconds=987)
    feed.source.name = "Le Desk \u200f ; , |"
    feed.source.save()
    fields = ("id", "url", "etag", "interval_seconds", "source_id", "source__name", "title", "last_status")
    leased = schedule.lease_due_feeds("a", limit=10, lease_seconds=60, fields=fields[:-1])
    expected = list(Feed.objects.filter(lease_owner="a").order_by("id").values(*fields[:-1]))
    assert sorted(leased, key=lambda row: row["id"]) == expected
    assert any(row["title"].startswith("« L'\"Écho\"") and row["source__name"] == "Le Desk \u200f ; , |" for row in leased)
    schedule.give_back("a")
    with_null = schedule.lease_due_feeds("b", limit=10, lease_seconds=60, fields=fields)
    assert {row["last_status"] for row in with_null} == {None}


def test_release_many_writes_every_feed_of_a_large_batch(db):
    """More feeds than one statement carries (on SQLite, an UPDATE … FROM VALUES of at most
    MAX_PARAMETERS values; here 3 fields, the lease's 2 and the id a row): each gets its own
    outcome, and only its owner's."""
    source = Source.objects.create(name="Le Quotidien", language="fr")
    count = MAX_PARAMETERS // 6 * 2 + 7
    past = timezone.now() - timedelta(minutes=1)
    Feed.objects.bulk_create(Feed(source=source, url=f"https://example.org/f/{i}", next_fetch_at=past) for i in range(count))
    leased = schedule.lease_due_feeds("a", limit=count, lease_seconds=60, fields=("id",))
    stolen = leased[5]["id"]
    Feed.objects.filter(id=stolen).update(lease_owner="other")  # its lease expired and another worker took it
    base = timezone.now().replace(microsecond=0)
    schedule.release_many("a", [(row["id"], {"next_fetch_at": base + timedelta(seconds=row["id"]),
                                             "last_status": 200 + row["id"] % 7, "last_error": f"n°{row['id']} «ok»"})
                                for row in leased])
    for feed in Feed.objects.exclude(id=stolen):
        assert feed.lease_owner == "" and feed.lease_expires_at is None
        assert feed.next_fetch_at == base + timedelta(seconds=feed.id)
        assert feed.last_status == 200 + feed.id % 7 and feed.last_error == f"n°{feed.id} «ok»"
    left = Feed.objects.get(id=stolen)
    assert left.lease_owner == "other" and left.last_status is None


@pytest.mark.django_db(transaction=True)
def test_a_run_asked_for_no_feed_leases_nothing_and_says_so(feeds):
    """``run_once(feed_ids=[])`` (a script or the admin's « fetch now » with nothing ticked) is an
    empty run, not a crash in the lease query, and leaves every due feed to the next run."""
    from revue.crawl.worker import Crawler

    summary = Crawler().run_once(feed_ids=[])
    assert (summary.feeds, summary.errors, summary.new_articles) == (0, 0, 0)
    assert not Feed.objects.exclude(lease_owner="").exists()
    assert not Feed.objects.filter(last_fetched_at__isnull=False).exists()
