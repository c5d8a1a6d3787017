"""The per-feed refresh: one leased feed from its fetch to its stored outcome.

    fetch (conditional GET) ─► parse (an HTML page instead: follow its feed link once)
        ─► keep new entries ─► robots.txt ─► fetch + extract pages ─► merge into drafts
        ─► store (with the drafts of every feed finishing meanwhile) ─► outcome (with the
           WebSub hub the feed advertises)

``ingest`` is all of it but the fetch: a document a WebSub hub pushed takes the same way.

The CPU stages run in the pools, every database call on the one database thread. A failing feed
records its error on its own row and never stops the crawl; an entry that no stage can use is
left out alone (logged with its feed and link, counted in the feed's ``entries_skipped``).

While a leased feed is at work its lease is renewed (``Leases``: one UPDATE for all of them,
every third of ``REVUE_LEASE_SECONDS``, and once more as its drafts are stored), so however long
it waits for the CPU processes no other worker takes it; only past ``REVUE_FEED_MAX_SECONDS`` of
work is it cut and marked failed. A lease this run could not renew (another worker took it: this
process was paused) stops the work on that feed and stores nothing of it ("lost": no outcome
written, the other worker's is).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from revue.crawl import pipeline, schedule
from revue.crawl.crawler.outcomes import OutcomeWriter, move_feed
from revue.crawl.crawler.pools import Pools
from revue.crawl.crawler.run import CrawlRun, on_db
from revue.crawl.crawler.values import FeedJob, FeedOutcome
from revue.crawl.discover import advertised_feeds
from revue.crawl.drafts import FeedContext, entry_url, needs_page
from revue.crawl.extract import ExtractedArticle
from revue.crawl.feeds import Entry, FeedParseError, ParsedFeed, SkippedEntry
from revue.net.fetch import PAGE_ACCEPT, FetchError, FetchResult
from revue.crawl.politeness import HostGate
from revue.crawl.rules import extraction_options, page_host
from revue.crawl.store import StoreResult, new_entries, store_many
from revue.crawl.websub.discovery import advertised
from revue.metrics import FEED_FETCHES, FETCH_SECONDS, PAGE_FETCHES
from revue.logs import bind as bind_log_keys

logger = logging.getLogger(__name__)


class FeedRefresh:
    """Refreshes the feeds of one run, one ``refresh`` per leased feed."""

    def __init__(self, run: CrawlRun, *, hosts: HostGate, pools: Pools, outcomes: OutcomeWriter, fetch_pages: bool):
        self.run = run
        self.hosts = hosts
        self.pools = pools
        self.outcomes = outcomes
        self.fetch_pages = fetch_pages
        self.leases = Leases(outcomes.owner)
        self.store = StoreBatcher(self.leases)

    async def refresh_safely(self, job: FeedJob, gate: asyncio.Semaphore) -> FeedOutcome:
        """``refresh`` once one of the feeds' places at work (``gate``) is free, its lease renewed
        meanwhile, within ``REVUE_FEED_MAX_SECONDS``; a feed that waited too long for that place is
        given back unfetched, one whose lease another worker took is dropped ("lost")."""
        bind_log_keys(feed_id=job.id)  # every line of this feed's task says which feed (its pages' too)
        waiting = max(30, settings.REVUE_LEASE_SECONDS - 30) / 2  # for a place at work, at most
        budget = settings.REVUE_FEED_MAX_SECONDS
        started = time.monotonic()
        work = self.leases.hold(job.id)
        try:
            async with gate:
                started = time.monotonic()
                if work.lost:
                    outcome = _lost(job)
                elif started - job.leased_at > waiting:  # waited too long behind slow feeds: give it back untouched
                    outcome = self.outcomes.deferred(job)
                else:
                    async with asyncio.timeout(budget) as work.scope:
                        outcome = await self.refresh(job)
        except TimeoutError:
            outcome = _lost(job) if work.lost else self.outcomes.error(
                job, TimeoutError(f"crawl of this feed took over {budget} s of work (REVUE_FEED_MAX_SECONDS)")
            )
        except LeaseLost:
            outcome = _lost(job)
        except Exception as error:  # even recording the outcome failed: log it, go on
            logger.exception("feed outcome not recorded", extra=_keys(job, "error"))
            return FeedOutcome(feed_id=job.id, url=job.url, status="error", error=str(error))
        finally:
            self.leases.drop(job.id, work)
        _log_outcome(job, outcome, started)
        return outcome

    async def refresh(self, job: FeedJob) -> FeedOutcome:
        """The feed from its fetch to its outcome (gathered by the writer); never raises for
        the feed's own faults, nor for a bug: either marks the feed, never the crawl."""
        try:
            result = await self.fetch(job.url, etag=job.etag, last_modified=job.last_modified)
        except FetchError as error:
            return self.outcomes.error(job, error)
        except Exception as error:  # a bug must mark this feed, never kill the crawl
            logger.exception("unexpected error in a feed's refresh", extra=_keys(job, "error"))
            return self.outcomes.error(job, error)
        if result.not_modified:
            return self.outcomes.ok(job, result, parsed=None, new_articles=0)
        return await self.ingest(job, result)

    async def ingest(self, job: FeedJob, result: FetchResult) -> FeedOutcome:
        """A feed document from its parse to its outcome: a polled fetch's, or one a WebSub hub
        pushed (``revue.crawl.websub``); never raises, as ``refresh``."""
        try:
            (parsed, urls), result = await self._parse_or_follow(job, result)
            fresh = await self._new_entries(job, parsed.entries, urls)
            pages, failed = await self._pages(fresh)
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
            made = (await self.pools.on_cpu(pipeline.make_drafts, fresh, pages, ctx, self.run.story_params)
                    if fresh else pipeline.Drafts(()))
            stored = await self.store.store(job, made.drafts)
            skipped = _skips(job, parsed.skipped + made.skipped, stored.skipped)
            outcome = self.outcomes.ok(job, result, parsed=parsed, new_articles=len(stored.created), skipped=skipped,
                                       hub=advertised(result.content, result.headers, result.final_url))
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
            return self.outcomes.error(job, error, status=result.status)
        except LeaseLost:  # another worker has the feed: nothing of it is ours to write
            raise
        except Exception as error:  # a bug must mark this feed, never kill the crawl
            logger.exception("unexpected error in a feed's refresh", extra=_keys(job, "error"))
            return self.outcomes.error(job, error)

    async def fetch(self, url: str, **kw) -> FetchResult:
        """One request: the host's slot and turn first, then one of the run's request slots
        (waiting for a host's turn holds none)."""
        async with self.hosts.slot(urlsplit(url).hostname or "", then=self.run.requests):
            result = await self.run.fetcher.fetch(url, **kw)
        FETCH_SECONDS.observe(result.elapsed)
        return result

    async def _parse_or_follow(self, job: FeedJob, result: FetchResult) -> tuple[tuple[ParsedFeed, tuple[str, ...]], FetchResult]:
        """Parse the feed (with its entries' canonical URLs); when an HTML page came instead,
        follow its feed link once (``revue.crawl.discover.advertised_feeds``) and remember it."""
        max_entries = settings.REVUE_FEED_MAX_ENTRIES
        try:
            return await self.pools.on_cpu(pipeline.parse_feed, result.content, result.final_url, max_entries, result.content_type), result
        except FeedParseError:
            advertised = advertised_feeds(result.content, result.final_url)
            if advertised is None:
                raise
            found = [u for u in advertised if u != job.url]
            if not found:
                raise FeedParseError(f"not a feed: {job.url} is an HTML page with no feed link") from None
            logger.info("an HTML page came instead of the feed: following its feed link %s", found[0],
                        extra=_keys(job, "followed", stage="parse"))
            result = await self.fetch(found[0])
            parsed = await self.pools.on_cpu(pipeline.parse_feed, result.content, result.final_url, max_entries, result.content_type)
            await on_db(move_feed)(job.id, found[0])
            return parsed, result

    async def _new_entries(self, job: FeedJob, entries: tuple[Entry, ...], urls: tuple[str, ...]) -> list[Entry]:
        """Entries whose article the archive does not have yet (by canonical URL or guid);
        ``urls``: their canonical URLs ("" for none), made with the parse."""
        linked, seen = [], set()
        for entry, url in zip(entries, urls):
            if url and url not in seen:  # items sharing one link (a news page) make one article: its page once
                seen.add(url)
                linked.append((entry, url))
        fresh = await on_db(new_entries)(job.source_id, [(u, e.guid[:1000]) for e, u in linked])
        return [e for position, (e, _) in enumerate(linked) if position in fresh]

    async def _pages(self, entries: list[Entry]) -> tuple[dict[str, ExtractedArticle], int]:
        """Fetch and extract the article page of each entry whose feed text is too short."""
        if not self.fetch_pages:
            return {}, 0
        results = await asyncio.gather(*(self._page(e) for e in entries if _needs_page(e)))
        pages = {guid: page for guid, page in results if page is not None}
        return pages, len(results) - len(pages)

    async def _page(self, entry: Entry) -> tuple[str, ExtractedArticle | None]:
        """One entry's page, extracted; None when robots.txt refuses it or it fails (the entry
        keeps its feed text)."""
        url = entry_url(entry)
        started = time.monotonic()
        try:
            if not await self.run.robots.allowed(url, self._robots_fetch):
                PAGE_FETCHES.labels(outcome="robots").inc()
                logger.info("page disallowed by robots.txt, keeping the feed text",
                            extra={"stage": "page", "url": url, "outcome": "robots", "ms": _ms(started)})
                return entry.guid, None
            result = await self.fetch(url, accept=PAGE_ACCEPT)
            PAGE_FETCHES.labels(outcome="ok").inc()
            options = await self._extraction_options(result.final_url)
            return entry.guid, await self.pools.on_cpu(pipeline.extract_page, result.content, result.content_type, result.final_url, options)
        except FetchError as error:
            PAGE_FETCHES.labels(outcome="error").inc()
            logger.info("page failed, keeping the feed text: %s", error,
                        extra={"stage": "page", "url": url, "outcome": "error", "ms": _ms(started)})
            return entry.guid, None
        except Exception:  # a bug on one page costs that page only: the entry keeps its feed text
            logger.exception("unexpected error on a page, keeping the feed text",
                             extra={"stage": "page", "url": url, "outcome": "error", "ms": _ms(started)})
            return entry.guid, None

    async def _robots_fetch(self, url: str) -> FetchResult:
        return await self.fetch(url, accept="text/plain")

    async def _extraction_options(self, url: str) -> dict:
        """The outlet's extraction rules and the ``REVUE_EXTRACT_*`` limits, read once per host
        and run (a rule edited in the admin applies from the next run)."""
        host = page_host(url)
        if host not in self.run.options:
            self.run.options[host] = await on_db(extraction_options)(url)
        return self.run.options[host]


class LeaseLost(Exception):
    """Another worker holds the feed's lease now: this run's work on it stops, nothing is stored."""


@dataclass(eq=False)
class Work:
    """One leased feed at work: the time bound of its work (to cut it short), and whether its lease was lost."""

    scope: asyncio.Timeout | None = None
    lost: bool = False


class Leases:
    """The leases of this run's feeds at work, renewed together (``keep``) while they work."""

    def __init__(self, owner: str):
        self.owner = owner
        self._work: dict[int, Work] = {}

    def __contains__(self, feed_id: int) -> bool:
        return feed_id in self._work

    def hold(self, feed_id: int) -> Work:
        work = self._work[feed_id] = Work()
        return work

    def drop(self, feed_id: int, work: Work) -> None:
        if self._work.get(feed_id) is work:
            del self._work[feed_id]

    async def keep(self) -> None:
        """Renew every third of ``REVUE_LEASE_SECONDS``, until cancelled (the run's end)."""
        every = max(0.5, settings.REVUE_LEASE_SECONDS / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew()
            except Exception:  # (the database locked, say): the next renewal comes well before the lease ends
                logger.exception("leases not renewed, will retry", extra={"stage": "feed", "outcome": "retry"})

    async def renew(self) -> None:
        """One UPDATE for every feed at work; a feed whose lease another worker took is stopped."""
        at_work = dict(self._work)
        if not at_work:
            return
        held = await on_db(schedule.renew)(self.owner, list(at_work), settings.REVUE_LEASE_SECONDS)
        for feed_id, work in at_work.items():
            if feed_id not in held and self._work.get(feed_id) is work:
                self.lose(feed_id, work)

    def lose(self, feed_id: int, work: Work) -> None:
        logger.warning("lease lost to another worker: this run's work on the feed stops",
                       extra={"stage": "feed", "feed_id": feed_id, "outcome": "lost"})
        work.lost = True
        if work.scope is not None and not work.scope.expired():  # at work: cut it now (waiting: it will not start)
            work.scope.reschedule(asyncio.get_running_loop().time())


class StoreBatcher:
    """Stores one feed's drafts with those of every other feed that finishes meanwhile: one
    database call and one transaction for all (``store_many``) whenever the database thread
    comes free. In the same call, the leases of the polled feeds among them are renewed first;
    the drafts of a feed whose lease another worker took are not stored (``LeaseLost``)."""

    def __init__(self, leases: Leases):
        self.leases = leases
        self._waiting: list = []  # (source id, feed id, drafts, future) of feeds waiting for the next store_many
        self._storing: asyncio.Task | None = None

    async def store(self, job: FeedJob, drafts) -> StoreResult:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((job.source_id, job.id, drafts, done))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting())
        result = await done
        if isinstance(result, Exception):
            raise result
        return result

    async def _store_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            leased = {feed for _, feed, _, _ in batch if feed in self.leases}  # (a pushed document holds no lease)
            try:
                results = await on_db(_store_held)([(source, feed, drafts) for source, feed, drafts, _ in batch],
                                                   self.leases.owner, leased)
            except Exception as error:  # not even the database call could be made
                results = [error] * len(batch)
            for (*_, done), result in zip(batch, results):
                if not done.done():  # its feed may have given up (a deadline)
                    done.set_result(result)


def _store_held(batch: list, owner: str, leased: set[int]) -> list[StoreResult | Exception]:
    """``store_many`` for the feeds of ``batch`` that are not leased, or whose lease ``owner``
    still holds (renewed now, so it lasts through the store); ``LeaseLost`` for the others."""
    held = schedule.renew(owner, leased, settings.REVUE_LEASE_SECONDS) if leased else set()
    lost = leased - held
    stored = iter(store_many([item for item in batch if item[1] not in lost]))
    return [LeaseLost(f"feed {item[1]}: another worker holds its lease") if item[1] in lost else next(stored)
            for item in batch]


def _lost(job: FeedJob) -> FeedOutcome:
    """The feed's lease went to another worker: no outcome of ours is written (theirs is)."""
    return FeedOutcome(feed_id=job.id, url=job.url, status="lost", error="lease lost to another worker")


def _needs_page(entry: Entry) -> bool:
    """``needs_page``, on the event loop: an entry it fails on goes on without its page (its
    draft, made in a CPU process, is on its own there)."""
    try:
        return needs_page(entry, settings.REVUE_FULL_CONTENT_MIN_CHARS)
    except Exception:  # noqa: BLE001 — one entry must not fail its feed
        logger.exception("could not tell whether the page is needed; not fetching it",
                         extra={"stage": "page", "url": entry.link, "outcome": "error"})
        return False


def _skips(job: FeedJob, skipped: tuple[SkippedEntry, ...], not_stored: tuple[str, ...]) -> tuple[SkippedEntry, ...]:
    """Every entry of this crawl of the feed that was left out, each logged with the feed and its link."""
    every = skipped + tuple(SkippedEntry(link=reason.rsplit(": ", 1)[-1], stage="store", reason=reason.rsplit(": ", 1)[0])
                            for reason in not_stored)
    for entry in every:
        logger.warning("entry left out: %s", entry.reason,
                       extra={"stage": entry.stage, "feed_id": job.id, "url": entry.link, "outcome": "skipped"})
    return every


def _keys(job: FeedJob, outcome: str, stage: str = "feed", **more) -> dict:
    """The fixed keys of a feed's log lines (``revue.logs``)."""
    return {"stage": stage, "feed_id": job.id, "url": job.url, "outcome": outcome, **more}


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _log_outcome(job: FeedJob, outcome: FeedOutcome, started: float) -> None:
    """One line per refreshed feed, with its time: a warning when it failed, else at debug level."""
    FEED_FETCHES.labels(outcome=outcome.status).inc()
    keys = _keys(job, outcome.status, ms=_ms(started), new=outcome.new_articles)
    if outcome.error:
        logger.warning("feed failed: %s", outcome.error, extra=keys)
    else:
        logger.debug("feed refreshed", extra=keys)
