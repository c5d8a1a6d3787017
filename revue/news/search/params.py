"""Search filters from what a reader or an API client sent: outlet, category, language, dates.

Shared by the portal's search page, its search feeds and the JSON API, so that all three accept
the same values and refuse bad ones with the same message (``InvalidSearch``: a 400, never a 500).
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext

from revue.news.models import Category
from revue.news.search.query import SearchFilters
from revue.sources.models import Source

LANGUAGE = re.compile(r"[a-z]{2,3}")
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


# Days outside these bounds are refused: the archive has nothing there, and the day after
# 9999-12-31 does not exist (a range's end is taken as the start of the next day).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


class InvalidSearch(ValueError):
    """A filter value that cannot be used; the message is for the reader, in the edition's language."""


def parse_day(raw: str, name: str) -> date | None:
    """``2025-12-08`` as a date; None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = ISO_DAY.fullmatch(raw)
    try:
        if match is None:
            raise ValueError
        day = date(*(int(part) for part in match.groups()))
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError
        return day
    except ValueError:
        raise InvalidSearch(gettext("« %(value)s » n'est pas une date valide pour « %(name)s » : écrivez-la AAAA-MM-JJ, par exemple 2025-12-08.")
                            % {"value": raw[:20], "name": name}) from None


def outlet_ids(slug: str) -> tuple[int, ...]:
    slug = (slug or "").strip()
    if not slug:
        return ()
    pk = Source.objects.filter(slug=slug[:60], is_active=True).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidSearch(gettext("Aucune source ne s'appelle « %(name)s ».") % {"name": slug[:60]})
    return (pk,)


def category_id(slug: str) -> int | None:
    slug = (slug or "").strip()
    if not slug:
        return None
    pk = Category.objects.filter(slug=slug[:60]).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidSearch(gettext("Aucune rubrique ne s'appelle « %(name)s ».") % {"name": slug[:60]})
    return pk


def language(raw: str) -> str:
    raw = (raw or "").strip().lower()
    if raw and not LANGUAGE.fullmatch(raw):
        raise InvalidSearch(f"« {raw[:20]} » n'est pas un code de langue : utilisez par exemple fr, ar, es ou en.")
    return raw


def search_filters(
    *, outlet: str = "", category: str = "", lang: str = "", since: str = "", until: str = "",
    date_names: tuple[str, str] = ("du", "au"),
) -> SearchFilters:
    """The filters these values ask for; raises ``InvalidSearch`` with a message for the reader."""
    first, last = parse_day(since, date_names[0]), parse_day(until, date_names[1])
    if first and last and first > last:
        raise InvalidSearch("La date de début doit précéder la date de fin.")
    return SearchFilters(
        source_ids=outlet_ids(outlet),
        category_id=category_id(category),
        language=language(lang),
        since=first,
        until=last,
    )
