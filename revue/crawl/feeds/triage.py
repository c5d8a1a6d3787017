"""Triage (step 2): what kind of document this is, answered before any library sees it.

A gzip-compressed document is inflated (up to ``MAX_INFLATED_BYTES``); empty, binary, JSON,
HTML, not XML, DTD entities that could expand or read files: each answered here. An XHTML page
that holds a feed is read as that feed. An XML feed then goes through the repairs
(``repair``) to the readings (``reading``), a JSON one to ``jsonfeed``.
"""

from __future__ import annotations

import re
import zlib

from lxml import etree

from revue.crawl.feeds.decode import _as_utf8_xml, _utf8_document
from revue.text.decode import MARKS as _MARKS
from revue.text.decode import utf16_without_mark as _utf16_without_mark
from revue.crawl.feeds.jsonfeed import _parse_json_feed
from revue.crawl.feeds.prolog import _RSS090_NAMESPACE, _Prolog, _head_text, _read_prolog
from revue.crawl.feeds.reading import _parse_xml
from revue.crawl.feeds.repair import _keep_complete_items, _repair_markup
from revue.crawl.feeds.values import FeedParseError, ParsedFeed, _preview, _shorten
from revue.crawl.feeds.wellformed import _strict_parser


def looks_like_html(data: bytes) -> bool:
    """Whether the document is an HTML page rather than a feed."""
    try:
        document = _strip_start(_utf8_document(data[:65536]))
        if not document or document[:1] in b"{[":
            return False
        if not _starts_as_html(document[:64].decode("ascii", errors="ignore")):
            document = _skip_leading_junk(document)
        head = _head_text(document)
        return _is_html(head, _read_prolog(head))
    except Exception:
        return False


def _parse_document(data: bytes, url: str, http_charset: str = "", *, embedded: bool = False) -> ParsedFeed:
    data = _gunzip(data)
    _refuse_binary(data)
    document = _strip_start(_utf8_document(data, http_charset))
    if not document:
        raise FeedParseError("not a feed: the document is empty")
    if document[:1] in b"{[":
        return _parse_json_feed(document.decode("utf-8", errors="replace"), url)
    if not _starts_as_html(document[:64].decode("ascii", errors="ignore")):
        document = _skip_leading_junk(document)
    head = _head_text(document)
    prolog = _read_prolog(head)
    if _is_html(head, prolog):
        wrapped = None if embedded else _embedded_feed(document)
        if wrapped is None:
            raise FeedParseError("not a feed: the document is an HTML page")
        return _parse_document(wrapped, url, embedded=True)  # an XHTML page that holds a feed
    if not prolog.root:
        raise FeedParseError(
            f"not a feed: the document is neither XML nor JSON (it starts with {_preview(head)})"
        )
    entities = _declared_entities(prolog.doctype)
    _refuse_unsafe_entities(entities)
    if not entities:  # declared entities are left for feedparser to expand
        document = _repair_markup(document)
    document = _keep_complete_items(_as_utf8_xml(document), prolog, url)
    if prolog.local == "rdf" and _RSS090_NAMESPACE in prolog.root_tag:
        document = _as_rss10(document)
    return _parse_xml(document, prolog, url, has_entities=bool(entities))


_RSS090_DEFAULT_NAMESPACE = re.compile(rb"""xmlns\s*=\s*["']http://my\.netscape\.com/rdf/simple/0\.9/["']""")


def _as_rss10(document: bytes) -> bytes:
    """RSS 0.90 read as RSS 1.0: the same channel and item elements in an older namespace,
    which fastfeedparser does not know (the root's default namespace is renamed)."""
    return _RSS090_DEFAULT_NAMESPACE.sub(b'xmlns="http://purl.org/rss/1.0/"', document, count=1)


_FEED_ELEMENT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?(?:feed|rss|RDF))[\s>]")


_FEED_ROOTS = frozenset(
    {
        "{http://www.w3.org/2005/Atom}feed",
        "{http://purl.org/atom/ns#}feed",
        "rss",
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF",
    }
)


def _embedded_feed(document: bytes) -> bytes | None:
    """The feed an XHTML page holds (an Atom <feed> in its body) as a document of its own.

    From a well-formed page, the feed element with the namespaces it inherits; from a page
    that is not (HTML entities, unclosed tags), the bytes from its start tag to its last
    end tag, which go through the repairs like any document.
    """
    start = _FEED_ELEMENT.search(document)
    if start is None:
        return None
    try:
        root = etree.fromstring(document, parser=_strict_parser())
    except etree.XMLSyntaxError:
        end = document.rfind(b"</" + start.group(1))
        close = document.find(b">", end) if end != -1 else -1
        return document[start.start() : close + 1] if close != -1 else document[start.start() :]
    for element in root.iter(*_FEED_ROOTS):
        return etree.tostring(element, encoding="utf-8", xml_declaration=True)
    return None


# A feed file served gzip-compressed without saying so (a .xml.gz) is read; this caps what
# a small compressed body may expand to (as REVUE_FETCH_MAX_BYTES caps an HTTP body).
MAX_INFLATED_BYTES = 16 * 1024 * 1024


def _gunzip(data: bytes) -> bytes:
    """A gzip-compressed document (still compressed after HTTP's own decoding) inflated once."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise FeedParseError(f"not a feed: the document is damaged gzip data ({exc})") from exc
    if inflater.unconsumed_tail:
        raise FeedParseError(
            f"not a feed: the gzip-compressed document expands beyond {MAX_INFLATED_BYTES // 2**20} MiB"
        )
    if not inflated and not inflater.eof:
        raise FeedParseError("not a feed: the document is damaged gzip data (it ends before any text)")
    if inflated.startswith(b"\x1f\x8b"):
        raise FeedParseError("not a feed: the document is gzip-compressed twice")
    return inflated


def _refuse_binary(data: bytes) -> None:
    head = data[:1024]
    if b"\x00" in head and not _utf16_without_mark(head) and not head.startswith(_MARKS):
        raise FeedParseError("not a feed: the document is binary data, not text")


_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf|[ \t\r\n])+")


def _strip_start(document: bytes) -> bytes:
    """Without the blank lines and stray byte order marks before the document (no copy if none)."""
    space = _LEADING_SPACE.match(document)
    return document[space.end() :] if space else document


def _starts_as_html(text: str) -> bool:
    head = text[:64].lower()
    return head.startswith(("<!doctype html", "<html"))


_HTML_ROOTS = frozenset(
    {"html", "head", "body", "div", "p", "span", "table", "h1", "h2", "h3", "pre", "center"}
)


def _is_html(text: str, prolog: _Prolog) -> bool:
    if _starts_as_html(text) or prolog.doctype[:14].lower() == "<!doctype html":
        return True
    return prolog.local in _HTML_ROOTS


_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf", b"<channel")


def _skip_leading_junk(document: bytes) -> bytes:
    """Drop what a broken server prints before the document (PHP warnings, blank lines)."""
    if document.startswith(b"<") and document[:9].lower().startswith((*_FEED_STARTS, b"<!", b"<?")):
        return document
    head = document[:8192].lower()
    starts = [index for index in map(head.find, _FEED_STARTS) if index != -1]
    return document[min(starts) :] if starts else document


_ENTITY_DECLARATION = re.compile(r"<!ENTITY\s+(%\s+)?([^\s>]+)\s*([^>]*)>", re.IGNORECASE)


# A short literal value without references, or one character reference, quoted either way;
# what feedparser keeps too.
_SAFE_ENTITY_VALUE = re.compile(
    r"""(?:"[^"&%<]{0,64}"|'[^'&%<]{0,64}'"""
    r"""|"&\#(?:[0-9]+|x[0-9A-Fa-f]+);"|'&\#(?:[0-9]+|x[0-9A-Fa-f]+);')\s*"""
)


def _declared_entities(doctype: str) -> list[tuple[str, str, str]]:
    """(parameter marker, name, definition) of each <!ENTITY> in the DOCTYPE."""
    if "[" not in doctype:
        return []
    return _ENTITY_DECLARATION.findall(doctype)


def _refuse_unsafe_entities(entities: list[tuple[str, str, str]]) -> None:
    """Refuse external entities and entities built from other entities.

    Neither library expands them today (fastfeedparser parses with resolve_entities off,
    feedparser strips unsafe declarations), but a document that declares them is an
    attack or a mistake, never a news feed; refusing keeps that true across upgrades.
    """
    for parameter, name, definition in entities:
        if re.match(r"\s*(SYSTEM|PUBLIC)\b", definition, re.IGNORECASE):
            raise FeedParseError(
                f"not a feed: the document declares an external entity '{name}' "
                f"({_shorten(definition.strip(), 60)}); refused so no local file or URL is read"
            )
        if parameter or not _SAFE_ENTITY_VALUE.fullmatch(definition):
            raise FeedParseError(
                f"not a feed: the document declares an entity '{name}' that is not plain text "
                "(entity-expansion bombs are built this way); refused"
            )
