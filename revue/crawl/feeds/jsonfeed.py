"""JSON Feed 1.0/1.1, read here with ``json``."""

from __future__ import annotations

import json
from typing import Any

from revue.crawl.feeds.mapping import (
    _absolute,
    _enclosures,
    _lead_image,
    _make_entry,
    _plain_title,
    _primary_language,
    _skipped_item,
    _text_datetime,
    _text_to_html,
)
from revue.crawl.feeds.values import Entry, FeedParseError, ParsedFeed, _text


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
