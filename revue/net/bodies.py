"""Response bodies read within the size cap: the wire bytes, a declared ``Content-Length`` and
the decoded body are all held to ``max_bytes``.

``Accept-Encoding: gzip, deflate`` bodies are decoded here by bounded zlib decompressors, so at
most one ``DECODE_PIECE`` (64 KiB) is inflated at a time: a gzip bomb is cut at ``max_bytes``
without being inflated.  Brotli is not offered: bounded brotli decoding needs brotli >= 1.2,
which is not a dependency.
"""

from __future__ import annotations

import zlib
from typing import Iterator

import httpx

from revue.net.errors import FetchError

DECODE_PIECE = 64 * 1024  # most bytes one decompressor call may produce


class _Inflater:
    """gzip/deflate decoding in pieces of at most ``DECODE_PIECE`` bytes."""

    def __init__(self, encoding: str) -> None:
        self.gzip = encoding in ("gzip", "x-gzip")
        self._machine = self._new_machine(head=b"")
        self._started = False

    def _new_machine(self, head: bytes):
        if self.gzip:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        # "deflate" is meant to be zlib-wrapped (RFC 9110), but some servers send raw deflate.
        return zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(head) else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            self._machine = self._new_machine(head=data[:2])
        while data:
            piece = self._machine.decompress(data, DECODE_PIECE)
            if piece:
                yield piece
            data = self._machine.unconsumed_tail
            if self._machine.eof:
                data = self._next_member(self._machine.unused_data)

    def _next_member(self, rest: bytes) -> bytes:
        """Concatenated gzip members are one body; anything else after the end is ignored."""
        if self.gzip and rest.startswith(b"\x1f\x8b"):
            self._machine = self._new_machine(head=b"")
            return rest
        return b""

    def flush(self) -> Iterator[bytes]:
        if not self._machine.eof:
            piece = self._machine.flush()
            if piece:
                yield piece


def _zlib_wrapped(head: bytes) -> bool:
    """Whether a deflate body starts with a zlib header (RFC 1950) rather than raw deflate."""
    if len(head) < 2:
        return True
    return (head[0] & 0x0F) == 8 and (head[0] << 8 | head[1]) % 31 == 0


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _body_decoder(content_encoding: str, url: str):
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0])
    raise FetchError(
        "protocol", f"unsupported Content-Encoding {content_encoding!r} from {url}", url=url
    )


def too_large(url: str, max_bytes: int, what: str = "the decoded body") -> FetchError:
    return FetchError(
        "too_large",
        f"response from {url} is too large: {what} exceeds the limit of {max_bytes} bytes "
        "(REVUE_FETCH_MAX_BYTES)",
        url=url,
    )


async def read_body(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(url, max_bytes, f"its Content-Length {declared}")
    decoder = _body_decoder(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    wire = 0
    try:
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            if wire > max_bytes:
                raise too_large(url, max_bytes, "the body on the wire")
            _append_bounded(body, decoder.feed(chunk), url, max_bytes)
        _append_bounded(body, decoder.flush(), url, max_bytes)
    except zlib.error as exc:
        raise FetchError("protocol", f"corrupt compressed body from {url}: {exc}", url=url) from None
    return bytes(body)


def _append_bounded(body: bytearray, pieces: Iterator[bytes], url: str, max_bytes: int) -> None:
    for piece in pieces:
        body += piece
        if len(body) > max_bytes:
            raise too_large(url, max_bytes)
