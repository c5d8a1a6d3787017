"""Which WebSub hub a feed advertises, and under which topic: a pure function over what a fetch
brought (its body and headers), no network, no database.

A hub is named by the HTTP ``Link: <…>; rel="hub"`` header, by ``<link rel="hub" href="…"/>``
(Atom's element, in an Atom feed or an RSS channel) before the first item, or by a JSON Feed's
``hubs`` (``type`` WebSub). The topic is the feed's ``rel="self"`` link (JSON Feed:
``feed_url``), else the URL it was fetched from. The body is read only when it names a hub at
all (a byte search), and only up to its first item (lxml's incremental parser, no DTD, no
entity, no network).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

# a Link header's entries: <target>; params … (targets hold no '>', params no ',' outside quotes)
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,"=]+(?:=(?:"[^"]*"|[^;,]*))?)*)')
_REL = re.compile(r'rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))', re.IGNORECASE)
_MENTIONS_HUB = re.compile(rb'rel\s*=\s*["\']?[^"\'>]*\bhub\b|"hubs"\s*:', re.IGNORECASE)
_ITEMS = frozenset({"item", "entry"})


@dataclass(frozen=True)
class Advertised:
    """A feed's hub and topic (both absolute http(s) URLs)."""

    hub: str
    topic: str


def advertised(content: bytes, headers: Mapping[str, str], url: str) -> Advertised | None:
    """The hub the feed at ``url`` advertises (``headers``: lower-cased names), or None."""
    links = header_links(headers.get("link", ""), url)
    if _MENTIONS_HUB.search(content):
        found = _json_links(content, url) if content.lstrip()[:1] == b"{" else _xml_links(content, url)
        for rel, target in found.items():
            links.setdefault(rel, target)
    hub = links.get("hub", "")
    if not _web(hub):
        return None
    topic = links.get("self", "")
    return Advertised(hub=hub, topic=topic if _web(topic) else url)


def header_links(value: str, base: str) -> dict[str, str]:
    """The first target of each relation of an HTTP ``Link`` header, absolute."""
    found: dict[str, str] = {}
    for target, params in _LINK.findall(value):
        for match in _REL.finditer(params):
            for rel in (match.group(1) or match.group(2)).lower().split():
                found.setdefault(rel, urljoin(base, target.strip()))
    return found


def _xml_links(content: bytes, base: str) -> dict[str, str]:
    """``<link rel=… href=…>`` of the channel or feed, up to the first item."""
    found: dict[str, str] = {}
    parser = etree.iterparse(io.BytesIO(content), events=("start",), resolve_entities=False, load_dtd=False,
                             no_network=True, huge_tree=False, recover=True)
    try:
        for _event, element in parser:
            name = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if name in _ITEMS:
                break
            if name == "link":
                href = (element.get("href") or "").strip()
                for rel in (element.get("rel") or "").lower().split():
                    if href:
                        found.setdefault(rel, urljoin(base, href))
    except etree.LxmlError:  # a damaged document: what was read before the damage stands
        pass
    return found


def _json_links(content: bytes, base: str) -> dict[str, str]:
    """A JSON Feed's first WebSub hub and its ``feed_url``."""
    try:
        feed = json.loads(content)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(feed, dict):
        return {}
    found = {}
    hubs = feed.get("hubs")
    for hub in hubs if isinstance(hubs, list) else ():
        if isinstance(hub, dict) and str(hub.get("type", "")).lower() == "websub" and isinstance(hub.get("url"), str):
            found["hub"] = urljoin(base, hub["url"].strip())
            break
    if isinstance(feed.get("feed_url"), str):
        found["self"] = urljoin(base, feed["feed_url"].strip())
    return found


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 2000
