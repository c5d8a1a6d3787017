"""Extract the article from its page: main text as clean HTML, title, date, author, lead image,
language and canonical URL.

Pure: an HTML string and its URL in, a frozen ``ExtractedArticle`` out; no ORM, no network
(trafilatura only ever gets the already-parsed tree). Garbage in gives an empty article, never
an exception. Measured on real pages nobody here wrote, against plain ``trafilatura.extract``
(``bench/extraction.py``, gated by ``tests/crawl/extract/test_quality.py``).

The page is parsed once (``trafilatura.load_html``); on that one tree:

1. the ``<head>`` declarations are read directly (``og:*``, ``twitter:*``, ``<link
   rel=canonical>``, ``<html lang>``, ``article:published_time``) — cheap and exact;
2. trafilatura's metadata steps fill the rest (title, author, site name), and htmldate finds
   the date (JSON-LD, ``<time>`` elements, date-bearing elements, the URL) when the page
   declares no publication time itself — without its extensive search through the whole page
   text (a tenth of extraction's time; on the Readability pages that declare a date it found
   the same 29 right of 33, and elsewhere mostly a copyright year's 1 January; the crawler uses
   a page's date only when the feed gives none) — its categories, tags and licence, which
   Revue does not use, are not looked for;
3. what the body step needs from the untouched page is read: figure captions, the standfirst
   (chapô), the JSON-LD ``articleBody``, the text the page marks as its article body
   (``itemprop=articleBody``, else the JSON-LD one), whether the page says it is for
   subscribers only, and whether it is a *picture page* (a gallery: several captioned figures
   whose captions hold at least half as many words as its paragraphs);
4. the tree is prepared for the body (:mod:`revue.crawl.rules`): the outlet's drop selectors
   and the built-in furniture rules (share bars, paywall prompts, slide counters …) remove
   elements, text written loose after a picture's box becomes a paragraph (trafilatura would
   drop it with the box), lazy images get their real ``src``, on a picture page slideshow lists
   become plain figures, a live blog's post times become paragraphs, and a locked page's
   JSON-LD body is removed so no fallback can republish what the outlet sells;
5. the body: the elements the outlet's keep selectors match when there are any, else
   trafilatura's HTML output (on its own copy of the tree), in its fast mode when the page has
   an article container trafilatura's main extractor knows, in its balanced mode otherwise —
   *without* trafilatura's picture mode (on real pages it brings captions, photo credits,
   caption blocks and teasers' text with the pictures), except on a picture page;
6. then Revue's own touches, each small: the pictures that sit in the page's text (the next
   paragraph close to them in the tree) are put back before their paragraph, their captions
   under them (not credit lines) — a block that only repeats a picture's alt text or caption
   (a caption written outside ``<figcaption>``) becomes its caption, and a lone link to the
   picture file ("Vergrößern") goes; "Lire aussi"-style cross-links and subscription prompts
   removed; a standfirst trafilatura missed put back on top when it reads as prose (a sentence,
   mostly not links, no © line); the JSON-LD ``articleBody`` used when the page showed much
   less of it (a JavaScript page); a leading heading that repeats the title removed; and
   everything goes through ``clean.sanitize_html`` last;
7. the safety net, read off what the first pass made (a second extraction runs only on the
   pages that need it, about one in fourteen): when a body taken in fast mode is near empty
   (under 1000 characters of text on a page whose body holds three times as much), or holds
   less than half the word 4-grams of the article body the page marks itself (fast mode took
   the site's menu), plain extraction (balanced mode, on a fresh parse of the untouched page,
   only the outlet's drop rules applied) is asked too; its body is kept when it is 1.5 times as
   long and ours holds less than half its word 4-grams, or when it holds the marked body ours
   lost.

``text`` is the article's own text: on real pages captions are picture descriptions and credits
that readers of the text (search, stories) do not want, so a caption is in the HTML under its
picture but in ``text`` only on a picture page, where the captions are the article. Readers'
comments are never taken. Soft hyphens (U+00AD) are removed from ``text`` and the title.

Limits (``max_html_chars``, ``fast_mode_elements``) and the outlet's rules are keyword
arguments with defaults, so callers decide (the crawler passes the ``REVUE_EXTRACT_*``
settings through :func:`revue.crawl.rules.extraction_options`) and the function stays pure.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeVar

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document

from revue.crawl.clean import absolutize, canonical_url, html_to_text, sanitize_html, scrub_text, tidy_title
from revue.crawl.rules import (
    BOILERPLATE_WORDS,
    NO_RULES,
    ExtractionRules,
    NamedElement,
    class_and_id_words,
    drop_boilerplate,
    drop_matching,
    kept_elements,
    named,
)

LOGGER = logging.getLogger(__name__)

# Defaults of extract()'s limits (the crawler passes REVUE_EXTRACT_MAX_HTML_CHARS and
# REVUE_EXTRACT_FAST_MODE_ELEMENTS). Longer pages are cut (the article comes before the footer).
# Extraction time grows with the page's text: about 2 s per million characters of visible text,
# 20 ms for a typical 50 kB page.
MAX_HTML_CHARS = 2_000_000
FAST_MODE_ELEMENTS = 15_000  # a typical article page has 1 000 – 5 000 elements
MIN_LEAD_IMAGE_PIXELS = 200  # a content image narrower or lower than this is an icon, not a lead
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


def extract(
    html: str,
    url: str,
    *,
    rules: ExtractionRules = NO_RULES,
    max_html_chars: int = MAX_HTML_CHARS,
    fast_mode_elements: int = FAST_MODE_ELEMENTS,
) -> ExtractedArticle:
    """The article on a page. Never raises: unusable input gives ``ExtractedArticle()``.

    ``rules`` are the outlet's keep/drop selectors; ``max_html_chars`` cuts longer pages;
    past ``fast_mode_elements`` elements trafilatura skips its slow fallbacks.
    """
    url = url if isinstance(url, str) else ""
    tree = _guarded(lambda: _parse(html, max_html_chars), None, "parse", url)
    if tree is None:
        return EMPTY
    reparse = lambda: _parse(html, max_html_chars)  # noqa: E731 — an untouched tree for the safety net
    return _guarded(lambda: _extract_from_tree(tree, url, rules, fast_mode_elements, reparse), EMPTY, "extract", url)


def _parse(html: str | bytes | None, max_chars: int) -> HtmlElement | None:
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not isinstance(html, str) or not html.strip():
        return None
    html = html[: max(1, max_chars)]
    try:  # load_html drops the control characters XML forbids itself, but cuts the text at a lone surrogate
        html.encode("utf-8")
    except UnicodeEncodeError:
        html = scrub_text(html)
    return trafilatura.load_html(html)


@dataclass(frozen=True)
class PageReading:
    """What the body step takes from the untouched page before the tree is prepared."""

    captions: dict[str, str]  # absolute image URL → its figcaption
    standfirst: str  # the chapô / standfirst, plain text, or ""
    structured: "StructuredArticle"
    marked: str = ""  # the text the page itself marks as its article body (see _marked_body), or ""


def _extract_from_tree(
    tree: HtmlElement, url: str, rules: ExtractionRules, fast_mode_elements: int, reparse: Callable[[], HtmlElement | None]
) -> ExtractedArticle:
    page = _guarded(lambda: read_declarations(tree), PageDeclarations({}, {}, "", ""), "declarations", url)
    info = _guarded(lambda: _trafilatura_metadata(tree, url, page), None, "metadata", url)
    names = class_and_id_words(tree, _NAME_WORDS)  # read once: several steps look for words in class and id
    reading = PageReading(
        captions=_guarded(lambda: _figure_captions(tree, url), {}, "figures", url),
        standfirst=_guarded(lambda: _standfirst(tree, names), "", "standfirst", url),
        structured=_guarded(lambda: read_structured_article(tree), NO_STRUCTURE, "json-ld", url),
    )
    containers = _CONTAINER_ELEMENTS(tree)
    reading = dataclasses.replace(reading, marked=_guarded(lambda: _marked_body(containers, reading.structured), "", "marked body", url))
    site_name = page.meta.get("og:site_name") or (info.sitename if info else "") or ""
    title = tidy_title((info.title if info else "") or page.meta.get("og:title") or page.title, site_name).replace(_SOFT_HYPHEN, "")
    fast = _has_article_container(containers, names) or tree.xpath("count(//*)") > fast_mode_elements
    pictures = _guarded(lambda: _is_picture_page(tree, reading.captions), False, "pictures", url)
    _guarded(lambda: _prepare_body_tree(tree, rules, reading.structured, title, names, pictures=pictures), None, "prepare", url)
    kept = _guarded(lambda: _kept_html(tree, rules), "", "keep rules", url)
    if kept:
        content = _guarded(lambda: _article_html(kept, reading, title, url, from_rules=True), "", "article", url)
    else:
        content = _body(tree, url, reading, title, fast=fast, pictures=pictures)
    text = _article_text(content, pictures)
    if not kept and fast and (_near_empty(text, tree) or _lost_marked_body(text, reading.marked)):
        checked = _guarded(lambda: _safety_net(content, reparse(), url, reading, title, rules), content, "safety net", url)
        if checked is not content:
            content, text = checked, _article_text(checked, pictures)
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


def _article_text(content: str, pictures: bool) -> str:
    """The article's plain text: captions stay under their pictures in the HTML but are the
    article's text only on a picture page. Soft hyphens (U+00AD, the page's hints where a word
    may break) go: in text they split words ("Wehr\u00adanlage") for search and comparison."""
    text = html_to_text(_FIGCAPTION.sub("", content) if not pictures and "<figcaption>" in content else content)
    return text.replace(_SOFT_HYPHEN, "") if _SOFT_HYPHEN in text else text


_SOFT_HYPHEN = "\u00ad"


def _body(tree: HtmlElement, url: str, reading: PageReading, title: str, *, fast: bool, pictures: bool) -> str:
    """The article's HTML from trafilatura's body: on a picture page with trafilatura's
    pictures and their captions, else without pictures, the pictures of the text put back."""
    body = _guarded(lambda: _trafilatura_body(tree, url, fast, images=pictures), "", "body", url)
    return _finished_body(body, tree, url, reading, title, pictures=pictures)


def _finished_body(body: str, tree: HtmlElement, url: str, reading: PageReading, title: str, *, pictures: bool) -> str:
    """trafilatura's body made the article's HTML: Revue's touches, sanitized."""
    if body and not pictures:
        body = _guarded(lambda: _with_pictures(body, _pictures_in_flow(tree, url, reading.captions)), body, "pictures", url)
    return _guarded(lambda: _article_html(body, reading, title, url, from_rules=not pictures), "", "article", url)


# the safety net: when the body taken in fast mode is near empty (a few sentences, on a page
# that holds much more text), or holds
# less than _SAFETY_COVERAGE of the article body the page marks itself (itemprop=articleBody,
# else JSON-LD articleBody: fast mode took a menu), plain extraction (trafilatura's balanced
# mode, with its fallbacks, on the untouched page) is asked too. Its body is kept when it is at
# least _SAFETY_LONGER times as long and ours holds less than _SAFETY_COVERAGE of its word
# 4-grams (our preparation, our touches or fast mode lost most of the article), or when it holds
# the marked body that ours lost. Both checks read what the first pass made, so the second
# extraction runs only on the pages that need it. A body taken in balanced mode has had
# trafilatura's fallbacks already.
_SAFETY_CHARS = 1000
_SAFETY_LONGER = 1.5
_SAFETY_COVERAGE = 0.5
_SAFETY_PAGE_TEXT = 3  # a near-empty body is worth a second look when the page holds this many times its text
_MARKED_MIN_CHARS = 500  # a marked body shorter than this is a teaser's, or a summary
_SHINGLE_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _SHINGLE_WORD.findall(text.casefold()) if text else []
    return {tuple(words[i : i + 4]) for i in range(max(0, len(words) - 3))}


def _coverage(text: str, reference: str) -> float:
    """The share of ``reference``'s word 4-grams that ``text`` holds (1.0 for an empty reference)."""
    wanted = _shingles(reference)
    return len(wanted & _shingles(text)) / len(wanted) if wanted else 1.0


def _marked_body(containers: list[HtmlElement], structured: "StructuredArticle") -> str:
    """The text the untouched page marks as its article's body: its ``itemprop=articleBody``
    elements (among ``containers``, what ``_CONTAINER_ELEMENTS`` found), else its JSON-LD
    ``articleBody`` (never a locked page's); "" when shorter than ``_MARKED_MIN_CHARS``."""
    bodies = [element for element in containers if element.get("itemprop") == "articleBody"]
    marked = " ".join(" ".join(element.text_content().split()) for element in bodies)
    if len(marked) < _MARKED_MIN_CHARS and structured.free is not False:
        marked = html_to_text(structured.body) if "<" in structured.body else structured.body
    return marked if len(marked) >= _MARKED_MIN_CHARS else ""


def _near_empty(text: str, tree: HtmlElement) -> bool:
    """A few sentences, on a page whose body holds far more text (scripts included: an upper
    bound): a short page's short text is its whole article, and asking again finds no more."""
    if len(text) >= _SAFETY_CHARS:
        return False
    body = tree.find("body")
    return body is not None and len(body.text_content()) >= _SAFETY_PAGE_TEXT * len(text)


def _lost_marked_body(text: str, marked: str) -> bool:
    return bool(marked) and _coverage(text, marked) < _SAFETY_COVERAGE


def _safety_net(content: str, untouched: HtmlElement | None, url: str, reading: PageReading, title: str, rules: ExtractionRules) -> str:
    """Our content, unless plain extraction of the untouched page (only the outlet's drop rules
    applied) finds much more of which ours holds little, or holds the page's marked article
    body that ours lost: then plain extraction's (pictures put back, prompts dropped, sanitized
    the same way). The choice reads plain extraction's own text, so Revue's touches are made
    on it only when it is kept."""
    if untouched is None:
        return content
    drop_matching(untouched, rules.drop)
    plain = _trafilatura_body(untouched, url, False)  # fast mode would find no more: the fallbacks rescue
    ours_text, plain_text = _article_text(content, False), html_to_text(plain).replace(_SOFT_HYPHEN, "")
    kept = _lost_marked_body(ours_text, reading.marked) and not _lost_marked_body(plain_text, reading.marked)
    if not kept and (len(plain_text) < _SAFETY_LONGER * len(ours_text) or not plain_text):
        return content
    if kept or _coverage(ours_text, plain_text) < _SAFETY_COVERAGE:
        return _finished_body(plain, untouched, url, reading, title, pictures=False)
    return content


# --- trafilatura --------------------------------------------------------------------------------

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _trafilatura_metadata(tree: HtmlElement, url: str, page: PageDeclarations) -> Document:
    """Title, author, site name and date as ``trafilatura.extract_metadata`` finds them, without
    the parts Revue does not use (categories, tags, licence) and without htmldate's search when
    the page declares its publication time itself (``_published_at`` prefers that anyway)."""
    document = trafilatura_metadata.examine_meta(tree)
    if document.author and " " not in document.author:  # a handle, not a name (as trafilatura does)
        document.author = None
    document = trafilatura_metadata.extract_meta_json(tree, document)
    document.title = document.title or trafilatura_metadata.extract_title(tree)
    document.author = document.author or _byline_author(tree)
    document.sitename = document.sitename or trafilatura_metadata.extract_sitename(tree)
    if _declared_published_at(page) is None:
        date_config = {"original_date": True, "extensive_search": False, "outputformat": _DATE_FORMAT}
        document.date = find_date(tree, url=url or None, **date_config)
    document.clean_and_trim()
    return document


# where a page names its author when its <meta> and JSON-LD do not: microdata, rel=author, a
# byline element's author link (trafilatura's own search scans every element: too slow here)
_BYLINE_AUTHOR = etree.XPath(
    "(//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(.//*[@itemprop='name'])]"
    " | //a[@rel='author'] | //*[contains(@class, 'author')][self::span or self::a or self::address])[1]"
)


def _byline_author(tree: HtmlElement) -> str | None:
    found = _BYLINE_AUTHOR(tree)
    text = " ".join(found[0].text_content().split()) if found else ""
    return text if 2 < len(text) <= MAX_AUTHOR_CHARS and " " in text else None


def _trafilatura_body(tree: HtmlElement, url: str, fast: bool, *, images: bool = False) -> str:
    """Main content as trafilatura's simplified HTML ("" when it finds none).

    Balanced mode compares trafilatura's main extractor with readability and jusText and
    retries with recall settings when it found little: worth its milliseconds when the page
    has no article container trafilatura knows. ``fast`` skips those fallbacks: the caller asks
    for it on pages with such a container (the main extractor is reliable there) and on pages
    past ``fast_mode_elements`` elements (where the fallbacks cost seconds).
    """
    document = trafilatura.bare_extraction(
        tree,
        url=(url or None) if images else None,  # links are made absolute by sanitize_html (courlan's way costs more)
        fast=fast,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_images=images,
        include_links=True,
        include_formatting=True,
        deduplicate=False,
    )
    # what trafilatura.extract(output_format="html") returns, without the content fingerprint
    # it computes on the way (Revue has its own, clean.content_hash)
    return build_html_output(document) if isinstance(document, Document) else ""


# class/id values of the article containers trafilatura's main extractor knows (its BODY_XPATH),
# matched in Python on the attribute strings: lxml's regex extension would call Python per node
_ARTICLE_CONTAINER = re.compile(
    r"(?:entry|article|art|post|page|text|story|theme|blog|section|single)(?:-|_|__)?(?:content|body|text|container)"
    r"|post[-_]?(?:entry|inner)|field-body|main-column|wpb_text_column|content[-_](?:main|body)|^(?:post|entry|story|article)$",
    re.IGNORECASE,
)
_CONTAINER_ELEMENTS = etree.XPath("//article | //*[@itemprop='articleBody' or @role='article']")


def _has_article_container(containers: list[HtmlElement], names: list[NamedElement]) -> bool:
    """Whether the page has an article container trafilatura's main extractor recognizes: it is
    then reliable on its own, and its readability/jusText comparison is skipped (fast mode).
    ``containers``: what ``_CONTAINER_ELEMENTS`` finds on the page; ``names``: the page's class
    and id values (``rules.class_and_id_words``)."""
    if containers:
        return True
    return any(_ARTICLE_CONTAINER.search(item.value) for item in names)


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
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
# file names of icons, logos and tracking pixels: never a lead image
_NOT_A_PICTURE = re.compile(r"(?:^|[/_.-])(?:logo|icon|avatar|pixel|spacer|blank|sprite|badge|emoji)s?(?:[/_.-]|$)|\.svg(?:$|\?)", re.IGNORECASE)


def _lead_image(page: PageDeclarations, content: str, url: str) -> str:
    """og:image / twitter:image, else ``<link rel=image_src>``, else the first content image
    of sensible size."""
    candidates = [page.meta.get(key) for key in _IMAGE_KEYS] + [page.links.get("image_src")]
    for candidate in candidates:
        absolute = absolutize(candidate or "", url)
        if absolute:
            return absolute
    return first_content_image(content)


def first_content_image(content_html: str, min_pixels: int = MIN_LEAD_IMAGE_PIXELS) -> str:
    """The first ``<img>`` of sanitized HTML fit to lead an article: an http(s) picture whose
    declared width and height (when given) reach ``min_pixels``, not an icon, logo or pixel."""
    for tag in _IMG_TAG.findall(content_html or ""):
        attributes = dict(_ATTRIBUTE.findall(tag))
        src = html_lib.unescape(attributes.get("src", ""))
        if not src.startswith(("http://", "https://")) or _NOT_A_PICTURE.search(src.split("?", 1)[0]):
            continue
        sizes = [attributes.get(name, "") for name in ("width", "height")]
        if any(size.isdigit() and int(size) < min_pixels for size in sizes):
            continue
        return src
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
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00": before or after datetime's range
        return None


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


# --- the article body ---------------------------------------------------------------------------

# paragraphs that only point to other articles of the outlet
_READ_ALSO = re.compile(
    r"^\W*(?:(?:à\s+)?lire\s+(?:aussi|également|egalement)|voir\s+aussi|sur\s+le\s+même\s+sujet"
    r"|اقرأ\s+(?:أيضا|أيضاً|ايضا|كذلك)|إقرأ\s+(?:أيضا|أيضاً|ايضا)|اقرأ\s+المزيد"
    r"|lea\s+(?:también|tambien)|lee\s+(?:también|tambien)|te\s+puede\s+interesar"
    r"|read\s+(?:also|more)|see\s+also|related\s*:)",
    re.IGNORECASE,
)
# subscription, newsletter and page-control prompts (short blocks only)
_PROMPT = re.compile(
    r"réservé aux abonnés|abonnez-vous|déjà abonné|il vous reste \d+\s?% de (?:cet|l')article"
    r"|je m'abonne|inscrivez-vous à (?:la|notre) newsletter"
    r"|subscribe (?:now|to (?:read|continue|our))|already a subscriber|for subscribers only|sign up for (?:our|the) .*newsletter"
    r"|suscríbete|ya eres suscriptor|exclusivo para suscriptores|contenido exclusivo para"
    r"|هذا المقال (?:خاص|حصري) (?:بالمشتركين|للمشتركين)|اشترك (?:الآن|لقراءة)"
    r"|^(?:rafraîchir|actualiser|refresh|actualizar)$|^(?:en direct\W+)?mis à jour en continu"
    r"|^(?:live\W+)?(?:updated|updating) (?:live|continuously)|^(?:en directo\W+)?actualizado (?:en directo|al minuto)",
    re.IGNORECASE,
)
_COUNTER = re.compile(r"^\d{1,3}\s*(?:/|sur|de|of|من)\s*\d{1,3}$", re.IGNORECASE)
# anywhere in a body: a cheap test whether _drop_prompts has anything to look at (">" factored
# out of the alternatives that follow a tag: the scan only tries them after one)
_ANY_PROMPT = re.compile(
    ">(?:" + _READ_ALSO.pattern.removeprefix("^") + "|\\s*" + _COUNTER.pattern.strip("^$") + "\\s*<)"
    + "|" + _PROMPT.pattern.replace("^", ">\\s*").replace("$", "\\s*<"),
    re.IGNORECASE,
)
_AFTER_A_TAG = re.compile(">(?:" + _READ_ALSO.pattern.removeprefix("^") + "|\\s*" + _COUNTER.pattern.strip("^$") + "\\s*<)", re.IGNORECASE)
# a piece of every _PROMPT alternative, lower-cased: found by plain substring search, far cheaper
# than the regex's scan of a whole body
_PROMPT_PIECES = (
    "abonn", "il vous reste", "inscrivez-vous", "subscri", "sign up for", "suscr", "exclusivo para", "المقال", "اشترك",
    "rafraîchir", "actualiser", "refresh", "actualizar", "mis à jour", "updat", "actualizado",
)  # fmt: skip


def _may_have_prompts(body: str) -> bool:
    if _AFTER_A_TAG.search(body):
        return True
    lowered = body.lower()
    return any(piece in lowered for piece in _PROMPT_PIECES) and _ANY_PROMPT.search(body) is not None
_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK = re.compile(r"<(p|h[2-6])\b[^>]*>(.*?)</\1>\s*", re.DOTALL)
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


def _drop_prompts(body: str) -> str:
    """Drop paragraphs and small headings that are not article text: "Lire aussi" cross-links,
    subscription and newsletter prompts, slide counters ("3 / 12")."""
    if not _may_have_prompts(body):  # most bodies have none
        return body

    def keep_or_drop(match: re.Match[str]) -> str:
        if len(match[2]) > 3 * _READ_ALSO_MAX_CHARS or not _ANY_PROMPT.search(match[0]):
            return match[0]  # long (markup and entities included), or nothing like a prompt
        text = " ".join(html_lib.unescape(_TAG.sub("", match[2])).split())
        if len(text) < _READ_ALSO_MAX_CHARS and (_READ_ALSO.match(text) or _PROMPT.search(text) or _COUNTER.match(text)):
            return ""
        return match[0]

    return _BLOCK.sub(keep_or_drop, body)


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

    return _pictures_for_captions(_IMG.sub(wrap, body), captions, url)


# --- pictures in the article's flow ---------------------------------------------------------------

_FIGCAPTION = re.compile(r"<figcaption>.*?</figcaption>", re.DOTALL)
_PICTURE_PAGE_CAPTIONS = 3  # captioned figures, at least, for the pictures to carry the article …
_PICTURE_PAGE_SHARE = 0.5  # … and caption words, at least this share of the words in paragraphs
_FLOW_PICTURES_MAX = 40
_FLOW_IMAGE_DEPTH, _FLOW_ANCHOR_DEPTH = 6, 3  # how far up a picture and its paragraph may meet
_FLOW_KEY_CHARS = 80
# a caption that only credits the picture ("Foto: dpa", "© Reuters", "Image: iStock.com")
_CREDIT = re.compile(
    r"^\W*(?:fotos?|photos?|bild|bilder|image|images|illustration|credit|crédit|crédits|quelle|source|fuente|foto)\b\s*:?"
    r"|^\W*(?:©|\(c\)|copyright)|(?:^|\s)(?:/|\|)\s*(?:dpa|afp|ap|reuters|getty(?: images)?|istock(?:\.com)?)\W*$",
    re.IGNORECASE,
)
_CREDIT_MAX_WORDS = 8


def _is_picture_page(tree: HtmlElement, captions: dict[str, str]) -> bool:
    """Whether the pictures carry the article (a photo gallery, a slideshow): several captioned
    figures whose captions hold as many words as half the page's paragraphs outside figures.
    Only then are captions the article's own text, taken with trafilatura's pictures."""
    distinct = set(captions.values())
    if len(distinct) < _PICTURE_PAGE_CAPTIONS:
        return False
    caption_words = sum(len(caption.split()) for caption in distinct)
    paragraph_words = 0
    for paragraph in tree.iter("p"):
        if any(ancestor.tag in ("figure", "figcaption") for ancestor in paragraph.iterancestors()):
            continue
        paragraph_words += len(paragraph.text_content().split())
    return caption_words >= _PICTURE_PAGE_SHARE * paragraph_words


def _is_credit(caption: str) -> bool:
    return len(caption.split()) <= _CREDIT_MAX_WORDS and bool(_CREDIT.search(caption))


def _ancestors(element: HtmlElement, depth: int) -> list[HtmlElement]:
    found = []
    for ancestor in element.iterancestors():
        found.append(ancestor)
        if len(found) >= depth:
            break
    return found


_FLOW_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"})
_FLOW_MIN_CHARS = 20
_NOT_IN_FLOW = frozenset({"figure", "figcaption", "a"})


def _next_paragraph(image: HtmlElement) -> HtmlElement | None:
    """The first paragraph after ``image`` (with some text, outside figures and links) among
    what follows it inside its ancestors up to ``_FLOW_IMAGE_DEPTH`` levels up — or None."""
    child = image
    for depth, ancestor in enumerate(image.iterancestors()):
        if depth >= _FLOW_IMAGE_DEPTH:
            return None
        for sibling in child.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            for candidate in sibling.iter(*_FLOW_BLOCKS):
                if len(candidate.text_content().strip()) < _FLOW_MIN_CHARS:
                    continue
                if any(a.tag in _NOT_IN_FLOW for a in _ancestors(candidate, _FLOW_IMAGE_DEPTH)) or candidate.tag in _NOT_IN_FLOW:
                    continue
                return candidate
        child = ancestor
    return None


def _pictures_in_flow(tree: HtmlElement, url: str, captions: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """The page's pictures that sit in a run of text, by the paragraph they stand before: the
    text key of that paragraph → [(absolute image URL, its alt text, its caption or "")]. A
    picture counts when the next paragraph is close to it in the tree (same container, a few
    levels up), so a logo, an avatar or a teaser's thumbnail far from any paragraph never does."""
    flow: dict[str, list[tuple[str, str, str]]] = {}
    seen: set[str] = set()  # the addresses as written
    placed: set[str] = set()  # the absolute addresses of the pictures in the flow
    for image in tree.iter("img"):
        raw = (image.get("src") or "").strip()
        if not raw or raw.startswith("data:") or _NOT_A_PICTURE.search(raw.split("?", 1)[0]):
            continue
        sizes = [image.get(name) or "" for name in ("width", "height")]
        if any(size.isdigit() and int(size) < MIN_LEAD_IMAGE_PIXELS for size in sizes):
            continue
        if raw in seen:
            continue
        seen.add(raw)
        if len(seen) > _FLOW_PICTURES_MAX:
            break
        following = _next_paragraph(image)
        if following is None or set(_ancestors(following, _FLOW_ANCHOR_DEPTH)).isdisjoint(_ancestors(image, _FLOW_IMAGE_DEPTH)):
            continue
        src = absolutize(raw, url)  # only now: most pictures of a page are not in its text
        if not src or src in placed:
            continue
        placed.add(src)
        key = _title_key(following.text_content())[:_FLOW_KEY_CHARS]
        caption = captions.get(src, "")
        alt = " ".join((image.get("alt") or "").split())
        flow.setdefault(key, []).append((src, alt, "" if _is_credit(caption) else caption))
    return flow


def _with_pictures(body: str, flow: dict[str, list[tuple[str, str, str]]]) -> str:
    """The pictures of the page's text put back in the body, each before its paragraph (the
    body is extracted without pictures: trafilatura's picture mode brings captions, credits and
    teasers' text with them). A short block that only repeats a picture's description (its alt
    text or caption, as a caption written outside ``<figcaption>`` does) becomes that figure's
    caption instead of article text, and a lone link to a picture file ("Vergrößern", "Zoom")
    goes."""
    if not flow:
        return body
    shown = set(_IMG.findall(body))
    described = {}  # the text key of a picture's alt or caption → the picture's source
    for pictures in flow.values():
        for src, alt, caption in pictures:
            for description in (caption, alt):
                if len(description.split()) >= _DESCRIPTION_MIN_WORDS:
                    described.setdefault(_title_key(description)[:_FLOW_KEY_CHARS], src)
    found_captions: dict[str, str] = {}  # source → the block that described it
    keys: dict[int, str] = {}  # a block's offset → its text key
    dropped: set[int] = set()  # the offsets of the blocks that are captions or lightbox links
    for match in _BLOCK.finditer(body):
        key = keys[match.start()] = _block_key(match[2])[:_FLOW_KEY_CHARS]
        if len(match[2]) > 3 * _READ_ALSO_MAX_CHARS:
            continue
        src = described.get(key)
        if src is not None:
            found_captions.setdefault(src, " ".join(html_lib.unescape(_TAG.sub("", match[2])).split()))
            dropped.add(match.start())
        elif "href" in match[2] and _LONE_PICTURE_LINK.fullmatch(match[2].strip()):
            dropped.add(match.start())

    def place(match: re.Match[str]) -> str:
        kept = "" if match.start() in dropped else match[0]
        pictures = flow.pop(keys[match.start()], None)
        if not pictures:
            return kept
        figures = []
        for src, alt, caption in pictures:
            if src in shown:
                continue
            caption = caption or found_captions.get(src, "")
            figcaption = f"<figcaption>{html_lib.escape(caption, quote=False)}</figcaption>" if caption else ""
            figures.append(f'<figure><img src="{html_lib.escape(src)}" alt="{html_lib.escape(alt)}">{figcaption}</figure>\n')
        return "".join(figures) + kept

    return _BLOCK.sub(place, body)


_DESCRIPTION_MIN_WORDS = 4  # an alt text shorter than this ("Foto", "Bild 1") describes nothing
# a block that is only a link to a picture file: a lightbox's "enlarge" control
_LONE_PICTURE_LINK = re.compile(
    r"""<a\b[^>]*\shref="[^"]+\.(?:jpe?g|png|gif|webp)(?:\?[^"]*)?"[^>]*>(?:(?!</a>)[^<]|<(?!/?a\b)[^>]*>){0,80}</a>""",
    re.IGNORECASE,
)


def _pictures_for_captions(body: str, captions: dict[str, str], url: str) -> str:
    """A caption trafilatura kept as a bare paragraph, its picture lost (galleries, slideshows),
    becomes its figure again: the picture the page showed with that caption, and the caption."""
    shown = {absolutize(html_lib.unescape(src), url) for src in _IMG.findall(body)}
    by_caption = {}
    for image_url, caption in captions.items():
        if image_url not in shown:
            by_caption.setdefault(_title_key(caption), (image_url, caption))
    if not by_caption:
        return body

    def figure(match: re.Match[str]) -> str:
        if match[1] != "p":
            return match[0]
        found = by_caption.pop(_title_key(html_lib.unescape(_TAG.sub("", match[2]))), None)
        if found is None:
            return match[0]
        image_url, caption = found
        return (
            f'<figure><img src="{html_lib.escape(image_url)}" alt="">'
            f"<figcaption>{html_lib.escape(caption, quote=False)}</figcaption></figure>\n"
        )

    return _BLOCK.sub(figure, body)


_NOT_ALNUM = re.compile(r"[\W_]+")


def _title_key(text: str) -> str:
    """Text reduced for comparison: case folded, only letters and digits."""
    return _NOT_ALNUM.sub("", text.casefold())


def _drop_repeated_title(content: str, title: str) -> str:
    """The portal shows the title itself: drop a first heading that only repeats it."""
    match = _LEADING_HEADING.match(content)
    if match and title and _title_key(html_to_text(match[1])) == _title_key(title):
        return content[match.end() :].strip()
    return content


def _article_html(body: str, reading: PageReading, title: str, url: str, *, from_rules: bool = False) -> str:
    """The stored article HTML: trafilatura's (or the keep rules') body made clean HTML,
    cross-links and prompts dropped, captions and standfirst put back, sanitized last."""
    if body:
        body = _drop_prompts(_untangle(body))
        if not from_rules:
            body = _restore_figures(body, reading.captions, url)
    body = _with_standfirst(body, reading.standfirst)
    body = _with_structured_body(body, reading.structured)
    if not body:
        return ""
    return _drop_repeated_title(_BLANK_LINES.sub("\n", sanitize_html(body, url)), title)


# --- what the page says before the tree is prepared ---------------------------------------------

# class/id words of a standfirst ("chapô"): the summary paragraph between the title and the text
_STANDFIRST_WORDS = frozenset({"chapo", "chapeau", "standfirst", "lede", "lead", "dek", "intro", "excerpt", "summary", "chapeau"})
_STANDFIRST_CHARS = (40, 800)
_CLASS_WORDS = re.compile(r"[^a-z0-9]+")


def _class_words(element: HtmlElement) -> set[str]:
    return set(_CLASS_WORDS.split(f"{element.get('class') or ''} {element.get('id') or ''}".lower()))




def _standfirst(tree: HtmlElement, names: list[NamedElement]) -> str:
    """The page's standfirst: the first ``p``/``div`` after the ``<h1>`` whose class or id says
    chapô, standfirst, lede, intro … and that holds a sentence or two of text, no picture."""
    heading = next(tree.iter("h1"), None)
    after = heading.sourceline or 0 if heading is not None else 0
    for element in sorted(named(names, _STANDFIRST_WORDS), key=lambda e: e.sourceline or 0):
        if element.tag not in ("p", "div") or (element.sourceline or 0) < after:
            continue
        if next(element.iter("img", "figure", "picture", "video"), None) is not None:
            continue
        text = " ".join(element.text_content().split())
        if _STANDFIRST_CHARS[0] <= len(text) <= _STANDFIRST_CHARS[1] and _reads_as_prose(element, text):
            return text
    return ""


_SENTENCE_END = re.compile(r"[.!?…。؟](?:[\s\"»”’)]|$)")
_STANDFIRST_MAX_LINK_SHARE = 0.3


def _reads_as_prose(element: HtmlElement, text: str) -> bool:
    """A standfirst is the article's own text: a sentence (not a label line such as "Article
    Editorial team Contact Share"), mostly not links (a teaser of another article), no © line."""
    if "©" in text or not _SENTENCE_END.search(text):
        return False
    linked = sum(len(" ".join(link.text_content().split())) for link in element.iter("a"))
    return linked <= _STANDFIRST_MAX_LINK_SHARE * len(text)


def _block_key(block: str) -> str:
    return _title_key(html_lib.unescape(_TAG.sub("", block)))


def _with_standfirst(body: str, standfirst: str) -> str:
    """The standfirst on top of the body: added when the body lacks it, moved up when the body
    has it as a paragraph further down (trafilatura appends what it recovers on short pages)."""
    if not standfirst:
        return body
    key = _title_key(standfirst)
    first = _BLOCK.search(body)
    if first and _block_key(first[2]) == key:
        return body
    shortest, longest = len(standfirst) // 2, 4 * len(standfirst) + 200  # raw block lengths worth comparing

    def drop_copy(match: re.Match[str]) -> str:
        if not shortest <= len(match[2]) <= longest:
            return match[0]
        return "" if _block_key(match[2]) == key else match[0]

    rest = _BLOCK.sub(drop_copy, body)
    if rest == body and key in _block_key(_TAG.sub(" ", body)):
        return body  # inside a longer paragraph: leave the text as the page wrote it
    return f"<p>{html_lib.escape(standfirst, quote=False)}</p>\n{rest}"


@dataclass(frozen=True)
class StructuredArticle:
    """What the page's JSON-LD says about its article."""

    body: str = ""  # articleBody, as given (text, sometimes HTML)
    free: bool | None = None  # isAccessibleForFree; None when the page does not say
    types: frozenset[str] = frozenset()  # every @type found (NewsArticle, LiveBlogPosting …)


NO_STRUCTURE = StructuredArticle()
_ARTICLE_BODY_MIN_CHARS = 200
_STRUCTURED_BODY_SHARE = 0.6  # the page showed less than this share of articleBody's words: use it


def _json_ld_objects(tree: HtmlElement) -> list[dict]:
    found: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(value for key, value in item.items() if key in ("@graph", "mainEntity", "hasPart"))
    return found


def _types(item: dict) -> set[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def read_structured_article(tree: HtmlElement) -> StructuredArticle:
    """The article's ``articleBody``, ``isAccessibleForFree`` and types from the page's JSON-LD."""
    items = _json_ld_objects(tree)
    types: set[str] = set()
    body = ""
    free: bool | None = None
    for item in items:
        types |= _types(item)
        if not body and isinstance(item.get("articleBody"), str):
            body = item["articleBody"].strip()
        if "isAccessibleForFree" in item:
            free = False if _is_false(item["isAccessibleForFree"]) or free is False else True
    return StructuredArticle(body=body, free=free, types=frozenset(types))


def _structured_body_html(body: str) -> str:
    if "<" in body and ">" in body:
        return body
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n|\n", body)]
    return "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs if p)


def _with_structured_body(body: str, structured: StructuredArticle) -> str:
    """The JSON-LD ``articleBody`` instead of the body when the page showed much less of it
    (an app shell filled by JavaScript), or when the body is that same text run together
    (trafilatura's own JSON fallback keeps no paragraphs) — never on a page for subscribers only."""
    if structured.free is False or len(structured.body) < _ARTICLE_BODY_MIN_CHARS:
        return body
    shown_text = html_to_text(body)
    structured_text = html_to_text(structured.body)
    same_text = _title_key(shown_text) == _title_key(structured_text)
    if not same_text and len(shown_text.split()) >= _STRUCTURED_BODY_SHARE * len(structured_text.split()):
        return body
    if same_text and shown_text.count("\n\n") >= structured.body.count("\n"):
        return body  # the page's own paragraphs are as good
    return _structured_body_html(structured.body)


# --- the tree made ready for the body -----------------------------------------------------------

_SLIDESHOW_WORDS = frozenset({"slide", "slides", "slideshow", "slider", "carousel", "gallery", "diaporama", "swiper"})
_SLIDESHOW_DEPTH = 4
_LIVE_TYPES = frozenset({"LiveBlogPosting"})
_LIVE_MIN_POSTS = 5
_TIME_MAX_CHARS = 40


def _prepare_body_tree(
    tree: HtmlElement, rules: ExtractionRules, structured: StructuredArticle, title: str, names: list[NamedElement], *, pictures: bool = False
) -> None:
    """Make the parsed page ready for the body step, in place (see the module docstring).
    ``names``: the class and id words read before (``rules.class_and_id_words``)."""
    drop_matching(tree, rules.drop)
    drop_boilerplate(tree, names)
    _drop_title_headings(tree, title)
    _loose_text_as_paragraphs(tree)
    _reveal_lazy_images(tree)
    if pictures:  # elsewhere a slide class is often on the article's own container (a content slider)
        _open_slideshows(tree)
    if _is_live_blog(structured, names):
        _time_stamps_as_paragraphs(tree)
    if structured.free is False:
        _remove_json_ld(tree)


def _drop_title_headings(tree: HtmlElement, title: str) -> None:
    """The page's own headline (the portal shows the title itself): out of the body's way, so
    trafilatura's recovery of short pages does not bring the page header back with it."""
    key = _title_key(title)
    if not key:
        return
    for heading in list(tree.iter("h1", "h2")):
        if _title_key(heading.text_content()) == key and heading.getparent() is not None:
            heading.drop_tree()


_BLOCK_TAGS = frozenset({"div", "figure", "picture", "section", "aside", "header", "table", "ul", "ol", "dl", "form", "blockquote"})
_LOOSE_MIN_CHARS = 40
_LOOSE_BOX_DEPTH = 4  # how far up from a picture its box may be


def _loose_text_as_paragraphs(tree: HtmlElement) -> None:
    """Text written loose after a picture's box (``<div class=photo><img …></div>Anchor: After
    heavy downpours…<br>``) made a paragraph of its own: without pictures, trafilatura drops
    such a box with the text that follows it (its tail), and the article's first paragraph went
    with the picture before it."""
    for image in list(tree.iter("img")):
        for depth, box in enumerate(image.iterancestors()):
            if depth >= _LOOSE_BOX_DEPTH or box.tag in ("p", "li", "td", "th", "body"):
                break
            tail = box.tail
            if box.tag not in _BLOCK_TAGS or not tail or len(tail) < _LOOSE_MIN_CHARS or len(tail.strip()) < _LOOSE_MIN_CHARS:
                continue
            parent = box.getparent()
            if parent is None or parent.tag in ("p", "li", "td", "th", "a", "span"):
                break
            paragraph = etree.Element("p")
            paragraph.text, box.tail = tail, None
            box.addnext(paragraph)
            break


def _reveal_lazy_images(tree: HtmlElement) -> None:
    """Lazy-loaded images: the real URL from ``data-src`` & co. replaces a placeholder ``src``."""
    for image in tree.iter("img"):
        src = (image.get("src") or "").strip()
        if src and not src.startswith("data:"):
            continue
        for attribute in _LAZY_SRC_ATTRIBUTES[1:]:
            real = (image.get(attribute) or "").strip()
            if real and not real.startswith("data:"):
                image.set("src", real)
                break


def _open_slideshows(tree: HtmlElement) -> None:
    """Slideshows made plain figures: a list whose every item holds a figure becomes blocks
    (trafilatura keeps figures, not list items made of pictures), and the containers of a
    captioned figure lose a class naming them a slide or gallery (trafilatura drops "slide")."""
    for listing in list(tree.iter("ul", "ol")):
        items = [child for child in listing if isinstance(child.tag, str)]
        if len(items) >= 2 and all(item.tag == "li" and next(item.iter("figure"), None) is not None for item in items):
            listing.tag = "div"
            for item in items:
                item.tag = "div"
    for caption in tree.iter("figcaption"):
        for depth, container in enumerate(caption.iterancestors()):
            if depth > _SLIDESHOW_DEPTH or container.tag in ("article", "main", "body"):
                break
            if not _class_words(container).isdisjoint(_SLIDESHOW_WORDS):
                container.attrib.pop("class", None)


_LIVE_WORDS = frozenset({"live", "liveblog", "livepost", "direct", "minute"})
_NAME_WORDS = BOILERPLATE_WORDS | _STANDFIRST_WORDS | _LIVE_WORDS  # the class and id words whose elements are looked up


def _is_live_blog(structured: StructuredArticle, names: list[NamedElement]) -> bool:
    """JSON-LD says ``LiveBlogPosting``, or several posts named "live" each carry a time."""
    if structured.types & _LIVE_TYPES:
        return True
    posts = [element for element in named(names, _LIVE_WORDS) if element.find(".//time") is not None]
    return len(posts) >= _LIVE_MIN_POSTS


def _time_stamps_as_paragraphs(tree: HtmlElement) -> None:
    """A live blog's post times ("14h32") are part of each post: make each a paragraph on top of
    its post, out of the metadata line trafilatura drops."""
    for stamp in list(tree.iter("time")):
        text = " ".join(stamp.text_content().split())
        if not text or len(text) > _TIME_MAX_CHARS:
            continue
        post = next((a for a in stamp.iterancestors() if a.tag != "p" and next(a.iter("p"), None) is not None), None)
        if post is None or post.tag in ("body", "html", "main"):
            continue
        paragraph = etree.Element("p")
        paragraph.text = text
        stamp.drop_tree()  # lxml.html: the text after it stays
        post.insert(0, paragraph)


def _remove_json_ld(tree: HtmlElement) -> None:
    """A page for subscribers only: its JSON-LD goes, so no fallback republishes its body."""
    for script in list(tree.iter("script")):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.getparent() is not None:
            script.getparent().remove(script)


def _kept_html(tree: HtmlElement, rules: ExtractionRules) -> str:
    """The HTML of what the outlet's keep selectors match, or "" when they match nothing."""
    kept = kept_elements(tree, rules.keep)
    return "\n".join(etree.tostring(element, encoding="unicode", method="html", with_tail=False) for element in kept)


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


def _languages_by_word(stopwords: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for language, words in stopwords.items():
        for word in words:
            index[word] = (*index.get(word, ()), language)
    return index


_LANGUAGES_OF_WORD = _languages_by_word(_STOPWORDS)
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
        for language in _LANGUAGES_OF_WORD.get(word, ()):
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
