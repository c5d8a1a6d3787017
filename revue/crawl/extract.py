"""Extract the article from its page: main text as clean HTML, title, date, author, lead image,
language and canonical URL.

Pure: an HTML string and its URL in, a frozen ``ExtractedArticle`` out; no ORM, no network
(trafilatura only ever gets the already-parsed tree). Garbage in gives an empty article, never
an exception.

The page is parsed once (``trafilatura.load_html``); on that one tree:

1. the ``<head>`` declarations are read directly (``og:*``, ``twitter:*``, ``<link
   rel=canonical>``, ``<html lang>``, ``article:published_time``) — cheap and exact;
2. ``trafilatura.extract_metadata`` fills the rest (title, author, site name, and the date
   through htmldate, which also reads JSON-LD, ``<time>`` elements, the URL and the text);
3. ``trafilatura.extract(..., output_format="html")`` finds the main content (it works on its own
   copy of the tree, so step 4 still sees the original).
4. Then Revue's own touches, each small: figure captions that trafilatura drops are put back,
   "Lire aussi"-style cross-links removed, a leading heading that repeats the title removed, and
   everything goes through ``clean.sanitize_html`` last.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeVar

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from revue.crawl.clean import absolutize, canonical_url, html_to_text, sanitize_html, scrub_text, tidy_title

LOGGER = logging.getLogger(__name__)

# Longer pages are cut (the article comes before the footer). Extraction time grows with the
# page's text: about 2 s per million characters of visible text, 20 ms for a typical 50 kB page.
MAX_HTML_CHARS = 2_000_000
FAST_MODE_ELEMENTS = 15_000  # a typical article page has 1 000 – 5 000 elements
MAX_AUTHOR_CHARS = 200
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)  # time zones and clock skew, not typos
DETECTION_SAMPLE_CHARS = 4000


@dataclass(frozen=True)
class ExtractedArticle:
    """What an article page says about itself; every field empty when the page says nothing."""

    title: str = ""
    text: str = ""  # plain text of the main content, paragraphs separated by a blank line
    html: str = ""  # sanitized HTML of the main content
    published_at: datetime | None = None  # tz-aware, UTC
    image_url: str = ""  # lead image, absolute
    language: str = ""  # ISO 639-1 ("fr", "ar" …)
    author: str = ""
    canonical_url: str = ""  # canonicalized (clean.canonical_url)


EMPTY = ExtractedArticle()


@dataclass(frozen=True)
class PageDeclarations:
    """What the page's own markup declares, read straight from the tree."""

    meta: dict[str, str]  # <meta> property/name/itemprop/http-equiv (lower-cased) → content
    links: dict[str, str]  # <link> rel token → href (first one wins)
    html_lang: str
    title: str  # <title>


# --- the entry point ----------------------------------------------------------------------------

T = TypeVar("T")


def _guarded(step: Callable[[], T], default: T, what: str, url: str) -> T:
    """Run one extraction step; a bug or a pathological page in it costs that step only."""
    try:
        return step()
    except Exception:  # noqa: BLE001 — outside pages are arbitrary; log and degrade
        LOGGER.warning("extract step failed", extra={"stage": "extract", "step": what, "url": url}, exc_info=True)
        return default


def extract(html: str, url: str) -> ExtractedArticle:
    """The article on a page. Never raises: unusable input gives ``ExtractedArticle()``."""
    url = url if isinstance(url, str) else ""
    tree = _guarded(lambda: _parse(html), None, "parse", url)
    if tree is None:
        return EMPTY
    return _guarded(lambda: _extract_from_tree(tree, url), EMPTY, "extract", url)


def _parse(html: str | bytes | None) -> HtmlElement | None:
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not isinstance(html, str) or not html.strip():
        return None
    html = scrub_text(html[:MAX_HTML_CHARS])
    return trafilatura.load_html(html)


def _extract_from_tree(tree: HtmlElement, url: str) -> ExtractedArticle:
    page = _guarded(lambda: read_declarations(tree), PageDeclarations({}, {}, "", ""), "declarations", url)
    info = _guarded(lambda: _trafilatura_metadata(tree, url), None, "metadata", url)
    captions = _guarded(lambda: _figure_captions(tree, url), {}, "figures", url)
    body = _guarded(lambda: _trafilatura_body(tree, url), "", "body", url)

    site_name = page.meta.get("og:site_name") or (info.sitename if info else "") or ""
    title = tidy_title((info.title if info else "") or page.meta.get("og:title") or page.title, site_name)
    content = _article_html(body, captions, title, url)
    text = html_to_text(content)
    return ExtractedArticle(
        title=title,
        text=text,
        html=content,
        published_at=_published_at(page, info.date if info else None),
        image_url=_lead_image(page, content, url),
        language=_language(page, text or f"{title}\n{page.meta.get('description', '')}"),
        author=_author(info.author if info else "", page),
        canonical_url=_canonical(page, url),
    )


# --- trafilatura --------------------------------------------------------------------------------

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _trafilatura_metadata(tree: HtmlElement, url: str) -> Document:
    date_config = {"original_date": True, "extensive_search": True, "outputformat": _DATE_FORMAT}
    return trafilatura.extract_metadata(tree, default_url=url or None, date_config=date_config)


def _trafilatura_body(tree: HtmlElement, url: str) -> str:
    """Main content as trafilatura's simplified HTML ("" when it finds none).

    Balanced mode: trafilatura compares its result with readability and jusText and retries
    with recall settings when it found little — worth its few milliseconds on ordinary pages.
    On pages with more than ``FAST_MODE_ELEMENTS`` elements those fallbacks cost seconds, so
    they run in ``fast`` mode (main heuristics only).
    """
    fast = sum(1 for _ in tree.iter()) > FAST_MODE_ELEMENTS
    body = trafilatura.extract(
        tree,
        url=url or None,
        fast=fast,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
        include_formatting=True,
        deduplicate=False,
    )
    return body or ""


# --- the page's own declarations ----------------------------------------------------------------


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


_IMAGE_KEYS = ("og:image", "og:image:secure_url", "og:image:url", "twitter:image", "twitter:image:src", "image")
_FIRST_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"')


def _lead_image(page: PageDeclarations, content: str, url: str) -> str:
    """og:image / twitter:image, else ``<link rel=image_src>``, else the first content image."""
    candidates = [page.meta.get(key) for key in _IMAGE_KEYS] + [page.links.get("image_src")]
    for candidate in candidates:
        absolute = absolutize(candidate or "", url)
        if absolute:
            return absolute
    first = _FIRST_IMG_SRC.search(content)
    return html_lib.unescape(first[1]) if first else ""


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


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 or RFC 2822 date as an aware UTC datetime (naive ones taken as UTC)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _has_time_of_day(value: str) -> bool:
    return ":" in value and not value.endswith("T00:00:00")


def _plausible(date: datetime | None) -> datetime | None:
    if date is None or not EARLIEST_DATE <= date <= datetime.now(UTC) + FUTURE_TOLERANCE:
        return None
    return date


def _published_at(page: PageDeclarations, htmldate_value: str | None) -> datetime | None:
    """The page's declared publication time when it has a time of day, else htmldate's find,
    else a declared date alone (midnight UTC)."""
    declared = next((page.meta[key] for key in _PUBLISHED_KEYS if key in page.meta), "")
    declared_date = _plausible(parse_datetime(declared))
    if declared_date and _has_time_of_day(declared):
        return declared_date
    found = _plausible(parse_datetime(htmldate_value))
    return found or declared_date


# --- the article body ---------------------------------------------------------------------------

# paragraphs that only point to other articles of the outlet
_READ_ALSO = re.compile(
    r"^\W*(?:(?:à\s+)?lire\s+(?:aussi|également|egalement)|voir\s+aussi|sur\s+le\s+même\s+sujet"
    r"|اقرأ\s+(?:أيضا|أيضاً|ايضا|كذلك)|إقرأ\s+(?:أيضا|أيضاً|ايضا)|اقرأ\s+المزيد"
    r"|lea\s+(?:también|tambien)|lee\s+(?:también|tambien)|te\s+puede\s+interesar"
    r"|read\s+(?:also|more)|see\s+also|related\s*:)",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>\s*", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_READ_ALSO_MAX_CHARS = 300
_IMG = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"[^>]*>')
_LEADING_HEADING = re.compile(r"^\s*<h[1-3]>(.*?)</h[1-3]>", re.DOTALL)
_LAZY_SRC_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original")
_SELF_CLOSED = re.compile(r"<(?!(?:img|br|hr)\b)([a-zA-Z][a-zA-Z0-9]*)([^<>]*?)\s*/>")
_INDENT = re.compile(r"\n\s+")
_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)
# trafilatura turns a <caption> into a first row of one header cell and empty cells
_CAPTION_ROW = re.compile(r"<table>\s*<tr>\s*<th>([^<]+)</th>(?:\s*<td></td>)*\s*</tr>")


def _untangle(body: str) -> str:
    """trafilatura's XML-flavoured, pretty-printed HTML made plain HTML: ``<td/>`` expanded
    (an HTML parser would read it as an open tag), indentation dropped outside ``<pre>``, the
    table caption put back in ``<caption>``."""
    body = _SELF_CLOSED.sub(r"<\1\2></\1>", body)
    parts = _PRE_BLOCK.split(body)
    body = "".join(part if index % 2 else _INDENT.sub("\n", part) for index, part in enumerate(parts))
    return _CAPTION_ROW.sub(r"<table><caption>\1</caption>", body)


def _drop_read_also(body: str) -> str:
    def keep_or_drop(match: re.Match[str]) -> str:
        text = html_lib.unescape(_TAG.sub("", match[1])).strip()
        if len(text) < _READ_ALSO_MAX_CHARS and _READ_ALSO.match(text):
            return ""
        return match[0]

    return _PARAGRAPH.sub(keep_or_drop, body)


def _figure_captions(tree: HtmlElement, url: str) -> dict[str, str]:
    """Absolute image URL → its ``<figcaption>`` text, for every captioned figure on the page."""
    captions: dict[str, str] = {}
    for figure in tree.iter("figure"):
        caption = next(figure.iter("figcaption"), None)
        text = " ".join(caption.text_content().split()) if caption is not None else ""
        if not text:
            continue
        for image in figure.iter("img"):
            for attribute in _LAZY_SRC_ATTRIBUTES:
                absolute = absolutize(image.get(attribute) or "", url)
                if absolute:
                    captions.setdefault(absolute, text)
    return captions


def _restore_figures(body: str, captions: dict[str, str], url: str) -> str:
    """Wrap each image that had a caption on the page in ``<figure>`` + ``<figcaption>``."""
    if not captions:
        return body

    def wrap(match: re.Match[str]) -> str:
        caption = captions.get(absolutize(html_lib.unescape(match[1]), url))
        if not caption:
            return match[0]
        return f"<figure>{match[0]}<figcaption>{html_lib.escape(caption, quote=False)}</figcaption></figure>"

    return _IMG.sub(wrap, body)


def _title_key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _drop_repeated_title(content: str, title: str) -> str:
    """The portal shows the title itself: drop a first heading that only repeats it."""
    match = _LEADING_HEADING.match(content)
    if match and title and _title_key(html_to_text(match[1])) == _title_key(title):
        return content[match.end() :].strip()
    return content


def _article_html(body: str, captions: dict[str, str], title: str, url: str) -> str:
    if not body:
        return ""
    body = _restore_figures(_drop_read_also(_untangle(body)), captions, url)
    return _drop_repeated_title(sanitize_html(body, url), title)


# --- language -----------------------------------------------------------------------------------

DETECTABLE_LANGUAGES = frozenset({"fr", "ar", "es", "en"})
_LANGUAGE_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
_WORD = re.compile(r"[a-zà-öø-ÿ]+")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
# distinctive function words: the ones two of these languages share ("de", "la", "que", "en",
# "a", "un", "se", "son", "on" …) and transliterated name particles ("al", "el") are left out
_STOPWORDS = {
    "fr": frozenset(
        "le les des du est et une dans pour qui pas sur au aux avec ce cette il elle ils ont été "
        "sont mais ou par plus ses leur nous vous je ne lui était aussi comme où sa après "
        "selon depuis entre l d qu c".split()
    ),
    "es": frozenset(
        "los las del es una por con para su sus lo como más pero sobre este esta fue ha han "
        "muy también desde cuando sin hasta ya porque está según dijo tiene hay ser "
        "fueron durante".split()
    ),
    "en": frozenset(
        "the and of to in is that for it was with as by at from this be are have has an not "
        "but they he she his her which were been will would said their who after".split()
    ),
}
_MIN_STOPWORD_HITS = 3
_WINNING_RATIO = 1.5


def _language_code(tag: str | None) -> str:
    match = _LANGUAGE_TAG.match((tag or "").strip().split(",")[0].strip())
    return match[1].lower() if match else ""


def declared_language(page: PageDeclarations) -> str:
    """The language the page declares: ``<html lang>``, og:locale or Content-Language."""
    for tag in (page.html_lang, page.meta.get("og:locale"), page.meta.get("content-language"), page.meta.get("language")):
        code = _language_code(tag)
        if code:
            return code
    return ""


def detect_language(text: str | None) -> str:
    """"ar", "fr", "es" or "en" from the text itself, or "" when unsure.

    Arabic by its script; French, Spanish and English by counts of their distinctive function
    words (the best needs at least three hits and half again as many as the runner-up).
    """
    sample = (text or "")[:DETECTION_SAMPLE_CHARS]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    if arabic >= 10 and arabic > latin:
        return "ar"
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for language, words in _STOPWORDS.items():
            if word in words:
                counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits >= _MIN_STOPWORD_HITS and best_hits >= _WINNING_RATIO * second_hits:
        return best
    return ""


def _language(page: PageDeclarations, text: str) -> str:
    """The declared language, unless it is one Revue can detect and the text clearly says
    another (WordPress themes ship ``lang="en-US"`` on French sites); else the detected one."""
    declared = declared_language(page)
    if declared and declared not in DETECTABLE_LANGUAGES:
        return declared
    detected = detect_language(text)
    return detected or declared
