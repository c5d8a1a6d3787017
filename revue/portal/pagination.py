"""Lists cut into pages without counting: ``?page=N`` reads ``LIMIT size + 1`` rows.

The extra row only says whether a next page exists, so a list never runs ``COUNT(*)`` over the
article table. Pages past ``REVUE_PORTAL_MAX_PAGE`` (default 500) do not exist; a page number
that is not a whole number from 1 is the reader's mistake and gets a clear 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext


class InvalidPageNumber(ValueError):
    """``?page=`` is not a whole number from 1; its message is for the reader."""


def max_page() -> int:
    return settings.REVUE_PORTAL_MAX_PAGE


def page_number(raw: str | None) -> int:
    """The page asked for in ``?page=``: 1 when absent; 404 beyond the last allowed page."""
    if raw is None or raw == "":
        return 1
    if not re.fullmatch(r"[0-9]+", raw):
        raise InvalidPageNumber(
            gettext("« %(value)s » n'est pas un numéro de page : indiquez un nombre entier, par exemple ?page=2.") % {"value": raw[:20]}
        )
    digits = raw.lstrip("0") or "0"
    if len(digits) > 9 or int(digits) > max_page():  # no int() of a thousand-digit number
        raise Http404("Cette page n'existe pas.")
    number = int(digits)
    if number < 1:
        raise InvalidPageNumber(gettext("Les pages sont numérotées à partir de 1."))
    return number


@dataclass(frozen=True)
class Page:
    """One page of a list: its items and whether pages exist on either side."""

    number: int
    items: list
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @classmethod
    def of(cls, queryset, number: int, size: int | None = None) -> Page:
        """Page ``number`` of an ordered ``queryset``, in one query of ``size + 1`` rows."""
        size = settings.REVUE_PAGE_SIZE if size is None else size
        start = (number - 1) * size
        rows = list(queryset[start : start + size + 1])
        return cls(number=number, items=rows[:size], has_next=len(rows) > size)
