"""Reading the clustering index: each key's newest postings in a time range, at most ``cap`` a
key, for many keys in one statement, written for each database (``revue.news.stories.store``'s
``DatabaseIndex`` reads through ``read``).

SQLite: one compound select of up to ``MAX_KEYS_PER_STATEMENT`` lookups, padded to a multiple
of ``KEYS_PER_STATEMENT`` so that the statement text repeats, read back as one JSON row
(``revue.db.read_rows``). PostgreSQL: one short statement for any number of keys, an array, each
key's postings read in the index's order by a lateral subquery that stops at ``cap`` (the keys
sent as one text: psycopg writes a list of 120 integers in 0.47 ms of CPU, the text in 0.14); it
plans in a tenth of a millisecond where a union of 120 lookups took 10 ms. Bitmap scans are off for
it (``order_scans``): a bitmap scan reads every posting of a key and sorts them to keep ``cap``,
and the planner picks it whenever it believes keys rare, as it does for the lateral subquery (it
knows no key in advance) and for any key of a table filled since its last ANALYZE (a cold
import): 5 ms for a key of 6,000 postings against 0.05 ms in order (bench/README.md, « the
settle's lookups on PostgreSQL »).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from functools import lru_cache

from django.db import connection, transaction

from revue.db import read_rows
from revue.news.models import StoryPosting

COLUMNS = ("key", "time", "article_id", "story_id")
KEYS_PER_STATEMENT = 4  # SQLite's statements look up 4, 8, 12 … keys
MAX_KEYS_PER_STATEMENT = 200  # SQLite allows 500 terms in a compound select
PADDING_KEY = 0  # looked up to pad a statement; no article is filed under it (keys are hashes)
KEY_NAMES = tuple(f"k{n}" for n in range(MAX_KEYS_PER_STATEMENT))

Row = tuple[int, int, int, int]  # key, time, article, story

# PostgreSQL's lookup of any number of keys
PG_STATEMENT = (
    "SELECT p.key, p.time, p.article_id, p.story_id FROM unnest(string_to_array(%s, ',')::bigint[]) AS k(key)"
    " CROSS JOIN LATERAL"
    f" (SELECT s.key, s.time, s.article_id, s.story_id FROM {StoryPosting._meta.db_table} AS s"
    " WHERE s.key = k.key AND s.time >= %s AND s.time <= %s ORDER BY s.time DESC, s.article_id DESC LIMIT %s) AS p"
)


def read(keys: Sequence[int], low: int, high: int, cap: int, *, ordered: bool = False) -> list[Row]:
    """For each key, its ``cap`` most recent postings in [low, high], newest first. ``ordered``:
    ``order_scans`` was called in the transaction this runs in (else, on PostgreSQL, the lookup
    runs in a short transaction of its own that calls it)."""
    if connection.vendor == "postgresql":
        arguments = [",".join(map(str, keys)), low, high, cap]  # (as text: psycopg dumps a list in Python, 3× the CPU)
        with nullcontext() if ordered else transaction.atomic(), connection.cursor() as cursor:
            if not ordered:
                order_scans()
            return read_rows(cursor, PG_STATEMENT, arguments, COLUMNS)
    rows: list[Row] = []
    for start in range(0, len(keys), MAX_KEYS_PER_STATEMENT):
        chunk = list(keys[start:start + MAX_KEYS_PER_STATEMENT])
        size = -(-len(chunk) // KEYS_PER_STATEMENT) * KEYS_PER_STATEMENT
        chunk += [PADDING_KEY] * (size - len(chunk))
        params = dict(zip(KEY_NAMES, chunk))
        params.update(low=low, high=high, cap=cap)
        with connection.cursor() as cursor:  # one row on SQLite (why: bench/README.md, read_rows)
            rows += read_rows(cursor, _union(size), params, COLUMNS)
    return rows


def order_scans() -> bool:
    """Inside a transaction on PostgreSQL: no bitmap scan until it ends (see the module's
    docstring). True when done; False elsewhere, where nothing is needed or it cannot be done
    (outside a transaction ``read`` does it for each lookup)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    return True


@lru_cache(maxsize=32)
def _union(size: int) -> str:
    """``size`` lookups of one time range in one statement, with named parameters (``k0`` …, ``low``,
    ``high``, ``cap``): Django's SQLite backend turns ``%s`` marks into ``?`` with a regular expression
    over the whole text (6 kB for 32 lookups), named ones with one ``%`` formatting (a tenth of the
    settle's clustering time: bench/README.md)."""
    quote = connection.ops.quote_name
    table, key, time = quote(StoryPosting._meta.db_table), quote("key"), quote("time")
    select = (f"SELECT * FROM (SELECT {key}, {time}, article_id, story_id FROM {table} WHERE {key} = %(k{{n}})s"
              f" AND {time} >= %(low)s AND {time} <= %(high)s ORDER BY {time} DESC, article_id DESC"
              f" LIMIT %(cap)s) AS p{{n}}")
    return " UNION ALL ".join(select.format(n=n) for n in range(size))
