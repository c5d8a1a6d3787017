"""robots.txt: what a site lets crawlers fetch (the crawler asks it for article pages only: feeds
are published to be fetched).

Rules come from
``/robots.txt`` of the page's host, read through the same guarded fetcher as everything else,
parsed by protego, and kept for ``REVUE_ROBOTS_TTL`` seconds in the cache (shared by workers).
A missing robots.txt (4xx) allows everything; one that fails (5xx, timeout) disallows for now,
so a caller keeps what it has (the crawler, the feed's text) rather than pressing on a struggling
site.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.core.cache import cache
from protego import Protego

from revue.net.fetch import FetchError

ALLOW_ALL = ""
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
MAX_ROBOTS_BYTES = 512 * 1024
RETRY_FAILED_SECONDS = 600


def robots_url(page_url: str) -> str:
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsRules:
    """The robots.txt rules of the hosts one crawler visits."""

    def __init__(self, *, user_agent: str, ttl: int):
        self.user_agent = user_agent
        self.ttl = ttl
        self._parsed: dict[str, asyncio.Future] = {}

    async def allowed(self, page_url: str, fetch) -> bool:
        """Whether robots.txt lets us fetch ``page_url``; ``fetch(url)`` fetches robots.txt."""
        rules = await self._rules(robots_url(page_url), fetch)
        return rules.can_fetch(page_url, self.user_agent)

    async def _rules(self, url: str, fetch) -> Protego:
        """One read per host and crawl: concurrent pages of one host wait for the same read."""
        if url not in self._parsed:
            self._parsed[url] = asyncio.ensure_future(self._read(url, fetch))
        return await asyncio.shield(self._parsed[url])

    async def _read(self, url: str, fetch) -> Protego:
        key = f"crawl:robots:{url}"
        text = await sync_to_async(cache.get, thread_sensitive=False)(key)
        if text is None:
            text, ttl = await self._download(url, fetch)
            await sync_to_async(cache.set, thread_sensitive=False)(key, text, ttl)
        return Protego.parse(text)

    async def _download(self, url: str, fetch) -> tuple[str, int]:
        """The robots.txt text and how long to trust it (a failure is retried sooner)."""
        try:
            result = await fetch(url)
        except FetchError as error:
            if error.kind == "http" and error.status and 400 <= error.status < 500:
                return ALLOW_ALL, self.ttl
            return DISALLOW_ALL, min(self.ttl, RETRY_FAILED_SECONDS)
        return result.content[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"), self.ttl
