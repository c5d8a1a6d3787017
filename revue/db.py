"""Writing many rows in few statements, for the apps' hot paths (below every app: it imports none).

Why not ``executemany``: on SQLite, every row it steps through releases the interpreter lock
and takes it back, and in the crawler another thread (the event loop) holds that lock most of
the time, so each row waits for it. A statement of many rows waits once (a ninth of the time:
``bench/README.md``); a settle writes thousands of story postings. On PostgreSQL it saves round
trips too.

* ``insert_rows`` — ``INSERT INTO t (…) VALUES (…), (…), …`` in chunks the database accepts.
* ``update_rows`` — one ``UPDATE t SET … FROM (VALUES …)`` per chunk (SQLite 3.33+; else, and on
  PostgreSQL, whose VALUES would need a cast per column, ``executemany``).
* ``read_rows`` — the reading side: on SQLite a query's rows come back aggregated in one row
  (``json_group_array``), so the thread waits for the lock once, not once per row.

And what the two databases do differently for the apps, each chosen here once, so that no app
asks which database it runs on:

* ``hold_lock`` — a lock held until the transaction ends, across processes and machines
  (clustering takes one: two workers never cluster at once);
* ``writers_queue_at_begin`` — whether a write transaction waits for the whole database as it
  begins (SQLite), so that reading first, outside one, keeps the wait short;
* ``skip_locked`` — a queryset that passes over rows another transaction has locked (leases);
* ``other_processes_see_it`` — whether another process can open this database at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from django.db import connection

MAX_PARAMETERS = 999  # SQLite's historical limit on the parameters of one statement (newer allow more)


def _chunks(rows: Sequence[Sequence], width: int):
    size = max(1, MAX_PARAMETERS // max(1, width))
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_rows(cursor, table: str, columns: Sequence[str], rows: Sequence[Sequence], marks: Sequence[str] = ()) -> None:
    """Insert ``rows`` (tuples in ``columns``' order) into ``table``; ``marks``: each column's
    placeholder when it is not plain ``%s`` (say ``%s::tsvector``). Names are quoted here."""
    if not rows:
        return
    quote = connection.ops.quote_name
    row = "(" + ", ".join(marks or ["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    for chunk in _chunks(rows, len(columns)):
        cursor.execute(head + ", ".join([row] * len(chunk)), [value for values in chunk for value in values])


def update_rows(cursor, table: str, columns: Sequence[str], key: str, rows: Sequence[Sequence],
                where: str = "", where_params: Sequence = ()) -> None:
    """``UPDATE table SET columns… WHERE key = …`` for each row: ``(values of columns…, key)``;
    ``where``: a further condition on the table's own columns (quoted names, ``%s`` marks)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    if connection.vendor != "sqlite" or sqlite3.sqlite_version_info < (3, 33):
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        condition = f" AND {where}" if where else ""
        cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE {quote(key)} = %s{condition}",
                           [list(row) + list(where_params) for row in rows])
        return
    width = len(columns) + 1  # VALUES columns are named column1 … columnN; the key is the last
    sets = ", ".join(f"{quote(c)} = v.column{n}" for n, c in enumerate(columns, 1))
    condition = f" AND {where}" if where else ""
    row = "(" + ", ".join(["%s"] * width) + ")"
    for chunk in _chunks(rows, width):
        cursor.execute(
            f"UPDATE {quote(table)} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) AS v"
            f" WHERE {quote(table)}.{quote(key)} = v.column{width}{condition}",
            [value for values in chunk for value in values] + list(where_params),
        )


def read_rows(cursor, sql: str, params: Sequence, columns: Sequence[str]) -> list[tuple]:
    """The rows of ``sql`` as tuples of ``columns`` (names of its result columns, quoted here).
    On SQLite they travel as one JSON text: only values JSON keeps as they are (text, integers;
    no NULL-able dates, no blobs) should be read this way."""
    if connection.vendor != "sqlite":
        cursor.execute(sql, params)
        return cursor.fetchall()
    quote = connection.ops.quote_name
    row = ", ".join(f"r.{quote(c)}" for c in columns)
    cursor.execute(f"SELECT json_group_array(json_array({row})) FROM ({sql}) AS r", params)
    (packed,) = cursor.fetchone()
    return [tuple(values) for values in json.loads(packed)] if packed else []


# --- the two dialects ---------------------------------------------------------------------------


def hold_lock(key: int) -> None:
    """Inside a transaction: wait for, then hold until it ends, the lock named ``key`` (PostgreSQL's
    advisory transaction lock). On SQLite nothing is needed: every write transaction begins by
    taking the database's one write lock (``transaction_mode`` IMMEDIATE), which serialises them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def writers_queue_at_begin() -> bool:
    """Whether a write transaction takes the whole database's write lock as it begins (SQLite)."""
    return connection.vendor == "sqlite"


def skip_locked(queryset):
    """``queryset`` locking the rows it reads and passing over those another transaction holds,
    where the database can (PostgreSQL); SQLite's single writer makes it unneeded."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def other_processes_see_it() -> bool:
    """Whether another process can open this database (not an in-memory SQLite one)."""
    name = str(connection.settings_dict.get("NAME") or "")
    return not (connection.vendor == "sqlite" and (name in ("", ":memory:") or "mode=memory" in name))
