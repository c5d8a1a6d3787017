"""Decode (step 1): any feed's bytes as UTF-8 bytes without a byte order mark.

Byte order mark, then UTF-16 without one, then valid UTF-8 (kept without a copy), then the
declared charset, then the server's, then windows-1252 with replacement; ISO-8859-1 and ASCII
read as windows-1252, as browsers do. The XML declaration is then made to say UTF-8 and the
control characters XML forbids are dropped.
"""

from __future__ import annotations

import codecs
import re


_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


# Labels that browsers, and this stage, read as windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}
)


_MARKS = tuple(mark for mark, _ in _BYTE_ORDER_MARKS)


# A Unicode label without a byte order mark or valid UTF-8 bytes is a stale declaration.
_UNICODE_LABELS = ("utf-8", "utf8", "utf-16", "utf16", "utf-32", "utf32")


def _http_charset(content_type: str) -> str:
    """The charset a Content-Type header names ("windows-1256"), lower-cased, or ""."""
    match = re.search(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", content_type or "", re.IGNORECASE)
    label = match.group(1).lower() if match else ""
    return "cp1252" if label in _WINDOWS_1252_LABELS else label


def _utf8_document(data: bytes, http_charset: str = "") -> bytes:
    """The document as UTF-8 bytes without a byte order mark (``_decode``'s reading); valid
    UTF-8 is kept as it is, without a copy."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if body is data and (data.startswith(_MARKS) or _utf16_without_mark(data)):
        return _decode(data, http_charset).encode("utf-8")
    if body.isascii():
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, http_charset).encode("utf-8")
    return body


def _decode(data: bytes, http_charset: str = "") -> str:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding, errors="replace")
    utf16 = _utf16_without_mark(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data) or http_charset  # the document's own word, then the server's
    if declared and not declared.startswith(_UNICODE_LABELS):
        try:
            return data.decode(declared, errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _utf16_without_mark(data: bytes) -> str:
    head = data[:4]
    if len(head) < 4:
        return ""
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    return ""


def _declared_encoding(data: bytes) -> str:
    match = _DECLARED_ENCODING.match(data[:1024])
    if not match:
        return ""
    label = match.group(1).decode("ascii").lower()
    return "cp1252" if label in _WINDOWS_1252_LABELS else label


# Not allowed in XML 1.0. In UTF-8 these bytes only ever stand for themselves, so
# deleting them from the encoded document is exact.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


_XML_DECLARATION_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])""")


def _as_utf8_xml(document: bytes) -> bytes:
    """The UTF-8 document with its declaration saying so and without control characters."""
    declaration = _XML_DECLARATION_ENCODING.match(document) if document.startswith(b"<?xml") else None
    if declaration and declaration.group(2).lower() not in (b"utf-8", b"utf8"):
        document = declaration.group(1) + b"utf-8" + declaration.group(3) + document[declaration.end() :]
    return document.translate(None, _CONTROL_BYTES)  # faster than looking for them first
