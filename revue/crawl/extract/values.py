"""The values extraction hands around: the article it gives, what the page declares and what
the body step reads from it, and the defaults of its limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Defaults of extract()'s limits (the crawler passes REVUE_EXTRACT_MAX_HTML_CHARS and
# REVUE_EXTRACT_FAST_MODE_ELEMENTS). Longer pages are cut (the article comes before the footer).
# Extraction time grows with the page's text (what it costs: bench/README.md).
MAX_HTML_CHARS = 2_000_000
FAST_MODE_ELEMENTS = 15_000  # a typical article page has 1 000 – 5 000 elements
MIN_LEAD_IMAGE_PIXELS = 200  # a content image narrower or lower than this is an icon, not a lead
MAX_AUTHOR_CHARS = 200


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


@dataclass(frozen=True)
class PageReading:
    """What the body step takes from the untouched page before the tree is prepared."""

    captions: dict[str, str]  # absolute image URL → its figcaption
    standfirst: str  # the chapô / standfirst, plain text, or ""
    structured: "StructuredArticle"
    marked: str = ""  # the text the page itself marks as its article body (see _marked_body), or ""


@dataclass(frozen=True)
class StructuredArticle:
    """What the page's JSON-LD says about its article."""

    body: str = ""  # articleBody, as given (text, sometimes HTML)
    free: bool | None = None  # isAccessibleForFree; None when the page does not say
    types: frozenset[str] = frozenset()  # every @type found (NewsArticle, LiveBlogPosting …)


NO_STRUCTURE = StructuredArticle()
