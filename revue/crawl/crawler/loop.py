"""The lease loop: keeps the crawler's requests in flight, leasing due feeds as places free up,
writing outcomes in batches, and settling the new articles beside the crawl.

``REVUE_FETCH_CONCURRENCY`` requests in flight means twice as many feeds at work (the others
parse, wait for the database or for a host's turn, holding no request slot) and as many leased
and ready, leasing again when a quarter of the queue is gone (one lease for many feeds, no batch
barrier). The new articles are settled every ``REVUE_CRAWL_SETTLE_EVERY`` in a task of its own
(one at a time, in the settle process, given the story features the drafts brought; enough feeds
leased just before, as its write holds SQLite's write lock), so that fetching goes on meanwhile,
but no lease while ``SETTLE_BACKLOG`` settles' worth of articles wait; once everything due is
leased, what the last feeds bring is settled as soon as the previous settle ends, so the run
does not end on one large settle. A feed given back unfetched (it waited for its place at work
longer than half its lease: ``FeedRefresh.refresh_safely``) is due again at once, and this run
leases it again: a run ends when everything due was fetched, not when everything was leased.
All along, the leases of the feeds at work are renewed every third of ``REVUE_LEASE_SECONDS``
(``refresh.Leases``), so that a feed waiting its turn at the CPU processes keeps its lease.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.db import close_old_connections

from revue.crawl import pipeline, schedule
from revue.crawl.crawler.outcomes import OutcomeWriter
from revue.crawl.crawler.pools import Pools
from revue.crawl.crawler.refresh import FeedRefresh
from revue.crawl.crawler.run import CrawlRun, on_db
from revue.crawl.crawler.values import FeedJob, FeedOutcome
from revue.crawl.store import settle_articles
from revue.metrics import SETTLE_SECONDS
from revue.news import search
from revue.news.stories import StoryParams

logger = logging.getLogger(__name__)

# Outcomes are written, and leases given back, in batches: this many, or this often.
RELEASE_BATCH = 32
RELEASE_SECONDS = 0.5
# no feed is leased while this many settles' worth of articles wait to be settled: a crawl that
# outruns its settle process (an initial load) waits for it rather than pile up articles without
# stories, and their story features (several kB each) in memory
SETTLE_BACKLOG = 4


class LeaseLoop:
    """One run's loop: lease, refresh, count, write outcomes, settle; see the module docstring."""

    def __init__(self, run: CrawlRun, refresh: FeedRefresh, *, owner: str, concurrency: int,
                 on_feed_done: Callable[[FeedOutcome], None] | None = None):
        self.run = run
        self.refresh = refresh
        self.outcomes: OutcomeWriter = refresh.outcomes
        self.pools: Pools = refresh.pools
        self.owner = owner
        self.concurrency = concurrency
        self.on_feed_done = on_feed_done
        self.gate = asyncio.Semaphore(2 * concurrency)  # feeds at work; the rest wait their turn
        self.queue_size = 4 * concurrency
        self.running: set[asyncio.Task] = set()
        self.unsettled: list[int] = []
        self.features: dict = {}  # story features of unsettled articles, by id
        self.settling: asyncio.Task | None = None  # one settle at a time, beside the crawl
        self.in_settle = 0  # articles the running settle has taken and not settled yet
        self.backlog = SETTLE_BACKLOG * max(1, settings.REVUE_CRAWL_SETTLE_EVERY)
        self.more = True  # something may still be due
        self.given_back = 0  # feeds given back unfetched since the last flush: due again once it is written

    async def crawl(self) -> None:
        """Lease and refresh until nothing more is due and every leased feed is done; whatever
        stops it, the outcomes gathered are written and the stored articles settled."""
        flushed = time.monotonic()
        renewing = asyncio.create_task(self.refresh.leases.keep())
        try:
            while True:
                behind = self._waiting_to_settle() >= self.backlog  # (then a settle is running: see the end of the loop)
                if self.more and not behind and len(self.running) <= self.queue_size - self.concurrency:
                    self.more = await self._lease_and_start(self.queue_size - len(self.running))
                waiting = self.running | {self.settling} if behind and self.settling is not None else self.running
                if not waiting:
                    break
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                self.running.difference_update(done)  # (the same set: a settle may add feeds to it meanwhile)
                for task in done:
                    if task is not self.settling:  # (a settle that ended: caught up, the next starts below)
                        self._count(task.result())
                    else:
                        self.in_settle = 0
                # (feeds given back when all was leased: written at once, so that they are leased again)
                if (self.outcomes.waiting >= RELEASE_BATCH or time.monotonic() - flushed > RELEASE_SECONDS
                        or (self.given_back and not self.more)):
                    await self._flush()
                    flushed = time.monotonic()
                # settle every REVUE_CRAWL_SETTLE_EVERY articles, and once all is leased, whatever
                # the last feeds bring as soon as the previous settle ends: the run's tail is short
                due = len(self.unsettled) >= settings.REVUE_CRAWL_SETTLE_EVERY or (self.unsettled and not self.more)
                if due and (self.settling is None or self.settling.done()):
                    taken, features = self._take_unsettled()
                    self.in_settle = len(taken)
                    self.settling = asyncio.create_task(
                        settle(self.pools, self.run.story_params, taken, features, self._lease_for_settle, self._settled))
        finally:  # an error or a stop: what finished is still written
            renewing.cancel()
            await self.outcomes.flush()
            if self.settling is not None:
                await self.settling
            await settle(self.pools, self.run.story_params, *self._take_unsettled())

    async def _flush(self) -> None:
        """Write the outcomes gathered; once feeds given back are written, they are due again."""
        await self.outcomes.flush()
        if self.given_back and not self.outcomes.waiting:  # (a flush that failed keeps them leased)
            self.given_back = 0
            self.more = True

    def _count(self, outcome: FeedOutcome) -> None:
        self.run.summary.add(outcome)
        self.given_back += outcome.status == "deferred"
        self.unsettled.extend(outcome.article_ids)
        self.features.update(outcome.features)
        if self.on_feed_done and outcome.status not in ("deferred", "lost"):
            self.on_feed_done(outcome)

    def _waiting_to_settle(self) -> int:
        """Articles stored and not settled yet: those gathering, and those the running settle
        holds (counted too: else each settle, taking all, left room to lease as much again, and a
        long cold import piled up tens of thousands of articles and their features in memory)."""
        return len(self.unsettled) + self.in_settle

    def _settled(self, count: int) -> None:
        self.in_settle = max(0, self.in_settle - count)

    def _take_unsettled(self) -> tuple[list[int], dict]:
        """The articles stored and not settled yet, with their features; the next ones gather anew."""
        taken = self.unsettled, self.features
        self.unsettled, self.features = [], {}
        return taken

    async def _lease_and_start(self, room: int) -> bool:
        """Lease up to ``room`` feeds and start them; False when nothing more is due."""
        return bool(await self._lease_count(room))

    async def _lease_count(self, room: int) -> int:
        jobs = await self._lease(room)
        self.running.update(asyncio.create_task(self.refresh.refresh_safely(job, self.gate)) for job in jobs)
        return len(jobs)

    async def _lease_ahead(self, count: int) -> bool:
        """Lease ``count`` more feeds (``REVUE_LEASE_BATCH`` a lease) and start them."""
        while count > 0:
            leased = await self._lease_count(count)
            if not leased:
                return False
            count -= leased
        return True

    async def _lease_for_settle(self) -> None:
        """Before a settle's write holds SQLite's write lock (its clustering is done before
        taking it, but writing 200 articles' postings, fingerprints and index entries takes a
        moment), lease enough feeds to keep fetching all along: a lease would wait behind it."""
        if self.more and self._waiting_to_settle() < self.backlog:
            self.more = await self._lease_ahead(max(0, 3 * self.queue_size - len(self.running)))

    async def _lease(self, room: int) -> list[FeedJob]:
        def lease():
            close_old_connections()  # a worker running for months: drop a broken or stale connection
            feeds = schedule.lease_due_feeds(
                self.owner,
                fields=FeedJob.FIELDS,
                limit=min(room, settings.REVUE_LEASE_BATCH),
                lease_seconds=settings.REVUE_LEASE_SECONDS,
                due_before=self.run.due_before,
                ids=self.run.feed_ids,
            )
            leased_at = time.monotonic()
            return [FeedJob.of(f, leased_at) for f in feeds]

        return await on_db(lease)()


async def settle(pools: Pools, params: StoryParams, article_ids: list[int], features: dict,
                 before_write: Callable[[], Awaitable] | None = None,
                 settled: Callable[[int], None] | None = None) -> None:
    """Search and stories for new articles, ``REVUE_CRAWL_SETTLE_EVERY`` at a time (when
    settling falls behind the crawl, what piled up meanwhile is not read into memory at once);
    ``features``: the story features made with their drafts, by id (some or none)."""
    size = max(1, settings.REVUE_CRAWL_SETTLE_EVERY)
    for start in range(0, len(article_ids), size):
        batch = article_ids[start : start + size]  # (features leave memory as their batch goes)
        try:
            await _settle_batch(pools, params, batch, {i: features.pop(i) for i in batch if i in features}, before_write)
        finally:
            if settled is not None:  # (``settled``: told of each batch done, so the crawl leases again)
                settled(len(batch))


async def _settle_batch(pools: Pools, params: StoryParams, article_ids: list[int], features: dict,
                        before_write: Callable[[], Awaitable] | None = None) -> None:
    """The settle process reads the articles, makes their index entries and the story
    features their drafts did not bring, then clusters and writes; meanwhile the crawl goes on."""
    if not article_ids:
        return
    try:
        options = search.entry_options()
        if before_write is not None:  # its write takes SQLite's write lock for a while
            try:
                await before_write()
            except Exception:  # (say, the lease met a locked database): the crawl leases again later
                logger.exception("leasing ahead of the write failed", extra={"stage": "settle", "outcome": "error"})
        started = time.monotonic()
        if pools.settles_apart:
            await pools.in_settler(pipeline.settle, article_ids, params, options, features)
        else:
            await on_db(settle_articles)(article_ids, params, options, features)
        elapsed = time.monotonic() - started
        SETTLE_SECONDS.observe(elapsed)
        logger.debug("articles settled", extra={"stage": "settle", "outcome": "ok", "articles": len(article_ids),
                                                "ms": round(elapsed * 1000)})
    except Exception:  # stored already: a search indexes the queue, `revue stories update` catches up
        logger.exception("articles not settled; they will be on the next search or stories update",
                         extra={"stage": "settle", "outcome": "error", "articles": len(article_ids)})
