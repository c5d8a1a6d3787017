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
   an article frame trafilatura's main extractor knows (``<article>``, ``itemprop=articleBody``,
   or the very class and id names its own expressions look for: on a page with a lookalike
   name it finds no frame and gathers every paragraph of the page), in its balanced mode
   otherwise —
   *without* trafilatura's picture mode (on real pages it brings captions, photo credits,
   caption blocks and teasers' text with the pictures), except on a picture page;
6. then Revue's own touches, each small: the pictures that sit in the page's text (the next
   paragraph close to them in the tree) are put back before their paragraph, their captions
   under them (not credit lines) — a block that only repeats a picture's alt text or caption
   (a caption written outside ``<figcaption>``) becomes its caption, and a lone link to the
   picture file ("Vergrößern") goes; "Lire aussi"-style cross-links, subscription prompts and
   lists of other articles' headlines (a link, a heading and a date each) removed; a standfirst trafilatura missed put back on top when it reads as prose (a sentence,
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

This module names the order of the steps (``extract``); each job has its module: ``values``
(what is handed around, the limits' defaults), ``steps`` (a failing step costs that step only),
``head`` (1–2: the page's declarations, canonical URL, author, dates), ``engine`` (2 and 5:
trafilatura's metadata and body, fast or balanced), ``structured`` (the JSON-LD article),
``reading`` (3: the standfirst, the class and id words looked up), ``prepare`` (4), ``body``
(5–6: the article's HTML and text), ``blocks`` (6: prompts, cross-links, the standfirst put
back), ``pictures`` (6: captions, the pictures of the text, the lead image, picture pages),
``safety`` (7) and ``language``. The built-in words and phrases of page furniture are data, in
:mod:`revue.crawl.furniture`, beside the per-outlet rules of :mod:`revue.crawl.rules`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import trafilatura
from lxml.html import HtmlElement

from revue.crawl.clean import scrub_text, tidy_title
from revue.crawl.extract.body import _SOFT_HYPHEN, _article_html, _article_text, _body
from revue.crawl.extract.engine import _CONTAINER_ELEMENTS, _has_article_container, _trafilatura_metadata
from revue.crawl.extract.head import _author, _canonical, _published_at, parse_datetime, read_declarations
from revue.crawl.extract.language import DETECTABLE_LANGUAGES, _language, declared_language, detect_language
from revue.crawl.extract.pictures import _figure_captions, _is_picture_page, _lead_image, first_content_image
from revue.crawl.extract.prepare import _kept_html, _prepare_body_tree
from revue.crawl.extract.reading import _NAME_WORDS, _standfirst
from revue.crawl.extract.safety import _lost_marked_body, _marked_body, _near_empty, _safety_net
from revue.crawl.extract.steps import _guarded
from revue.crawl.extract.structured import read_structured_article
from revue.crawl.extract.values import (
    EMPTY,
    FAST_MODE_ELEMENTS,
    MAX_HTML_CHARS,
    MIN_LEAD_IMAGE_PIXELS,
    NO_STRUCTURE,
    ExtractedArticle,
    PageDeclarations,
    PageReading,
    StructuredArticle,
)
from revue.crawl.rules import NO_RULES, ExtractionRules, class_and_id_words
from revue.text.decode import decode, meta_charset

__all__ = [
    "DETECTABLE_LANGUAGES",
    "EMPTY",
    "FAST_MODE_ELEMENTS",
    "LOGGER",
    "MAX_HTML_CHARS",
    "MIN_LEAD_IMAGE_PIXELS",
    "NO_STRUCTURE",
    "ExtractedArticle",
    "PageDeclarations",
    "StructuredArticle",
    "declared_language",
    "detect_language",
    "extract",
    "first_content_image",
    "parse_datetime",
    "read_declarations",
    "read_structured_article",
]

LOGGER = logging.getLogger(__name__)  # the steps log to its children (revue.crawl.extract.steps)


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
    if isinstance(html, bytes):  # the crawler decodes pages itself; bytes given here are read the same way
        html = decode(html, meta_charset(html))
    if not isinstance(html, str) or not html.strip():
        return None
    html = html[: max(1, max_chars)]
    try:  # load_html drops the control characters XML forbids itself, but cuts the text at a lone surrogate
        html.encode("utf-8")
    except UnicodeEncodeError:
        html = scrub_text(html)
    return trafilatura.load_html(html)


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
