"""Step 4: which library reads an XML feed.

fastfeedparser (``fast``) first; feedparser (``fallback``) when fastfeedparser raises, finds
no entries in a document that has items, loses items of a damaged document, or is known to
read it wrongly; the reading with more entries wins. A document nothing can read gets a
``FeedParseError`` that says why.
"""

from __future__ import annotations

import logging

from revue.crawl.feeds.fallback import _run_feedparser
from revue.crawl.feeds.fast import _fastfeedparser_misread, _fastfeedparser_reading, _from_fastfeedparser
from revue.crawl.feeds.prolog import _RSS090_NAMESPACE, _Prolog, _head_text
from revue.crawl.feeds.repair import _ITEM_START
from revue.crawl.feeds.values import FeedParseError, ParsedFeed, _shorten
from revue.crawl.feeds.wellformed import _WellFormedness, _xml_syntax_error

logger = logging.getLogger(__name__)


def _parse_xml(document: bytes, prolog: _Prolog, url: str, *, has_entities: bool) -> ParsedFeed:
    """fastfeedparser first; feedparser when it fails, loses items, or is known to err."""
    item_match = _ITEM_START.search(document)
    head = _head_text(document[: item_match.start()] if item_match else document[:16384])
    keep_anonymous = _WellFormedness(document)
    fast_feed, fast_error = None, ""
    reason = _feedparser_first_reason(document, head, prolog, has_entities)
    if reason is None:
        try:
            result = _fastfeedparser_reading(document, keep_anonymous)
            reason = _fastfeedparser_misread(result, document, prolog, keep_anonymous)
            fast_feed = _from_fastfeedparser(result, head, prolog, url, keep_anonymous)
        except Exception as exc:
            fast_error = _shorten(str(exc))
            reason = f"fastfeedparser failed: {fast_error}"
        else:
            if reason is None and (fast_feed.entries or item_match is None):
                return fast_feed
            reason = reason or "fastfeedparser found no entries"
    logger.debug("feedparser fallback", extra={"stage": "parse", "url": url, "outcome": "fallback", "reason": reason})
    slow_feed = _run_feedparser(document, head, prolog, url, keep_anonymous)
    if slow_feed is not None and slow_feed.entries:
        if fast_feed is None or len(slow_feed.entries) >= len(fast_feed.entries):
            return slow_feed
    if fast_feed is not None and fast_feed.entries:
        return fast_feed
    empty_feed = fast_feed or slow_feed
    if empty_feed is not None and (item_match is None or keep_anonymous()):
        return empty_feed  # a feed with no entries yet is not an error
    raise _explain_failure(document, prolog, fast_error)


def _feedparser_first_reason(document: bytes, head: str, prolog: _Prolog, has_entities: bool) -> str | None:
    """Why fastfeedparser would read this document wrongly, or None."""
    if prolog.local == "rdf" and _RSS090_NAMESPACE in head:
        return "RSS 0.90 with its namespace not the root's default (fastfeedparser finds no items)"
    if prolog.local == "rdf" and b":encoded" in document:
        return "RSS 1.0 with content:encoded (fastfeedparser skips it)"
    if has_entities:
        return "DTD-declared entities (fastfeedparser drops their references)"
    return None


def _explain_failure(document: bytes, prolog: _Prolog, fast_error: str) -> FeedParseError:
    error = _xml_syntax_error(document)
    if error:
        line, message = error
        return FeedParseError(f"not a feed: XML is malformed at line {line} ({message})")
    if prolog.local not in ("rss", "feed", "rdf", "channel"):
        return FeedParseError(
            f"not a feed: the document is XML with root element <{prolog.root}>, "
            "not RSS, Atom or RDF"
        )
    detail = f" ({fast_error})" if fast_error else ""
    return FeedParseError(f"not a feed: no feed could be read from this <{prolog.root}>{detail}")
