"""The crawl's entry point: ``Crawler``, what ``revue crawl``, ``revue worker`` and the demo run.

    lease due feeds ─► fetch feed ─► parse ─► keep new entries ─► robots.txt ─► fetch + extract pages
                                                                                     │
                      release lease with the feed's next check ◄── store ◄── merge into drafts

A ``Crawler`` runs one asyncio loop per run (``run_once``; ``run_forever`` runs again while
something is due). Its parts live in ``revue.crawl.crawler``, as Miniflux cuts a refresh:

* ``loop.LeaseLoop`` — the lease loop, the one place that names the order of the stages for
  many feeds: ``REVUE_FETCH_CONCURRENCY`` requests in flight, twice as many feeds at work,
  feeds leased ahead of anything that holds the database thread long, outcomes written in
  batches, the new articles settled (search index and stories) beside the crawl;
* ``refresh.FeedRefresh`` — one feed from fetch to stored outcome (an HTML page served
  instead of a feed: its feed link followed once, as ``revue.crawl.discover`` finds it), the
  drafts of the feeds that finish while the database is busy stored together (``store_many``);
* ``pools.Pools`` — the CPU processes (parse, extract, merge: ``revue.crawl.pipeline``,
  ``REVUE_CRAWL_PROCESSES`` of them, so both cores work) and the settle process (its own
  database connection), started in a thread, replaced when one dies, stopped at the end;
* ``outcomes.OutcomeWriter`` — each feed's next check, error or park, written with its lease
  given back;
* ``run.CrawlRun`` — what one run holds (its fetcher, request slots, robots.txt, extraction
  options, totals), made fresh at its start.

Per-host politeness holds across every worker through the cache (``revue.crawl.politeness``),
and every database call goes through one thread (SQLite has a single writer; the ORM is
synchronous). With no CPU processes (``REVUE_CRAWL_PROCESSES=0``) or an in-memory database,
settling runs on the database thread. A failing feed records its error on its own row and never
stops the crawl; an entry that no stage can use is left out alone (logged with its feed and
link, counted in the feed's ``entries_skipped``) and never fails its feed. After each run the
WebSub requests due are sent (``revue.crawl.websub``), and the articles a worker stored but never
settled (it was killed between the two: in no story, stored over a lease ago) are settled
(``_settle_left_behind``). Nothing imports this module but the
commands that run it, the WebSub push (``revue.crawl.websub.push``, which runs one feed's
``ingest`` with a crawler's parts), tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from revue.crawl import schedule
from revue.crawl.crawler.loop import LeaseLoop
from revue.crawl.crawler.loop import settle as settle_batches
from revue.crawl.crawler.outcomes import OutcomeWriter
from revue.crawl.crawler.pools import CPU, SETTLER, Pools
from revue.crawl.crawler.refresh import FeedRefresh
from revue.crawl.crawler.run import CrawlRun, on_db
from revue.crawl.crawler.values import CrawlSummary, FeedJob, FeedOutcome
from revue.net.fetch import Fetcher, FetchLimits
from revue.crawl.politeness import HostGate
from revue.crawl.websub import hub as websub_hub
from revue.net.robots import RobotsRules
from revue.news import search
from revue.news.stories import StoryParams
from revue.news.stories import store as stories_store
from revue.sources.models import Feed

__all__ = ["Crawler", "CrawlSummary", "FeedJob", "FeedOutcome", "SWITCH_INTERVAL"]

logger = logging.getLogger(__name__)


def _loop_factory():
    """uvloop's event loop where it is installed (a dependency but on Windows), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


_tuned = False
SWITCH_INTERVAL = 0.001  # s a thread keeps the interpreter lock while another waits for it


def _tune_interpreter() -> None:
    """Two settings of the interpreter for a crawling process, once:

    * leave what the process made before its first crawl (Django, the modules, the settings:
      objects that live as long as it does) out of the garbage collector's full passes, which
      otherwise walk them all again and again;
    * hand the interpreter lock over after 1 ms instead of 5: the database thread gets it back
      after each SQLite call while the event loop is busy, and it is the crawl's narrowest
      resource. (What each saved: ``bench/README.md``.)
    """
    global _tuned
    if not _tuned:
        gc.collect()
        gc.freeze()
        sys.setswitchinterval(SWITCH_INTERVAL)
        _tuned = True


class Crawler:
    """Fetches due feeds and stores their new articles; see the module docstring.

    What lasts from one run to the next: its lease owner name, the host gate, the pools (kept
    warm by ``run_once(keep_pool=True)`` and ``run_forever``) and outcomes not written yet.
    """

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        concurrency: int | None = None,
        per_host: int | None = None,
        host_delay: float | None = None,
        fetch_pages: bool | None = None,
        processes: int | None = None,
        on_feed_done: Callable[[FeedOutcome], None] | None = None,
    ):
        self.limits = limits or FetchLimits.from_settings()
        self.concurrency = concurrency or settings.REVUE_FETCH_CONCURRENCY
        self.fetch_pages = settings.REVUE_FETCH_PAGES if fetch_pages is None else fetch_pages
        self.processes = settings.REVUE_CRAWL_PROCESSES if processes is None else processes
        self.on_feed_done = on_feed_done
        self.policy = schedule.Policy.from_settings()
        self.owner = schedule.new_owner()
        self.hosts = HostGate(
            per_host=per_host or settings.REVUE_FETCH_PER_HOST,
            delay=settings.REVUE_HOST_DELAY if host_delay is None else host_delay,
            hold_seconds=self.limits.total_timeout + 5,
        )
        self.pools = Pools(self.processes)
        self.outcomes = OutcomeWriter(self.owner, self.policy)

    @property
    def cpu(self) -> Executor:
        """The CPU pool, started if need be."""
        return self.pools.pool(CPU)

    @property
    def settler(self) -> Executor:
        """The settle process, started if need be."""
        return self.pools.pool(SETTLER)

    def close(self) -> None:
        """Stop the CPU worker processes and the settle process (``run_once`` and
        ``run_forever`` leave them warm), and the host gate's alive mark."""
        self.pools.stop()
        self.hosts.close()

    def run_once(self, *, feed_ids: list[int] | None = None, keep_pool: bool = False) -> CrawlSummary:
        """Crawl every feed that is due now (or the given feeds), then return the totals."""
        if feed_ids is not None and not feed_ids:  # no feed asked for: nothing to lease
            if not keep_pool:
                self.close()
            return CrawlSummary()
        _tune_interpreter()
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                return runner.run(self._run(feed_ids))
        finally:
            if not keep_pool:
                self.close()

    def run_forever(self, *, idle_seconds: float = 30.0, stop: Callable[[], bool] = lambda: False) -> None:
        """Crawl what is due, sleep while nothing is, forever (or until ``stop()``)."""
        _tune_interpreter()
        try:
            while not stop():
                summary = self.run_once(keep_pool=True)
                if summary.feeds:
                    logger.info("%s", summary.line(), extra={"stage": "crawl", "outcome": "done"})
                else:
                    time.sleep(idle_seconds)
        finally:
            self.close()

    def new_run(self, fetcher: Fetcher, feed_ids: list[int] | None = None, due_before: datetime | None = None,
                summary: CrawlSummary | None = None) -> CrawlRun:
        """A run's fresh state, on the running event loop."""
        return CrawlRun(
            fetcher=fetcher,
            feed_ids=feed_ids,
            due_before=due_before or timezone.now(),
            requests=asyncio.Semaphore(self.concurrency),
            robots=RobotsRules(user_agent=self.limits.user_agent, ttl=settings.REVUE_ROBOTS_TTL),
            story_params=StoryParams.from_settings(),
            summary=summary or CrawlSummary(),
        )

    def refresh(self, run: CrawlRun) -> FeedRefresh:
        """The per-feed refresh of that run."""
        return FeedRefresh(run, hosts=self.hosts, pools=self.pools, outcomes=self.outcomes, fetch_pages=self.fetch_pages)

    async def _websub(self, fetcher: Fetcher) -> None:
        """Send the WebSub requests due (subscribe the feeds found advertising a hub, renew,
        unsubscribe: ``revue.crawl.websub.hub``); a failure costs nothing of the crawl."""
        try:
            await websub_hub.maintain(fetcher, self.hosts)
        except Exception:
            logger.exception("WebSub requests not sent; the next run tries again",
                             extra={"stage": "websub", "outcome": "error"})

    async def _settle_left_behind(self, run: CrawlRun) -> None:
        """Settle what a worker stored and never settled (it was killed between the two): the
        articles in no story stored over ``REVUE_LEASE_SECONDS`` ago, a batch per run; those of
        a worker still at work are settled well before. Search finds them meanwhile (a run ends
        by indexing the queue); their stories come here."""
        try:
            stored_before = timezone.now() - timedelta(seconds=settings.REVUE_LEASE_SECONDS)
            ids = await on_db(stories_store.left_behind)(stored_before, settings.REVUE_STORY_BATCH)
            if ids:
                logger.warning("articles another run stored but never settled: settling them",
                               extra={"stage": "settle", "outcome": "left_behind", "articles": len(ids)})
                await settle_batches(self.pools, run.story_params, ids, {})
        except Exception:  # `revue stories update` catches up; the next run tries again
            logger.exception("articles left behind not settled", extra={"stage": "settle", "outcome": "error"})

    async def _run(self, feed_ids: list[int] | None) -> CrawlSummary:
        started = time.monotonic()
        due_before = timezone.now()  # feeds falling due during the run wait for the next one
        if feed_ids is not None:
            await on_db(Feed.objects.filter(id__in=feed_ids).update)(next_fetch_at=due_before)
        self.pools.start_soon()
        summary = CrawlSummary()
        try:
            async with Fetcher(self.limits, max_connections=self.concurrency * 2) as fetcher:
                run = self.new_run(fetcher, feed_ids, due_before, summary)
                loop = LeaseLoop(run, self.refresh(run), owner=self.owner, concurrency=self.concurrency,
                                 on_feed_done=self.on_feed_done)
                await loop.crawl()
                await self._websub(fetcher)
                await self._settle_left_behind(run)
            # articles edited outside the crawler (the admin, a script): readers' searches only
            # read the index, so each run ends by indexing what is still queued
            await on_db(search.index_queued)()
        finally:
            # a run stopped midway (Ctrl-C, an error) leaves leases on feeds it never finished:
            # give them back now rather than when they expire (what finished is written already)
            try:
                await on_db(schedule.give_back)(self.owner)
            except Exception:
                logger.exception("leases not given back; they expire after REVUE_LEASE_SECONDS",
                                 extra={"stage": "crawl", "outcome": "error"})
            await on_db(connections.close_all)()
            await self.hosts.end_run()
            self.pools.end_run()
        summary.seconds = time.monotonic() - started
        return summary
