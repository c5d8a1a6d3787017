"""The search index on each database, behind one interface: ``backend()`` picks it once, from the
connection, and nothing else in Revue asks which database it is on to search.

* ``Fts5`` (SQLite): ``news_article_fts``, an FTS5 table (``published`` unindexed, then the
  ``title``, ``body`` and ``meta`` columns of normalised words), ranked by ``bm25``;
* ``Tsvector`` (PostgreSQL): ``news_article_search``, a ``tsvector`` with a GIN index, ranked by
  ``ts_rank`` (title words weigh A, body words B, facets D). The match names no weight and facet
  terms start with a mark no word has (``query.TSQUERY_FACET_MARK``), so that the GIN index answers
  a query without phrases alone, never reading a tsvector again; only the newest matches are
  ranked, their tsvectors compressed with LZ4 where the server has it (faster to read back than
  PostgreSQL's own pglz).

Both keep ``news_search_pending(article_id)``: articles whose entry is missing or stale. Triggers on
``news_article`` fill it on every insert and on every update of an indexed column, whatever wrote
the row (``bulk_create``, ``QuerySet.update``, raw SQL); ``revue.news.search.engine`` empties it.
Deleting an article deletes its entry at once (a trigger; on PostgreSQL a ``TRUNCATE`` of the
articles empties both tables too). SQLite drops a table's triggers when a migration rebuilds the
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
from revue.news.search.words import IndexEntry

# Columns whose change makes an article's index entry stale.
INDEXED_COLUMNS = "title, summary, text, language, published_at, source_id, category_id"

SQLITE_TABLES = [
    "CREATE TABLE IF NOT EXISTS news_search_pending (article_id INTEGER PRIMARY KEY)",
    # prefix='3': three-letter prefix queries (« gou* ») read a ready-made index
    """CREATE VIRTUAL TABLE IF NOT EXISTS news_article_fts USING fts5(
        published UNINDEXED, title, body, meta,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '3')""",
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
        DELETE FROM news_search_pending WHERE article_id = old.id;
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS news_article_search_insert",
    "DROP TRIGGER IF EXISTS news_article_search_update",
    "DROP TRIGGER IF EXISTS news_article_search_delete",
    "DROP TABLE IF EXISTS news_article_fts",
    "DROP TABLE IF EXISTS news_search_pending",
]

POSTGRES_GIN = "CREATE INDEX IF NOT EXISTS news_article_search_document ON news_article_search USING GIN (document)"
POSTGRES_TABLES = [
    "CREATE TABLE IF NOT EXISTS news_search_pending (article_id bigint PRIMARY KEY)",
    """CREATE TABLE IF NOT EXISTS news_article_search (
        article_id bigint PRIMARY KEY,
        published bigint NOT NULL,
        document tsvector NOT NULL)""",
    POSTGRES_GIN,
    """CREATE OR REPLACE FUNCTION news_article_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO news_search_pending (article_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION news_article_search_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM news_article_search WHERE article_id = OLD.id;
        DELETE FROM news_search_pending WHERE article_id = OLD.id;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION news_article_search_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE news_article_search, news_search_pending;
        RETURN NULL;
    END $$""",
]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE TRIGGER news_article_search_insert AFTER INSERT ON news_article
        FOR EACH ROW EXECUTE FUNCTION news_article_search_stale()""",
    f"""CREATE OR REPLACE TRIGGER news_article_search_update AFTER UPDATE OF {INDEXED_COLUMNS}
        ON news_article FOR EACH ROW EXECUTE FUNCTION news_article_search_stale()""",
    """CREATE OR REPLACE TRIGGER news_article_search_delete AFTER DELETE ON news_article
        FOR EACH ROW EXECUTE FUNCTION news_article_search_gone()""",
    """CREATE OR REPLACE TRIGGER news_article_search_truncate AFTER TRUNCATE ON news_article
        FOR EACH STATEMENT EXECUTE FUNCTION news_article_search_emptied()""",
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS news_article_search_insert ON news_article",
    "DROP TRIGGER IF EXISTS news_article_search_update ON news_article",
    "DROP TRIGGER IF EXISTS news_article_search_delete ON news_article",
    "DROP TRIGGER IF EXISTS news_article_search_truncate ON news_article",
    "DROP FUNCTION IF EXISTS news_article_search_stale()",
    "DROP FUNCTION IF EXISTS news_article_search_gone()",
    "DROP FUNCTION IF EXISTS news_article_search_emptied()",
    "DROP TABLE IF EXISTS news_article_search",
    "DROP TABLE IF EXISTS news_search_pending",
]

POSTGRES_MAX_POSITION = 16383  # tsvector positions stop there
POSTGRES_MAX_POSITIONS_PER_WORD = 255
SQLITE_PROGRESS_STEPS = 1000  # virtual-machine steps between two looks at the clock


class SearchTimeout(Exception):
    """A search took longer than ``REVUE_SEARCH_TIME_LIMIT_MS``."""


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


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

    def exists(self) -> bool:
        """Whether migration ``news.0004_search`` has created the index on this database."""
        return "news_search_pending" in self.connection.introspection.table_names()

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
        insert_rows(cursor, "news_article_fts", ("rowid", "published", "title", "body", "meta"),
                    [(e.article_id, e.published, " ".join(e.title), " ".join(e.body), " ".join(e.meta))
                     for e in entries])

    def candidates(self, query, filters, limit, title_weight):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -bm25(news_article_fts, 0.0, %s, 1.0, 0.0), published FROM news_article_fts"
                " WHERE news_article_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                [title_weight, fts5_expression(query, filters), limit],
            )
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
        # insert would fail on the first's rows (duplicate key)
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEARCH_WRITE_LOCK])
        cursor.execute(f"DELETE FROM news_article_search WHERE article_id IN ({marks})", ids)
        insert_rows(cursor, "news_article_search", ("article_id", "published", "document"),
                    [(e.article_id, e.published, self.tsvector(e)) for e in entries], marks=("%s", "%s", "%s::tsvector"))

    def create(self) -> None:
        super().create()
        self.compress()

    def mark_facets(self) -> None:
        """Rewrite the entries written before facet terms had ``TSQUERY_FACET_MARK`` (migration
        ``news.0005``): a facet is the one term of weight D, so such an entry keeps its title and
        body words as they are and gets its facets back marked (without positions: no phrase
        reads them, and they weigh nothing in ``ts_rank``). An entry already marked (each has a
        language facet) is left as it is. The GIN index is made again after, faster than kept up
        to date row by row; the rewritten tsvectors take ``compress``'s compression."""
        mark = TSQUERY_FACET_MARK
        self.compress()
        self._run([
            "DROP INDEX IF EXISTS news_article_search_document",
            "UPDATE news_article_search SET document = ts_filter(document, '{a,b}') || array_to_tsvector(ARRAY("
            f"SELECT '{mark}' || lexeme FROM unnest(ts_filter(document, '{{d}}'))))"
            f" WHERE NOT document @@ CAST('''{mark}l'':*' AS tsquery)",
            POSTGRES_GIN,
            "ANALYZE news_article_search",
        ])

    def compress(self) -> None:
        """Compress the tsvectors written from now on with LZ4 (PostgreSQL 14 and later, built
        with it): ranking reads a few hundred of them per search, and LZ4 gives them back three to
        four times faster than pglz. A server without it keeps pglz."""
        try:
            with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
                cursor.execute("ALTER TABLE news_article_search ALTER COLUMN document SET COMPRESSION lz4")
        except DatabaseError:
            pass

    @staticmethod
    def tsvector(entry: IndexEntry) -> str:
        """The ``tsvector`` literal of an entry: title words weigh A, body words B, facets D (each
        after ``TSQUERY_FACET_MARK``)."""
        positions: dict[str, list[str]] = {}
        position = 0
        meta = tuple(TSQUERY_FACET_MARK + term for term in entry.meta)
        for words, weight, gap in ((entry.title, "A", 1), (entry.body, "B", 2), (meta, "D", 2)):
            position += gap - 1  # no phrase runs from the title into the body
            for word in words:
                position = min(position + 1, POSTGRES_MAX_POSITION)
                found = positions.setdefault(word, [])
                if len(found) < POSTGRES_MAX_POSITIONS_PER_WORD:
                    found.append(f"{position}{weight}")
        return " ".join(f"'{word}':{','.join(marks)}" for word, marks in positions.items())

    def candidates_statement(self, query, filters, limit, title_weight) -> tuple[str, list]:
        """The statement ``candidates`` runs, and its parameters: ranked after the limit, as
        ts_rank reads each document again (only the newest ``limit`` matches are ranked)."""
        weights = "{0, 0, %s, 1.0}" % (1.0 / title_weight)  # D, C, B, A
        return (
            "SELECT article_id, ts_rank(%s::float4[], document, CAST(%s AS tsquery)), published"
            " FROM (SELECT article_id, document, published FROM news_article_search"
            " WHERE document @@ CAST(%s AS tsquery) ORDER BY article_id DESC LIMIT %s) AS newest",
            [weights, tsquery_rank_expression(query, filters), tsquery_expression(query, filters), limit],
        )

    def candidates(self, query, filters, limit, title_weight):
        with self.connection.cursor() as cursor:
            cursor.execute(*self.candidates_statement(query, filters, limit, title_weight))
            return cursor.fetchall()

    @contextmanager
    def time_limit(self, ms: int):
        """``SET LOCAL statement_timeout`` inside a savepoint of its own: a cancelled search leaves
        the request's transaction usable."""
        if ms <= 0:
            yield
            return
        try:
            with transaction.atomic(using=self.connection.alias):
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('statement_timeout'),"
                                   " set_config('statement_timeout', %s, true)", [str(int(ms))])
                    before = cursor.fetchone()[0]
                yield
                with self.connection.cursor() as cursor:  # a savepoint's release keeps SET LOCAL: undo it
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
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
