"""The parsed page made ready for the body step, in place: the outlet's drop rules and the
built-in furniture rules, the title's headings out of the way, loose text after a picture's box
made a paragraph, lazy images revealed, a picture page's slideshows opened, a live blog's post
times made paragraphs, and a locked page's JSON-LD removed; and the outlet's keep rules."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from revue.crawl.extract.blocks import _title_key
from revue.crawl.extract.pictures import _LAZY_SRC_ATTRIBUTES
from revue.crawl.extract.reading import _class_words
from revue.crawl.extract.values import StructuredArticle
from revue.crawl.furniture import LIVE_WORDS, SLIDESHOW_WORDS
from revue.crawl.rules import ExtractionRules, NamedElement, drop_boilerplate, drop_matching, kept_elements, named

_SLIDESHOW_DEPTH = 4
_LIVE_TYPES = frozenset({"LiveBlogPosting"})
_LIVE_MIN_POSTS = 5
_TIME_MAX_CHARS = 40


def _prepare_body_tree(
    tree: HtmlElement, rules: ExtractionRules, structured: StructuredArticle, title: str, names: list[NamedElement], *, pictures: bool = False
) -> None:
    """Make the parsed page ready for the body step, in place (see the module docstring).
    ``names``: the class and id words read before (``rules.class_and_id_words``)."""
    drop_matching(tree, rules.drop)
    drop_boilerplate(tree, names)
    _drop_title_headings(tree, title)
    _loose_text_as_paragraphs(tree)
    _reveal_lazy_images(tree)
    if pictures:  # elsewhere a slide class is often on the article's own container (a content slider)
        _open_slideshows(tree)
    if _is_live_blog(structured, names):
        _time_stamps_as_paragraphs(tree)
    if structured.free is False:
        _remove_json_ld(tree)


def _drop_title_headings(tree: HtmlElement, title: str) -> None:
    """The page's own headline (the portal shows the title itself): out of the body's way, so
    trafilatura's recovery of short pages does not bring the page header back with it."""
    key = _title_key(title)
    if not key:
        return
    for heading in list(tree.iter("h1", "h2")):
        if _title_key(heading.text_content()) == key and heading.getparent() is not None:
            heading.drop_tree()


_BLOCK_TAGS = frozenset({"div", "figure", "picture", "section", "aside", "header", "table", "ul", "ol", "dl", "form", "blockquote"})
_LOOSE_MIN_CHARS = 40
_LOOSE_BOX_DEPTH = 4  # how far up from a picture its box may be


def _loose_text_as_paragraphs(tree: HtmlElement) -> None:
    """Text written loose after a picture's box (``<div class=photo><img …></div>Anchor: After
    heavy downpours…<br>``) made a paragraph of its own: without pictures, trafilatura drops
    such a box with the text that follows it (its tail), and the article's first paragraph went
    with the picture before it."""
    for image in list(tree.iter("img")):
        for depth, box in enumerate(image.iterancestors()):
            if depth >= _LOOSE_BOX_DEPTH or box.tag in ("p", "li", "td", "th", "body"):
                break
            tail = box.tail
            if box.tag not in _BLOCK_TAGS or not tail or len(tail) < _LOOSE_MIN_CHARS or len(tail.strip()) < _LOOSE_MIN_CHARS:
                continue
            parent = box.getparent()
            if parent is None or parent.tag in ("p", "li", "td", "th", "a", "span"):
                break
            paragraph = etree.Element("p")
            paragraph.text, box.tail = tail, None
            box.addnext(paragraph)
            break


def _reveal_lazy_images(tree: HtmlElement) -> None:
    """Lazy-loaded images: the real URL from ``data-src`` & co. replaces a placeholder ``src``."""
    for image in tree.iter("img"):
        src = (image.get("src") or "").strip()
        if src and not src.startswith("data:"):
            continue
        for attribute in _LAZY_SRC_ATTRIBUTES[1:]:
            real = (image.get(attribute) or "").strip()
            if real and not real.startswith("data:"):
                image.set("src", real)
                break


def _open_slideshows(tree: HtmlElement) -> None:
    """Slideshows made plain figures: a list whose every item holds a figure becomes blocks
    (trafilatura keeps figures, not list items made of pictures), and the containers of a
    captioned figure lose a class naming them a slide or gallery (trafilatura drops "slide")."""
    for listing in list(tree.iter("ul", "ol")):
        items = [child for child in listing if isinstance(child.tag, str)]
        if len(items) >= 2 and all(item.tag == "li" and next(item.iter("figure"), None) is not None for item in items):
            listing.tag = "div"
            for item in items:
                item.tag = "div"
    for caption in tree.iter("figcaption"):
        for depth, container in enumerate(caption.iterancestors()):
            if depth > _SLIDESHOW_DEPTH or container.tag in ("article", "main", "body"):
                break
            if not _class_words(container).isdisjoint(SLIDESHOW_WORDS):
                container.attrib.pop("class", None)


def _is_live_blog(structured: StructuredArticle, names: list[NamedElement]) -> bool:
    """JSON-LD says ``LiveBlogPosting``, or several posts named "live" each carry a time."""
    if structured.types & _LIVE_TYPES:
        return True
    posts = [element for element in named(names, LIVE_WORDS) if element.find(".//time") is not None]
    return len(posts) >= _LIVE_MIN_POSTS


def _time_stamps_as_paragraphs(tree: HtmlElement) -> None:
    """A live blog's post times ("14h32") are part of each post: make each a paragraph on top of
    its post, out of the metadata line trafilatura drops."""
    for stamp in list(tree.iter("time")):
        text = " ".join(stamp.text_content().split())
        if not text or len(text) > _TIME_MAX_CHARS:
            continue
        post = next((a for a in stamp.iterancestors() if a.tag != "p" and next(a.iter("p"), None) is not None), None)
        if post is None or post.tag in ("body", "html", "main"):
            continue
        paragraph = etree.Element("p")
        paragraph.text = text
        stamp.drop_tree()  # lxml.html: the text after it stays
        post.insert(0, paragraph)


def _remove_json_ld(tree: HtmlElement) -> None:
    """A page for subscribers only: its JSON-LD goes, so no fallback republishes its body."""
    for script in list(tree.iter("script")):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.getparent() is not None:
            script.getparent().remove(script)


def _kept_html(tree: HtmlElement, rules: ExtractionRules) -> str:
    """The HTML of what the outlet's keep selectors match, or "" when they match nothing."""
    kept = kept_elements(tree, rules.keep)
    return "\n".join(etree.tostring(element, encoding="unicode", method="html", with_tail=False) for element in kept)
