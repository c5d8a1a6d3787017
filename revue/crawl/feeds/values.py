"""The parse stage's values: a ``ParsedFeed`` of ``Entry`` values, the entries left out, and
the one error it raises; and the few text helpers every reading shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from revue.crawl.clean import scrub_text


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True)
class Entry:
    guid: str  # id/guid; else the link; else a sha1 of title and summary
    link: str  # absolute http(s) URL (the guid when only that is one), or ""
    title: str  # plain text, entities unescaped, whitespace collapsed
    published_at: datetime | None  # UTC; the updated date when the feed gives only that
    updated_at: datetime | None
    summary: str  # raw HTML or text as the feed gives it; "" if it gives none
    content: str  # raw full content HTML, or ""
    author: str
    categories: tuple[str, ...]
    image_url: str  # lead image, absolute, or ""
    enclosures: tuple[Enclosure, ...]


@dataclass(frozen=True)
class SkippedEntry:
    """An entry a stage could not use: it alone is left out, its feed goes on (the crawler
    logs it and counts it on the feed's row)."""

    link: str  # the entry's link, else its guid, as far as it was read ("" when nothing was)
    stage: str  # "parse", "draft", "features" …
    reason: str  # what went wrong, one line

    @classmethod
    def of(cls, link: Any, stage: str, error: BaseException) -> "SkippedEntry":
        reason = f"{type(error).__name__}: {error}"
        return cls(link=_shorten(scrub_text(_text(link)), 500), stage=stage, reason=_shorten(scrub_text(reason), 300))


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str  # the site's URL
    language: str  # lowercased primary subtag ("fr"), or ""
    format: str  # "rss", "atom", "rdf" or "json"
    entries: tuple[Entry, ...]
    ttl_minutes: int | None  # RSS <ttl>
    parser: str  # "fastfeedparser", "feedparser", or "json" for JSON Feed read here
    skip_hours: tuple[int, ...] = ()  # RSS <skipHours>: hours (0-23, GMT) not to poll
    skipped: tuple[SkippedEntry, ...] = ()  # items that could not be read, each left out alone


class FeedParseError(ValueError):
    """The document is not a feed this stage can read; the message says why."""


def _text(value: Any) -> str:
    """Any value a library or a JSON document hands us, as a string ("" for None)."""
    if type(value) is str:  # nearly always: the cheapest test first
        return value
    if value is None or isinstance(value, (dict, list, tuple)):
        return ""
    return value if isinstance(value, str) else str(value)


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preview(text: str) -> str:
    printable = "".join(c if c.isprintable() else " " for c in text[:80])
    return repr(_shorten(printable, 40))
