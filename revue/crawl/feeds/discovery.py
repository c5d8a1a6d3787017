"""The feeds an HTML page advertises (``<link rel="alternate">``, then feed-like ``<a>`` links).

Used when a feed URL answers with a page (the crawler follows the first link once) and by
``revue sources add`` with a site URL (``revue.crawl.discover``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from revue.crawl.feeds.mapping import _absolute


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


_FEED_LINK_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)


_FEED_PATH_ENDINGS = ("/feed", "/rss", ".rss", ".xml")


def discover_feed_urls(html: bytes | str, url: str) -> list[str]:
    """Feed URLs a page advertises: ``<link rel="alternate">`` first, then ``<a>`` links.

    Absolute, in document order, without duplicates. Anchors count when their path ends
    in /feed, /rss, .rss or .xml (a sitemap excepted).
    """
    if isinstance(html, str):  # lxml refuses text that carries an encoding declaration
        html = _XML_DECLARATION.sub("", html, count=1)
    try:
        document = lxml_html.document_fromstring(html)
    except Exception:  # empty or unreadable page
        return []
    base = _page_base(document, url)
    found = [*_alternate_feed_links(document, base), *_feed_like_anchors(document, base)]
    return list(dict.fromkeys(found))


def _page_base(document: Any, url: str) -> str:
    for base in document.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def _alternate_feed_links(document: Any, base: str) -> Iterable[str]:
    for link in document.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in _FEED_LINK_TYPES:
            absolute = _absolute(base, link.get("href"))
            if absolute:
                yield absolute


def _feed_like_anchors(document: Any, base: str) -> Iterable[str]:
    for anchor in document.iter("a"):
        absolute = _absolute(base, anchor.get("href"))
        path = urlsplit(absolute).path.lower().rstrip("/")
        if absolute and path.endswith(_FEED_PATH_ENDINGS) and "sitemap" not in path:
            yield absolute
