"""The bytes the fault server serves: RSS documents in any charset, HTML pages, article pages.

Every item carries enough text (``LONG``) for the crawler to take the feed's text as the full
article, so no article page is fetched unless a case asks for it (``short=True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

LONG = {
    "fr": "Le conseil municipal a adopté le budget après une longue séance où chacun a défendu son quartier. ",
    "ar": "صادق المجلس البلدي على الميزانية بعد جلسة طويلة دافع فيها كل عضو عن حيه. ",
    "en": "The city council adopted the budget after a long session in which every member defended a district. ",
}


@dataclass(frozen=True)
class Item:
    title: str
    link: str | None  # absolute, relative, or None for no <link>
    guid: str | None = None
    pub_date: str | None = "Tue, 10 Jun 2025 08:00:00 GMT"
    language: str = "fr"
    short: bool = False  # a one-line summary: the crawler fetches the article page

    @property
    def description(self) -> str:
        if self.short:
            return f"{self.title} : le résumé tient en une ligne."
        return f"{self.title}. " + LONG[self.language] * 8


def rss(title: str, items: list[Item], *, encoding: str | None = "utf-8", link: str = "") -> str:
    """An RSS 2.0 document as text; ``encoding`` goes into the XML declaration (None: no declaration)."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if encoding else ""
    parts = [declaration, '<rss version="2.0"><channel>', f"<title>{escape(title)}</title>"]
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.link is not None:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid is not None:
            permalink = "true" if item.guid.startswith("http") else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{escape(item.guid)}</guid>')
        if item.pub_date is not None:
            parts.append(f"<pubDate>{escape(item.pub_date)}</pubDate>")
        parts.append(f"<description>{escape(item.description)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts)


def html_page_with_feed_link(feed_href: str) -> bytes:
    """An outlet's home page: no feed itself, but a <link rel=alternate> to the real one."""
    return (
        "<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>Le Quotidien</title>"
        f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{escape(feed_href)}">'
        "</head><body><h1>Le Quotidien</h1><p>Bienvenue sur notre site.</p></body></html>"
    ).encode()


def article_page(title: str) -> bytes:
    body = "".join(f"<p>{LONG['fr']}{i}</p>" for i in range(8))
    return (
        f"<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>{escape(title)}</title></head>"
        f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    ).encode()
