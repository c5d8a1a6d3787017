"""Map (step 5): what both libraries and the JSON reader hand over becomes the same ``Entry``.

Absolute links (an entry without one takes its guid when that is a web address), plain titles,
UTC dates, the lead image, the feed's head (language, ttl, skipHours), duplicates by guid
dropped, items sharing one link told apart, nothing a database refuses (``scrub_text``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from datetime import datetime, timezone
from html import escape as _escape_html
from html import unescape as _unescape_html
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

from lxml import etree

from revue.crawl.clean import scrub_text
from revue.crawl.feeds.values import Enclosure, Entry, ParsedFeed, SkippedEntry, _text
from revue.text.dates import parse_datetime
from revue.text.language import language_code

logger = logging.getLogger(__name__)


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
    logger.debug("feed item left out", extra={"stage": "parse", "url": link, "outcome": "skipped", "reason": str(error)},
                 exc_info=error)
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
    return parse_datetime(_text(value))


def _text_datetime(value: Any) -> datetime | None:
    """A JSON Feed date: RFC 3339, or RFC 822 from feeds that mistake the format."""
    return parse_datetime(_text(value))


def _struct_datetime(value: Any) -> datetime | None:
    """feedparser's UTC ``time.struct_time`` → aware datetime."""
    try:
        return datetime(*value[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError, OverflowError):
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
    return language_code(_text(tag))
