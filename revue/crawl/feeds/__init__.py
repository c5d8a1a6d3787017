"""The parse stage: the bytes of a fetched feed in, plain frozen values out.

``parse(data, url)`` reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed into a
``ParsedFeed`` of ``Entry`` values. It touches no database and no network; anything it
cannot read becomes a ``FeedParseError`` whose message says why, in words an operator
can act on ("not a feed: the document is an HTML page").

How a document travels, one module of this package for each step:

1. ``decode`` (``revue.text.decode``, as for pages): byte order mark, then UTF-16 without one,
   then valid UTF-8 (a declaration naming a single-byte charset is usually stale), then the
   declared charset, then the server's, then charset_normalizer's guess, then windows-1252
   with replacement. ISO-8859-1 and ASCII are read as windows-1252, as browsers do. The
   document goes on as UTF-8 bytes; valid UTF-8 is not copied.
2. ``triage`` (with ``prolog``, what the document's start says): a gzip-compressed document
   is inflated (up to ``MAX_INFLATED_BYTES``); empty, binary, JSON, HTML, not XML, DTD
   entities that could expand or read files: each answered here, before any library sees
   the document. An XHTML page that holds a feed (an Atom ``<feed>`` in its body) is read as
   that feed.
3. ``repair``: control characters are dropped, and outside CDATA bare ``&`` and HTML named
   entities (``&eacute;``, ``&nbsp;``) become character references (fastfeedparser's
   recovering parser would otherwise cut the text at them). A document cut short keeps
   the items before the cut; with no whole item it is refused as truncated.
4. ``reading``: fastfeedparser (``fast``), which is fast. feedparser (``fallback``) when
   fastfeedparser raises, finds no entries in a document that has items, loses items of a
   damaged document (``wellformed`` tells), or is known to read it wrongly (RSS 1.0 with
   content:encoded, DTD-declared entities, relative links under an ``xml:base`` on an entry
   or a link); the reading with more entries wins. RSS 0.90 is read as RSS 1.0 (the same
   elements in an older namespace, which fastfeedparser does not know; feedparser when the
   namespace is not the root's default). An RSS title or description that holds raw HTML
   elements rather than text (the Guardian's) is put back whole from lxml's tree where
   fastfeedparser keeps only the text before the first element. JSON Feed is read with
   ``json`` (``jsonfeed``). Relative links resolve against xml:base, else the site's link,
   else the URL.
5. ``mapping``: both libraries' dicts become the same ``Entry`` values (``values``):
   absolute links (an entry without one takes its guid when that is a web address), plain
   titles, UTC dates, the lead image, duplicates by guid dropped. Items that share one link
   and carry no other id (NixOS' news feed links all its items to one page) stay distinct
   entries: their guid is the link with a digest of title and date; a link only one item
   has stays its guid. Titles, guids, authors, categories and the lead image hold no NUL,
   no other control character XML forbids and no lone surrogate (a JSON Feed's escapes may
   carry them, XML's character references the controls): no database refuses an entry for
   them. An item that cannot be mapped (values of types the format does not allow, such as
   a JSON Feed ``attachments`` that is no array) is left out alone and listed in
   ``ParsedFeed.skipped`` with the reason: one item never costs its feed.

``discovery`` lists the feeds an HTML page advertises (``discover_feed_urls``). The modules
share their helpers among themselves (``_name``); the package's interface is what
``__all__`` names, and other code imports only that.

Three private fastfeedparser helpers are used, each with a fallback (the package is pinned
below 0.7): its native reader's entry point, whose acceptance says the document is
well-formed (then nothing can have been lost to a recovery, and nothing is counted); its
date parser, to undo dates it reads out of numeric guids; and its summary synthesizer, to
tell a summary the feed gave from one it made up from the content. In a damaged document
XML's own entity references (``&amp;`` …) become character references before
fastfeedparser's recovering parse, which drops entity references after the first error.
"""

from __future__ import annotations

from revue.crawl.feeds.discovery import discover_feed_urls
from revue.crawl.feeds.mapping import _finish
from revue.crawl.feeds.triage import _parse_document, looks_like_html
from revue.crawl.feeds.values import Enclosure, Entry, FeedParseError, ParsedFeed, SkippedEntry, _shorten
from revue.text.decode import http_charset

__all__ = [
    "Enclosure",
    "Entry",
    "FeedParseError",
    "ParsedFeed",
    "SkippedEntry",
    "discover_feed_urls",
    "looks_like_html",
    "parse",
]


def parse(data: bytes, url: str, *, max_entries: int | None = None, content_type: str = "") -> ParsedFeed:
    """Read a feed document fetched from ``url``; keep at most ``max_entries`` entries.

    Raises ``FeedParseError`` and nothing else.
    """
    try:
        feed = _parse_document(data, url, http_charset(content_type))
    except FeedParseError:
        raise
    except Exception as exc:  # a library bug must not crash the crawler
        raise FeedParseError(
            f"not a feed: the parser failed ({type(exc).__name__}: {_shorten(str(exc))})"
        ) from exc
    return _finish(feed, max_entries)
