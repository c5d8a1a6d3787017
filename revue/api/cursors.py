"""Opaque cursors for the API's lists: where the next page starts, signed so it cannot be forged.

A cursor carries the list it belongs to and the sort key of the last item sent — for articles
``(published_at, id)`` — so the next page is one indexed ``WHERE (published_at, id) < (…)`` read,
however deep the reader goes, and rows arriving meanwhile never shift it. A cursor that was
tampered with, cut short, or made for another list is the client's mistake: ``InvalidCursor``.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db.models import Q

SALT = "revue.api.cursor"


class InvalidCursor(ValueError):
    """The cursor was not made by this API for this list."""


def encode(kind: str, *values) -> str:
    return signing.dumps([kind, *values], salt=SALT, compress=False)


def decode(kind: str, cursor: str) -> list:
    """The values of ``cursor`` made for list ``kind``; raises ``InvalidCursor`` otherwise."""
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise InvalidCursor("Ce curseur n'est pas valide : reprenez le « next_cursor » d'une réponse précédente.") from None
    if not isinstance(data, list) or not data or data[0] != kind:
        raise InvalidCursor("Ce curseur appartient à une autre liste.")
    return data[1:]


def time_and_id(kind: str, cursor: str) -> tuple[datetime, int]:
    """The ``(datetime, id)`` key of a cursor over a list sorted by time then id, newest first."""
    values = decode(kind, cursor)
    try:
        moment, pk = values
        return datetime.fromisoformat(moment), int(pk)
    except (TypeError, ValueError):
        raise InvalidCursor("Ce curseur n'est pas valide.") from None


def older_than(field: str, moment: datetime, pk: int) -> Q:
    """Rows after ``(moment, pk)`` in ``-field, -id`` order."""
    return Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "id__lt": pk})


def after_text(field: str, value: str, pk: int) -> Q:
    """Rows after ``(value, pk)`` in ``field, id`` order."""
    return Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": pk})
