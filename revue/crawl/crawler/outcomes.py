"""The outcome writer: what happened to a feed becomes its row's next state, written with its
lease given back, many feeds in one transaction.

A fetch that went well (or answered 304) sets the next check from the feed's own signals
(``schedule.next_check``: new entries, Retry-After, Cache-Control max-age, ``<ttl>``,
``<skipHours>``) and clears the error count; a failure backs off and may park the feed; a feed
given back unfetched keeps its row as it was. Outcomes wait in memory until the lease loop
flushes them; a flush that fails keeps them for the next.
"""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from revue.crawl import schedule
from revue.crawl.clean import scrub_text
from revue.crawl.crawler.run import on_db
from revue.crawl.crawler.values import FeedJob, FeedOutcome, Release
from revue.crawl.fetchlog import record_fetches
from revue.crawl.feeds import ParsedFeed, SkippedEntry
from revue.crawl.websub.discovery import Advertised
from revue.net.fetch import FetchResult, parse_retry_after
from revue.sources.models import Feed

logger = logging.getLogger(__name__)


class OutcomeWriter:
    """Outcomes of one crawler's feeds, gathered, then written and their leases given back."""

    def __init__(self, owner: str, policy: schedule.Policy):
        self.owner = owner
        self.policy = policy
        self._waiting: list[Release] = []

    @property
    def waiting(self) -> int:
        """Outcomes gathered and not written yet."""
        return len(self._waiting)

    def ok(self, job: FeedJob, result: FetchResult, *, parsed: ParsedFeed | None, new_articles: int,
           skipped: tuple[SkippedEntry, ...] = (), hub: Advertised | None = None) -> FeedOutcome:
        """The feed was read (or answered 304): its next check, its validators, its skipped
        entries, the WebSub hub it advertises (``hub``; not looked at on a 304). While a
        subscription pushes it, it is polled no more often than ``job.push_poll_seconds``."""
        now = timezone.now()
        check = schedule.next_check(
            now,
            self.policy,
            interval=job.interval,
            ok=True,
            new_entries=new_articles,
            retry_after=_retry_after(result),
            fresh_for=max(_max_age(result) or 0, job.push_poll_seconds) or None,
            ttl_minutes=parsed.ttl_minutes if parsed else None,
            skip_hours=parsed.skip_hours if parsed else (),
        )
        fields = dict(
            next_fetch_at=check.at,
            interval_seconds=check.interval,
            last_fetched_at=now,
            last_status=result.status,
            last_new_entries=new_articles,
            error_count=0,
            last_error="",
        )
        if not result.not_modified:
            fields.update(etag=result.etag[:500], last_modified=result.last_modified[:100])
            advertised = (hub.hub[:2000], hub.topic[:2000]) if hub else ("", "")
            if advertised != (job.hub_url, job.topic_url):
                fields.update(hub_url=advertised[0], topic_url=advertised[1])
        if skipped:
            last = skipped[-1]
            fields.update(entries_skipped=job.entries_skipped + len(skipped), last_skipped_at=now,
                          last_skip_reason=scrub_text(f"{last.stage}: {last.reason} ({last.link or 'sans lien'})")[:2000])
        self._waiting.append(
            Release(job.id, fields, title=parsed.title[:300] if parsed and not job.title else "",
                    moved_to=result.permanent_redirect)
        )
        status = "not_modified" if result.not_modified else "ok"
        return FeedOutcome(feed_id=job.id, url=job.url, status=status, new_articles=new_articles)

    def error(self, job: FeedJob, error: Exception, status: int | None = None) -> FeedOutcome:
        """The feed failed: back off, park it after too many failures or on 410 Gone.
        ``status``: the HTTP status of a response that came but could not be used (a 200 that is no feed)."""
        message = str(error) or type(error).__name__
        status_code = getattr(error, "status", None) or status
        now = timezone.now()
        errors = job.error_count + 1
        check = schedule.next_check(
            now,
            self.policy,
            interval=job.interval,
            ok=False,
            error_count=errors,
            retry_after=getattr(error, "retry_after", None),
            gone=status_code == 410,
        )
        fields = dict(
            next_fetch_at=check.at,
            last_fetched_at=now,
            last_status=status_code,
            error_count=errors,
            last_error=scrub_text(message)[:2000],  # (a NUL would fail the whole batch of outcomes on PostgreSQL)
            last_error_at=now,
        )
        if check.park:
            fields["state"] = Feed.State.PARKED
        self._waiting.append(Release(job.id, fields))
        return FeedOutcome(feed_id=job.id, url=job.url, status="parked" if check.park else "error", error=message)

    def deferred(self, job: FeedJob) -> FeedOutcome:
        """The feed is given back unfetched, its row untouched: the next lease takes it."""
        self._waiting.append(Release(job.id, {}))
        return FeedOutcome(feed_id=job.id, url=job.url, status="deferred")

    async def flush(self) -> None:
        """Write the outcomes gathered so far and give their leases back, in one transaction."""
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        try:
            await on_db(_apply_releases)(batch, self.owner)
        except Exception:  # e.g. "database is locked": keep them for the next flush
            logger.exception("feed outcomes not written yet, will retry",
                             extra={"stage": "feed", "outcome": "retry", "feeds": len(batch)})
            self._waiting[:0] = batch


def _apply_releases(batch: list[Release], owner: str) -> None:
    """One commit for many feeds: on a single-writer SQLite each commit costs a disk write."""
    with transaction.atomic():
        for release in batch:
            if release.title:
                Feed.objects.filter(id=release.feed_id, title="").update(title=release.title)
            if release.moved_to:
                move_feed(release.feed_id, release.moved_to)
        schedule.release_many(owner, [(release.feed_id, release.fields) for release in batch])
        record_fetches((release.feed_id, release.fields) for release in batch)  # the feeds' fetch logs


def move_feed(feed_id: int, new_url: str) -> None:
    """A feed moved for good: remember the new URL unless another feed already has it."""
    if Feed.objects.filter(url=new_url).exclude(id=feed_id).exists():
        return
    try:
        with transaction.atomic():  # a savepoint: a clash must not spoil the batch around it
            Feed.objects.filter(id=feed_id).update(url=new_url)
    except IntegrityError:  # another worker registered the same URL a moment ago
        logger.warning("feed not moved: its new URL belongs to another feed",
                       extra={"stage": "feed", "feed_id": feed_id, "url": new_url, "outcome": "not_moved"})


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _max_age(result: FetchResult) -> float | None:
    """Seconds the server says its answer stays fresh (Cache-Control max-age), if any."""
    match = _MAX_AGE.search(result.headers.get("cache-control", ""))
    return float(match.group(1)) if match else None


def _retry_after(result: FetchResult) -> float | None:
    value = result.headers.get("retry-after", "")
    return parse_retry_after(value) if value else None
