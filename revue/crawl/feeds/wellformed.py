"""Whether an XML document is well-formed, asked at most once and only when a reading needs
to know (an entry with neither link nor id is kept from a whole document, dropped as debris
from a damaged one), and the first error of one that is not."""

from __future__ import annotations

import functools
import re
from typing import Any

from lxml import etree

from revue.crawl.feeds.values import _shorten


class _WellFormedness:
    """Whether the document is well-formed XML, checked at most once and only if asked.

    Called as ``keep_anonymous()``: an entry with neither link nor id is kept from a
    well-formed document (a brief without a page) and dropped from a damaged one, where
    it is usually debris of the parser's recovery.
    """

    def __init__(self, document: bytes) -> None:
        self._document = document
        self._answer: bool | None = None

    def __call__(self) -> bool:
        if self._answer is None:
            self._answer = self.tree is not None
        return self._answer

    @property
    def known(self) -> bool:
        return self._answer is not None

    def read_whole(self) -> None:
        """fastfeedparser's native reader, which takes only well-formed XML, read it."""
        if self._answer is None:
            self._answer = True

    @functools.cached_property
    def tree(self) -> Any:
        """The document's lxml tree, or None when it is not well-formed."""
        try:
            return etree.fromstring(self._document, parser=_strict_parser())
        except etree.XMLSyntaxError:
            return None

    @functools.cached_property
    def markup_in_text(self) -> bool:
        """Whether an RSS title, description or content:encoded holds elements."""
        return _MARKUP_IN_TEXT.search(self._document) is not None


# An RSS title, description or content:encoded holding elements rather than text or CDATA
# (the Guardian's descriptions are raw HTML); fastfeedparser keeps only the text before the
# first element.
_MARKUP_IN_TEXT = re.compile(rb"<(title|description|content:encoded)>[^<]*<(?!/\1>|!\[CDATA\[)")


def _strict_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


def _xml_syntax_error(document: bytes) -> tuple[int, str] | None:
    """(line, message) of the first well-formedness error, or None."""
    try:
        etree.fromstring(document, parser=_strict_parser())
    except etree.XMLSyntaxError as exc:
        return exc.lineno or 1, _shorten(exc.msg or str(exc))
    return None
