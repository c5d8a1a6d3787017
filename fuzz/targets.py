"""The fuzz targets: plain functions of the bytes an outlet could send, shared by the fuzzer
(``fuzz/run.py``, atheris) and by the normal test suite, which runs every input the fuzzer ever
crashed on again (``tests/crawl/test_fuzz_regressions.py``).

A target raises on what a crawl must never see, and on nothing else:

* ``feeds`` — ``revue.crawl.feeds.parse`` raises only ``FeedParseError``; its entries hold
  strings and aware UTC dates; every entry then goes through what the crawler does with it
  (canonical URL, ``needs_page``, ``make_drafts``) without a draft being left out for an error
  (``make_drafts`` isolates entries, so an error there would otherwise go unseen).
* ``extraction`` — ``revue.crawl.extract.extract`` on the bytes decoded as the crawler decodes a
  page returns an ``ExtractedArticle`` of the right types, no extraction step fails (``extract``
  degrades step by step and only logs a failing step: here the log is the finding), and the
  article's HTML is sanitized markup.

No Django, no database, no network: the stages are pure.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import lxml.html

from revue.crawl import pipeline
from revue.crawl.clean import ALLOWED_TAGS
from revue.crawl.drafts import FeedContext, needs_page
from revue.crawl.extract import LOGGER as EXTRACT_LOGGER
from revue.crawl.extract import ExtractedArticle
from revue.crawl.feeds import FeedParseError

FEED_URL = "https://fuzz.example/feed.xml"
PAGE_URL = "https://fuzz.example/2025/12/08/article.html"
FETCHED_AT = datetime(2025, 12, 8, 12, 0, tzinfo=timezone.utc)
CONTEXT = FeedContext(outlet_name="Fuzz", outlet_language="fr", feed_language="", category_hint="",
                      fetched_at=FETCHED_AT)


class Finding(AssertionError):
    """What a target reports: an input that breaks a stage's promise."""


def _aware_utc(value, what: str) -> None:
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() != timedelta(0)):
        raise Finding(f"{what} is not an aware UTC datetime: {value!r}")


def feeds(data: bytes) -> None:
    try:
        parsed, urls = pipeline.parse_feed(data, FEED_URL, 500)
    except FeedParseError:
        return
    for entry in parsed.entries:
        for name in ("guid", "link", "title", "summary", "content", "author", "image_url"):
            if not isinstance(getattr(entry, name), str):
                raise Finding(f"entry.{name} is not a string: {getattr(entry, name)!r}")
        _aware_utc(entry.published_at, "entry.published_at")
        _aware_utc(entry.updated_at, "entry.updated_at")
        needs_page(entry, 600)
    linked = [entry for entry, url in zip(parsed.entries, urls) if url]
    made = pipeline.make_drafts(linked, {}, CONTEXT)
    if made.skipped:
        first = made.skipped[0]
        raise Finding(f"an entry was left out at stage {first.stage}: {first.reason}")


class _StepFailures(logging.Handler):
    """Collects the extraction steps that failed (``extract`` logs them and goes on)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.failures: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.failures.append(record)


def extraction(data: bytes) -> None:
    failures = _StepFailures()
    EXTRACT_LOGGER.addHandler(failures)
    try:
        article = pipeline.extract_page(data, "text/html", PAGE_URL)
    finally:
        EXTRACT_LOGGER.removeHandler(failures)
    if failures.failures:
        record = failures.failures[0]
        raise Finding(f"extraction step {getattr(record, 'step', '?')} failed") from record.exc_info[1]
    if not isinstance(article, ExtractedArticle):
        raise Finding(f"extract returned {type(article).__name__}")
    for name in ("title", "text", "html", "image_url", "language", "author", "canonical_url"):
        if not isinstance(getattr(article, name), str):
            raise Finding(f"article.{name} is not a string: {getattr(article, name)!r}")
    _aware_utc(article.published_at, "article.published_at")
    _sanitized(article.html)


def _sanitized(html: str) -> None:
    """Only the sanitizer's elements, no event handler, links and images on http(s) (or mailto)."""
    if not html.strip():
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iterdescendants():
        if not isinstance(element.tag, str) or element.tag not in ALLOWED_TAGS:
            raise Finding(f"the extracted HTML holds a <{element.tag}>")
        for name, value in element.attrib.items():
            scheme = urlsplit("".join(value.split())).scheme.lower() if name in ("href", "src") else ""
            if name.startswith("on") or scheme not in ("", "http", "https", "mailto"):
                raise Finding(f"the extracted HTML holds {name}={value!r}")


TARGETS = {"feeds": feeds, "extraction": extraction}
