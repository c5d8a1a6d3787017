"""Repair (step 3): make a damaged XML document readable without changing what it says.

Outside CDATA, bare ``&`` and HTML named entities (``&eacute;``, ``&nbsp;``) become character
references (fastfeedparser's recovering parser would otherwise cut the text at them); XML's own
entity references become character references before a recovering parse; a document cut short
keeps the items before the cut, and with no whole item is refused as truncated.
"""

from __future__ import annotations

import logging
import re
from html.entities import html5 as _HTML5_ENTITIES

from revue.crawl.feeds.prolog import _Prolog
from revue.crawl.feeds.values import FeedParseError
from revue.crawl.feeds.wellformed import _xml_syntax_error

logger = logging.getLogger(__name__)


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
        extra={"stage": "parse", "url": url, "outcome": "repaired", "kept_bytes": last_end.end(), "bytes": len(document)},
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
