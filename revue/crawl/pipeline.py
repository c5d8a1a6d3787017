"""The CPU-bound stage work of one crawl, as pure functions a process pool can run.

Parsing a feed, decoding and extracting an article page, and merging entries and pages into
drafts take CPU, not network; the crawler's per-feed refresh (``revue.crawl.crawler.refresh``)
hands them to worker processes (``revue.crawl.crawler.pools``) so that both cores work while the
event loop keeps fetching. Nothing here imports Django at module level: a
worker process starts fast and needs no settings. Inputs and outputs are plain bytes and frozen
dataclasses.

Settling stored articles (search index, stories) needs the database: it runs in one more
process, ``settle_process``, which sets Django up once on the crawler's own database settings
and keeps its connection, so that clustering takes neither the crawler's interpreter lock nor
its database thread.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import select
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace

from revue.crawl.drafts import TITLE_CHARS, URL_CHARS, ArticleDraft, FeedContext, build_draft, entry_url
from revue.crawl.extract import ExtractedArticle, extract
from revue.crawl.feeds import Entry, ParsedFeed, SkippedEntry, parse
from revue.metrics import EXTRACTION_SECONDS, timed
from revue.text.decode import decode, http_charset, meta_charset

def parse_feed(content: bytes, url: str, max_entries: int,
               content_type: str = "") -> tuple[ParsedFeed, tuple[str, ...]]:
    """The parsed feed, with each entry's canonical URL (``entry_url``; "" for none), made
    here rather than on the crawler's event loop."""
    parsed = parse(content, url, max_entries=max_entries, content_type=content_type)
    return parsed, tuple(entry_url(entry) for entry in parsed.entries)


def decode_page(content: bytes, content_type: str) -> str:
    """The page's text (``revue.text.decode``: the server's charset trusted before the page's
    ``<meta>``, valid UTF-8 before either)."""
    return decode(content, http_charset(content_type), meta_charset(content))


def extract_page(content: bytes, content_type: str, url: str, options: dict | None = None) -> ExtractedArticle:
    """``options``: extract()'s keywords for this page (``revue.crawl.rules.extraction_options``)."""
    with timed(EXTRACTION_SECONDS):  # in the CPU process: the extraction alone, not its wait
        return extract(decode_page(content, content_type), url, **(options or {}))


@dataclass(frozen=True)
class Drafts:
    """``make_drafts``' answer: the drafts to store, and the entries that could not become one."""

    drafts: tuple[ArticleDraft, ...]
    skipped: tuple[SkippedEntry, ...] = ()


def make_drafts(entries: list[Entry], pages: dict[str, ExtractedArticle], ctx: FeedContext,
                story_params=None) -> Drafts:
    """One draft per entry that can be an article (entries without a link are left out). With
    ``story_params`` (``revue.news.stories.StoryParams``), each draft carries its story features,
    made from the article as it will be stored, so that the settle need not make them.

    Each entry is on its own: one that fails (a bug, or input no helper foresaw) is left out and
    listed in ``skipped`` with the reason, and the feed's other entries go on. An entry whose
    story features fail is left out too: stored, it would fail the settle of every article
    settled with it; and one whose URL is longer than the archive holds (``URL_CHARS``), which
    would fail its whole feed's store on PostgreSQL."""
    drafts, skipped = [], []
    prepare = _story_features(ctx, story_params) if story_params is not None else None
    for entry in entries:
        stage = "draft"
        try:
            draft = build_draft(entry, pages.get(entry.guid), ctx)
            if draft is not None and len(draft.url) > URL_CHARS:
                raise ValueError(f"its URL is longer than {URL_CHARS} characters ({len(draft.url)})")
            if draft is not None and prepare is not None:
                stage = "features"
                draft = replace(draft, features=prepare(draft))
        except Exception as error:  # noqa: BLE001 — one bad entry costs that entry only
            skipped.append(SkippedEntry.of(entry.link or entry.guid, stage, error))
            continue
        if draft is not None:
            drafts.append(draft)
    return Drafts(tuple(drafts), tuple(skipped))


def _story_features(ctx: FeedContext, story_params):
    """A function making what the settle would make of a draft, from the article as ``store``
    will keep it, pickled: its story features and its search terms (``search_terms``)."""
    from revue.news.stories import ArticleItem, prepare  # preloaded in the fork server

    shape = story_params.shape

    def features(draft: ArticleDraft) -> bytes:
        title = draft.title[:TITLE_CHARS]
        item = ArticleItem(0, title, draft.text, draft.language, draft.published_at, ctx.fetched_at, ctx.source_id)
        made = (prepare(item, story_params, shape), search_terms(draft.language, title, draft.text or draft.summary))
        return pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)

    return features


def search_terms(language: str, title: str, body: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]] | None:
    """An article's search index terms (``revue.news.search.words.index_entry``'s title and body,
    its whole body), with a digest of what they were made from, so that the settle process, the
    crawl's one serial step, need only check them (``revue.crawl.store.search_entry``); None
    without a language (the index then takes the outlet's)."""
    from revue.news.search.words import normalize_for_search  # preloaded in the fork server

    if not language:
        return None
    return (terms_digest(language, title, body), tuple(normalize_for_search(title, language)),
            tuple(normalize_for_search(body, language)))


def terms_digest(language: str, title: str, body: str) -> bytes:
    return hashlib.blake2b("\0".join((language, title, body)).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _warm_up(crawler: int) -> None:
    """Import the heavy libraries once per worker process, before the first task arrives, and
    end with the crawler (``_end_with``)."""
    _end_with(crawler)
    import trafilatura  # noqa: F401


def _end_with(crawler: int) -> None:
    """End this process as soon as the crawler process ``crawler`` ends, even by ``kill -9``:
    the fork server it came from outlives the crawler, and a worker waiting for tasks would
    wait forever (a settle process holding its database connection). A thread waits on the
    crawler's pidfd (Linux), else looks every second (POSIX; elsewhere nothing is watched)."""
    if os.name != "posix":  # (Windows' os.kill would end the crawler, not look at it)
        return

    def watch() -> None:
        try:
            waiting = select.poll()
            waiting.register(os.pidfd_open(crawler), select.POLLIN)
            waiting.poll()  # returns once the process has ended
        except (AttributeError, OSError):  # no pidfd here (or the crawler is gone already)
            while _alive(crawler):
                time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="revue-end-with-crawler", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has that number: ours is gone
        return False
    return True


def _context() -> multiprocessing.context.BaseContext:
    """On Linux a clean fork server that has already imported this module and the story and
    search modules the tasks use, and loaded the language model and word lists they read
    (``revue.crawl.preload``), so a worker starts in milliseconds, pays for no import, and
    shares nothing with the crawler's threads (the story features' datasketch pulls in scipy:
    ~0.7 s of CPU per process); elsewhere a fresh interpreter per process."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "revue.news.stories", "revue.news.search.words", "revue.crawl.preload"])
        return context
    return multiprocessing.get_context("spawn")


def cpu_pool(processes: int) -> Executor:
    """``processes`` worker processes (0: threads in this process, for debugging and tiny runs)."""
    if processes <= 0:
        return ThreadPoolExecutor(max_workers=2, thread_name_prefix="revue-cpu")
    return ProcessPoolExecutor(max_workers=processes, mp_context=_context(), initializer=_warm_up,
                               initargs=(os.getpid(),))


def settle_process(database: dict) -> Executor:
    """One process for ``settle``, with Django set up on ``database`` (the crawler's connection
    settings, which may name a test database the environment does not). It keeps its
    connection, and the story fingerprints it last read, from one settle to the next."""
    return ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_start_django,
                               initargs=(database, os.getpid()))


def _start_django(database: dict, crawler: int) -> None:
    _end_with(crawler)
    import django
    from django.conf import settings

    settings.DATABASES["default"] = database  # before the set-up: nothing has connected yet
    django.setup()


def settle(article_ids: list[int], params, entry_options: dict, features: dict | None = None) -> None:
    """``revue.crawl.store.settle_articles``, in the settle process."""
    from django.db import close_old_connections

    from revue.crawl.store import settle_articles

    close_old_connections()  # a process living for months: drop a broken or stale connection
    settle_articles(article_ids, params, entry_options, features)


def default_processes() -> int:
    return max(1, min(4, os.cpu_count() or 1))
