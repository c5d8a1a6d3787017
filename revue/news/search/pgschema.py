"""PostgreSQL's search index as tables: what ``revue.news.search.backends.Tsvector`` reads and
writes, and what reshapes it.

* ``news_article_search`` (``POSTGRES_SEARCH_TABLE``, then partitioned by ranges of
  ``SEARCH_PARTITION_IDS`` article ids: ``POSTGRES_PARTITIONED_TABLE``, news.0010), its GIN
  index, and ``news_article_search_newest`` (``newest_function``), the function a search calls;
* the index's writer attaches each partition the ids reach (``ensure_partitions``);
* the migrations' rewrites of an archive's entries in SQL, never indexing again: facets marked
  (``mark_facets``, news.0005), the entries moved into partitions and back (``partition``,
  ``unpartition``, news.0010), documents compressed with LZ4 (``compress``).

Each function takes the ``Tsvector`` index (its connection).
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from revue.news.search.query import TSQUERY_FACET_MARK

# the article columns an entry is made of: an update of one of them queues the article again
INDEXED_COLUMNS = "title, summary, text, language, published_at, source_id, category_id"
POSTGRES_SEARCH_TABLE = [
    """CREATE TABLE IF NOT EXISTS {table} (
        article_id bigint PRIMARY KEY,
        published bigint NOT NULL,
        document tsvector NOT NULL,
        title tsvector NOT NULL)""",
    # the document out of line, in TOAST, as soon as a row is toasted at all; the title's few
    # words stay in the row (compressed if need be), where ranking reads them with the id
    "ALTER TABLE {table} SET (toast_tuple_target = 128)",
    "ALTER TABLE {table} ALTER COLUMN title SET STORAGE MAIN",
]
POSTGRES_GIN = "CREATE INDEX IF NOT EXISTS news_article_search_document ON news_article_search USING GIN (document)"
# Article ids per partition of the search table (news.0010): the newest window of ids reads one or
# two partitions' GIN posting lists, a few tens of thousands of entries even for the commonest word
SEARCH_PARTITION_IDS = 65536
POSTGRES_PARTITIONED_TABLE = [
    """CREATE TABLE {table} (
        article_id bigint NOT NULL,
        published bigint NOT NULL,
        document tsvector NOT NULL,
        title tsvector NOT NULL,
        PRIMARY KEY (article_id)) PARTITION BY RANGE (article_id)""",
    # each partition takes these as it is made (LIKE … INCLUDING STORAGE INCLUDING COMPRESSION)
    "ALTER TABLE {table} ALTER COLUMN title SET STORAGE MAIN",
]


def partition_statements(table: str, number: int) -> list[str]:
    """Make partition ``number`` of ``table`` (ids ``number * SEARCH_PARTITION_IDS`` up to the next
    partition's first) and attach it: ``ATTACH`` holds the table with a lock that lets searches and
    other writes go on (``CREATE TABLE … PARTITION OF`` would stop every search until the writer's
    transaction ends). It takes the table's column storage and compression, and its indexes."""
    low = number * SEARCH_PARTITION_IDS
    return [f"CREATE TABLE {table}_p{number} (LIKE {table} INCLUDING STORAGE INCLUDING COMPRESSION)"
            " WITH (toast_tuple_target = 128)",
            f"ALTER TABLE {table} ATTACH PARTITION {table}_p{number}"
            f" FOR VALUES FROM ({low}) TO ({low + SEARCH_PARTITION_IDS})"]
# The newest ``wanted`` matches of ``matched``, ranked by their title (``Tsvector.candidates``).
NEWEST_MATCHES = (
    "SELECT newest.article_id, GREATEST(ts_rank('{{0, 0, 0, 1.0}}', newest.title, {ranked}), {floor}), newest.published"
    " FROM (SELECT s.article_id, s.title, s.published FROM news_article_search AS s"
    " WHERE s.document @@ {matched} ORDER BY s.article_id DESC LIMIT {wanted}) AS newest"
)
# Planned on the GIN index, always: left to itself, the planner walks the primary key backwards
# for a word it deems common, or scans the table, reading each article's document (from TOAST)
# to test it: 200-340 ms for words in 6-8 % of 100,000 articles, where the index finds them in a
# few ms (bench/search_pg.py). A function's own settings hold while it runs, and only then.
SEARCH_PLANNER = {"enable_seqscan": "off", "enable_indexscan": "off"}
# The first window of ids searched (the newest), each next one four times wider (news.0007), or,
# after a window that found matches, as wide as its density says the missing ones need, twice
# over (at least SEARCH_SMALLEST_WINDOW ids; news.0008).
SEARCH_FIRST_WINDOW = 16384
SEARCH_SMALLEST_WINDOW = 1024
# The newest matches, window of ids by window, newest first: the GIN index's bitmap ANDed with the
# primary key's range of the window, so that only the window's matches are read from the table,
# not every match of the archive (a word in 6 % of a million articles: ~60,000 heap pages read for
# 1,001 kept). Each window's statement is planned with its bounds (EXECUTE); a rare word covers
# the whole archive in at most log4(ids / SEARCH_FIRST_WINDOW) + 1 statements. The same rows, in the same
# order, as NEWEST_MATCHES gives (bench/search_pg.py --windows).
WINDOW_MATCHES = NEWEST_MATCHES.replace("WHERE s.document @@ {matched}", "WHERE s.document @@ {matched}"
                                        " AND s.article_id > {above} AND s.article_id <= {upto}")


def newest_function(name: str = "news_article_search_newest") -> str:
    """The statement that makes the function ``candidates`` calls, under ``name``."""
    window = WINDOW_MATCHES.format(ranked="$1", floor="$2", matched="$3", above="$4", upto="$5", wanted="$6")
    return (
        f"CREATE OR REPLACE FUNCTION {name}(matched tsquery, ranked tsquery, body_mention float8,"
        " wanted integer) RETURNS TABLE (article_id bigint, relevance float8, published bigint)"
        " LANGUAGE plpgsql STABLE" + "".join(f" SET {key} = {value}" for key, value in SEARCH_PLANNER.items())
        + f""" AS $$
    DECLARE
        top bigint;
        bottom bigint;
        width bigint := {SEARCH_FIRST_WINDOW};
        found bigint;
        missing bigint := wanted;
    BEGIN
        PERFORM set_config('enable_indexscan', 'on', true);  -- the ends of the primary key
        SELECT max(s.article_id), min(s.article_id) INTO top, bottom FROM news_article_search AS s;
        PERFORM set_config('enable_indexscan', 'off', true);
        WHILE missing > 0 AND top >= bottom LOOP
            RETURN QUERY EXECUTE '{window.replace("'", "''")}'
                USING ranked, body_mention, matched, top - width, top, missing;
            GET DIAGNOSTICS found = ROW_COUNT;
            missing := missing - found;
            top := top - width;
            IF found > 0 THEN  -- as wide as this window's density says the rest needs, twice over
                width := LEAST(width * 4, GREATEST({SEARCH_SMALLEST_WINDOW}, CEIL(2.0 * missing * width / found)::bigint));
            ELSE
                width := width * 4;
            END IF;
        END LOOP;
    END $$"""
    )


POSTGRES_NEWEST = newest_function()
POSTGRES_TABLES = [
    "CREATE TABLE IF NOT EXISTS news_search_pending (article_id bigint PRIMARY KEY)",
    *(statement.format(table="news_article_search") for statement in POSTGRES_SEARCH_TABLE),
    POSTGRES_GIN,
    POSTGRES_NEWEST,
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
    "DROP FUNCTION IF EXISTS news_article_search_newest(tsquery, tsquery, float8, integer)",
    "DROP TABLE IF EXISTS news_article_search",
    "DROP TABLE IF EXISTS news_search_pending",
]

PARTITIONS: dict[tuple, set[int]] = {}  # (alias, vendor, database name, table) -> partitions seen committed


def table_partitions(index, cursor, table: str = "news_article_search") -> set[int] | None:
    """The numbers of ``table``'s partitions, or None when it is not partitioned (an archive
    before news.0010)."""
    cursor.execute("SELECT c.relkind = 'p' FROM pg_class AS c WHERE c.oid = to_regclass(%s)", [table])
    found = cursor.fetchone()
    if not found or not found[0]:
        return None
    cursor.execute("SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
                   " WHERE i.inhparent = to_regclass(%s)", [table])
    prefix = f"{table}_p"
    return {int(name[len(prefix):]) for (name,) in cursor.fetchall()
            if name.startswith(prefix) and name[len(prefix):].isdigit()}


def ensure_partitions(index, cursor, ids: list[int], table: str = "news_article_search") -> None:
    """Attach the partitions these ids fall in that ``table`` lacks (the caller holds
    ``SEARCH_WRITE_LOCK``). What a process saw committed is kept, so a write whose ids fall in
    known partitions asks nothing (a rolled-back partition is never kept: tests roll back)."""
    needed = {article_id // SEARCH_PARTITION_IDS for article_id in ids}
    key = (*index._found_key(), table)
    known = PARTITIONS.get(key)
    if known is not None and needed <= known:
        return
    present = table_partitions(index, cursor, table)
    if present is None:  # not partitioned: nothing to make
        return
    for number in sorted(needed - present):
        for statement in partition_statements(table, number):
            cursor.execute(statement)
    seen = present | needed
    transaction.on_commit(lambda: PARTITIONS.__setitem__(key, PARTITIONS.get(key, set()) | seen),
                          using=index.connection.alias)


def _rebuild(index, new: str, create: list[str], fill: str, partitions: range = range(0)) -> None:
    """Make table ``new`` (``create``, each statement's ``{table}`` its name; LZ4 where the server
    has it; these ``partitions`` attached), fill it (``fill``: its ``INSERT … SELECT`` from
    ``news_article_search``), and let it take ``news_article_search``'s place, its partitions
    renamed after it; then the GIN index, made once the entries are all in, and the search
    function. No dead rows are left behind, and nothing is indexed again."""
    index._run([f"DROP TABLE IF EXISTS {new}", *(statement.format(table=new) for statement in create)])
    compress(index, new)
    index._run([
        *(statement for number in partitions for statement in partition_statements(new, number)),
        fill,
        "DROP TABLE news_article_search",
        f"ALTER TABLE {new} RENAME TO news_article_search",
        f"ALTER INDEX {new}_pkey RENAME TO news_article_search_pkey",
        *(f"ALTER TABLE {new}_p{number} RENAME TO news_article_search_p{number}" for number in partitions),
        POSTGRES_GIN,
        POSTGRES_NEWEST,
        "ANALYZE news_article_search",
    ])
    PARTITIONS.pop((*index._found_key(), "news_article_search"), None)


def _copy_into(new: str) -> str:
    return (f"INSERT INTO {new} (article_id, published, document, title)"
            " SELECT article_id, published, document, title FROM news_article_search")


def partition(index) -> None:
    """Move the entries into a table partitioned by ranges of ``SEARCH_PARTITION_IDS`` ids (news.0010),
    which takes the old one's place."""
    new = "news_article_search_parted"
    with index.connection.cursor() as cursor:
        if table_partitions(index, cursor) is not None:
            return
        cursor.execute("SELECT COALESCE(max(article_id), 0) FROM news_article_search")
        top = cursor.fetchone()[0]
    _rebuild(index, new, POSTGRES_PARTITIONED_TABLE, _copy_into(new), range(top // SEARCH_PARTITION_IDS + 1))


def unpartition(index) -> None:
    """news.0010 undone: the entries back in one table, as news.0005 made it."""
    new = "news_article_search_whole"
    with index.connection.cursor() as cursor:
        if table_partitions(index, cursor) is None:
            return
    _rebuild(index, new, POSTGRES_SEARCH_TABLE, _copy_into(new))


def mark_facets(index) -> None:
    """Rewrite the entries written before facet terms had ``TSQUERY_FACET_MARK`` (migration
    ``news.0005``): a facet is the one term of weight D, so such an entry keeps its title and
    body words as they are and gets its facets back marked (without positions: no phrase
    reads them, and they weigh nothing in ``ts_rank``); an entry already marked (each has a
    language facet) is copied as it is. Each gets its ``title``: its words of weight A. The
    entries go into a new table, stored as ``POSTGRES_SEARCH_TABLE`` says, which then takes the
    old one's place (``_rebuild``)."""
    mark, new = TSQUERY_FACET_MARK, "news_article_search_marked"
    _rebuild(index, new, POSTGRES_SEARCH_TABLE,
             f"INSERT INTO {new} (article_id, published, document, title) SELECT article_id, published,"
             f" CASE WHEN document @@ CAST('''{mark}l'':*' AS tsquery) THEN document"
             " ELSE ts_filter(document, '{a,b}') || array_to_tsvector(ARRAY("
             f"SELECT '{mark}' || lexeme FROM unnest(ts_filter(document, '{{d}}')))) END,"
             " ts_filter(document, '{a}')"  # the title's words, where they were
             " FROM news_article_search")


def compress(index, table: str = "news_article_search") -> None:
    """Compress the tsvectors written from now on with LZ4 (PostgreSQL 14 and later, built
    with it): ranking reads a few hundred of them per search, and LZ4 gives them back faster
    than pglz. A server without it keeps pglz."""
    try:
        with transaction.atomic(using=index.connection.alias), index.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN document SET COMPRESSION lz4")
    except DatabaseError:
        pass
