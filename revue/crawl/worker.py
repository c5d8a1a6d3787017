"""The crawl orchestrator: the one place that names the order of the stages.

    lease due feeds ─► fetch feed ─► parse ─► keep new entries ─► fetch + extract pages
                                                                        │
                      release lease with the feed's next check ◄── store drafts

A ``Crawler`` runs one asyncio loop: network waits overlap (``REVUE_FETCH_CONCURRENCY`` feeds
at once, at most ``REVUE_FETCH_PER_HOST`` requests in flight per host), CPU stages (parse,
extract) run in an executor, and every database call goes through one thread (SQLite has a
single writer; the ORM is synchronous). A failing feed records its error on its own row and
never stops the crawl. Nothing imports this module but the commands that run it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections
from django.utils import timezone

from revue.crawl import schedule
from revue.crawl.drafts import FeedContext, build_draft, entry_url, needs_page
from revue.crawl.extract import ExtractedArticle, extract
from revue.crawl.feeds import Entry, FeedParseError, ParsedFeed, discover_feed_urls, looks_like_html, parse
from revue.crawl.fetch import PAGE_ACCEPT, Fetcher, FetchError, FetchLimits, FetchResult
from revue.crawl.store import known_entries, store_drafts
from revue.news.models import url_hash
from revue.sources.models import Feed

log = logging.getLogger("revue.crawl")


@dataclass(frozen=True)
class FeedOutcome:
    """What happened to one feed in one crawl."""

    feed_id: int
    url: str
    status: str  # "ok", "not_modified", "error", "parked"
    new_articles: int = 0
    entries: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    error: str = ""


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
    seconds: float = 0.0
    failures: list[FeedOutcome] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        self.feeds += 1
        self.new_articles += outcome.new_articles
        self.pages_fetched += outcome.pages_fetched
        self.pages_failed += outcome.pages_failed
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

    @classmethod
    def of(cls, feed: Feed) -> "FeedJob":
        return cls(
            id=feed.id,
            url=feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            interval=feed.interval_seconds,
            error_count=feed.error_count,
            category_hint=feed.category_hint,
            source_id=feed.source_id,
            source_name=feed.source.name,
            source_language=feed.source.language,
        )


def _db(func):
    """Run an ORM function from the event loop, on the one database thread."""

    def call(*args, **kwargs):
        close_old_connections()
        return func(*args, **kwargs)

    return sync_to_async(call, thread_sensitive=True)


class Crawler:
    """Fetches due feeds and stores their new articles; see the module docstring."""

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        concurrency: int | None = None,
        per_host: int | None = None,
        fetch_pages: bool | None = None,
        cpu: Executor | None = None,
        on_feed_done: Callable[[FeedOutcome], None] | None = None,
    ):
        self.limits = limits or FetchLimits.from_settings()
        self.concurrency = concurrency or settings.REVUE_FETCH_CONCURRENCY
        self.per_host = per_host or settings.REVUE_FETCH_PER_HOST
        self.fetch_pages = settings.REVUE_FETCH_PAGES if fetch_pages is None else fetch_pages
        self.cpu = cpu
        self.on_feed_done = on_feed_done
        self.policy = schedule.Policy.from_settings()
        self.owner = schedule.new_owner()
        self._host_slots: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(self.per_host))

    # --- entry points ---------------------------------------------------------------------

    def run_once(self, *, feed_ids: list[int] | None = None) -> CrawlSummary:
        """Crawl every feed that is due now (or the given feeds), then return the totals."""
        return asyncio.run(self._run(feed_ids))

    def run_forever(self, *, idle_seconds: float = 30.0, stop: Callable[[], bool] = lambda: False) -> None:
        """Crawl what is due, sleep while nothing is, forever (or until ``stop()``)."""
        while not stop():
            summary = self.run_once()
            if summary.feeds:
                log.info("stage=crawl %s", summary.line())
            else:
                time.sleep(idle_seconds)

    # --- the loop -------------------------------------------------------------------------

    async def _run(self, feed_ids: list[int] | None) -> CrawlSummary:
        summary = CrawlSummary()
        started = time.monotonic()
        own_cpu = self.cpu is None
        cpu = self.cpu or ThreadPoolExecutor(max_workers=2, thread_name_prefix="revue-cpu")
        try:
            async with Fetcher(self.limits, max_connections=self.concurrency * 2) as fetcher:
                while True:
                    jobs = await self._lease(feed_ids)
                    if not jobs:
                        break
                    await self._crawl_batch(jobs, fetcher, cpu, summary)
                    if feed_ids is not None:
                        break
        finally:
            if own_cpu:
                cpu.shutdown(wait=False, cancel_futures=True)
            await sync_to_async(connections.close_all, thread_sensitive=True)()
        summary.seconds = time.monotonic() - started
        return summary

    async def _lease(self, feed_ids: list[int] | None) -> list[FeedJob]:
        def lease():
            if feed_ids is not None:
                Feed.objects.filter(id__in=feed_ids).update(next_fetch_at=timezone.now())
            feeds = schedule.lease_due_feeds(
                self.owner, limit=settings.REVUE_LEASE_BATCH, lease_seconds=settings.REVUE_LEASE_SECONDS
            )
            if feed_ids is not None:
                feeds = [f for f in feeds if f.id in set(feed_ids)]
            return [FeedJob.of(f) for f in feeds]

        return await _db(lease)()

    async def _crawl_batch(self, jobs: list[FeedJob], fetcher: Fetcher, cpu: Executor, summary: CrawlSummary):
        gate = asyncio.Semaphore(self.concurrency)

        async def one(job: FeedJob) -> None:
            async with gate:
                outcome = await self._crawl_feed(job, fetcher, cpu)
            summary.add(outcome)
            if self.on_feed_done:
                self.on_feed_done(outcome)

        await asyncio.gather(*(one(job) for job in jobs))

    # --- one feed -------------------------------------------------------------------------

    async def _crawl_feed(self, job: FeedJob, fetcher: Fetcher, cpu: Executor) -> FeedOutcome:
        loop = asyncio.get_running_loop()
        try:
            result = await self._fetch(fetcher, job.url, etag=job.etag, last_modified=job.last_modified)
            if result.not_modified:
                return await self._finish_ok(job, result, parsed=None, new_articles=0)
            parsed, result = await self._parse_or_discover(job, result, fetcher, loop, cpu)
            new_entries = await self._new_entries(job, parsed.entries)
            pages, failed = await self._pages(new_entries, fetcher, loop, cpu)
            ctx = FeedContext(
                outlet_name=job.source_name,
                outlet_language=job.source_language,
                feed_language=parsed.language,
                category_hint=job.category_hint,
                fetched_at=timezone.now(),
                full_content_min_chars=settings.REVUE_FULL_CONTENT_MIN_CHARS,
            )
            drafts = [d for e in new_entries if (d := build_draft(e, pages.get(e.guid), ctx)) is not None]
            stored = await _db(store_drafts)(job.source_id, job.id, drafts)
            outcome = await self._finish_ok(job, result, parsed=parsed, new_articles=len(stored.created))
            return FeedOutcome(
                feed_id=job.id,
                url=job.url,
                status=outcome.status,
                new_articles=len(stored.created),
                entries=len(parsed.entries),
                pages_fetched=len(pages),
                pages_failed=failed,
            )
        except (FetchError, FeedParseError) as error:
            return await self._finish_error(job, error)
        except Exception as error:  # a bug must mark this feed, never kill the crawl
            log.exception("stage=crawl feed_id=%s url=%s unexpected error", job.id, job.url)
            return await self._finish_error(job, error)

    async def _fetch(self, fetcher: Fetcher, url: str, **kw) -> FetchResult:
        async with self._host_slots[urlsplit(url).hostname or ""]:
            return await fetcher.fetch(url, **kw)

    async def _parse_or_discover(self, job, result, fetcher, loop, cpu) -> tuple[ParsedFeed, FetchResult]:
        """Parse the feed; when an HTML page came instead, follow its feed link once."""
        max_entries = settings.REVUE_FEED_MAX_ENTRIES
        try:
            return await loop.run_in_executor(cpu, _parse, result.content, result.final_url, max_entries), result
        except FeedParseError:
            if not looks_like_html(result.content):
                raise
            found = [u for u in discover_feed_urls(result.content, result.final_url) if u != job.url]
            if not found:
                raise FeedParseError(f"not a feed: {job.url} is an HTML page with no feed link") from None
            log.info("stage=parse feed_id=%s url=%s html page, following its feed link %s", job.id, job.url, found[0])
            result = await self._fetch(fetcher, found[0])
            parsed = await loop.run_in_executor(cpu, _parse, result.content, result.final_url, max_entries)
            await _db(_move_feed)(job.id, found[0])
            return parsed, result

    async def _new_entries(self, job: FeedJob, entries: tuple[Entry, ...]) -> list[Entry]:
        """Entries whose article the archive does not have yet (by canonical URL or guid)."""
        linked = [(e, entry_url(e)) for e in entries]
        linked = [(e, u) for e, u in linked if u]
        known_hashes, known_guids = await _db(known_entries)(job.source_id, [u for _, u in linked], [e.guid for e, _ in linked])
        return [e for e, u in linked if url_hash(u) not in known_hashes and e.guid not in known_guids]

    async def _pages(self, entries: list[Entry], fetcher, loop, cpu) -> tuple[dict[str, ExtractedArticle], int]:
        """Fetch and extract the article page of each entry whose feed text is too short."""
        if not self.fetch_pages:
            return {}, 0
        wanted = [e for e in entries if needs_page(e, settings.REVUE_FULL_CONTENT_MIN_CHARS)]

        async def one(entry: Entry) -> tuple[str, ExtractedArticle | None]:
            url = entry_url(entry)
            try:
                result = await self._fetch(fetcher, url, accept=PAGE_ACCEPT)
                html = _decode_page(result)
                return entry.guid, await loop.run_in_executor(cpu, extract, html, result.final_url)
            except FetchError as error:
                log.info("stage=page url=%s failed, keeping the feed text: %s", url, error)
                return entry.guid, None

        results = await asyncio.gather(*(one(e) for e in wanted))
        pages = {guid: page for guid, page in results if page is not None}
        return pages, len(results) - len(pages)

    # --- outcomes -------------------------------------------------------------------------

    async def _finish_ok(self, job: FeedJob, result: FetchResult, *, parsed: ParsedFeed | None, new_articles: int):
        def finish():
            now = timezone.now()
            check = schedule.next_check(
                now,
                self.policy,
                interval=job.interval,
                ok=True,
                new_entries=new_articles,
                ttl_minutes=parsed.ttl_minutes if parsed else None,
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
            if parsed and parsed.title:
                Feed.objects.filter(id=job.id, title="").update(title=parsed.title[:300])
            if result.permanent_redirect:
                _move_feed(job.id, result.permanent_redirect)
            schedule.release(job.id, self.owner, **fields)

        await _db(finish)()
        status = "not_modified" if result.not_modified else "ok"
        log.debug("stage=feed feed_id=%s url=%s status=%s new=%s", job.id, job.url, status, new_articles)
        return FeedOutcome(feed_id=job.id, url=job.url, status=status, new_articles=new_articles)

    async def _finish_error(self, job: FeedJob, error: Exception) -> FeedOutcome:
        message = str(error) or type(error).__name__
        status_code = getattr(error, "status", None)
        gone = status_code == 410

        def finish():
            now = timezone.now()
            errors = job.error_count + 1
            check = schedule.next_check(
                now,
                self.policy,
                interval=job.interval,
                ok=False,
                error_count=errors,
                retry_after=getattr(error, "retry_after", None),
                gone=gone,
            )
            fields = dict(
                next_fetch_at=check.at,
                last_fetched_at=now,
                last_status=status_code,
                error_count=errors,
                last_error=message[:2000],
                last_error_at=now,
            )
            if check.park:
                fields["state"] = Feed.State.PARKED
            schedule.release(job.id, self.owner, **fields)
            return check.park

        parked = await _db(finish)()
        log.warning("stage=feed feed_id=%s url=%s status=error parked=%s error=%s", job.id, job.url, parked, message)
        return FeedOutcome(feed_id=job.id, url=job.url, status="parked" if parked else "error", error=message)


def _parse(content: bytes, url: str, max_entries: int) -> ParsedFeed:
    return parse(content, url, max_entries=max_entries)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def _decode_page(result: FetchResult) -> str:
    """The page's text: the charset the server names, else the page's <meta>, else UTF-8/cp1252."""
    content_type = result.content_type.lower()
    declared = []
    if "charset=" in content_type:
        declared.append(content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"'))
    if match := _META_CHARSET.search(result.content[:4096]):
        declared.append(match.group(1).decode("ascii"))
    for charset in declared:
        try:
            return result.content.decode(charset, errors="replace")
        except LookupError:  # a charset name Python does not know: try the next clue
            continue
    try:
        return result.content.decode("utf-8")
    except UnicodeDecodeError:
        return result.content.decode("cp1252", errors="replace")


def _move_feed(feed_id: int, new_url: str) -> None:
    """A feed moved for good: remember the new URL unless another feed already has it."""
    if Feed.objects.filter(url=new_url).exclude(id=feed_id).exists():
        return
    try:
        Feed.objects.filter(id=feed_id).update(url=new_url)
    except IntegrityError:  # another worker registered the same URL a moment ago
        log.warning("stage=feed feed_id=%s url=%s not moved: the URL belongs to another feed", feed_id, new_url)
