"""What the start of a document says before any library reads it: its root element, its
DOCTYPE, the format that root names."""

from __future__ import annotations

import re
from dataclasses import dataclass


_HEAD_BYTES = 65536


def _head_text(document: bytes) -> str:
    """The start of the document as text, for the checks that read only its prolog."""
    return document[:_HEAD_BYTES].decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class _Prolog:
    root: str  # qualified name of the root element as written ("rdf:RDF"), or ""
    doctype: str  # the whole <!DOCTYPE …> declaration, or ""
    root_tag: str = ""  # the root's start tag, attributes and all

    @property
    def empty_root(self) -> bool:
        return self.root_tag.endswith("/>")

    @property
    def local(self) -> str:
        return self.root.rpartition(":")[2].lower()


_ELEMENT_NAME = re.compile(r"[A-Za-z_][\w.:-]*")


_INTERNAL_SUBSET_END = re.compile(r"\]\s*>")


def _read_prolog(text: str) -> _Prolog:
    """The root element's name and the DOCTYPE, stepping over comments and instructions."""
    position, doctype = 0, ""
    while (start := text.find("<", position)) != -1:
        if text.startswith("<!--", start):
            end = _end_after(text, "-->", start + 4)
        elif text.startswith("<?", start):
            end = _end_after(text, "?>", start + 2)
        elif text.startswith("<!", start) and text[start + 2 : start + 9].upper() == "DOCTYPE":
            end = _doctype_end(text, start)
            doctype = text[start:end] if end != -1 else text[start:]
        elif text.startswith("<!", start):
            end = _end_after(text, ">", start + 2)
        else:
            name = _ELEMENT_NAME.match(text, start + 1)
            tag_end = text.find(">", start)
            root_tag = text[start : tag_end + 1] if tag_end != -1 else ""
            return _Prolog(root=name.group(0) if name else "", doctype=doctype, root_tag=root_tag)
        if end == -1:
            break
        position = end
    return _Prolog(root="", doctype=doctype)


def _end_after(text: str, marker: str, start: int) -> int:
    found = text.find(marker, start)
    return -1 if found == -1 else found + len(marker)


def _doctype_end(text: str, start: int) -> int:
    bracket, close = text.find("[", start), text.find(">", start)
    if bracket == -1 or (close != -1 and close < bracket):
        return -1 if close == -1 else close + 1
    subset_end = _INTERNAL_SUBSET_END.search(text, bracket)
    return len(text) if subset_end is None else subset_end.end()


_RSS090_NAMESPACE = "http://my.netscape.com/rdf/simple/0.9/"


def _feed_format(prolog: _Prolog) -> str:
    return {"feed": "atom", "rdf": "rdf"}.get(prolog.local, "rss")
