"""The fallback: feedparser's reading of an XML feed, slower and more forgiving (DTD-declared
entities, RSS 1.0 with content:encoded, xml:base below the root, damaged documents)."""

from __future__ import annotations

import io
import logging
from typing import Any, Callable

import feedparser

from revue.crawl.feeds.mapping import (
    _absolute,
    _enclosures,
    _head_language,
    _head_skip_hours,
    _head_ttl,
    _lead_image,
    _make_entry,
    _plain_title,
    _primary_language,
    _skipped_item,
    _struct_datetime,
    _text_to_html,
)
from revue.crawl.feeds.prolog import _feed_format, _Prolog
from revue.crawl.feeds.values import Entry, ParsedFeed, _text

logger = logging.getLogger(__name__)


def _run_feedparser(
    document: bytes, head: str, prolog: _Prolog, url: str, keep_anonymous: Callable[[], bool]
) -> ParsedFeed | None:
    """feedparser's reading, or None when it recognized no feed at all."""
    try:
        result = feedparser.parse(
            io.BytesIO(document),  # never a string: feedparser would take it for a URL or path
            response_headers={"content-type": "application/xml; charset=utf-8"},
            sanitize_html=False,  # summary and content stay raw; the clean stage sanitizes
            resolve_relative_uris=False,  # it would reserialize the HTML
        )
    except Exception as exc:  # e.g. a namespace URI its SAX handler cannot split
        logger.debug("feedparser failed", extra={"stage": "parse", "url": url, "outcome": "error", "reason": str(exc)})
        return None
    if not result.get("version") and not result.get("entries"):
        return None
    feed = result.get("feed") or {}
    site = _absolute(url, feed.get("link"))
    entries, skipped = [], []
    for raw in result.get("entries") or ():
        try:
            link, guid = _fp_link(raw, site or url), _text(raw.get("id"))
            if not (link or guid or keep_anonymous()):
                continue
            entries.append(_fp_entry(raw, link, guid, site or url))
        except Exception as exc:  # noqa: BLE001 — one unreadable item costs that item only
            skipped.append(_skipped_item(raw, exc))
    return ParsedFeed(
        title=_plain_title(feed.get("title")),
        link=site,
        language=_primary_language(feed.get("language") or _head_language(head)),
        format=_feedparser_format(result.get("version") or "", prolog),
        entries=tuple(entries),
        ttl_minutes=_head_ttl(head),
        skip_hours=_head_skip_hours(head),
        parser="feedparser",
        skipped=tuple(skipped),
    )


def _feedparser_format(version: str, prolog: _Prolog) -> str:
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10"):
        return "rdf"
    return "rss" if version else _feed_format(prolog)


def _fp_link(raw: Any, base: str) -> str:
    """feedparser's link, else the first alternate link that is a web address.

    feedparser takes only an HTML alternate for ``link`` and otherwise puts the id there
    (a ``tag:`` URI); an Atom entry whose one alternate is a PDF keeps that PDF.
    """
    link = _text(raw.get("link"))
    if not link or _absolute(base, link):
        return link
    for alternate in raw.get("links") or ():
        href = _text(alternate.get("href"))
        if alternate.get("rel", "alternate") == "alternate" and _absolute(base, href):
            return href
    return link


def _fp_entry(raw: Any, link: str, guid: str, base: str) -> Entry:
    content = _fp_content(raw)
    summary = _text(raw.get("summary"))
    if summary and summary == _text((raw.get("content") or [{}])[0].get("value")):
        summary = ""  # feedparser copies content into a missing summary
    # dict.get: FeedParserDict answers a missing "updated" with "published".
    updated = _struct_datetime(dict.get(raw, "updated_parsed"))
    enclosures = _enclosures(
        [(e.get("href"), e.get("type"), e.get("length")) for e in raw.get("enclosures") or ()],
        base,
    )
    return _make_entry(
        guid=guid,
        link=_absolute(base, link),
        title=raw.get("title"),
        published_at=_struct_datetime(dict.get(raw, "published_parsed")) or updated,
        updated_at=updated,
        summary=summary,
        content=content,
        author=raw.get("author"),
        categories=[tag.get("term") for tag in raw.get("tags") or ()],
        image_url=_lead_image(
            raw.get("media_content") or (),
            [thumbnail.get("url") for thumbnail in raw.get("media_thumbnail") or ()],
            enclosures,
            base,
        ),
        enclosures=enclosures,
    )


def _fp_content(raw: Any) -> str:
    blocks = raw.get("content") or ()
    if not blocks:
        return ""
    value, kind = _text(blocks[0].get("value")), _text(blocks[0].get("type")).lower()
    return _text_to_html(value) if kind == "text/plain" else value
