"""The fast path: fastfeedparser's reading of an XML feed, and the signs that it misread one.

Three private fastfeedparser helpers are used, each with a fallback (the package is pinned
below 0.7): its native reader's entry point, whose acceptance says the document is
well-formed (then nothing can have been lost to a recovery); its date parser, to undo dates it
reads out of numeric guids; and its summary synthesizer, to tell a summary the feed gave from
one it made up from the content. An RSS title or description that holds raw HTML elements (the
Guardian's) is put back whole from lxml's tree where fastfeedparser keeps only the text before
the first element; a root ``xml:base`` is applied here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable

import fastfeedparser

from revue.crawl.feeds.mapping import (
    _TAG,
    _absolute,
    _enclosures,
    _head_language,
    _head_skip_hours,
    _head_ttl,
    _inner_markup,
    _iso_datetime,
    _lead_image,
    _make_entry,
    _plain_title,
    _primary_language,
    _skipped_item,
    _text_to_html,
    _unwrap_xhtml,
)
from revue.crawl.feeds.prolog import _feed_format, _Prolog
from revue.crawl.feeds.repair import _UNPREFIXED_ITEM_START, _predefined_entities_as_references
from revue.crawl.feeds.values import Entry, ParsedFeed, _text
from revue.crawl.feeds.wellformed import _WellFormedness


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


# An xml:base that applies to entry links: on an item, an entry or a link (one on <content>
# applies to the content alone, which this stage leaves as the feed wrote it).
_XML_BASE_OVER_LINKS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:entry|item|link)\s[^>]*?xml:base")


def _has_relative_link(raw: Any) -> bool:
    hrefs = [raw.get("link"), *(link.get("href") for link in raw.get("links") or ())]
    hrefs += [enclosure.get("url") for enclosure in raw.get("enclosures") or ()]
    return any(href and not _text(href).startswith(("http://", "https://")) for href in hrefs)


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


_XML_BASE = re.compile(r"""xml:base\s*=\s*["']([^"']*)["']""")


def _root_xml_base(prolog: _Prolog, url: str) -> str:
    """The root element's xml:base made absolute, or "" (WordPress puts one on <feed>)."""
    match = _XML_BASE.search(prolog.root_tag)
    return _absolute(url, match.group(1)) if match else ""


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
