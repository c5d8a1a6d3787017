"""What the page's own markup declares, read straight from the tree: ``<meta>``, ``<link>``,
``<html lang>`` and ``<title>``; from them the canonical URL, the author and the publication
time (a declared time of day wins over htmldate's find), read by :mod:`revue.text.dates`."""

from __future__ import annotations

import html as html_lib
from datetime import UTC, datetime, timedelta

from lxml.html import HtmlElement

from revue.crawl.clean import absolutize, canonical_url
from revue.crawl.extract.values import MAX_AUTHOR_CHARS, PageDeclarations
from revue.text.dates import parse_datetime  # one reading of outsiders' dates (re-exported by the package)

EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)  # time zones and clock skew, not typos


def read_declarations(tree: HtmlElement) -> PageDeclarations:
    """``<meta>``, ``<link>``, ``<html lang>`` and ``<title>`` as the page wrote them."""
    meta: dict[str, str] = {}
    links: dict[str, str] = {}
    title = ""
    for element in tree.iter("meta", "link", "title"):
        if element.tag == "meta":
            key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
            content = element.get("content")
            if key and content and content.strip():
                meta.setdefault(key.strip().lower(), content.strip())
        elif element.tag == "link":
            href = (element.get("href") or "").strip()
            for rel in (element.get("rel") or "").lower().split():
                if href:
                    links.setdefault(rel, href)
        elif not title:
            title = element.text_content()
    html_lang = tree.get("lang") or tree.get("xml:lang") or ""
    return PageDeclarations(meta=meta, links=links, html_lang=html_lang, title=title)


def _canonical(page: PageDeclarations, url: str) -> str:
    for candidate in (page.links.get("canonical"), page.meta.get("og:url")):
        absolute = absolutize(candidate or "", url)
        if absolute:
            try:
                return canonical_url(absolute)
            except ValueError:
                continue
    return ""


def _author(found: str | None, page: PageDeclarations) -> str:
    author = found or page.meta.get("author") or page.meta.get("article:author") or ""
    if author.startswith(("http://", "https://")):  # article:author is often a profile URL
        return ""
    return " ".join(html_lib.unescape(author).split())[:MAX_AUTHOR_CHARS]


# --- dates --------------------------------------------------------------------------------------

_PUBLISHED_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "pubdate",
    "publishdate",
    "date",
)


def _has_time_of_day(value: str) -> bool:
    return ":" in value and not value.endswith("T00:00:00")


def _plausible(date: datetime | None) -> datetime | None:
    if date is None or not EARLIEST_DATE <= date <= datetime.now(UTC) + FUTURE_TOLERANCE:
        return None
    return date


def _declared_published_at(page: PageDeclarations) -> datetime | None:
    """The publication time the page's ``<meta>`` declares, when it has a time of day."""
    declared = next((page.meta[key] for key in _PUBLISHED_KEYS if key in page.meta), "")
    declared_date = _plausible(parse_datetime(declared))
    return declared_date if declared_date and _has_time_of_day(declared) else None


def _published_at(page: PageDeclarations, htmldate_value: str | None) -> datetime | None:
    """The page's declared publication time when it has a time of day, else htmldate's find,
    else a declared date alone (midnight UTC)."""
    declared = next((page.meta[key] for key in _PUBLISHED_KEYS if key in page.meta), "")
    declared_date = _plausible(parse_datetime(declared))
    if declared_date and _has_time_of_day(declared):
        return declared_date
    found = _plausible(parse_datetime(htmldate_value))
    return found or declared_date
