"""The crawl orchestrator: the one place that names the order of the stages.

    lease due feeds ─► fetch feed ─► parse ─► keep new entries ─► robots.txt ─► fetch + extract pages
                                                                                     │
                      release lease with the feed's next check ◄── store ◄── merge into drafts

A ``Crawler`` runs one asyncio loop: network waits overlap (``REVUE_FETCH_CONCURRENCY`` requests
in flight, twice as many feeds at work), per-host politeness holds across every worker through the cache
(``revue.crawl.politeness``), the CPU stages (parse, extract, merge: ``revue.crawl.pipeline``)
run in a pool of ``REVUE_CRAWL_PROCESSES`` worker processes so both cores work, and every
database call goes through one thread (SQLite has a single writer; the ORM is synchronous),
the drafts of the feeds that finish while it is busy stored together (``store_many``). That
thread is the crawl's narrowest resource: feeds are leased ahead of anything that holds it long.
Settling the new articles (search index and stories: clustering is the crawl's largest piece
of database work) runs in a process of its own (``pipeline.settle_process``), with its own
connection, a batch at a time beside the crawl; with no CPU processes
(``REVUE_CRAWL_PROCESSES=0``) or an in-memory database it runs on the database thread.
A failing feed records its error on its own row and never stops the crawl; an entry that no
stage can use is left out alone (logged with its feed and link, counted in the feed's
``entries_skipped``) and never fails its feed. Nothing imports this module but the commands
that run it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, connections, transaction
from django.utils import timezone

from revue.crawl import pipeline, schedule
from revue.crawl.clean import scrub_text
from revue.crawl.drafts import FeedContext, entry_url, needs_page
from revue.crawl.extract import ExtractedArticle
from revue.crawl.feeds import Entry, FeedParseError, ParsedFeed, SkippedEntry, discover_feed_urls, looks_like_html
from revue.crawl.fetch import PAGE_ACCEPT, Fetcher, FetchError, FetchLimits, FetchResult, parse_retry_after
from revue.crawl.politeness import HostGate
from revue.crawl.robots import RobotsRules
from revue.crawl.rules import extraction_options, page_host
from revue.crawl.store import StoreResult, new_entries, settle_articles, store_many
from revue.news import search
from revue.news.stories import StoryParams
from revue.sources.models import Feed

log = logging.getLogger("revue.crawl")

# Outcomes are written, and leases given back, in batches: this many, or this often.
RELEASE_BATCH = 32
RELEASE_SECONDS = 0.5
# no feed is leased while this many settles' worth of articles wait to be settled: a crawl that
# outruns its settle process (an initial load) waits for it rather than pile up articles without
# stories, and their story features (several kB each) in memory
SETTLE_BACKLOG = 4


@dataclass(frozen=True)
class FeedOutcome:
    """What happened to one feed in one crawl."""

    feed_id: int
    url: str
    status: str  # "ok", "not_modified", "error", "parked", "deferred" (lease given back unfetched)
    new_articles: int = 0
    entries: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    entries_skipped: int = 0  # entries left out alone (the feed itself was fine)
    error: str = ""
    article_ids: tuple[int, ...] = ()  # the new articles, for settling (search, stories)
    features: dict = field(default_factory=dict, repr=False)  # their story features (pickled), by id, when made


@dataclass
class CrawlSummary:
    """Totals of one ``run_once`` — what ``revue crawl`` prints at the end."""

    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    errors: int = 0
    parked: int = 0
    new_articles: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    entries_skipped: int = 0
    deferred: int = 0
    seconds: float = 0.0
    failures: list[FeedOutcome] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        if outcome.status == "deferred":  # given back unfetched: the next run takes it
            self.deferred += 1
            return
        self.feeds += 1
        self.new_articles += outcome.new_articles
        self.pages_fetched += outcome.pages_fetched
        self.pages_failed += outcome.pages_failed
        self.entries_skipped += outcome.entries_skipped
        if outcome.status == "not_modified":
            self.not_modified += 1
        elif outcome.status in {"error", "parked"}:
            self.errors += 1
            self.parked += outcome.status == "parked"
            self.failures.append(outcome)
        else:
            self.fetched += 1

    def line(self) -> str:
        return (
            f"{self.feeds} flux en {self.seconds:.1f} s : {self.fetched} lus, {self.not_modified} inchangés (304), "
            f"{self.errors} en erreur ({self.parked} mis en pause), {self.new_articles} nouveaux articles, "
            f"{self.pages_fetched} pages d'articles lues ({self.pages_failed} échecs)"
            + (f", {self.entries_skipped} entrées laissées de côté" if self.entries_skipped else "")
            + (f", {self.deferred} rendus sans être lus (attente trop longue)" if self.deferred else "")
        )


@dataclass(frozen=True)
class FeedJob:
    """A leased feed as plain values, so the async side never touches the ORM."""

    id: int
    url: str
    etag: str
    last_modified: str
    interval: int
    error_count: int
    category_hint: str
    source_id: int
    source_name: str
    source_language: str
    title: str  # the feed's own title, "" until a fetch gives it one
    entries_skipped: int  # entries left out so far (this crawl's are added to it)
    leased_at: float  # time.monotonic() when the lease was taken

    # what a lease reads of each feed, in the order of the fields above
    FIELDS = ("id", "url", "etag", "last_modified", "interval_seconds", "error_count", "category_hint", "source_id",
              "source__name", "source__language", "title", "entries_skipped")

    @classmethod
    def of(cls, row: dict, leased_at: float) -> "FeedJob":
        return cls(*(row[name] for name in cls.FIELDS), leased_at=leased_at)


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
      ~140,000 objects that live as long as it does) out of the garbage collector's full
      passes, which otherwise walk them all again and again (half the collector's time);
    * hand the interpreter lock over after 1 ms instead of 5: the database thread gets it back
      after each SQLite call (and each row of an ``executemany``) while the event loop is busy,
      and it is the crawl's narrowest resource (its statements took ~15% less time).
    """
    global _tuned
    if not _tuned:
        gc.collect()
        gc.freeze()
        sys.setswitchinterval(SWITCH_INTERVAL)
        _tuned = True


def _db(func):
    """Run an ORM function from the event loop, on the one database thread.

    That thread keeps its connection for the whole run (``_run`` checks it once per lease and
    closes it at the end): opening a SQLite connection per call costs a WAL checkpoint each time.
    """
    return sync_to_async(func, thread_sensitive=True)


class Crawler:
    """Fetches due feeds and stores their new articles; see the module docstring."""

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
        self.robots = RobotsRules(user_agent=self.limits.user_agent, ttl=settings.REVUE_ROBOTS_TTL)
        self._cpu: Executor | None = None
        self._settler: Executor | None = None  # the settle process, once started
        self._releases: list[Release] = []
        self._story_params = StoryParams.from_settings()
        self._options: dict[str, dict] = {}
        self._requests: asyncio.Semaphore | None = None  # requests in flight, per run
        self._to_store: list = []  # feeds' drafts waiting for the next store_many
        self._storing: asyncio.Task | None = None
        self._warming: asyncio.Future | None = None  # the CPU pool starting, in a thread

    @property
    def cpu(self) -> Executor:
        if self._cpu is None:
            self._cpu = pipeline.cpu_pool(self.processes)
        return self._cpu

    @property
    def settles_apart(self) -> bool:
        """Whether settling runs in a process of its own: not without CPU processes (a
        debugging run), nor on an in-memory SQLite database no other process can open."""
        name = str(connection.settings_dict.get("NAME") or "")
        in_memory = connection.vendor == "sqlite" and (name in ("", ":memory:") or "mode=memory" in name)
        return self.processes > 0 and not in_memory

    @property
    def settler(self) -> Executor:
        if self._settler is None:
            self._settler = pipeline.settle_process(dict(connection.settings_dict))
        return self._settler

    def close(self) -> None:
        """Stop the CPU worker processes and the settle process (``run_once`` and
        ``run_forever`` leave them warm)."""
        if self._cpu is not None:
            self._cpu.shutdown(wait=True, cancel_futures=True)
            self._cpu = None
        if self._settler is not None:
            self._settler.shutdown(wait=True, cancel_futures=True)
            self._settler = None

    # --- entry points ---------------------------------------------------------------------

    def run_once(self, *, feed_ids: list[int] | None = None, keep_pool: bool = False) -> CrawlSummary:
        """Crawl every feed that is due now (or the given feeds), then return the totals."""
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
                    log.info("stage=crawl %s", summary.line())
                else:
                    time.sleep(idle_seconds)
        finally:
            self.close()

    # --- the loop -------------------------------------------------------------------------

    async def _run(self, feed_ids: list[int] | None) -> CrawlSummary:
        summary = CrawlSummary()
        started = time.monotonic()
        due_before = timezone.now()  # feeds falling due during the run wait for the next one
        self._options = {}
        self._story_params = StoryParams.from_settings()
        self._to_store, self._storing = [], None
        self._requests = asyncio.Semaphore(self.concurrency)
        self.robots = RobotsRules(user_agent=self.limits.user_agent, ttl=settings.REVUE_ROBOTS_TTL)
        if feed_ids is not None:
            await _db(Feed.objects.filter(id__in=feed_ids).update)(next_fetch_at=due_before)
        # Start the CPU pool now, in a thread: a fresh ProcessPoolExecutor starts its processes
        # (and the fork server its imports, ~1 s) inside the first submit, which on the event
        # loop would stall every fetch; feeds that answer 304 need no CPU process meanwhile.
        if self._cpu is None:
            self._warming = asyncio.get_running_loop().run_in_executor(None, self._start_pool)
        try:
            async with Fetcher(self.limits, max_connections=self.concurrency * 2) as fetcher:
                await self._crawl_stream(fetcher, summary, feed_ids, due_before)
        finally:
            # a run stopped midway (Ctrl-C, an error) leaves leases on feeds it never finished:
            # give them back now rather than when they expire (what finished is written already)
            try:
                await _db(schedule.give_back)(self.owner)
            except Exception:
                log.exception("stage=crawl leases not given back; they expire after REVUE_LEASE_SECONDS")
            await _db(connections.close_all)()
            self._warming = None
        summary.seconds = time.monotonic() - started
        return summary

    async def _crawl_stream(self, fetcher: Fetcher, summary: CrawlSummary, feed_ids, due_before) -> None:
        """Keep ``concurrency`` requests in flight: twice as many feeds at work (the others
        parse, wait for the database or for a host's turn, holding no request slot) and as
        many leased and ready, leasing again when a quarter of the queue is gone (one lease
        for many feeds, no batch barrier); settle the new articles every
        ``REVUE_CRAWL_SETTLE_EVERY`` in a task of its own (one at a time, in the settle process,
        given the story features the drafts brought; enough feeds leased just before, as its
        write holds SQLite's write lock), so that fetching goes on meanwhile, but no lease while
        ``SETTLE_BACKLOG`` settles' worth of articles wait; once everything due is leased,
        settle whatever the last feeds bring as soon as the previous settle ends, so the run
        does not end on one large settle."""
        gate = asyncio.Semaphore(2 * self.concurrency)  # feeds at work; the rest wait their turn
        queue_size = 4 * self.concurrency
        running: set[asyncio.Task] = set()
        unsettled: list[int] = []
        features: dict = {}  # story features of unsettled articles, by id
        settling: asyncio.Task | None = None  # one settle at a time, beside the crawl
        backlog = SETTLE_BACKLOG * max(1, settings.REVUE_CRAWL_SETTLE_EVERY)
        flushed = time.monotonic()
        more = True

        async def lease_and_start(room: int) -> bool:
            """Lease up to ``room`` feeds and start them; False when nothing more is due."""
            return bool(await lease_count(room)) and feed_ids is None

        async def lease_count(room: int) -> int:
            jobs = await self._lease(feed_ids, due_before, room=room)
            running.update(asyncio.create_task(self._crawl_feed_safely(job, fetcher, gate)) for job in jobs)
            return len(jobs)

        async def lease_ahead(count: int) -> bool:
            """Lease ``count`` more feeds (``REVUE_LEASE_BATCH`` a lease) and start them."""
            while count > 0:
                leased = await lease_count(count)
                if not leased or feed_ids is not None:
                    return False
                count -= leased
            return True

        async def lease_for_settle() -> None:
            """Before a settle's write holds SQLite's write lock (its clustering is done before
            taking it, but writing 200 articles' postings, fingerprints and index entries takes a
            moment), lease enough feeds to keep fetching all along: a lease would wait behind it."""
            nonlocal more
            if more and len(unsettled) < backlog:
                more = await lease_ahead(max(0, 3 * queue_size - len(running)))

        try:
            while True:
                behind = len(unsettled) >= backlog  # (then a settle is running: see the end of the loop)
                if more and not behind and len(running) <= queue_size - self.concurrency:
                    more = await lease_and_start(queue_size - len(running))
                waiting = running | {settling} if behind and settling is not None else running
                if not waiting:
                    break
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                running.difference_update(done)  # (the same set: a settle may add feeds to it meanwhile)
                for task in done:
                    if task is settling:  # caught up: the next settle starts below
                        continue
                    outcome = task.result()
                    summary.add(outcome)
                    unsettled.extend(outcome.article_ids)
                    features.update(outcome.features)
                    if self.on_feed_done and outcome.status != "deferred":
                        self.on_feed_done(outcome)
                if len(self._releases) >= RELEASE_BATCH or time.monotonic() - flushed > RELEASE_SECONDS:
                    await self._flush_releases()
                    flushed = time.monotonic()
                # settle every REVUE_CRAWL_SETTLE_EVERY articles, and once all is leased, whatever
                # the last feeds bring as soon as the previous settle ends: the run's tail is short
                due = len(unsettled) >= settings.REVUE_CRAWL_SETTLE_EVERY or (unsettled and not more)
                if due and (settling is None or settling.done()):
                    settling = asyncio.create_task(self._settle(unsettled, features, before_write=lease_for_settle))
                    unsettled, features = [], {}
        finally:  # an error or a stop: what finished is still written
            await self._flush_releases()
            if settling is not None:
                await settling
            await self._settle(unsettled, features)

    async def _settle(self, article_ids: list[int], features: dict,
                      before_write: Callable[[], Awaitable] | None = None) -> None:
        """Search and stories for new articles, ``REVUE_CRAWL_SETTLE_EVERY`` at a time (when
        settling falls behind the crawl, what piled up meanwhile is not read into memory at once);
        ``features``: the story features made with their drafts, by id (some or none)."""
        size = max(1, settings.REVUE_CRAWL_SETTLE_EVERY)
        for start in range(0, len(article_ids), size):
            batch = article_ids[start : start + size]  # (features leave memory as their batch goes)
            await self._settle_batch(batch, {i: features.pop(i) for i in batch if i in features}, before_write)

    async def _settle_batch(self, article_ids: list[int], features: dict,
                            before_write: Callable[[], Awaitable] | None = None) -> None:
        """The settle process reads the articles, makes their index entries and the story
        features their drafts did not bring, then clusters and writes; meanwhile the crawl goes on."""
        if not article_ids:
            return
        try:
            params, options = self._story_params, search.entry_options()
            if before_write is not None:  # its write takes SQLite's write lock for a while
                try:
                    await before_write()
                except Exception:  # (say, the lease met a locked database): the crawl leases again later
                    log.exception("stage=settle leasing ahead of the write failed")
            started = time.monotonic()
            if self.settles_apart:
                await self._in_settler(pipeline.settle, article_ids, params, options, features)
            else:
                await _db(settle_articles)(article_ids, params, options, features)
            log.debug("stage=settle articles=%s seconds=%.2f", len(article_ids), time.monotonic() - started)
        except Exception:  # stored already: a search indexes the queue, `revue stories update` catches up
            log.exception("stage=settle articles=%s not settled; they will be on the next search or stories update", len(article_ids))

    async def _lease(self, feed_ids: list[int] | None, due_before, room: int) -> list[FeedJob]:
        def lease():
            close_old_connections()  # a worker running for months: drop a broken or stale connection
            feeds = schedule.lease_due_feeds(
                self.owner,
                fields=FeedJob.FIELDS,
                limit=min(room, settings.REVUE_LEASE_BATCH),
                lease_seconds=settings.REVUE_LEASE_SECONDS,
                due_before=due_before,
                ids=feed_ids,
            )
            leased_at = time.monotonic()
            return [FeedJob.of(f, leased_at) for f in feeds]

        return await _db(lease)()

    async def _crawl_feed_safely(self, job: FeedJob, fetcher: Fetcher, gate: asyncio.Semaphore) -> FeedOutcome:
        budget = max(30, settings.REVUE_LEASE_SECONDS - 30)  # finish before the lease runs out
        try:
            async with gate:
                deadline = budget - (time.monotonic() - job.leased_at)
                if deadline < budget / 2:  # waited too long behind slow feeds: give it back untouched
                    self._releases.append(Release(job.id, {}))
                    return FeedOutcome(feed_id=job.id, url=job.url, status="deferred")
                async with asyncio.timeout(deadline):
                    return await self._crawl_feed(job, fetcher)
        except TimeoutError:
            return self._finish_error(
                job, TimeoutError(f"crawl of this feed took over {budget} s, its lease (REVUE_LEASE_SECONDS) would run out")
            )
        except Exception as error:  # even recording the outcome failed: log it, go on
            log.exception("stage=crawl feed_id=%s url=%s outcome not recorded", job.id, job.url)
            return FeedOutcome(feed_id=job.id, url=job.url, status="error", error=str(error))

    # --- one feed -------------------------------------------------------------------------

    async def _crawl_feed(self, job: FeedJob, fetcher: Fetcher) -> FeedOutcome:
        result: FetchResult | None = None
        try:
            result = await self._fetch(fetcher, job.url, etag=job.etag, last_modified=job.last_modified)
            if result.not_modified:
                return self._finish_ok(job, result, parsed=None, new_articles=0)
            (parsed, urls), result = await self._parse_or_discover(job, result, fetcher)
            fresh = await self._new_entries(job, parsed.entries, urls)
            pages, failed = await self._pages(fresh, fetcher)
            ctx = FeedContext(
                outlet_name=job.source_name,
                outlet_language=job.source_language,
                feed_language=parsed.language,
                category_hint=job.category_hint,
                fetched_at=timezone.now(),
                full_content_min_chars=settings.REVUE_FULL_CONTENT_MIN_CHARS,
                source_id=job.source_id,
            )
            # story features made with the drafts, in the CPU process (not in the settle's, serial)
            made = await self._on_cpu(pipeline.make_drafts, fresh, pages, ctx, self._story_params) if fresh else pipeline.Drafts(())
            stored = await self._store(job, made.drafts)
            skipped = _skips(job, parsed.skipped + made.skipped, stored.skipped)
            outcome = self._finish_ok(job, result, parsed=parsed, new_articles=len(stored.created), skipped=skipped)
            return FeedOutcome(
                feed_id=job.id,
                url=job.url,
                status=outcome.status,
                new_articles=len(stored.created),
                entries=len(parsed.entries),
                pages_fetched=len(pages),
                pages_failed=failed,
                entries_skipped=len(skipped),
                article_ids=stored.created,
                features=stored.features,
            )
        except (FetchError, FeedParseError) as error:
            return self._finish_error(job, error, status=result.status if result else None)
        except Exception as error:  # a bug must mark this feed, never kill the crawl
            log.exception("stage=crawl feed_id=%s url=%s unexpected error", job.id, job.url)
            return self._finish_error(job, error)

    async def _store(self, job: FeedJob, drafts) -> StoreResult:
        """Store one feed's drafts with those of every other feed that finishes meanwhile: one
        database call and one transaction for all (``store_many``) whenever the database thread
        comes free."""
        done = asyncio.get_running_loop().create_future()
        self._to_store.append((job.source_id, job.id, drafts, done))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting())
        result = await done
        if isinstance(result, Exception):
            raise result
        return result

    async def _store_waiting(self) -> None:
        while self._to_store:
            batch, self._to_store = self._to_store, []
            try:
                results = await _db(store_many)([(source, feed, drafts) for source, feed, drafts, _ in batch])
            except Exception as error:  # not even the database call could be made
                results = [error] * len(batch)
            for (*_, done), result in zip(batch, results):
                if not done.done():  # its feed may have given up (a deadline)
                    done.set_result(result)

    def _start_pool(self) -> None:
        """Start the CPU processes and the settle process (its Django set-up) before they are needed."""
        started = [self.cpu.submit(int)]
        if self.settles_apart:
            started.append(self.settler.submit(int))
        for future in started:
            future.result()

    async def _on_cpu(self, func, *args):
        """Run ``func`` in the CPU pool."""
        return await self._in_pool("cpu", func, *args)

    async def _in_settler(self, func, *args):
        """Run ``func`` in the settle process."""
        return await self._in_pool("settler", func, *args)

    async def _in_pool(self, name: str, func, *args):
        """Run ``func`` in the pool ``name`` ("cpu" or "settler"); a pool whose process died is
        replaced once, so one crash (say, the OS killing a worker on a huge page) is not charged
        to every feed."""
        loop = asyncio.get_running_loop()
        if self._warming is not None:  # wait for the pools' start rather than block the loop on it
            try:
                await self._warming
            except Exception:  # a pool could not start: the call below tries again, or says why
                self._warming = None
        try:
            return await loop.run_in_executor(getattr(self, name), func, *args)
        except BrokenProcessPool:
            log.warning("stage=%s a process of the %s pool died; starting a new one", name, name)
            broken = getattr(self, f"_{name}")
            setattr(self, f"_{name}", None)
            broken.shutdown(wait=False, cancel_futures=True)
            return await loop.run_in_executor(getattr(self, name), func, *args)

    async def _fetch(self, fetcher: Fetcher, url: str, **kw) -> FetchResult:
        """One request: the host's slot and turn first, then one of the ``concurrency``
        request slots (waiting for a host's turn holds none)."""
        async with self.hosts.slot(urlsplit(url).hostname or "", then=self._requests):
            return await fetcher.fetch(url, **kw)

    async def _parse_or_discover(self, job, result, fetcher) -> tuple[tuple[ParsedFeed, tuple[str, ...]], FetchResult]:
        """Parse the feed (with its entries' canonical URLs); when an HTML page came instead,
        follow its feed link once."""
        max_entries = settings.REVUE_FEED_MAX_ENTRIES
        try:
            return await self._on_cpu(pipeline.parse_feed, result.content, result.final_url, max_entries, result.content_type), result
        except FeedParseError:
            if not looks_like_html(result.content):
                raise
            found = [u for u in discover_feed_urls(result.content, result.final_url) if u != job.url]
            if not found:
                raise FeedParseError(f"not a feed: {job.url} is an HTML page with no feed link") from None
            log.info("stage=parse feed_id=%s url=%s html page, following its feed link %s", job.id, job.url, found[0])
            result = await self._fetch(fetcher, found[0])
            parsed = await self._on_cpu(pipeline.parse_feed, result.content, result.final_url, max_entries, result.content_type)
            await _db(_move_feed)(job.id, found[0])
            return parsed, result

    async def _new_entries(self, job: FeedJob, entries: tuple[Entry, ...], urls: tuple[str, ...]) -> list[Entry]:
        """Entries whose article the archive does not have yet (by canonical URL or guid);
        ``urls``: their canonical URLs ("" for none), made with the parse."""
        linked, seen = [], set()
        for entry, url in zip(entries, urls):
            if url and url not in seen:  # items sharing one link (a news page) make one article: its page once
                seen.add(url)
                linked.append((entry, url))
        fresh = await _db(new_entries)(job.source_id, [(u, e.guid[:1000]) for e, u in linked])
        return [e for position, (e, _) in enumerate(linked) if position in fresh]

    async def _pages(self, entries: list[Entry], fetcher) -> tuple[dict[str, ExtractedArticle], int]:
        """Fetch and extract the article page of each entry whose feed text is too short."""
        if not self.fetch_pages:
            return {}, 0
        wanted = [e for e in entries if _needs_page(e)]

        async def robots_fetch(url: str) -> FetchResult:
            return await self._fetch(fetcher, url, accept="text/plain")

        async def one(entry: Entry) -> tuple[str, ExtractedArticle | None]:
            url = entry_url(entry)
            try:
                if not await self.robots.allowed(url, robots_fetch):
                    log.info("stage=page url=%s disallowed by robots.txt, keeping the feed text", url)
                    return entry.guid, None
                result = await self._fetch(fetcher, url, accept=PAGE_ACCEPT)
                options = await self._extraction_options(result.final_url)
                return entry.guid, await self._on_cpu(pipeline.extract_page, result.content, result.content_type, result.final_url, options)
            except FetchError as error:
                log.info("stage=page url=%s failed, keeping the feed text: %s", url, error)
                return entry.guid, None
            except Exception:  # a bug on one page costs that page only: the entry keeps its feed text
                log.exception("stage=page url=%s unexpected error, keeping the feed text", url)
                return entry.guid, None

        results = await asyncio.gather(*(one(e) for e in wanted))
        pages = {guid: page for guid, page in results if page is not None}
        return pages, len(results) - len(pages)

    async def _extraction_options(self, url: str) -> dict:
        """The outlet's extraction rules and the ``REVUE_EXTRACT_*`` limits, read once per host
        and run (a rule edited in the admin applies from the next run)."""
        host = page_host(url)
        if host not in self._options:
            self._options[host] = await _db(extraction_options)(url)
        return self._options[host]

    # --- outcomes -------------------------------------------------------------------------

    def _finish_ok(self, job: FeedJob, result: FetchResult, *, parsed: ParsedFeed | None, new_articles: int,
                   skipped: tuple[SkippedEntry, ...] = ()) -> FeedOutcome:
        now = timezone.now()
        check = schedule.next_check(
            now,
            self.policy,
            interval=job.interval,
            ok=True,
            new_entries=new_articles,
            retry_after=_retry_after(result),
            fresh_for=_max_age(result),
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
        if skipped:
            last = skipped[-1]
            fields.update(entries_skipped=job.entries_skipped + len(skipped), last_skipped_at=now,
                          last_skip_reason=scrub_text(f"{last.stage}: {last.reason} ({last.link or 'sans lien'})")[:2000])
        self._releases.append(
            Release(job.id, fields, title=parsed.title[:300] if parsed and not job.title else "",
                    moved_to=result.permanent_redirect)
        )
        status = "not_modified" if result.not_modified else "ok"
        log.debug("stage=feed feed_id=%s url=%s status=%s new=%s", job.id, job.url, status, new_articles)
        return FeedOutcome(feed_id=job.id, url=job.url, status=status, new_articles=new_articles)

    def _finish_error(self, job: FeedJob, error: Exception, status: int | None = None) -> FeedOutcome:
        """``status``: the HTTP status of a response that came but could not be used (a 200 that is no feed)."""
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
        self._releases.append(Release(job.id, fields))
        log.warning("stage=feed feed_id=%s url=%s status=error parked=%s error=%s", job.id, job.url, check.park, message)
        return FeedOutcome(feed_id=job.id, url=job.url, status="parked" if check.park else "error", error=message)

    async def _flush_releases(self) -> None:
        """Write the outcomes gathered so far and give their leases back, in one transaction."""
        batch, self._releases = self._releases, []
        if not batch:
            return
        try:
            await _db(_apply_releases)(batch, self.owner)
        except Exception:  # e.g. "database is locked": keep them for the next flush
            log.exception("stage=feed releases=%s not written yet, will retry", len(batch))
            self._releases[:0] = batch


@dataclass(frozen=True)
class Release:
    """The outcome of one fetch, waiting to be written with its lease given back."""

    feed_id: int
    fields: dict
    title: str = ""  # the feed's own title, for a feed that has none yet
    moved_to: str = ""  # its new URL after a permanent redirect


def _needs_page(entry: Entry) -> bool:
    """``needs_page``, on the event loop: an entry it fails on goes on without its page (its
    draft, made in a CPU process, is on its own there)."""
    try:
        return needs_page(entry, settings.REVUE_FULL_CONTENT_MIN_CHARS)
    except Exception:  # noqa: BLE001 — one entry must not fail its feed
        log.exception("stage=page url=%s could not tell whether the page is needed; not fetching it", entry.link)
        return False


def _skips(job: FeedJob, skipped: tuple[SkippedEntry, ...], not_stored: tuple[str, ...]) -> tuple[SkippedEntry, ...]:
    """Every entry of this crawl of the feed that was left out, each logged with the feed and its link."""
    every = skipped + tuple(SkippedEntry(link=reason.rsplit(": ", 1)[-1], stage="store", reason=reason.rsplit(": ", 1)[0])
                            for reason in not_stored)
    for entry in every:
        log.warning("stage=%s feed_id=%s url=%s entry left out: %s", entry.stage, job.id, entry.link, entry.reason)
    return every


def _apply_releases(batch: list[Release], owner: str) -> None:
    """One commit for many feeds: on a single-writer SQLite each commit costs a disk write."""
    with transaction.atomic():
        for release in batch:
            if release.title:
                Feed.objects.filter(id=release.feed_id, title="").update(title=release.title)
            if release.moved_to:
                _move_feed(release.feed_id, release.moved_to)
        schedule.release_many(owner, [(release.feed_id, release.fields) for release in batch])


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _max_age(result: FetchResult) -> float | None:
    """Seconds the server says its answer stays fresh (Cache-Control max-age), if any."""
    match = _MAX_AGE.search(result.headers.get("cache-control", ""))
    return float(match.group(1)) if match else None


def _retry_after(result: FetchResult) -> float | None:
    value = result.headers.get("retry-after", "")
    return parse_retry_after(value) if value else None


def _move_feed(feed_id: int, new_url: str) -> None:
    """A feed moved for good: remember the new URL unless another feed already has it."""
    if Feed.objects.filter(url=new_url).exclude(id=feed_id).exists():
        return
    try:
        with transaction.atomic():  # a savepoint: a clash must not spoil the batch around it
            Feed.objects.filter(id=feed_id).update(url=new_url)
    except IntegrityError:  # another worker registered the same URL a moment ago
        log.warning("stage=feed feed_id=%s url=%s not moved: the URL belongs to another feed", feed_id, new_url)
