"""The images of article HTML, read and rewritten one way (lxml), for every app that shows them.

* ``rewrite_images(html, rewrite)`` — calls ``rewrite(image)`` for every ``<img>`` of ``html`` in
  document order; the callback reads the image (``src``, ``alt``, ``width``, ``height``, ``link``:
  the ``<a>`` that holds nothing but the image) and edits it: ``set_attributes`` (all of them, in
  order), ``replace`` (the tag by trusted markup, '' drops it), ``replace_shown`` (the image with
  its lone link), ``insert_after`` (after the image as shown, its link included). The HTML comes
  back as the same string when no image was edited; otherwise only the edited images (and lone
  links) are written anew, the rest kept as it is, when every image lxml read is an ``<img>``
  tag written as nh3 writes it (stored HTML always is); else the whole fragment is written back
  as nh3 writes it (``revue.html.fragment``), as it is when it was cut inside a tag or holds
  what lxml reads otherwise than a browser (``<svg>``, ``<math>``, ``<noscript>``).
* ``read_images(html)`` — every image as read (``src``, ``alt``, ``width``, ``height``, the
  ``href`` of its lone link), in order; ``image_sources(html)`` — the ``src`` of each that has one.
* ``has_images(html)`` — the fast path: no ``<img`` (nor ``<image``, which browsers read as an
  image) at all, nothing to parse.

lxml reads tags as a browser does (upper case, ``>`` inside quoted values, ``<img/src=…>``,
entities, unclosed and misnested markup) and nothing here raises: markup lxml cannot read at all
comes back as escaped text, so no image of it is ever shown unrewritten. Its tree differs from a
browser's in a few misnestings (it closes ``<u>`` before a ``<p>``, ``<a>`` before a ``<table>``):
that shows only when the whole fragment is written anew.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from lxml import etree

from revue.html.fragment import NOT_XML, Edit, escape_text, parse, serialize, start_tag

_HTML_SPACE = " \t\n\r\f"
_IMAGE_OPENING = re.compile(r"<im(?:g|age)", re.IGNORECASE)  # searched for: faster than lower()


def has_images(html: str | None) -> bool:
    """Whether ``html`` may hold an image (no parsing is needed when it does not)."""
    return bool(html) and _IMAGE_OPENING.search(html) is not None


class Image:
    """One ``<img>`` of a fragment being rewritten."""

    __slots__ = ("element", "link", "_edits")

    def __init__(self, element: etree._Element, edits: dict):
        self.element = element
        self.link = _lone_link(element)
        self._edits = edits

    def get(self, name: str) -> str:
        """The attribute's value, entities decoded ('' when absent)."""
        return self.element.get(name) or ""

    @property
    def src(self) -> str:
        return self.get("src")

    @property
    def alt(self) -> str:
        return self.get("alt")

    @property
    def width(self) -> str:
        return self.get("width")

    @property
    def height(self) -> str:
        return self.get("height")

    @property
    def tag(self) -> str:
        """The ``<img>`` tag as nh3 writes it (its attributes as they are now): to wrap the image,
        ``image.replace(f"<figure>{image.tag}<figcaption>…</figcaption></figure>")``."""
        return start_tag("img", self.element.items())

    @property
    def attributes(self) -> list[tuple[str, str]]:
        """The attributes in their order, values decoded."""
        return list(self.element.items())

    def set_attributes(self, attributes: Iterable[tuple[str, str]]) -> None:
        """Give the image exactly these attributes, in this order (values unescaped)."""
        self.element.attrib.clear()
        for name, value in attributes:
            try:
                self.element.set(name, value)
            except ValueError:  # a control character in the value, or a name lxml refuses (a browser's '"x')
                try:
                    self.element.set(name, NOT_XML.sub("", value))
                except ValueError:
                    continue  # the name: the serialiser would leave it out anyway
        self._edit(self.element)

    def replace(self, markup: str = "") -> None:
        """The ``<img>`` tag replaced by ``markup`` (trusted HTML; '' drops it); its link stays."""
        self._edit(self.element).replace = markup

    def replace_shown(self, markup: str = "") -> None:
        """The image as shown, with the link that holds only it, replaced by ``markup``."""
        self._edit(self.link if self.link is not None else self.element).replace = markup

    def insert_after(self, markup: str) -> None:
        """``markup`` (trusted HTML) right after the image, or after the link that holds only it."""
        self._edit(self.link if self.link is not None else self.element).after += markup

    def _edit(self, element: etree._Element) -> Edit:
        return self._edits.setdefault(element, Edit())


def _lone_link(element: etree._Element) -> etree._Element | None:
    """The ``<a>`` around ``element`` when the link holds nothing else (blank text aside)."""
    parent = element.getparent()
    if parent is None or parent.tag != "a" or len(parent) != 1:
        return None
    if (parent.text or "").strip(_HTML_SPACE) or (element.tail or "").strip(_HTML_SPACE):
        return None
    return parent


def _images_of(body: etree._Element) -> list[etree._Element]:
    return list(body.iter("img", "image"))


def rewrite_images(html: str, rewrite: Callable[[Image], None]) -> str:
    """``html`` with each image passed to ``rewrite``; the same string when none was edited."""
    if not has_images(html):
        return html
    parsed = parse(html)
    if parsed is None:
        return escape_text(html)
    edits: dict = {}
    images = []
    for element in _images_of(parsed.body):
        image = Image(element, edits)
        written = start_tag("img", element.items()) if element.tag == "img" else ""  # as nh3 writes it
        rewrite(image)
        images.append((image, written))
    if not parsed.keepable:  # cut, or read otherwise by a browser: written anew, nothing hidden in it
        return serialize(parsed.body, edits)
    if not edits:
        return html
    spliced = _splice(html, images, edits)
    return spliced if spliced is not None else serialize(parsed.body, edits)


def _splice(html: str, images: list[tuple[Image, str]], edits: dict) -> str | None:
    """``html`` with only the edited images (and their lone links) written anew, the rest kept as
    it is — or None unless every image lxml read is a tag of ``html`` written as nh3 writes it, in
    the same order (then nothing but those tags can be an image: the caller writes it all anew)."""
    starts = [found.start() for found in _IMAGE_OPENING.finditer(html)]
    if len(starts) != len(images) or len(edits) > 2 * len(images):
        return None
    pieces, cursor, placed = [], 0, 0
    for (image, written), start in zip(images, starts):
        if not written or not html.startswith(written, start):
            return None
        element, link, end = image.element, image.link, start + len(written)
        edit, link_edit = edits.get(element), edits.get(link) if link is not None else None
        if edit is None and link_edit is None:
            continue
        shown = written if edit is None else _written(edit, start_tag("img", element.items()))
        placed += edit is not None
        if link_edit is not None:
            opening = start_tag("a", link.items()) + escape_text(link.text or "")
            closing = escape_text(element.tail or "") + "</a>"
            if html[start - len(opening):start] != opening or not html.startswith(closing, end):
                return None
            start, end = start - len(opening), end + len(closing)
            shown = _written(link_edit, opening + shown + closing)
            placed += 1
        if start < cursor:
            return None
        pieces += [html[cursor:start], shown]
        cursor = end
    if placed != len(edits):  # an edit of an element that is neither an image nor its lone link
        return None
    pieces.append(html[cursor:])
    return "".join(pieces)


def _written(edit: Edit, element_html: str) -> str:
    return (element_html if edit.replace is None else edit.replace) + edit.after


@dataclass(frozen=True)
class FoundImage:
    """One image of a fragment as read (values decoded, '' when absent)."""

    src: str
    alt: str
    width: str
    height: str
    link: str  # the href of the link that holds only the image


def read_images(html: str | None) -> list[FoundImage]:
    """Every image of ``html``, in order."""
    if not html or not has_images(html):
        return []
    parsed = parse(html)
    if parsed is None:
        return []
    found = []
    for element in _images_of(parsed.body):
        link = _lone_link(element)
        found.append(FoundImage(
            src=element.get("src") or "", alt=element.get("alt") or "", width=element.get("width") or "",
            height=element.get("height") or "", link=(link.get("href") or "") if link is not None else "",
        ))
    return found


def image_sources(html: str | None) -> list[str]:
    """The ``src`` of every image of ``html`` that has one, entities decoded, in order."""
    return [image.src for image in read_images(html) if image.src]
