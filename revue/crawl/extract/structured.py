"""The page's JSON-LD: its article's ``articleBody``, ``isAccessibleForFree`` and types, and the
``articleBody`` used as the body when the page showed much less of it (a JavaScript page)."""

from __future__ import annotations

import html as html_lib
import json
import re

from lxml.html import HtmlElement

from revue.crawl.clean import html_to_text
from revue.crawl.extract.blocks import _title_key
from revue.crawl.extract.values import StructuredArticle

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
