"""Bytes from outside to text: one reading for feeds and pages alike.

``decode(data, *declared)`` reads, in order: a byte order mark; UTF-16 without one (a feed's
``<?xml`` in UTF-16 starts with ``<\\0?\\0``); valid UTF-8 (whatever a label says: such bytes are
UTF-8 all but never by chance, and servers' labels are often stale); then the labels the caller
found, most trusted first (a feed's XML declaration before the server's header, a page's server
header before its ``<meta>``), a Unicode label being stale once the bytes are not valid UTF-8;
then charset_normalizer's guess when no label helped (an Arabic page in windows-1256 that names
no charset); windows-1252 last, with replacement. ISO-8859-1 and ASCII labels read as
windows-1252, as browsers do (WHATWG Encoding Standard). Never raises.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
MARKS = tuple(mark for mark, _ in BYTE_ORDER_MARKS)

# Labels that browsers read as windows-1252.
_WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}
)
# A Unicode label without a byte order mark or valid UTF-8 bytes is a stale declaration.
_UNICODE_LABELS = ("utf-8", "utf8", "utf-16", "utf16", "utf-32", "utf32")
_GUESS_BYTES = 65536  # charset_normalizer reads this much of a document at most

_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def label(name: str | bytes) -> str:
    """A charset label as this module reads it: lower case, windows-1252 for its aliases."""
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    name = name.strip().lower()
    return "cp1252" if name in _WINDOWS_1252_LABELS else name


def http_charset(content_type: str) -> str:
    """The charset a Content-Type header names (``windows-1256``), or ""."""
    match = _HTTP_CHARSET.search(content_type or "")
    return label(match.group(1)) if match else ""


def xml_charset(data: bytes) -> str:
    """The encoding an XML declaration names, or ""."""
    match = _XML_ENCODING.match(data[:1024])
    return label(match.group(1)) if match else ""


def meta_charset(data: bytes) -> str:
    """The charset an HTML page's ``<meta>`` names in its first 4 kB, or ""."""
    match = _META_CHARSET.search(data[:4096])
    return label(match.group(1)) if match else ""


def utf16_without_mark(data: bytes) -> str:
    """``utf-16-le``/``-be`` when the first characters are ASCII written in UTF-16, else ""."""
    head = data[:4]
    if len(head) < 4:
        return ""
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    return ""


def decode(data: bytes, *declared: str) -> str:
    """``data`` as text (the module docstring says in which order it is read)."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark):].decode(encoding, errors="replace")
    utf16 = utf16_without_mark(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in declared:
        name = label(name) if name else ""
        if name and not name.startswith(_UNICODE_LABELS):
            try:
                return data.decode(name, errors="replace")
            except LookupError:  # a label Python does not know: the next clue
                continue
    guess = _guess(data)
    return data.decode(guess or "cp1252", errors="replace")


def _guess(data: bytes) -> str:
    """charset_normalizer's best encoding for bytes that name none ("" when it has none)."""
    try:
        best = from_bytes(data[:_GUESS_BYTES]).best()
        encoding = best.encoding if best is not None else ""
        codecs.lookup(encoding)
    except Exception:  # a guess is only a guess: never let it fail a feed or a page
        return ""
    return "" if encoding.startswith(("utf_16", "utf_32")) else encoding
