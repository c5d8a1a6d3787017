"""Revue's touches on the blocks of trafilatura's body: its XML-flavoured HTML made plain HTML,
"Lire aussi" cross-links, subscription prompts and slide counters dropped (the phrases are data:
:mod:`revue.crawl.furniture`), lists of other articles' headlines dropped, and the standfirst put
on top."""

from __future__ import annotations

import html as html_lib
import re

from revue.crawl.furniture import COUNTER_WORDS, PAGE_CONTROLS, PROMPT_PIECES, PROMPTS, READ_ALSO

# paragraphs that only point to other articles of the outlet
_READ_ALSO = re.compile(r"^\W*(?:" + "|".join(phrase for phrases in READ_ALSO.values() for phrase in phrases) + ")", re.IGNORECASE)
# subscription, newsletter and page-control prompts (short blocks only)
_PROMPT = re.compile("|".join((*(phrase for phrases in PROMPTS.values() for phrase in phrases), *PAGE_CONTROLS)), re.IGNORECASE)
_COUNTER = re.compile(r"^\d{1,3}\s*(?:" + "|".join(COUNTER_WORDS) + r")\s*\d{1,3}$", re.IGNORECASE)
# anywhere in a body: a cheap test whether _drop_prompts has anything to look at (">" factored
# out of the alternatives that follow a tag: the scan only tries them after one)
_ANY_PROMPT = re.compile(
    ">(?:" + _READ_ALSO.pattern.removeprefix("^") + "|\\s*" + _COUNTER.pattern.strip("^$") + "\\s*<)"
    + "|" + _PROMPT.pattern.replace("^", ">\\s*").replace("$", "\\s*<"),
    re.IGNORECASE,
)
_AFTER_A_TAG = re.compile(">(?:" + _READ_ALSO.pattern.removeprefix("^") + "|\\s*" + _COUNTER.pattern.strip("^$") + "\\s*<)", re.IGNORECASE)


def _may_have_prompts(body: str) -> bool:
    if _AFTER_A_TAG.search(body):
        return True
    lowered = body.lower()
    return any(piece in lowered for piece in PROMPT_PIECES) and _ANY_PROMPT.search(body) is not None


_BLOCK = re.compile(r"<(p|h[2-6])\b[^>]*>(.*?)</\1>\s*", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_READ_ALSO_MAX_CHARS = 300
_SELF_CLOSED = re.compile(r"<(?!(?:img|br|hr)\b)([a-zA-Z][a-zA-Z0-9]*)([^<>]*?)\s*/>")
_INDENT = re.compile(r"\n\s+")
_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)
# trafilatura turns a <caption> into a first row of one header cell and empty cells
_CAPTION_ROW = re.compile(r"<table>\s*<tr>\s*<th>([^<]+)</th>(?:\s*<td></td>)*\s*</tr>")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _title_key(text: str) -> str:
    """Text reduced for comparison: case folded, only letters and digits."""
    return _NOT_ALNUM.sub("", text.casefold())


def _block_key(block: str) -> str:
    return _title_key(html_lib.unescape(_TAG.sub("", block)))


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


_LIST = re.compile(r"<(ul|ol)>((?:(?!<(?:ul|ol)>).)*?)</\1>", re.DOTALL)  # innermost lists
_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
_ITEM_HEADING = re.compile(r"<(h[2-6])>.*?</\1>", re.DOTALL)
_HEADLINE_ITEM_REST_CHARS = 40  # besides its heading, a headline's item holds a date or a label at most


def _drop_headline_lists(body: str) -> str:
    """Drop lists of other articles' headlines that trafilatura kept (a "more news" box under the
    article: each item a link, most of them a heading, and besides the heading no more than a
    date). A list of the article's own points holds text besides its headings (a sentence, a
    paragraph), or no link in some item, and stays."""
    if "<li>" not in body or "<h" not in body:
        return body

    def keep_or_drop(match: re.Match[str]) -> str:
        items = _ITEM.findall(match[2])
        if len(items) < 2 or not all("<a " in item for item in items):
            return match[0]
        if 2 * sum(_ITEM_HEADING.search(item) is not None for item in items) < len(items):
            return match[0]
        rests = (" ".join(html_lib.unescape(_TAG.sub(" ", _ITEM_HEADING.sub(" ", item))).split()) for item in items)
        return "" if all(len(rest) <= _HEADLINE_ITEM_REST_CHARS for rest in rests) else match[0]

    return _LIST.sub(keep_or_drop, body)


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
