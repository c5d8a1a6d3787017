"""An HTML fragment read by lxml and written back as nh3 writes it.

``parse(html)`` reads a fragment (an article body) with lxml's HTML parser into the children of
a ``<body>`` (and tells whether the fragment may be kept as written: not when it ends inside a
tag, a comment or raw text, as a cut one does, nor when it holds markup lxml reads otherwise
than a browser); ``serialize(body, edits)`` writes them back the way nh3 (html5ever) serialises, so
that sanitized HTML, which is nh3's canonical output, comes back byte for byte where nothing was
edited: double-quoted attributes in their order, ``&amp; &nbsp; &quot; &lt; &gt;`` escaped in
attribute values, ``&amp; &nbsp; &lt; &gt;`` in text, void elements without an end tag.

Whatever lxml built, the text written holds no markup but the elements' own tags: text and
attribute values are always escaped (raw-text elements such as ``<style>`` keep their text raw
only when it holds no ``<``), comments that could end early are left out, and an element or
attribute whose name a browser would read differently is written without its tags (its content
stays) or left out. So every ``<img`` in the output is an element lxml saw.

``edits`` maps an element to trusted markup: ``Edit.replace`` stands for the element (and its
content; its tail text stays), ``Edit.after`` goes right after its end tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

VOID_ELEMENTS = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
        "keygen", "link", "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"})
_ELEMENT_NAME = re.compile(r"[a-z][a-z0-9-]*")
_ATTRIBUTE_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+")
# characters lxml refuses in a value set through its API (its parser reads them, NUL as U+FFFD)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_END = "revue:end-of-fragment"
_END_MARK = re.compile(r"<!--revue:end-of-fragment(?:-(?:->?)?)?")
_READ_OTHERWISE = re.compile(r"<(?:svg|math|noscript)", re.IGNORECASE)
_PARSER = etree.HTMLParser(remove_comments=False, remove_pis=True, no_network=True, recover=True)


@dataclass
class Edit:
    """What the serialiser writes for one element instead of, or after, the element."""

    replace: str | None = None  # trusted markup in place of the element ('' drops it)
    after: str = ""  # trusted markup right after the element


@dataclass(frozen=True)
class Parsed:
    """A fragment read by lxml: the ``<body>`` around it, and whether the fragment as written may
    be kept: it ends outside any tag, comment or raw text (else the page around it would be read
    into it) and holds nothing lxml reads otherwise than a browser (``<svg>`` and ``<math>``,
    whose ``<style>`` is no raw text there, ``<noscript>``, raw text where scripts run)."""

    body: etree._Element
    keepable: bool


def parse(html: str) -> Parsed | None:
    """The ``<body>`` lxml builds around ``html``, or None when lxml cannot read it."""
    # a comment after the fragment is read as a comment, and last, only if the fragment is closed
    try:
        root = etree.fromstring(f"<html><body>{html}<!--{_END}-->", _PARSER)
    except UnicodeEncodeError:  # lone surrogates, left by a bad decode upstream
        return parse(html.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
    except (etree.ParserError, ValueError):
        return None
    body = None if root is None else root.find("body")
    if body is None:
        return None
    for after in list(body.itersiblings()):  # what follows a </body>: a browser reads it into the body
        body.append(after)
    last = body
    while len(last):
        last = last[-1]
    closed = last.tag is etree.Comment and last.text == _END and not last.tail
    if closed:
        last.getparent().remove(last)
    else:  # the end comment was read into the cut tag, comment or raw text: it is not the fragment's
        if _has_end(last.text):
            last.text = _no_end(last.text)
        if _has_end(last.tail):
            last.tail = _no_end(last.tail)
        for name, value in last.items():
            if _has_end(value):
                try:
                    last.set(name, _no_end(value))
                except ValueError:  # a name lxml refuses through its API: the serialiser leaves it out
                    pass
    return Parsed(body, closed and _READ_OTHERWISE.search(html) is None)


def _has_end(text: str | None) -> bool:
    return text is not None and "revue:end" in text


def _no_end(text: str) -> str:
    return NOT_XML.sub("", _END_MARK.sub("", text))  # lxml takes no control character through its API


def escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "\xa0" in text:
        text = text.replace("\xa0", "&nbsp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(value: str) -> str:
    return escape_text(value).replace('"', "&quot;") if '"' in value else escape_text(value)


def start_tag(name: str, attributes) -> str:
    """``<name a="v" …>`` with the attributes a browser reads by the same names."""
    written = "".join(
        f' {key}="{escape_attribute(value)}"'
        for key, value in attributes
        if isinstance(key, str) and _ATTRIBUTE_NAME.fullmatch(key)
    )
    return f"<{name}{written}>"


def _text(text: str | None, parent: str) -> str:
    if not text:
        return ""
    if parent in RAW_TEXT_ELEMENTS and "<" not in text:
        return text
    return escape_text(text)


def _comment(text: str | None) -> str:
    """A comment as nh3 keeps it, or '' when it could end early or hide markup."""
    text = text or ""
    if "--" in text or "<" in text or ">" in text or text.startswith("-") or text.endswith("-"):
        return ""
    return f"<!--{text}-->"


def serialize(body: etree._Element, edits: dict | None = None) -> str:
    """The content of ``body`` (its text and children) written back as nh3 writes HTML."""
    edits = edits or {}
    out = [_text(body.text, "body")]
    # a stack of elements still to write (with their parent's name) and of strings to write as is
    pending: list = [(child, "body") for child in reversed(body)]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        element, parent = item
        edit = edits.get(element)
        tail = _text(element.tail, parent)
        if edit is not None and edit.replace is not None:
            out.append(edit.replace + edit.after + tail)
            continue
        tag = element.tag
        if not isinstance(tag, str):  # a comment (processing instructions are dropped when parsing)
            out.append((_comment(element.text) if tag is etree.Comment else "") + tail)
            continue
        name = tag.lower()
        known = _ELEMENT_NAME.fullmatch(name) is not None
        if name == "image":  # browsers read <image> as <img> (lxml keeps the name): written as one
            name = "img"
        if known:
            out.append(start_tag(name, element.items()))
        out.append(_text(element.text, name))
        end = f"</{name}>" if known and name not in VOID_ELEMENTS else ""
        pending.append(end + (edit.after if edit is not None else "") + tail)
        pending.extend((child, name) for child in reversed(element))
    return "".join(out)
