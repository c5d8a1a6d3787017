"""A document a hub pushed, taken in as a polled fetch is: the feed's refresh from its parse on
(``FeedRefresh.ingest``: entries, pages, drafts, store) then the settle (search, stories, the
readers' caches renewed), in the calling thread's database connection (the callback's request).
"""

from __future__ import annotations

import time
import types

from asgiref.sync import async_to_sync

from revue.crawl.crawler.loop import settle
from revue.crawl.crawler.run import on_db
from revue.crawl.crawler.values import FeedJob, FeedOutcome
from revue.net.fetch import Fetcher, FetchResult
from revue.sources.models import Feed


def ingest_push(feed_id: int, body: bytes, content_type: str) -> FeedOutcome:
    """Store what a push brought to the feed ``feed_id``, then settle it; its outcome (status
    "error" when the document is no feed)."""
    return async_to_sync(_ingest)(feed_id, body, content_type)


async def _ingest(feed_id: int, body: bytes, content_type: str) -> FeedOutcome:
    from revue.crawl.worker import Crawler  # (the crawler's own assembly: it imports this package)

    row = await on_db(Feed.objects.filter(id=feed_id).values(*FeedJob.FIELDS).get)()
    job = FeedJob.of(row, leased_at=time.monotonic())
    crawler = Crawler(processes=0)  # CPU stages in threads, the settle on this thread's connection
    try:
        async with Fetcher(crawler.limits, max_connections=8) as fetcher:
            run = crawler.new_run(fetcher, [feed_id])
            outcome = await crawler.refresh(run).ingest(job, pushed(job, body, content_type))
            await settle(crawler.pools, run.story_params, list(outcome.article_ids), dict(outcome.features))
    finally:
        crawler.close()
    return outcome


def pushed(job: FeedJob, body: bytes, content_type: str) -> FetchResult:
    """The pushed document as if fetched from the feed's URL."""
    return FetchResult(url=job.url, final_url=job.url, status=200, content=body, content_type=content_type,
                       etag="", last_modified="", headers=types.MappingProxyType({}), permanent_redirect="",
                       elapsed=0.0)
