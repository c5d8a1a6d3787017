"""The search index's tables and triggers, for SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Two tables on each database, outside Django's models (the index is raw SQL, read and written
only by ``revue.news.search``):

* ``news_search_pending(article_id)``: articles whose index entry is missing or stale. Triggers on
  ``news_article`` fill it on every insert and on every update of an indexed column, whatever
  wrote the row (``bulk_create``, ``QuerySet.update``, raw SQL); ``revue.news.search`` empties it.
* the index itself, keyed by article id: ``news_article_fts`` (an FTS5 table: ``published``
  unindexed, then the ``title``, ``body`` and ``meta`` columns of normalised words) on SQLite,
  ``news_article_search`` (a ``tsvector`` with a GIN index) on PostgreSQL.

Deleting an article deletes its entry at once (a trigger; on PostgreSQL a ``TRUNCATE`` of the
articles empties both tables too). SQLite drops a table's triggers when a migration rebuilds the
table, so ``ensure_triggers`` recreates them after every ``migrate`` (see ``revue.api.apps``).
"""

from __future__ import annotations

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

POSTGRES_TABLES = [
    "CREATE TABLE IF NOT EXISTS news_search_pending (article_id bigint PRIMARY KEY)",
    """CREATE TABLE IF NOT EXISTS news_article_search (
        article_id bigint PRIMARY KEY,
        published bigint NOT NULL,
        document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS news_article_search_document ON news_article_search USING GIN (document)",
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

INDEX_TABLE = {"sqlite": "news_article_fts", "postgresql": "news_article_search"}


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_supported(connection) -> bool:
    return connection.vendor in INDEX_TABLE


def create(connection) -> None:
    """Create the index, the queue and the triggers, and queue every article already stored."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_TABLES + SQLITE_TRIGGERS)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_TABLES + POSTGRES_TRIGGERS)
    else:
        return
    _run(connection, ["INSERT INTO news_search_pending (article_id) SELECT id FROM news_article"])


def drop(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)


def exists(connection) -> bool:
    """Whether migration ``news.0004_search`` has created the index on this database."""
    return is_supported(connection) and "news_search_pending" in connection.introspection.table_names()


def ensure_triggers(connection) -> None:
    """Recreate the triggers if a table rebuild dropped them (a no-op when they are there)."""
    if not exists(connection):
        return
    _run(connection, SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRES_TRIGGERS)
