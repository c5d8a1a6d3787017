"""trafilatura, the engine: its metadata steps (title, author, site name; htmldate for the date)
and its body, in fast or balanced mode, and whether a page has an article container its main
extractor knows (then fast mode is reliable)."""

from __future__ import annotations

import re

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document

from revue.crawl.extract.head import _declared_published_at
from revue.crawl.extract.values import MAX_AUTHOR_CHARS, PageDeclarations
from revue.crawl.rules import NamedElement

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
# byline element's author link (trafilatura's own search scans every element: too slow here).
# Attributes are matched on the attribute axis (//@itemprop[.='author']/..), not as an element's
# predicate (//*[@itemprop='author']): libxml2 then tests only the elements that have the
# attribute, half the time on real pages for the same elements (see _CONTAINER_ELEMENTS)
_BYLINE_AUTHOR = etree.XPath(
    "(//@itemprop[.='author']/..//@itemprop[.='name']/.. | //@itemprop[.='author']/parent::*[not(.//@itemprop[.='name'])]"
    " | //@rel[.='author']/parent::a | //@class[contains(., 'author')]/parent::*[self::span or self::a or self::address])[1]"
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


# The article frames trafilatura's main extractor looks for first (the first three expressions of
# its BODY_XPATH, trafilatura 2.3: exact class or id values, then class and id tokens searched
# case-sensitively, as its re:test does), matched in Python on the page's distinct class and id
# values (lxml's regex extension would call Python per element). Only these, not lookalikes
# ("article_content", "blog_text"): on a page whose container trafilatura does not know, fast
# mode falls back to gathering every paragraph of the page, and balanced mode is the better
# reading. tests/crawl/extract/test_engine.py holds them to trafilatura's own expressions.
_FRAME_CLASSES = frozenset({"post", "entry", "postarea", "art-postcontent", "text", "cell", "story"})
_FRAME_IDS = frozenset({"articleContent", "article", "story"})
_FRAME_CLASS = re.compile(
    r"post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|articleText"
    r"|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|articleBody|ArticleContent"
    r"|body-text|article__container|^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content"
    r"|single-post|main-column|wpb_text_column|story-body|field-body|(?i:fulltext)"
)
_FRAME_ID = re.compile(r"(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text|^primary|story-body")
_CONTAINER_ELEMENTS = etree.XPath("//article | //@itemprop[.='articleBody']/.. | //@role[.='article']/..")


def _has_article_container(containers: list[HtmlElement], names: list[NamedElement]) -> bool:
    """Whether the page has an article frame trafilatura's main extractor knows (``<article>``,
    ``itemprop=articleBody``, ``role=article``, or the class and id values above): it is then
    reliable on its own, and its readability/jusText comparison is skipped (fast mode).
    ``containers``: what ``_CONTAINER_ELEMENTS`` finds on the page; ``names``: the page's class
    and id values (``rules.class_and_id_words``)."""
    if containers:
        return True
    return any(_is_frame_name(item.attribute, item.value) for item in names)


def _is_frame_name(attribute: str, value: str) -> bool:
    """Whether a class (``attribute`` "class") or id value names an article frame trafilatura's
    main extractor knows."""
    if attribute == "class":
        return value in _FRAME_CLASSES or _FRAME_CLASS.search(value) is not None
    return value in _FRAME_IDS or _FRAME_ID.search(value) is not None
