"""Dates written by outsiders (feeds, pages' metadata, HTTP headers) as aware UTC datetimes.

``parse_datetime`` reads ISO 8601 / RFC 3339 (``2022-05-20T10:00:00+01:00``) and RFC 822 / 2822
(``Fri, 20 May 2022 10:00:00 +0100``, what RSS and HTTP write), takes a date without a zone as
UTC, and answers None — never an exception — for anything else, including dates that would
leave ``datetime``'s range once moved to UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_datetime(value: object) -> datetime | None:
    """``value`` (a string; anything else is None) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return as_utc(parsed)


def as_utc(value: datetime) -> datetime | None:
    """An aware UTC datetime (a naive one taken as UTC), or None past datetime's range."""
    try:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):  # "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"
        return None
