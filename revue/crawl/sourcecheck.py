"""``revue sources check``: which feeds of an outlet list answer, which moved, which are dead.

Each feed is fetched once through the guarded fetcher (``revue.net``: the outbound guard, sizes
and timeouts of every fetch), ``REVUE_FETCH_CONCURRENCY`` at a time, and read by the feed parser.
Nothing is stored: the verdicts are printed, and ``--tsv`` prints the list again with today's date
in ``checked`` on the rows that answered with a feed.

A verdict is one of ``ok`` (a feed, with its entry count), ``moved`` (every hop a permanent
redirect, 301/308: the new URL is given; the list should say it), ``not_a_feed`` (answers, but
with something the parser cannot read: often a bot challenge page) and ``dead`` (an HTTP error,
no such host, refused, timed out: the fetch error's own words).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from revue.crawl.feeds import FeedParseError, parse
from revue.net.fetch import FEED_ACCEPT, FetchError, Fetcher, FetchLimits

VERDICTS = ("ok", "moved", "not_a_feed", "dead")


@dataclass(frozen=True)
class CheckResult:
    url: str
    verdict: str
    detail: str  # the entry count, the new URL, or why it failed
    status: int | None = None
    moved_to: str = ""

    @property
    def answers(self) -> bool:
        return self.verdict in ("ok", "moved")


def _read(url: str, content: bytes, content_type: str, status: int, moved_to: str) -> CheckResult:
    try:
        feed = parse(content, url, content_type=content_type)
    except FeedParseError as error:
        return CheckResult(url, "not_a_feed", str(error).splitlines()[0][:200], status)
    if moved_to:
        return CheckResult(url, "moved", f"→ {moved_to} ({len(feed.entries)} entrées)", status, moved_to)
    return CheckResult(url, "ok", f"{len(feed.entries)} entrées", status)


async def check_one(fetcher: Fetcher, url: str) -> CheckResult:
    try:
        result = await fetcher.fetch(url, accept=FEED_ACCEPT)
    except FetchError as error:
        return CheckResult(url, "dead", error.message[:200], error.status)
    return _read(url, result.content, result.content_type, result.status, result.permanent_redirect)


async def check_all(urls: list[str], limits: FetchLimits, concurrency: int) -> list[CheckResult]:
    """Every URL checked, in the order given."""
    slots = asyncio.Semaphore(max(1, concurrency))

    async def bounded(fetcher: Fetcher, url: str) -> CheckResult:
        async with slots:
            return await check_one(fetcher, url)

    async with Fetcher(limits, max_connections=max(4, concurrency)) as fetcher:
        return list(await asyncio.gather(*(bounded(fetcher, url) for url in urls)))


def check_feeds(urls: list[str], limits: FetchLimits, concurrency: int) -> list[CheckResult]:
    """``check_all`` from synchronous code (the command)."""
    return asyncio.run(check_all(urls, limits, concurrency))
