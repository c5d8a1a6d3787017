"""OPML in and out: the lingua franca of feed readers for lists of feeds.

Import reads ``<outline xmlUrl=…>`` elements at any depth (a parent outline without
``xmlUrl`` is taken as the category, as feed readers write it). Parsing refuses DTDs and
entities, so a hostile file cannot expand or read anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

from lxml import etree

from revue.sources.services import FeedSpec


class OPMLError(ValueError):
    """The file is not OPML we can read; the message says why."""


def parse_opml(data: bytes) -> list[FeedSpec]:
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data[:2048].upper():
        raise OPMLError("OPML refusé : les DTD et entités ne sont pas acceptées")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise OPMLError(f"OPML illisible : {error}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"ce fichier n'est pas de l'OPML (élément racine <{root.tag}>)")
    specs = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        parent = outline.getparent()
        category = parent.get("text", "") if parent is not None and parent.tag == "outline" and not parent.get("xmlUrl") else ""
        specs.append(
            FeedSpec(
                feed_url=url,
                outlet_name=(outline.get("text") or outline.get("title") or url).strip()[:200],
                homepage=(outline.get("htmlUrl") or "").strip(),
                language=(outline.get("language") or "").strip()[:8],
                category_hint=(outline.get("category") or "").strip().strip("/")[:60] or category[:60],
                title=(outline.get("title") or "").strip(),
            )
        )
    return specs


def export_opml(feeds: Iterable, title: str = "Revue — sources suivies") -> bytes:
    """OPML 2.0 for these ``Feed`` rows (with their ``source``), one outline per feed."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {
            "type": "rss",
            "text": feed.source.name,
            "title": feed.title or feed.source.name,
            "xmlUrl": feed.url,
            "htmlUrl": feed.source.homepage,
        }
        if feed.source.language:
            attrs["language"] = feed.source.language
        if feed.category_hint:
            attrs["category"] = feed.category_hint
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
