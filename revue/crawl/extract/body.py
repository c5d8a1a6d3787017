"""The article's HTML and text from trafilatura's body (or the keep rules'): Revue's touches
made in order, sanitized last."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from revue.crawl.clean import html_to_text, sanitize_html
from revue.crawl.extract.blocks import _drop_headline_lists, _drop_prompts, _title_key, _untangle, _with_standfirst
from revue.crawl.extract.engine import _trafilatura_body
from revue.crawl.extract.pictures import _FIGCAPTION, _pictures_in_flow, _restore_figures, _with_pictures
from revue.crawl.extract.steps import _guarded
from revue.crawl.extract.structured import _with_structured_body
from revue.crawl.extract.values import PageReading

_BLANK_LINES = re.compile(r"\n\s*\n")
_LEADING_HEADING = re.compile(r"^\s*<h[1-3]>(.*?)</h[1-3]>", re.DOTALL)


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


def _drop_repeated_title(content: str, title: str) -> str:
    """The portal shows the title itself: drop a first heading that only repeats it."""
    match = _LEADING_HEADING.match(content)
    if match and title and _title_key(html_to_text(match[1])) == _title_key(title):
        return content[match.end() :].strip()
    return content


def _article_html(body: str, reading: PageReading, title: str, url: str, *, from_rules: bool = False) -> str:
    """The stored article HTML: trafilatura's (or the keep rules') body made clean HTML,
    cross-links, prompts and lists of other articles' headlines dropped, captions and standfirst
    put back, sanitized last."""
    if body:
        body = _drop_headline_lists(_drop_prompts(_untangle(body)))
        if not from_rules:
            body = _restore_figures(body, reading.captions, url)
    body = _with_standfirst(body, reading.standfirst)
    body = _with_structured_body(body, reading.structured)
    if not body:
        return ""
    return _drop_repeated_title(_BLANK_LINES.sub("\n", sanitize_html(body, url)), title)
