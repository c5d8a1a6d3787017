"""Decode (step 1): any feed's bytes as UTF-8 bytes without a byte order mark.

Read as ``revue.text.decode`` reads all outside bytes (byte order mark, UTF-16 without one, valid
UTF-8 — kept here without a copy —, the XML declaration's charset, then the server's, then
charset_normalizer's guess, windows-1252 last). The XML declaration is then made to say UTF-8 and the
control characters XML forbids are dropped.
"""

from __future__ import annotations

import codecs
import re

from revue.text.decode import MARKS, decode, utf16_without_mark, xml_charset


def _utf8_document(data: bytes, http_charset: str = "") -> bytes:
    """The document as UTF-8 bytes without a byte order mark (``_decode``'s reading); valid
    UTF-8 is kept as it is, without a copy."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if body is data and (data.startswith(MARKS) or utf16_without_mark(data)):
        return _decode(data, http_charset).encode("utf-8")
    if body.isascii():
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, http_charset).encode("utf-8")
    return body


def _decode(data: bytes, http_charset: str = "") -> str:
    """``revue.text.decode.decode``, the document's own declaration trusted before the server's."""
    return decode(data, xml_charset(data), http_charset)


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
