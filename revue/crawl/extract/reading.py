"""What the body step reads on the untouched page before the tree is prepared: the standfirst
(chapô) and the class and id words the steps look elements up by."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from revue.crawl.furniture import BOILERPLATE_WORDS, LIVE_WORDS, STANDFIRST_WORDS
from revue.crawl.rules import NamedElement, named

# the class and id words whose elements the steps look up (read once: rules.class_and_id_words)
_NAME_WORDS = BOILERPLATE_WORDS | STANDFIRST_WORDS | LIVE_WORDS
_STANDFIRST_CHARS = (40, 800)
_CLASS_WORDS = re.compile(r"[^a-z0-9]+")


def _class_words(element: HtmlElement) -> set[str]:
    return set(_CLASS_WORDS.split(f"{element.get('class') or ''} {element.get('id') or ''}".lower()))


def _standfirst(tree: HtmlElement, names: list[NamedElement]) -> str:
    """The page's standfirst: the first ``p``/``div`` after the ``<h1>`` whose class or id says
    chapô, standfirst, lede, intro … and that holds a sentence or two of text, no picture."""
    heading = next(tree.iter("h1"), None)
    after = heading.sourceline or 0 if heading is not None else 0
    for element in sorted(named(names, STANDFIRST_WORDS), key=lambda e: e.sourceline or 0):
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
