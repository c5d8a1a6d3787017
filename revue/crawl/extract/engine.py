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
