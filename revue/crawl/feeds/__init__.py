"""The parse stage: the bytes of a fetched feed in, plain frozen values out.

``parse(data, url)`` reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed into a
``ParsedFeed`` of ``Entry`` values. It touches no database and no network; anything it
cannot read becomes a ``FeedParseError`` whose message says why, in words an operator
can act on ("not a feed: the document is an HTML page").

How a document travels:

1. decode: byte order mark, then UTF-16 without one, then valid UTF-8 (a declaration
   naming a single-byte charset is usually stale), then the declared charset, then
   windows-1252 with replacement. ISO-8859-1 and ASCII are read as windows-1252, as
   browsers do. The document goes on as UTF-8 bytes; valid UTF-8 is not copied.
2. triage: a gzip-compressed document is inflated (up to ``MAX_INFLATED_BYTES``); empty,
   binary, JSON, HTML, not XML, DTD entities that could expand or read files:
   each answered here, before any library sees the document. An XHTML page that holds a
   feed (an Atom ``<feed>`` in its body) is read as that feed.
3. repair: control characters are dropped, and outside CDATA bare ``&`` and HTML named
   entities (``&eacute;``, ``&nbsp;``) become character references (fastfeedparser's
   recovering parser would otherwise cut the text at them). A document cut short keeps
   the items before the cut; with no whole item it is refused as truncated.
4. parse: fastfeedparser, which is fast. feedparser when fastfeedparser raises, finds no
   entries in a document that has items, loses items of a damaged document, or is known
   to read it wrongly (RSS 1.0 with content:encoded, DTD-declared entities, relative
   links under an ``xml:base`` on an entry or a link); the reading with more entries
   wins. RSS 0.90 is read as RSS 1.0 (the same elements in an older namespace, which
   fastfeedparser does not know; feedparser when the namespace is not the root's
   default). An RSS title or description that holds raw HTML elements rather than text
   (the Guardian's) is put back whole from lxml's tree where fastfeedparser keeps only
   the text before the first element. JSON Feed is read here with ``json``. Relative
   links resolve against xml:base, else the site's link, else the URL.
5. map: both libraries' dicts become the same ``Entry`` values: absolute links (an entry
   without one takes its guid when that is a web address), plain titles, UTC dates, the
   lead image, duplicates by guid dropped. Items that share one link and carry no other
   id (NixOS' news feed links all its items to one page) stay distinct entries: their guid
   is the link with a digest of title and date; a link only one item has stays its guid.
   Titles, guids, authors, categories and the lead image hold no NUL, no other control
   character XML forbids and no lone surrogate (a JSON Feed's escapes may carry them, XML's
   character references the controls): no database refuses an entry for them.
   An item that cannot be mapped (values of types the format does not allow, such as a JSON
   Feed ``attachments`` that is no array) is left out alone and listed in
   ``ParsedFeed.skipped`` with the reason: one item never costs its feed.

Three private fastfeedparser helpers are used, each with a fallback (the package is pinned
below 0.7): its native reader's entry point, whose acceptance says the document is
well-formed (then nothing can have been lost to a recovery, and nothing is counted); its
date parser, to undo dates it reads out of numeric guids; and its summary synthesizer, to
tell a summary the feed gave from one it made up from the content. In a damaged document
XML's own entity references (``&amp;`` …) become character references before
fastfeedparser's recovering parse, which drops entity references after the first error.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import hashlib
import io
import json
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html import escape as _escape_html
from html import unescape as _unescape_html
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlsplit

import fastfeedparser
import feedparser
from lxml import etree
from lxml import html as lxml_html

from revue.crawl.clean import scrub_text

logger = logging.getLogger(__name__)

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


# --------------------------------------------------------------------------- values


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


# --------------------------------------------------------------------------- public API


def parse(data: bytes, url: str, *, max_entries: int | None = None, content_type: str = "") -> ParsedFeed:
    """Read a feed document fetched from ``url``; keep at most ``max_entries`` entries.

    Raises ``FeedParseError`` and nothing else.
    """
    try:
        feed = _parse_document(data, url, _http_charset(content_type))
    except FeedParseError:
        raise
    except Exception as exc:  # a library bug must not crash the crawler
        raise FeedParseError(
            f"not a feed: the parser failed ({type(exc).__name__}: {_shorten(str(exc))})"
        ) from exc
    return _finish(feed, max_entries)


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


# --------------------------------------------------------------------------- discovery


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


# --------------------------------------------------------------------------- triage


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


_HEAD_BYTES = 65536
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


def _head_text(document: bytes) -> str:
    """The start of the document as text, for the checks that read only its prolog."""
    return document[:_HEAD_BYTES].decode("utf-8", errors="ignore")


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


@dataclass(frozen=True)
class _Prolog:
    root: str  # qualified name of the root element as written ("rdf:RDF"), or ""
    doctype: str  # the whole <!DOCTYPE …> declaration, or ""
    root_tag: str = ""  # the root's start tag, attributes and all

    @property
    def empty_root(self) -> bool:
        return self.root_tag.endswith("/>")

    @property
    def local(self) -> str:
        return self.root.rpartition(":")[2].lower()


_ELEMENT_NAME = re.compile(r"[A-Za-z_][\w.:-]*")
_INTERNAL_SUBSET_END = re.compile(r"\]\s*>")


def _read_prolog(text: str) -> _Prolog:
    """The root element's name and the DOCTYPE, stepping over comments and instructions."""
    position, doctype = 0, ""
    while (start := text.find("<", position)) != -1:
        if text.startswith("<!--", start):
            end = _end_after(text, "-->", start + 4)
        elif text.startswith("<?", start):
            end = _end_after(text, "?>", start + 2)
        elif text.startswith("<!", start) and text[start + 2 : start + 9].upper() == "DOCTYPE":
            end = _doctype_end(text, start)
            doctype = text[start:end] if end != -1 else text[start:]
        elif text.startswith("<!", start):
            end = _end_after(text, ">", start + 2)
        else:
            name = _ELEMENT_NAME.match(text, start + 1)
            tag_end = text.find(">", start)
            root_tag = text[start : tag_end + 1] if tag_end != -1 else ""
            return _Prolog(root=name.group(0) if name else "", doctype=doctype, root_tag=root_tag)
        if end == -1:
            break
        position = end
    return _Prolog(root="", doctype=doctype)


def _end_after(text: str, marker: str, start: int) -> int:
    found = text.find(marker, start)
    return -1 if found == -1 else found + len(marker)


def _doctype_end(text: str, start: int) -> int:
    bracket, close = text.find("[", start), text.find(">", start)
    if bracket == -1 or (close != -1 and close < bracket):
        return -1 if close == -1 else close + 1
    subset_end = _INTERNAL_SUBSET_END.search(text, bracket)
    return len(text) if subset_end is None else subset_end.end()


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


_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]", re.IGNORECASE)
_UNPREFIXED_ITEM_START = re.compile(rb"<(?:item|entry)\b")  # much faster to count
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def _keep_complete_items(document: bytes, prolog: _Prolog, url: str) -> bytes:
    """A document cut short (a dropped connection, a full disk) keeps the items it holds whole.

    The document is cut after the end of its last complete item and closed as its first item
    was opened; with no complete item it is refused as truncated.
    """
    root = prolog.root.encode("utf-8")
    if prolog.empty_root or document.find(b"</" + root, max(0, len(document) - 65536)) != -1:
        return document
    last_end = None
    for last_end in _ITEM_END.finditer(document):
        pass
    first_start = _ITEM_START.search(document)
    if last_end is None or first_start is None or first_start.start() > last_end.start():
        error = _xml_syntax_error(document)
        where = f" at line {error[0]}" if error else ""
        raise FeedParseError(
            f"not a feed: XML is truncated{where} (the document ends before </{prolog.root}>)"
        )
    ancestors = _open_elements(document[: first_start.start()])
    closing = b"".join(b"</%s>" % name for name in reversed(ancestors))
    logger.info(
        "truncated feed: the items before the cut are kept",
        extra={"stage": "parse", "url": url, "kept_bytes": last_end.end(), "bytes": len(document)},
    )
    return document[: last_end.end()] + b"\n" + closing


_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>|<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>", re.DOTALL
)


def _open_elements(head: bytes) -> list[bytes]:
    """The names of the elements still open at the end of ``head``, outermost first."""
    open_names: list[bytes] = []
    for markup in _MARKUP.finditer(head):
        closing, name, empty = markup.groups()
        if name is None or empty:
            continue
        if not closing:
            open_names.append(name)
        elif name in open_names:
            del open_names[len(open_names) - 1 - open_names[::-1].index(name) :]
    return open_names


# --------------------------------------------------------------------------- decoding


_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# Labels that browsers, and this stage, read as windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}
)


_MARKS = tuple(mark for mark, _ in _BYTE_ORDER_MARKS)

# A Unicode label without a byte order mark or valid UTF-8 bytes is a stale declaration.
_UNICODE_LABELS = ("utf-8", "utf8", "utf-16", "utf16", "utf-32", "utf32")


def _http_charset(content_type: str) -> str:
    """The charset a Content-Type header names ("windows-1256"), lower-cased, or ""."""
    match = re.search(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", content_type or "", re.IGNORECASE)
    label = match.group(1).lower() if match else ""
    return "cp1252" if label in _WINDOWS_1252_LABELS else label


def _utf8_document(data: bytes, http_charset: str = "") -> bytes:
    """The document as UTF-8 bytes without a byte order mark (``_decode``'s reading); valid
    UTF-8 is kept as it is, without a copy."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if body is data and (data.startswith(_MARKS) or _utf16_without_mark(data)):
        return _decode(data, http_charset).encode("utf-8")
    if body.isascii():
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, http_charset).encode("utf-8")
    return body


def _decode(data: bytes, http_charset: str = "") -> str:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding, errors="replace")
    utf16 = _utf16_without_mark(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data) or http_charset  # the document's own word, then the server's
    if declared and not declared.startswith(_UNICODE_LABELS):
        try:
            return data.decode(declared, errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _utf16_without_mark(data: bytes) -> str:
    head = data[:4]
    if len(head) < 4:
        return ""
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    return ""


def _declared_encoding(data: bytes) -> str:
    match = _DECLARED_ENCODING.match(data[:1024])
    if not match:
        return ""
    label = match.group(1).decode("ascii").lower()
    return "cp1252" if label in _WINDOWS_1252_LABELS else label


# Not allowed in XML 1.0. In UTF-8 these bytes only ever stand for themselves, so
# deleting them from the encoded document is exact.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_XML_DECLARATION_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])""")


def _as_utf8_xml(document: bytes) -> bytes:
    """The UTF-8 document with its declaration saying so and without control characters."""
    declaration = _XML_DECLARATION_ENCODING.match(document) if document.startswith(b"<?xml") else None
    if declaration and declaration.group(2).lower() not in (b"utf-8", b"utf8"):
        document = declaration.group(1) + b"utf-8" + declaration.group(3) + document[declaration.end() :]
    return document.translate(None, _CONTROL_BYTES)  # faster than looking for them first


# --------------------------------------------------------------------------- repair


# An "&" that does not start one of XML's five entities or a character reference;
# group 1 is the name when it looks like an entity reference ("&eacute;").
_STRAY_AMPERSAND = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#[xX][0-9a-fA-F]+);)(?:([A-Za-z][A-Za-z0-9]{1,31});)?"
)


def _repair_markup(document: bytes) -> bytes:
    """Make bare ampersands and HTML entities well-formed, leaving CDATA sections as they are.

    One pass: an ampersand inside a CDATA section sends the scan past the section's end.
    """
    stray = _STRAY_AMPERSAND.search(document)
    if stray is None:
        return document
    pieces: list[bytes] = []
    copied = position = 0  # document[:copied] is in pieces; no CDATA section is open at position
    while stray is not None:
        opener = document.rfind(b"[CDATA[", position, stray.start())  # "[" is rarer than "<"
        closer = document.find(b"]]>", opener + 7) if opener != -1 else -1
        if opener != -1 and (closer == -1 or closer > stray.start()):
            if closer == -1:
                break
            position = closer + 3  # the ampersand is quoted in a section
        else:
            pieces += (document[copied : stray.start()], _escape_ampersand(stray.group(1)))
            copied = position = stray.end()
        stray = _STRAY_AMPERSAND.search(document, position)
    if not pieces:
        return document
    pieces.append(document[copied:])
    return b"".join(pieces)


def _escape_ampersand(name: bytes | None) -> bytes:
    if name is None:
        return b"&amp;"
    character = _HTML5_ENTITIES.get(name.decode("ascii") + ";")
    if character is None:
        return b"&amp;" + name + b";"
    return "".join(f"&#{ord(code_point)};" for code_point in character).encode("ascii")


# --------------------------------------------------------------------------- XML parsing


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
    logger.debug("feedparser fallback", extra={"stage": "parse", "url": url, "reason": reason})
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


_FFP_PARSE_WITH_CORE = (
    getattr(fastfeedparser.main, "_parse_with_core", None)
    if getattr(getattr(fastfeedparser, "main", None), "_core", None) is not None
    else None
)


def _fastfeedparser_reading(document: bytes, keep_anonymous: _WellFormedness) -> Any:
    """fastfeedparser's reading of the document, noting whether it was well-formed.

    Its native reader takes well-formed RSS and Atom and nothing else, so a reading from it
    says the document is whole, for free. Anything else goes through its lxml path; when
    the document is damaged, XML's own entity references (``&amp;``, ``&lt;`` …) become
    character references first: libxml2's recovering parser drops entity references after
    a document's first error (``?a=1&amp;b=2`` became ``?a=1b=2``).
    """
    if _FFP_PARSE_WITH_CORE is not None:
        result = _FFP_PARSE_WITH_CORE(
            document, include_content=True, include_tags=True, include_media=True, include_enclosures=True
        )
        if result is not None:
            keep_anonymous.read_whole()
            return result
    if not keep_anonymous():
        document = _predefined_entities_as_references(document)
    return fastfeedparser.parse(document)


_PREDEFINED_ENTITIES = (
    (b"&amp;", b"&#38;"),
    (b"&lt;", b"&#60;"),
    (b"&gt;", b"&#62;"),
    (b"&quot;", b"&#34;"),
    (b"&apos;", b"&#39;"),
)


def _predefined_entities_as_references(document: bytes) -> bytes:
    """``&amp;`` and the other four as character references, outside CDATA sections."""
    pieces: list[bytes] = []
    position = 0
    while position < len(document):
        opener = document.find(b"<![CDATA[", position)
        segment = document[position : opener if opener != -1 else len(document)]
        for entity, reference in _PREDEFINED_ENTITIES:
            segment = segment.replace(entity, reference)
        pieces.append(segment)
        if opener == -1:
            break
        closer = document.find(b"]]>", opener + 9)
        position = len(document) if closer == -1 else closer + 3
        pieces.append(document[opener:position])
    return b"".join(pieces)


_RSS090_NAMESPACE = "http://my.netscape.com/rdf/simple/0.9/"


def _feedparser_first_reason(document: bytes, head: str, prolog: _Prolog, has_entities: bool) -> str | None:
    """Why fastfeedparser would read this document wrongly, or None."""
    if prolog.local == "rdf" and _RSS090_NAMESPACE in head:
        return "RSS 0.90 with its namespace not the root's default (fastfeedparser finds no items)"
    if prolog.local == "rdf" and b":encoded" in document:
        return "RSS 1.0 with content:encoded (fastfeedparser skips it)"
    if has_entities:
        return "DTD-declared entities (fastfeedparser drops their references)"
    return None


def _fastfeedparser_misread(
    result: Any, document: bytes, prolog: _Prolog, keep_anonymous: _WellFormedness
) -> str | None:
    """Why fastfeedparser's reading of this document is wrong, or None.

    Relative links below an xml:base that is not the root's (fastfeedparser ignores xml:base;
    a root one is applied here), and items lost in a damaged document: its recovering
    parser drops an item whose markup is broken and, often, every item after it.
    """
    entries = result.get("entries") or ()
    if (
        any(map(_has_relative_link, entries))
        and document.count(b"xml:base") > prolog.root_tag.count("xml:base")
        and _XML_BASE_OVER_LINKS.search(document)
    ):
        return "relative links under an xml:base below the root"
    if keep_anonymous.known and keep_anonymous():
        return None  # well-formed: nothing was lost to a recovery
    items = len(_UNPREFIXED_ITEM_START.findall(document))  # the prefixed kind is rare
    if items > len(entries) and not keep_anonymous():
        return f"a damaged document: {len(entries)} entries read of {items} items"
    if keep_anonymous.markup_in_text and not keep_anonymous():
        return "a damaged document with markup inside item text"
    return None


# An RSS title, description or content:encoded holding elements rather than text or CDATA
# (the Guardian's descriptions are raw HTML); fastfeedparser keeps only the text before the
# first element.
_MARKUP_IN_TEXT = re.compile(rb"<(title|description|content:encoded)>[^<]*<(?!/\1>|!\[CDATA\[)")
_TEXT_ELEMENTS = {
    "title": "title",
    "description": "description",
    "{http://purl.org/rss/1.0/}title": "title",
    "{http://purl.org/rss/1.0/}description": "description",
    "{http://purl.org/rss/1.0/modules/content/}encoded": "content",
}


def _markup_in_items(format_: str, keep_anonymous: _WellFormedness) -> list[dict[str, str]]:
    """For each RSS item, its text fields that hold elements, as their inner markup.

    Empty when no item has any, or when the document is not well-formed (the items then went
    to feedparser).
    """
    if format_ == "atom" or not keep_anonymous.markup_in_text or not keep_anonymous():
        return []
    tree = keep_anonymous.tree
    if tree is None:  # the native reader took what lxml refuses (a namespace URI it finds invalid)
        return []
    items = [element for element in tree.iter("item", "{http://purl.org/rss/1.0/}item")]
    fixes = []
    for item in items:
        fields = {}
        for child in item:
            name = _TEXT_ELEMENTS.get(child.tag) if isinstance(child.tag, str) else None
            if name and len(child):
                fields[name] = _inner_markup(child)
        fixes.append(fields)
    return fixes if any(fixes) else []


# An xml:base that applies to entry links: on an item, an entry or a link (one on <content>
# applies to the content alone, which this stage leaves as the feed wrote it).
_XML_BASE_OVER_LINKS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:entry|item|link)\s[^>]*?xml:base")


def _has_relative_link(raw: Any) -> bool:
    hrefs = [raw.get("link"), *(link.get("href") for link in raw.get("links") or ())]
    hrefs += [enclosure.get("url") for enclosure in raw.get("enclosures") or ()]
    return any(href and not _text(href).startswith(("http://", "https://")) for href in hrefs)


_XML_BASE = re.compile(r"""xml:base\s*=\s*["']([^"']*)["']""")


def _root_xml_base(prolog: _Prolog, url: str) -> str:
    """The root element's xml:base made absolute, or "" (WordPress puts one on <feed>)."""
    match = _XML_BASE.search(prolog.root_tag)
    return _absolute(url, match.group(1)) if match else ""


class _WellFormedness:
    """Whether the document is well-formed XML, checked at most once and only if asked.

    Called as ``keep_anonymous()``: an entry with neither link nor id is kept from a
    well-formed document (a brief without a page) and dropped from a damaged one, where
    it is usually debris of the parser's recovery.
    """

    def __init__(self, document: bytes) -> None:
        self._document = document
        self._answer: bool | None = None

    def __call__(self) -> bool:
        if self._answer is None:
            self._answer = self.tree is not None
        return self._answer

    @property
    def known(self) -> bool:
        return self._answer is not None

    def read_whole(self) -> None:
        """fastfeedparser's native reader, which takes only well-formed XML, read it."""
        if self._answer is None:
            self._answer = True

    @functools.cached_property
    def tree(self) -> Any:
        """The document's lxml tree, or None when it is not well-formed."""
        try:
            return etree.fromstring(self._document, parser=_strict_parser())
        except etree.XMLSyntaxError:
            return None

    @functools.cached_property
    def markup_in_text(self) -> bool:
        """Whether an RSS title, description or content:encoded holds elements."""
        return _MARKUP_IN_TEXT.search(self._document) is not None


def _strict_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


def _xml_syntax_error(document: bytes) -> tuple[int, str] | None:
    """(line, message) of the first well-formedness error, or None."""
    try:
        etree.fromstring(document, parser=_strict_parser())
    except etree.XMLSyntaxError as exc:
        return exc.lineno or 1, _shorten(exc.msg or str(exc))
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


def _feed_format(prolog: _Prolog) -> str:
    return {"feed": "atom", "rdf": "rdf"}.get(prolog.local, "rss")


# --------------------------------------------------------------------------- fastfeedparser


def _fastfeedparser_helper(name: str) -> Callable[..., Any] | None:
    return getattr(getattr(fastfeedparser, "main", None), name, None)


_FFP_PARSE_DATE = _fastfeedparser_helper("_parse_date")
_FFP_SYNTHESIZE_DESCRIPTION = _fastfeedparser_helper("_synthesize_entry_description")


def _from_fastfeedparser(
    result: Any, head: str, prolog: _Prolog, url: str, keep_anonymous: _WellFormedness
) -> ParsedFeed:
    feed = result.get("feed") or {}
    xml_base = _root_xml_base(prolog, url)
    site = _absolute(xml_base or url, feed.get("link"))
    format_ = _feed_format(prolog)
    raw_entries = result.get("entries") or ()
    fixes = _markup_in_items(format_, keep_anonymous)
    if len(fixes) == len(raw_entries):
        for raw, fields in zip(raw_entries, fixes):
            _put_back_markup(raw, fields)
    entries, skipped = [], []
    for raw in raw_entries:
        try:
            link, guid = _ffp_link(raw, format_), _text(raw.get("id"))
            if not (link or guid or keep_anonymous()):
                continue
            if guid == link:  # fastfeedparser's own fallback; the absolute link serves better
                guid = ""
            entries.append(_ffp_entry(raw, link, guid, xml_base or site or url, format_))
        except Exception as exc:  # noqa: BLE001 — one unreadable item costs that item only
            skipped.append(_skipped_item(raw, exc))
    return ParsedFeed(
        title=_plain_title(feed.get("title")),
        link=site,
        language=_primary_language(feed.get("language") or _head_language(head)),
        format=format_,
        entries=tuple(entries),
        ttl_minutes=_head_ttl(head),
        skip_hours=_head_skip_hours(head),
        parser="fastfeedparser",
        skipped=tuple(skipped),
    )


def _put_back_markup(raw: Any, fields: dict[str, str]) -> None:
    """Replace fastfeedparser's cut values with the whole inner markup of those fields."""
    if "title" in fields:
        raw["title"] = fields["title"]
    if "description" in fields:
        cut, raw["description"] = _text(raw.get("description")), fields["description"]
        blocks = raw.get("content") or ()
        if blocks and _text(blocks[0].get("value")).strip() == cut.strip():
            raw["content"] = []  # fastfeedparser's copy of the cut description
    if "content" in fields:
        raw["content"] = [{"type": "html", "value": fields["content"]}]


def _ffp_entry(raw: Any, link: str, guid: str, base: str, format_: str) -> Entry:
    content = _ffp_content(raw)
    summary = _ffp_summary(raw, content)
    if format_ == "rss" and content.strip() == summary:
        content = ""  # fastfeedparser copies an RSS description into content
    published, updated = _ffp_dates(raw, guid)
    enclosures = _enclosures(
        [(e.get("url"), e.get("type"), e.get("length")) for e in raw.get("enclosures") or ()]
        + [
            (atom_link.get("href"), atom_link.get("type"), atom_link.get("length"))
            for atom_link in raw.get("links") or ()
            if atom_link.get("rel") == "enclosure"
        ],
        base,
    )
    media = raw.get("media_content") or ()
    thumbnails = [m.get("thumbnail_url") for m in media if m.get("thumbnail_url")]
    return _make_entry(
        guid=guid,
        link=_absolute(base, link),
        title=raw.get("title"),
        published_at=published,
        updated_at=updated,
        summary=summary,
        content=content,
        author=raw.get("author"),
        categories=[tag.get("term") for tag in raw.get("tags") or ()],
        image_url=_lead_image(media, thumbnails, enclosures, base),
        enclosures=enclosures,
    )


def _ffp_link(raw: Any, format_: str) -> str:
    """The entry's page: for Atom the alternate link, else one without a rel."""
    if format_ == "atom":
        links = raw.get("links") or ()
        for rel in ("alternate", None):
            for link in links:
                if link.get("rel") == rel and link.get("href"):
                    return _text(link["href"])
    return _text(raw.get("link"))


def _ffp_content(raw: Any) -> str:
    blocks = raw.get("content") or ()
    if not blocks:
        return ""
    value, kind = _text(blocks[0].get("value")), _text(blocks[0].get("type")).lower()
    if kind in ("xhtml", "application/xhtml+xml"):
        return _unwrap_xhtml(value)
    if kind in ("text", "text/plain"):
        return _text_to_html(value)
    return value


def _ffp_summary(raw: Any, content: str) -> str:
    """The description the feed gave, not the preview fastfeedparser makes from content."""
    summary = _text(raw.get("description"))
    blocks = raw.get("content") or ()
    could_be_synthesized = len(summary) <= 512 and not _TAG.search(summary)
    if summary and blocks and could_be_synthesized and _FFP_SYNTHESIZE_DESCRIPTION is not None:
        probe = {"content": [{"value": _text(blocks[0].get("value"))}]}
        _FFP_SYNTHESIZE_DESCRIPTION(probe)
        if _text(probe.get("description")).strip() == summary.strip() and content.strip() != summary:
            return ""
    return summary


_DATE_LIKE_GUID = re.compile(r"[0-9][0-9\s:/.,TZ+-]{3,39}$")


def _ffp_dates(raw: Any, guid: str) -> tuple[datetime | None, datetime | None]:
    """Published and updated, without the date fastfeedparser reads out of a guid like "2024"."""
    published, updated = _iso_datetime(raw.get("published")), _iso_datetime(raw.get("updated"))
    if (
        published is not None
        and _DATE_LIKE_GUID.match(guid)
        and _FFP_PARSE_DATE is not None
        and raw.get("published") == _FFP_PARSE_DATE(guid)
    ):
        published = updated
    return published or updated, updated


# --------------------------------------------------------------------------- feedparser


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
        logger.debug("feedparser failed", extra={"stage": "parse", "url": url, "reason": str(exc)})
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


# --------------------------------------------------------------------------- JSON Feed


def _parse_json_feed(text: str, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1, read with ``json`` so odd value types cannot break it.

    (fastfeedparser has a reader, but it calls .get() on whatever ``authors`` holds and
    cuts content_text to 512 characters; feedparser has none.)
    """
    try:
        document = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" at line {line}" if line else ""
        raise FeedParseError(f"not a feed: JSON is malformed{where}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedParseError('not a feed: the JSON document is not a JSON Feed (no "items" list)')
    site = _absolute(url, _text(document.get("home_page_url")))
    entries, skipped = [], []
    for item in document["items"]:
        if not isinstance(item, dict):
            continue
        try:
            entries.append(_json_entry(item, site or url))
        except Exception as exc:  # noqa: BLE001 — one unreadable item costs that item only
            skipped.append(_skipped_item(item, exc))
    return ParsedFeed(
        title=_plain_title(document.get("title")),
        link=site,
        language=_primary_language(_text(document.get("language"))),
        format="json",
        entries=tuple(entries),
        ttl_minutes=None,
        parser="json",
        skipped=tuple(skipped),
    )


def _json_entry(item: dict[str, Any], base: str) -> Entry:
    link = _absolute(base, _text(item.get("url")) or _text(item.get("external_url")))
    content_html, content_text = _text(item.get("content_html")), _text(item.get("content_text"))
    enclosures = _enclosures(
        [
            (a.get("url"), a.get("mime_type"), a.get("size_in_bytes"))
            for a in item.get("attachments") or ()
            if isinstance(a, dict)
        ],
        base,
    )
    images = [
        {"url": _text(item.get(key)), "medium": "image"}
        for key in ("image", "banner_image")
        if _text(item.get(key))
    ]
    updated = _text_datetime(item.get("date_modified"))
    return _make_entry(
        guid=_text(item.get("id")),
        link=link,
        title=item.get("title"),
        published_at=_text_datetime(item.get("date_published")) or updated,
        updated_at=updated,
        summary=_text(item.get("summary")),
        content=content_html or _text_to_html(content_text),
        author=_json_author(item),
        categories=[tag for tag in item.get("tags") or () if isinstance(tag, str)],
        image_url=_lead_image(images, [], enclosures, base),
        enclosures=enclosures,
    )


def _json_author(item: dict[str, Any]) -> str:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates:
        if isinstance(author, dict) and _text(author.get("name")):
            return _text(author["name"])
    return ""


# --------------------------------------------------------------------------- shared mapping


def _make_entry(
    *,
    guid: str,
    link: str,
    title: Any,
    summary: str,
    author: Any,
    categories: Iterable[Any],
    **fields: Any,
) -> Entry:
    title = _plain_title(title)
    guid = scrub_text(guid).strip()
    fields["image_url"] = scrub_text(fields.get("image_url") or "")
    if not link and guid.startswith(("https://", "http://")) and " " not in guid:
        link = guid  # a permalink guid (or an Atom id that is a web address) is the page
    return Entry(
        guid=guid or link or _fallback_guid(title, summary),
        link=link,
        title=title,
        summary=summary,
        author=_author_name(author),
        categories=tuple(dict.fromkeys(t for t in map(_collapse, categories) if t)),
        **fields,
    )


def _skipped_item(raw: Any, error: Exception) -> SkippedEntry:
    """The record of an item that could not be mapped, with whatever link or id it shows."""
    try:
        link = next((_text(raw.get(key)) for key in ("link", "url", "id") if _text(raw.get(key))), "")
    except Exception:  # noqa: BLE001 — the item is not even a mapping
        link = ""
    logger.debug("feed item left out", extra={"stage": "parse", "url": link, "reason": str(error)}, exc_info=error)
    return SkippedEntry.of(link, "parse", error)


def _fallback_guid(title: str, summary: str) -> str:
    return hashlib.sha1(f"{title}\n{summary}".encode("utf-8")).hexdigest()


def _finish(feed: ParsedFeed, max_entries: int | None) -> ParsedFeed:
    """Keep the first entry of each guid, then the first ``max_entries``.

    Items identified only by their link (no guid, or a guid that repeats the link) and
    sharing it with another item are told apart by ``_shared_link_guid``.
    """
    shared = _shared_links(feed.entries)
    seen: set[str] = set()
    entries = []
    for entry in feed.entries:
        if entry.link in shared and entry.guid == entry.link:
            entry = dataclasses.replace(entry, guid=_shared_link_guid(entry))
        if entry.guid not in seen:
            seen.add(entry.guid)
            entries.append(entry)
    if max_entries is not None:
        entries = entries[: max(0, max_entries)]
    return dataclasses.replace(feed, entries=tuple(entries))


def _shared_links(entries: Iterable[Entry]) -> set[str]:
    """Links that identify more than one entry (NixOS' news feed links every item to one page)."""
    seen: set[str] = set()
    shared: set[str] = set()
    for entry in entries:
        if entry.link and entry.guid == entry.link:
            (shared if entry.link in seen else seen).add(entry.link)
    return shared


def _shared_link_guid(entry: Entry) -> str:
    """The link with a digest of the title and date: distinct items that share a link stay
    distinct, the same item repeated stays one, and an item's identity is the same on
    every fetch. A link that only one item has keeps being its guid."""
    published = entry.published_at.isoformat() if entry.published_at else ""
    digest = hashlib.sha1(f"{entry.title}\n{published}".encode("utf-8")).hexdigest()[:12]
    return entry.link + ("-" if "#" in entry.link else "#") + digest


_TAG = re.compile(r"<[A-Za-z/!][^>]*>")


def _plain_title(value: Any) -> str:
    """Tags stripped, entities unescaped (double-escaped ones too), whitespace collapsed."""
    title = _text(value)
    if "<" in title:
        title = _TAG.sub(" ", title)
    if "&" in title:
        title = _unescape_html(title)
    return _collapse(title)


def _collapse(value: Any) -> str:
    return " ".join(scrub_text(_text(value)).split())


_AUTHOR_WITH_EMAIL = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")


def _author_name(value: Any) -> str:
    """"redaction@example.ma (La rédaction)", as RSS writes it, becomes "La rédaction"."""
    author = _collapse(value)
    match = _AUTHOR_WITH_EMAIL.match(author)
    return match.group(1).strip() if match else author


def _absolute(base: str, href: Any) -> str:
    """``href`` resolved against ``base``, if the result is an http(s) URL; else ""."""
    href = _text(href).strip()
    if not href:
        return ""
    if href.startswith(("https://", "http://")) and " " not in href:
        return href  # already absolute: the common case, and urljoin is slow
    try:
        absolute = urljoin(base, href)
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return ""
    return absolute if scheme in ("http", "https") else ""


def _enclosures(items: Iterable[tuple[Any, Any, Any]], base: str) -> tuple[Enclosure, ...]:
    enclosures = []
    for url, kind, length in items:
        absolute = _absolute(base, url)
        if absolute:
            enclosures.append(Enclosure(absolute, _text(kind).strip().lower(), _length(length)))
    return tuple(dict.fromkeys(enclosures))


def _length(value: Any) -> int | None:
    try:
        length = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)


def _lead_image(
    media: Iterable[Any], thumbnails: Iterable[Any], enclosures: Iterable[Enclosure], base: str
) -> str:
    """media:content images, then thumbnails, then image enclosures (first of each kind)."""
    for item in media:
        url = _absolute(base, item.get("url"))
        if url and _is_image(url, _text(item.get("type")), _text(item.get("medium"))):
            return url
    for thumbnail in thumbnails:
        url = _absolute(base, thumbnail)
        if url:
            return url
    for enclosure in enclosures:
        if _is_image(enclosure.url, enclosure.type, ""):
            return enclosure.url
    return ""


def _is_image(url: str, mime_type: str, medium: str) -> bool:
    if medium:
        return medium.lower() == "image"
    if mime_type:
        return mime_type.lower().startswith("image/")
    return bool(_IMAGE_PATH.search(urlsplit(url).path))


def _unwrap_xhtml(serialized: str) -> str:
    """Atom xhtml content as fastfeedparser serializes it (<content><div>…) → inner HTML."""
    try:
        element = etree.fromstring(serialized.strip().encode("utf-8"))
    except etree.XMLSyntaxError:
        return serialized
    if len(element) == 1 and not _text(element.text).strip():
        if etree.QName(element[0]).localname == "div":
            element = element[0]
    return _inner_markup(element)


def _inner_markup(element: Any) -> str:
    """An element's text and children as HTML, without namespace declarations."""
    inner = _escape_html(_text(element.text), quote=False) + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in element
    )
    return _NAMESPACE_DECLARATION.sub("", inner).strip()


_NAMESPACE_DECLARATION = re.compile(r'\sxmlns(?::\w+)?="[^"]*"')


def _text_to_html(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n".join(f"<p>{_escape_html(p)}</p>" for p in paragraphs if p)


def _iso_datetime(value: Any) -> datetime | None:
    """fastfeedparser's ISO 8601 UTC strings → aware datetimes."""
    try:
        parsed = datetime.fromisoformat(_text(value))
    except ValueError:
        return None
    return _as_utc(parsed)


def _text_datetime(value: Any) -> datetime | None:
    """A JSON Feed date: RFC 3339, or RFC 822 from feeds that mistake the format."""
    text = _text(value).strip()
    if not text:
        return None
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _struct_datetime(value: Any) -> datetime | None:
    """feedparser's UTC ``time.struct_time`` → aware datetime."""
    try:
        return datetime(*value[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _as_utc(value: datetime) -> datetime | None:
    try:
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


_HEAD_LANGUAGE = re.compile(r"<(?:dc:)?language>\s*([^<\s]+)\s*<", re.IGNORECASE)
_HEAD_XML_LANG = re.compile(r"""xml:lang\s*=\s*["']([^"']+)["']""")
_HEAD_TTL = re.compile(r"<ttl>\s*([0-9]{1,7})\s*</ttl>", re.IGNORECASE)


def _head_language(head: str) -> str:
    """<language>, <dc:language> or xml:lang from the part of the feed before its items."""
    match = _HEAD_LANGUAGE.search(head) or _HEAD_XML_LANG.search(head)
    return match.group(1) if match else ""


def _head_ttl(head: str) -> int | None:
    match = _HEAD_TTL.search(head)
    return int(match.group(1)) if match else None


_HEAD_SKIP_HOURS = re.compile(r"<skipHours>(.*?)</skipHours>", re.IGNORECASE | re.DOTALL)
_HOUR = re.compile(r"<hour>\s*([0-9]{1,2})\s*</hour>", re.IGNORECASE)


def _head_skip_hours(head: str) -> tuple[int, ...]:
    """RSS <skipHours>: the GMT hours in which the feed asks not to be read."""
    match = _HEAD_SKIP_HOURS.search(head)
    if not match:
        return ()
    return tuple(sorted({h for h in map(int, _HOUR.findall(match.group(1))) if 0 <= h <= 23}))


def _primary_language(tag: Any) -> str:
    primary = re.split(r"[-_]", _text(tag).strip(), maxsplit=1)[0].lower()
    return primary if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3 else ""


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
