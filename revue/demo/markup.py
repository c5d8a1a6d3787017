"""The HTML of an article's body as each site layout writes it.

Plain-text paragraphs go in; out comes the markup the article page carries (and the full-content
feeds too): `<p>` in the semantic and WordPress layouts, `<div class="zn-body__paragraph">` in the
div soup, paragraphs wrapped in two nested divs in the "nested" layout. One paragraph may carry an
inline link, and one figure (`<img>` + `<figcaption>`) may sit between paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class InlineLink:
    """Wrap the first occurrence of `anchor` in paragraph number `paragraph` with a link to `href`."""

    paragraph: int
    anchor: str
    href: str


@dataclass(frozen=True)
class Figure:
    """An inline image placed after paragraph number `after`."""

    after: int
    src: str
    caption: str


def text_markup(text: str, anchor: str = "", href: str = "") -> str:
    """Escaped text, with the first occurrence of `anchor` made a link."""
    if not anchor or anchor not in text:
        return escape(text, quote=False)
    before, after = text.split(anchor, 1)
    link = f'<a href="{escape(href)}">{escape(anchor, quote=False)}</a>'
    return escape(before, quote=False) + link + escape(after, quote=False)


def paragraph_markup(layout: str, inner: str) -> str:
    if layout == "divsoup":
        return f'<div class="zn-body__paragraph">{inner}</div>'
    if layout == "nested":
        return f'<div class="txt"><div class="txt__inner"><p>{inner}</p></div></div>'
    if layout == "entry":
        return f"<!-- wp:paragraph -->\n<p>{inner}</p>\n<!-- /wp:paragraph -->"
    return f"<p>{inner}</p>"


def figure_markup(layout: str, figure: Figure) -> str:
    css = {"entry": "wp-block-image size-large", "divsoup": "el__embedded media",
           "nested": "story__figure"}.get(layout, "inline-figure")
    caption = escape(figure.caption, quote=False)
    return (f'<figure class="{css}"><img src="{escape(figure.src)}" alt="{escape(figure.caption)}" '
            f'width="640" height="360" loading="lazy"><figcaption>{caption}</figcaption></figure>')


def body_markup(layout: str, paragraphs: tuple[str, ...], link: InlineLink | None,
                figure: Figure | None) -> str:
    """The body HTML of one article in one layout."""
    parts = []
    for position, text in enumerate(paragraphs):
        if link is not None and link.paragraph == position:
            inner = text_markup(text, link.anchor, link.href)
        else:
            inner = text_markup(text)
        parts.append(paragraph_markup(layout, inner))
        if figure is not None and figure.after == position:
            parts.append(figure_markup(layout, figure))
    return "\n".join(parts)
