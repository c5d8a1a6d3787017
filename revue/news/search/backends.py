"""The search index on each database, behind one interface: ``backend()`` picks it once, from the
connection, and nothing else in Revue asks which database it is on to search.

* ``Fts5`` (SQLite): ``news_article_fts``, an FTS5 table (``published`` unindexed, then the
  ``title``, ``body`` and ``meta`` columns of normalised words), ranked by ``bm25``; each entry's
  ``published`` is kept beside it too, in ``news_search_published`` (news.0006), which a search
  reads instead: reading a column of the FTS5 table loads the match's whole stored row, its
  words with it (``Fts5.candidates``);
* ``Tsvector`` (PostgreSQL): ``news_article_search``, a ``document`` ``tsvector`` with a GIN index
  (title words weigh A, body words B, facets D), and the ``title``'s own ``tsvector``. The match
  names no weight and facet terms start with a mark no word has (``query.TSQUERY_FACET_MARK``),
  so that the GIN index answers a query without phrases alone, never reading a document (kept
  out of line, in TOAST, compressed with LZ4 where the server has it); the newest matches are
  sought window of ids by window, newest first (``newest_function``: only the window's matches
  are read from the table), and ranked by ``ts_rank`` of their title, at least what one mention
  in the body weighs (``Tsvector.candidates_statement``). The table is partitioned by ranges of
  ``SEARCH_PARTITION_IDS`` article ids (news.0010), each partition with its own GIN index: a
  window reads the posting lists of its partitions' articles, not of the whole archive's (a word
  in half of a million articles read 500,000 entries to keep 1,001); the index's writer attaches
  each new partition as the ids reach it (``pgschema.ensure_partitions``).

Both keep ``news_search_pending(article_id)``: articles whose entry is missing or stale. Triggers on
``news_article`` fill it on every insert and on every update of an indexed column, whatever wrote
the row (``bulk_create``, ``QuerySet.update``, raw SQL); ``revue.news.search.engine`` empties it.
Deleting an article deletes its entry at once (a trigger; on PostgreSQL a ``TRUNCATE`` of the
articles empties both tables too; on SQLite its ``news_search_published`` row goes with it). SQLite drops a table's triggers when a migration rebuilds the
table, so ``ensure_triggers`` recreates them after every ``migrate`` (see ``revue.api.apps``).

Every search runs under a time limit (``time_limit``, ``REVUE_SEARCH_TIME_LIMIT_MS``): SQLite's
progress handler, PostgreSQL's ``statement_timeout``; past it, ``SearchTimeout``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.db import connection as default_connection

from revue.db import insert_rows
from revue.news.search.query import (
    TSQUERY_FACET_MARK,
    ParsedQuery,
    SearchFilters,
    fts5_expression,
    tsquery_expression,
    tsquery_rank_expression,
)
from revue.news.search import pgschema
from revue.news.search.pgschema import (  # noqa: F401 - named here too: the migrations and benches import them from here
    INDEXED_COLUMNS,
    NEWEST_MATCHES,
    POSTGRES_DROP,
    POSTGRES_GIN,
    POSTGRES_NEWEST,
    POSTGRES_SEARCH_TABLE,
    POSTGRES_TABLES,
    POSTGRES_TRIGGERS,
    SEARCH_FIRST_WINDOW,
    SEARCH_PARTITION_IDS,
    SEARCH_PLANNER,
    SEARCH_SMALLEST_WINDOW,
    WINDOW_MATCHES,
    newest_function,
)
from revue.news.search.words import IndexEntry

# Columns whose change makes an article's index entry stale.

# Each entry's ``published`` beside the FTS5 table, read by a search (``Fts5.candidates``).
SQLITE_PUBLISHED = """CREATE TABLE IF NOT EXISTS news_search_published (
    article_id INTEGER PRIMARY KEY, published INTEGER NOT NULL)"""
SQLITE_TABLES = [
    "CREATE TABLE IF NOT EXISTS news_search_pending (article_id INTEGER PRIMARY KEY)",
    # prefix='3': three-letter prefix queries (« gou* ») read a ready-made index
    """CREATE VIRTUAL TABLE IF NOT EXISTS news_article_fts USING fts5(
        published UNINDEXED, title, body, meta,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '3')""",
    SQLITE_PUBLISHED,
]

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS news_article_search_insert AFTER INSERT ON news_article BEGIN
        INSERT OR IGNORE INTO news_search_pending (article_id) VALUES (new.id);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS news_article_search_update AFTER UPDATE OF {INDEXED_COLUMNS}
        ON news_article BEGIN
        INSERT OR IGNORE INTO news_search_pending (article_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER IF NOT EXISTS news_article_search_delete AFTER DELETE ON news_article BEGIN
        DELETE FROM news_article_fts WHERE rowid = old.id;
        DELETE FROM news_search_published WHERE article_id = old.id;
        DELETE FROM news_search_pending WHERE article_id = old.id;
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS news_article_search_insert",
    "DROP TRIGGER IF EXISTS news_article_search_update",
    "DROP TRIGGER IF EXISTS news_article_search_delete",
    "DROP TABLE IF EXISTS news_article_fts",
    "DROP TABLE IF EXISTS news_search_published",
    "DROP TABLE IF EXISTS news_search_pending",
]

POSTGRES_MAX_POSITION = 16383  # tsvector positions stop there
TS_RANK_FIRST_MENTION = 1.64493406685  # ts_rank divides a word's weighted mentions by this (pi² / 6)
POSTGRES_MAX_POSITIONS_PER_WORD = 255
SQLITE_PROGRESS_STEPS = 1000  # virtual-machine steps between two looks at the clock


class SearchTimeout(Exception):
    """A search took longer than ``REVUE_SEARCH_TIME_LIMIT_MS``."""


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


FOUND: set[tuple] = set()  # (alias, vendor, database name) where the index has been seen (``Backend.exists``)


class Backend:
    """The index on one connection: what both databases do the same way; the subclasses hold what
    differs."""

    vendor = ""
    tables: list[str] = []
    triggers: list[str] = []
    dropped: list[str] = []

    def __init__(self, connection) -> None:
        self.connection = connection

    def _run(self, statements: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def create(self) -> None:
        """Create the index, the queue and the triggers, and queue every article already stored."""
        self._run(self.tables + self.triggers + ["INSERT INTO news_search_pending (article_id) SELECT id FROM news_article"])

    def drop(self) -> None:
        self._run(self.dropped)
        FOUND.discard(self._found_key())

    def _found_key(self) -> tuple:
        return (self.connection.alias, self.connection.vendor, str(self.connection.settings_dict.get("NAME")))

    def exists(self) -> bool:
        """Whether migration ``news.0004_search`` has created the index on this database: asked
        of the database until it has been seen there, then known for the process (every search
        asked, and on PostgreSQL the catalogue's listing was a round trip of about 1 ms; only the
        migration's reverse drops the index, through ``drop``, which forgets it)."""
        key = self._found_key()
        if key in FOUND:
            return True
        found = "news_search_pending" in self.connection.introspection.table_names()
        if found:
            FOUND.add(key)
        return found

    def ensure_triggers(self) -> None:
        """Recreate the triggers if a table rebuild dropped them (a no-op when they are there)."""
        if self.exists():
            self._run(self.triggers)

    def write(self, entries: list[IndexEntry], ids: list[int]) -> None:
        """Replace the index entries of ``ids`` by ``entries`` and take ``ids`` off the queue."""
        marks = _placeholders(ids)
        with self.connection.cursor() as cursor:
            self._write(cursor, entries, ids, marks)
            cursor.execute(f"DELETE FROM news_search_pending WHERE article_id IN ({marks})", ids)

    def _write(self, cursor, entries: list[IndexEntry], ids: list[int], marks: str) -> None:
        raise NotImplementedError

    def candidates(self, query: ParsedQuery, filters: SearchFilters, limit: int,
                   title_weight: float) -> list[tuple[int, float, int]]:
        """(article id, relevance, published day) of the newest ``limit`` matches."""
        raise NotImplementedError

    @contextmanager
    def time_limit(self, ms: int):
        raise NotImplementedError
        yield


class Fts5(Backend):
    vendor = "sqlite"
    tables, triggers, dropped = SQLITE_TABLES, SQLITE_TRIGGERS, SQLITE_DROP

    def _write(self, cursor, entries, ids, marks) -> None:
        cursor.execute(f"DELETE FROM news_article_fts WHERE rowid IN ({marks})", ids)
        cursor.execute(f"DELETE FROM news_search_published WHERE article_id IN ({marks})", ids)
        insert_rows(cursor, "news_article_fts", ("rowid", "published", "title", "body", "meta"),
                    [(e.article_id, e.published, " ".join(e.title), " ".join(e.body), " ".join(e.meta))
                     for e in entries])
        insert_rows(cursor, "news_search_published", ("article_id", "published"),
                    [(e.article_id, e.published) for e in entries])

    def migrate_published(self) -> None:
        """Keep each entry's ``published`` in ``news_search_published`` too (migration ``news.0006``):
        the table filled from the FTS5 table's own column, the deletion trigger made again to
        delete its rows with the articles."""
        self._run([
            SQLITE_PUBLISHED,
            "INSERT OR REPLACE INTO news_search_published (article_id, published)"
            " SELECT rowid, published FROM news_article_fts",
            "DROP TRIGGER IF EXISTS news_article_search_delete",
            *self.triggers,
        ])

    def candidates_statement(self, query, filters, limit, title_weight) -> tuple[str, list]:
        """The statement ``candidates`` runs, and its parameters: the newest ``limit`` matches
        (by rowid, the article's id) with their ``bm25``, and their ``published`` from
        ``news_search_published``. Read from the FTS5 table, ``published`` loaded each match's
        whole stored row (its words too): ~60 % of the statement's time on a 100,000-article
        archive (bench/search.py --archive). The match drives, the side table is looked up by
        its primary key (a left join: should an entry lack its row there, its ``published`` is
        read from the FTS5 table, for that entry alone: a match is never lost)."""
        return (
            "SELECT news_article_fts.rowid, -bm25(news_article_fts, 0.0, %s, 1.0, 0.0),"
            " coalesce(p.published, news_article_fts.published) FROM news_article_fts"
            " LEFT JOIN news_search_published AS p ON p.article_id = news_article_fts.rowid"
            " WHERE news_article_fts MATCH %s ORDER BY news_article_fts.rowid DESC LIMIT %s",
            [title_weight, fts5_expression(query, filters), limit],
        )

    def candidates(self, query, filters, limit, title_weight):
        with self.connection.cursor() as cursor:
            cursor.execute(*self.candidates_statement(query, filters, limit, title_weight))
            return cursor.fetchall()

    @contextmanager
    def time_limit(self, ms: int):
        """SQLite's progress handler: every ``SQLITE_PROGRESS_STEPS`` steps it looks at the clock
        and interrupts the statement once the deadline has passed."""
        if ms <= 0:
            yield
            return
        self.connection.ensure_connection()
        raw = self.connection.connection
        deadline = time.monotonic() + ms / 1000
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_PROGRESS_STEPS)
        try:
            yield
        except DatabaseError as error:
            if time.monotonic() > deadline and "interrupt" in str(error).lower():
                raise SearchTimeout(f"search interrupted after {ms} ms") from None
            raise
        finally:
            raw.set_progress_handler(None, 0)


SEARCH_WRITE_LOCK = 0x5EA6C4  # the advisory lock key of index writes on PostgreSQL


class Tsvector(Backend):
    vendor = "postgresql"
    tables, triggers, dropped = POSTGRES_TABLES, POSTGRES_TRIGGERS, POSTGRES_DROP

    def _write(self, cursor, entries, ids, marks) -> None:
        # one writer at a time until its transaction ends: two (a crawl run indexing the queue,
        # another worker indexing what it stored) would each delete nothing, then the second
        # insert would fail on the first's rows (duplicate key); and two would make one partition
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEARCH_WRITE_LOCK])
        pgschema.ensure_partitions(self, cursor, [entry.article_id for entry in entries])
        cursor.execute(f"DELETE FROM news_article_search WHERE article_id IN ({marks})", ids)
        insert_rows(cursor, "news_article_search", self.columns, [self.row(e) for e in entries],
                    marks=("%s", "%s", "%s::tsvector", "%s::tsvector"))

    def create(self) -> None:
        super().create()
        pgschema.compress(self)

    def drop(self) -> None:
        super().drop()
        for key in [key for key in pgschema.PARTITIONS if key[:3] == self._found_key()]:
            del pgschema.PARTITIONS[key]

    def mark_facets(self) -> None:
        """news.0005's rewrite of the entries (``pgschema.mark_facets``)."""
        pgschema.mark_facets(self)

    columns = ("article_id", "published", "document", "title")

    @classmethod
    def row(cls, entry: IndexEntry) -> tuple:
        """An entry's ``columns``: the ``document`` every search matches, the ``title`` that ranks."""
        return entry.article_id, entry.published, cls.tsvector(entry), cls.tsvector(entry, title_only=True)

    @staticmethod
    def tsvector(entry: IndexEntry, title_only: bool = False) -> str:
        """The ``tsvector`` literal of an entry: title words weigh A, body words B, facets D (each
        after ``TSQUERY_FACET_MARK``); ``title_only``: the title's words alone, where they are."""
        positions: dict[str, list[str]] = {}
        position = 0
        meta = tuple(TSQUERY_FACET_MARK + term for term in entry.meta)
        parts = ((entry.title, "A", 1),) if title_only else ((entry.title, "A", 1), (entry.body, "B", 2), (meta, "D", 2))
        for words, weight, gap in parts:
            position += gap - 1  # no phrase runs from the title into the body
            for word in words:
                position = min(position + 1, POSTGRES_MAX_POSITION)
                found = positions.setdefault(word, [])
                if len(found) < POSTGRES_MAX_POSITIONS_PER_WORD:
                    found.append(f"{position}{weight}")
        return " ".join(f"'{word}':{','.join(marks)}" for word, marks in positions.items())

    def candidates_statement(self, query, filters, limit, title_weight) -> tuple[str, list]:
        """The statement ``candidates`` runs, and its parameters.

        The newest ``limit`` matches of the document (``WINDOW_MATCHES`` in windows of ids, newest
        first, in a function that plans it on the GIN index: ``newest_function``), ranked by their title: ``ts_rank`` of its
        words (weight 1), and at least what one mention in the body weighs (``1 / title_weight``
        of a title's; ``ts_rank`` scales a word's first mention by 1 / 1.6449, the sum of 1 / n²):
        ranking reads nothing but the rows the match already read. Ranking each match's whole
        document, as before, read ~1,000 tsvectors from TOAST per search, most of its time
        (bench/search_pg.py); what is lost is the body's share: how often, and how near each
        other, the words are mentioned there."""
        return (
            "SELECT * FROM news_article_search_newest(CAST(%s AS tsquery), CAST(%s AS tsquery), %s, %s)",
            [tsquery_expression(query, filters), tsquery_rank_expression(query, filters),
             1.0 / title_weight / TS_RANK_FIRST_MENTION, limit],
        )

    def candidates(self, query, filters, limit, title_weight):
        with self.connection.cursor() as cursor:
            cursor.execute(*self.candidates_statement(query, filters, limit, title_weight))
            return cursor.fetchall()

    @contextmanager
    def _set_locally(self, values: dict[str, str]):
        """``SET LOCAL`` these settings inside a transaction or a savepoint of their own, and, in a
        savepoint, undo them as it ends (a savepoint's release keeps ``SET LOCAL``; the request's
        transaction must not). A transaction of their own ends them by itself: two round trips
        fewer for a reader's search."""
        names = list(values)
        nested = self.connection.in_atomic_block  # a savepoint: to be undone as it ends
        reads = ["current_setting(%s)"] * len(names) if nested else []
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(reads + ["set_config(%s, %s, true)"] * len(names)),
                               (names if nested else []) + [item for pair in values.items() for item in pair])
                before = cursor.fetchone()[: len(reads)]
            yield
            if nested:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
                                   [item for pair in zip(names, before) for item in pair])

    @contextmanager
    def time_limit(self, ms: int):
        """``SET LOCAL statement_timeout`` inside a savepoint of its own: a cancelled search leaves
        the request's transaction usable."""
        if ms <= 0:
            yield
            return
        try:
            with self._set_locally({"statement_timeout": str(int(ms))}):
                yield
        except DatabaseError as error:
            if "statement timeout" in str(error).lower() or "canceling statement" in str(error).lower():
                raise SearchTimeout(f"search cancelled after {ms} ms") from None
            raise


BACKENDS = {kind.vendor: kind for kind in (Fts5, Tsvector)}


def backend(connection=None) -> Backend | None:
    """The index on ``connection`` (the default one unless given), chosen by its database; None
    on a database without one (search then finds nothing)."""
    connection = connection or default_connection
    kind = BACKENDS.get(connection.vendor)
    return kind(connection) if kind else None
