"""revue.text.dates: the one reading of outsiders' dates (feeds, page metadata, HTTP headers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from revue.text.dates import parse_datetime

pytestmark = pytest.mark.nodb
MAY_20 = datetime(2022, 5, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("written", [
    "2022-05-20T10:00:00+01:00",   # ISO 8601 / RFC 3339
    "2022-05-20T09:00:00Z",
    "2022-05-20 09:00:00",         # no zone: UTC
    "  Fri, 20 May 2022 10:00:00 +0100 ",  # RFC 822, as RSS and HTTP write it
    "Fri, 20 May 2022 09:00:00 GMT",
])
def test_iso_and_rfc_822_dates_are_read_as_utc(written):
    assert parse_datetime(written) == MAY_20


@pytest.mark.parametrize("junk", [None, "", "  ", "hier", "20/05/2022", "0001-01-01T00:00+01:00",
                                  "9999-12-31T23:59-01:00", "Fri, 20 May 99999999999 10:00:00 +0100", 42])
def test_anything_else_is_none_never_an_error(junk):
    assert parse_datetime(junk) is None
