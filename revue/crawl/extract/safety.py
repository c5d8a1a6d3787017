"""The safety net: when the first pass lost most of the article, plain extraction's body."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from revue.crawl.clean import html_to_text
from revue.crawl.extract.body import _SOFT_HYPHEN, _article_text, _finished_body
from revue.crawl.extract.engine import _trafilatura_body
from revue.crawl.extract.values import PageReading, StructuredArticle
from revue.crawl.rules import ExtractionRules, drop_matching

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
