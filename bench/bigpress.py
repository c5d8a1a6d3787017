"""A big generated archive written straight into a fresh database, for ``bench/serve.py --full``.

Not through the crawler (a million articles would take it hours here): articles, their lead images,
outlets with one feed each, and stories are made a slice of consecutive articles at a time
(``SLICE``), each slice written in one transaction:

* on **SQLite**, slices are made in this process (or ``--processes`` worker processes) and this
  process writes them with multi-row ``INSERT``s (``revue.db.insert_rows``);
* on **PostgreSQL**, with ``COPY … FROM STDIN`` (psycopg's ``cursor.copy``), by ``--processes``
  worker processes that each make a slice and write it on a connection of their own (0: this
  process alone), in a session set for loading (``postgresql_session``: no triggers fire, commits
  do not wait for the disk, the indexes that back no constraint are made once at the end from
  their own definitions); the archive ends with the schema the migrations made
  (``tests/news/test_bigpress.py`` compares).

What the portal reads is filled the way the real code expects it:

* **search**: each article's index entry is made by Revue's own ``revue.news.search.words.index_entry``
  (as the crawler's CPU processes make them), and written by the search backend's own ``write``
  (FTS5 rows on SQLite), or on PostgreSQL by ``COPY`` of the rows ``Tsvector._write`` inserts
  (``Tsvector.columns``, ``Tsvector.row``; the backend's ``write`` if the table differs), the
  queue ``news_search_pending`` left empty either way;
* **stories**: every article belongs to a ``Story`` (``story_id``), as after the settle step; within
  a slice about a third of the articles join one of the stories opened just before, from another
  outlet and often in another language, so stories have 1 to a dozen articles, each story's
  ``lead``, counts, languages and first/last times set as the clusterer sets them. The clustering
  index (``news_storyfingerprint``, ``news_storyposting``) is **not** filled: it is read only when
  new articles are clustered, never by a reader's page; ``revue stories rebuild`` would fill it.

Text is made of real words of each language (``wordfreq``'s lists, drawn by their frequency), in
sentences and paragraphs; lengths follow a log-normal law (median about 2,400 characters of text,
from 300 to 20,000), titles 6 to 14 words, a summary of the first words. Languages: French 50 %,
Arabic 25 %, Spanish 13 %, English 12 % (each outlet writes one). Ids grow with time, as a crawler
stores them; the newest article is a few minutes old, the span is ``articles / 2,700`` days (a
year for a million), so the front page has its stories « À la une ».
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as tz
from zoneinfo import ZoneInfo

LANGUAGES = (("fr", 0.50), ("ar", 0.25), ("es", 0.13), ("en", 0.12))
VOCABULARY = 6000  # most frequent words of each language
ARTICLES_PER_DAY = 2700
JOIN_SHARE = 0.35  # articles that join a story opened just before
OPEN_STORIES = 40  # stories an article may join: the last ones opened in its slice
IMAGE_SHARE = 0.8  # articles with a lead image
TEXT_MEDIAN_CHARS = 2400
SLICE = 2000  # articles per worker task and per transaction
PROCESSES = {"sqlite": 0, "postgresql": 3}  # --processes by default: on PostgreSQL each also writes its slices


@dataclass(frozen=True)
class Plan:
    """What to generate: the sizes, and the fixed values the worker processes need."""

    articles: int
    outlets: int
    categories: tuple[int, ...]
    now: float  # epoch seconds of the newest article
    time_zone: str
    max_indexed_chars: int
    seed: int = 20261206

    @property
    def span_seconds(self) -> float:
        return max(self.articles / ARTICLES_PER_DAY, 1.0) * 86400

    def outlet_language(self, outlet: int) -> str:
        shares = [share for _, share in LANGUAGES]
        point = (outlet * 0.6180339887) % 1.0 * sum(shares)
        for (code, share) in LANGUAGES:
            if point < share:
                return code
            point -= share
        return LANGUAGES[-1][0]


# --- words ---------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[list[str], list[float]]] = {}
_DRAWN: dict[str, list[str]] = {}
DRAWN_WORDS = 400_000  # words drawn once per language and process; an article reads a stretch of them


def words_of(language: str) -> tuple[list[str], list[float]]:
    """The language's most frequent words and their cumulative weights (Zipf frequencies)."""
    if language not in _WORDS:
        import wordfreq

        words = [w for w in wordfreq.top_n_list(language, VOCABULARY) if w.isalpha()]
        total, cumulative = 0.0, []
        for word in words:
            total += 10 ** wordfreq.zipf_frequency(word, language)
            cumulative.append(total)
        _WORDS[language] = (words, cumulative)
    return _WORDS[language]


def drawn_words(language: str, count: int, generator: random.Random) -> list[str]:
    """``count`` words of the language in their frequencies: a stretch of words drawn once."""
    if language not in _DRAWN:
        words, cumulative = words_of(language)
        _DRAWN[language] = random.Random(language).choices(words, cum_weights=cumulative, k=DRAWN_WORDS)
    pool = _DRAWN[language]
    start = generator.randrange(DRAWN_WORDS - count) if count < DRAWN_WORDS else 0
    return pool[start:start + count]


def sentences(generator: random.Random, language: str, chars: int) -> list[list[str]]:
    """Paragraphs (lists of sentences) of about ``chars`` characters."""
    drawn = drawn_words(language, max(8, chars // 6), generator)
    paragraphs, paragraph, start = [], [], 0
    size = 8 + int(generator.random() * 16)
    length = 2 + int(generator.random() * 4)
    while start < len(drawn):
        sentence = " ".join(drawn[start:start + size])
        paragraph.append(sentence[:1].upper() + sentence[1:] + ".")
        start += size
        size = 8 + (size * 7 + start) % 17  # varied sentence and paragraph lengths, no draw each
        if len(paragraph) >= length:
            paragraphs.append(paragraph)
            paragraph = []
            length = 2 + (length + size) % 4
    if paragraph:
        paragraphs.append(paragraph)
    return paragraphs


def title_of(generator: random.Random, language: str) -> str:
    title = " ".join(drawn_words(language, 6 + int(generator.random() * 9), generator))
    return title[:1].upper() + title[1:]


# --- one slice, made in a worker process ---------------------------------------------------------


@dataclass
class Slice:
    """The rows of one slice of consecutive articles, in column order of their tables."""

    articles: list[dict]
    images: list[dict]
    stories: list[dict]
    entries: list  # revue.news.search.words.IndexEntry


def make_slice(plan: Plan, first: int) -> Slice:
    """Articles ``first`` … ``first + SLICE - 1`` (0-based; ids are one more), with their images,
    stories and search index entries."""
    from revue.news.search.words import index_entry

    generator = random.Random(plan.seed * 1_000_003 + first)
    zone = ZoneInfo(plan.time_zone)
    last = min(first + SLICE, plan.articles)
    articles, images, entries = [], [], []
    stories: dict[int, dict] = {}
    open_stories: list[int] = []
    for n in range(first, last):
        article_id = n + 1
        published = datetime.fromtimestamp(
            plan.now - plan.span_seconds * (1 - n / plan.articles) - generator.random() * 600, tz.utc)
        joined = None
        if open_stories and generator.random() < JOIN_SHARE:
            joined = stories[generator.choice(open_stories[-OPEN_STORIES:])]
        outlet = generator.randrange(plan.outlets) + 1
        language = plan.outlet_language(outlet)
        title = title_of(generator, language)
        chars = int(min(max(generator.lognormvariate(math.log(TEXT_MEDIAN_CHARS), 0.6), 300), 20000))
        paragraphs = sentences(generator, language, chars)
        text = "\n\n".join(" ".join(p) for p in paragraphs)
        html = "".join(f"<p>{' '.join(p)}</p>" for p in paragraphs)
        summary = text[:240].rsplit(" ", 1)[0] + " …"
        url = f"https://outlet-{outlet}.example/{published:%Y/%m/%d}/{article_id}"
        image_id = article_id if generator.random() < IMAGE_SHARE else None
        if image_id:
            image_url = f"https://outlet-{outlet}.example/images/{article_id}.jpg"
            images.append({"id": image_id, "url": image_url, "url_hash": _sha256(image_url), "state": "visible",
                           "width": 1200, "height": 800, "caption": "", "first_seen_at": published,
                           "blocked_at": None})
        category = plan.categories[generator.randrange(len(plan.categories))]
        if joined is None:
            joined = {"id": article_id, "title": title, "first_seen_at": published, "last_seen_at": published,
                      "article_count": 0, "outlets": set(), "languages": set(), "lead_id": article_id}
            stories[article_id] = joined
            open_stories.append(article_id)
        joined["article_count"] += 1
        joined["outlets"].add(outlet)
        joined["languages"].add(language)
        joined["last_seen_at"] = max(joined["last_seen_at"], published)
        row = {
            "id": article_id, "source_id": outlet, "feed_id": outlet, "url": url, "url_hash": _sha256(url),
            "guid": url, "title": title, "summary": summary, "content_html": html, "text": text, "author": "",
            "language": language, "published_at": published,
            "fetched_at": published + timedelta(seconds=generator.randint(30, 900)), "image_id": image_id,
            "category_id": category, "story_id": joined["id"], "content_hash": _sha256(text),
            "duplicate_of_id": None,
        }
        articles.append(row)
        entries.append(index_entry({**row, "source__language": language}, tz=zone,
                                   max_chars=plan.max_indexed_chars))
    story_rows = [
        {"id": s["id"], "title": s["title"], "first_seen_at": s["first_seen_at"], "last_seen_at": s["last_seen_at"],
         "article_count": s["article_count"], "outlet_count": len(s["outlets"]),
         "languages": ",".join(sorted(s["languages"])), "lead_id": s["lead_id"]}
        for s in stories.values()
    ]
    return Slice(articles, images, story_rows, entries)


def _sha256(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()


def _slice_task(arguments: tuple[Plan, int]) -> Slice:
    return make_slice(*arguments)


# --- writing, in the main process (Django set up) ------------------------------------------------


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _values(model, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """``model``'s columns and each row's values in their order."""
    from django.db import connection

    columns = _columns(model)
    datetime_columns = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"}
    # a column the generator does not know of (one a newer migration added) takes its field's default
    defaults = {f.column: f.get_default() for f in model._meta.concrete_fields}
    adapt = connection.ops.adapt_datetimefield_value
    return columns, [tuple(adapt(row.get(c, defaults[c])) if c in datetime_columns else row.get(c, defaults[c])
                           for c in columns) for row in rows]


def _write_rows(cursor, model, rows: list[dict]) -> None:
    """Multi-row ``INSERT``s on SQLite, ``COPY … FROM STDIN`` on PostgreSQL."""
    columns, values = _values(model, rows)
    _write_values(cursor, model._meta.db_table, columns, values)


def _write_values(cursor, table: str, columns: list[str], values: list[tuple]) -> None:
    from django.db import connection

    from revue.db import insert_rows

    if connection.vendor != "postgresql":
        insert_rows(cursor, table, columns, values)
        return
    quote = connection.ops.quote_name
    with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def write_outlets(plan: Plan) -> None:
    """``plan.outlets`` outlets (``outlet-1`` …), each with one feed that is never due."""
    from django.db import connection, transaction

    from revue.sources.models import Feed, Source

    created = datetime.fromtimestamp(plan.now - plan.span_seconds - 86400, tz.utc)
    never = datetime(2099, 1, 1, tzinfo=tz.utc)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(1, plan.outlets + 1, 5000):
            numbers = range(start, min(start + 5000, plan.outlets + 1))
            _write_rows(cursor, Source, [
                {"id": n, "name": f"Outlet {n}", "slug": f"outlet-{n}", "homepage": f"https://outlet-{n}.example/",
                 "language": plan.outlet_language(n), "country": "MA", "is_active": True, "created_at": created}
                for n in numbers])
            _write_rows(cursor, Feed, [{
                "id": n, "source_id": n, "url": f"https://outlet-{n}.example/feed", "title": f"Outlet {n}",
                "category_hint": "", "state": "active", "etag": "", "last_modified": "", "next_fetch_at": never,
                "interval_seconds": 900, "last_fetched_at": None, "last_status": None, "last_new_entries": 0,
                "error_count": 0, "last_error": "", "last_error_at": None, "entries_skipped": 0,
                "last_skip_reason": "", "last_skipped_at": None, "lease_owner": "", "lease_expires_at": None,
                "created_at": created} for n in numbers])


def write_slice(part: Slice, copy_search: bool = False) -> None:
    """One slice in one transaction; ``copy_search``: the search rows written by ``COPY`` too
    (``postgresql_session`` says when), else by the backend's own ``write``."""
    from django.db import connection, transaction

    from revue.news import search
    from revue.news.models import Article, Image, Story

    through = Article.images.through
    with transaction.atomic(), connection.cursor() as cursor:
        _write_rows(cursor, Image, part.images)
        _write_rows(cursor, Story, part.stories)
        _write_rows(cursor, Article, part.articles)
        _write_rows(cursor, through, [{"id": image["id"], "article_id": image["id"], "image_id": image["id"]}
                                      for image in part.images])
        index = search.backend()
        if copy_search:  # the rows Tsvector._write inserts: its columns, its row() of each entry
            _write_values(cursor, SEARCH_TABLE, list(index.columns), [index.row(e) for e in part.entries])
        else:
            index.write(part.entries, [row["id"] for row in part.articles])


# --- PostgreSQL: one session set for loading ------------------------------------------------------

SEARCH_TABLE = "news_article_search"
LOADED_TABLES = ("news_article", "news_image", "news_article_images", "news_story", "sources_source",
                 "sources_feed", SEARCH_TABLE)


@contextmanager
def postgresql_session() -> Iterator[bool]:
    """Set the connection up for loading, and yield whether the search rows can go by ``COPY``.

    * ``synchronous_commit = off``: a slice's commit does not wait for the disk;
    * ``session_replication_role = replica``: no trigger fires for this session's rows, so the
      queue trigger does not put each article on ``news_search_pending`` for the backend's
      ``write`` to take off again (the queue ends empty either way), and the foreign keys'
      triggers do not check each row (the generator makes them consistent; ``tests/news/test_bigpress.py``
      checks);
    * the loaded tables' indexes that back no constraint (the search's GIN index, the articles'
      listing indexes) are dropped, then made again from their own definitions
      (``pg_get_indexdef``) once the rows are in: building an index once is faster than keeping
      it up to date row by row, and the archive ends with the indexes the migrations made.

    The search rows go by ``COPY`` when the index is ``Tsvector`` and its table has just the
    ``columns`` its ``_write`` fills with each entry's ``row`` (else the backend's ``write``)."""
    from django.db import connection

    from revue.news import search
    from revue.news.search.backends import Tsvector

    with connection.cursor() as cursor:
        _load_settings(cursor)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname",
            [list(LOADED_TABLES)])
        indexes = cursor.fetchall()
        cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                       " AND NOT attisdropped ORDER BY attnum", [SEARCH_TABLE])
        index = search.backend()
        copy_search = (isinstance(index, Tsvector) and hasattr(index, "row")
                       and tuple(name for (name,) in cursor.fetchall()) == tuple(getattr(index, "columns", ())))
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield copy_search
    finally:
        with connection.cursor() as cursor:
            for _, definition in indexes:  # (a partitioned table's index: on every partition, not ONLY)
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for name in ("session_replication_role", "synchronous_commit", "maintenance_work_mem"):
                cursor.execute(f"RESET {name}")


def _load_settings(cursor) -> None:
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET session_replication_role = replica")


def _writer_init(database: str) -> None:
    """A writing worker process: Django set up, its connection to ``database`` (the one the main
    process is on: a test's database too) set for loading."""
    import django
    from django.db import connection

    django.setup()
    connection.settings_dict["NAME"] = database
    with connection.cursor() as cursor:
        _load_settings(cursor)


def _write_task(arguments: tuple[Plan, int, bool]) -> int:
    plan, first, copy_search = arguments
    part = make_slice(plan, first)
    write_slice(part, copy_search)
    return len(part.articles)


def write_in_processes(plan: Plan, processes: int, copy_search: bool) -> Iterator[int]:
    """PostgreSQL: ``processes`` worker processes each make a slice and write it on a connection of
    their own, as many transactions at once; yields each slice's article count as it is written."""
    import multiprocessing

    from django.db import connection

    tasks = [(plan, first, copy_search) for first in range(0, plan.articles, SLICE)]
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_writer_init,
                                                   initargs=(connection.settings_dict["NAME"],)) as pool:
        yield from pool.imap_unordered(_write_task, tasks, chunksize=1)


def slices(plan: Plan, processes: int) -> Iterator[Slice]:
    """Every slice in order, made by ``processes`` worker processes (0: in this one)."""
    tasks = [(plan, first) for first in range(0, plan.articles, SLICE)]
    if processes <= 0:
        yield from map(_slice_task, tasks)
        return
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        yield from pool.imap(_slice_task, tasks, chunksize=1)


def generate(articles: int, outlets: int, processes: int) -> None:
    """Fill the (migrated, empty) database Django is set up on; a tqdm progress bar on stderr."""
    import time

    from django.conf import settings
    from django.db import connection
    from tqdm import tqdm

    from revue.news.models import Category

    plan = Plan(articles=articles, outlets=outlets, categories=tuple(Category.objects.values_list("id", flat=True)),
                now=time.time() - 300, time_zone=settings.TIME_ZONE,
                max_indexed_chars=settings.REVUE_SEARCH_MAX_INDEXED_CHARS)
    postgresql = connection.vendor == "postgresql"
    with postgresql_session() if postgresql else nullcontext(False) as copy_search:
        if postgresql:  # the search table's partitions, for every id to come (the backend's writes make their own)
            from revue.news import search
            from revue.news.search import pgschema
            from revue.news.search.backends import Tsvector

            index = search.backend()
            if isinstance(index, Tsvector):
                with connection.cursor() as cursor:
                    pgschema.ensure_partitions(index, cursor, [*range(0, articles + 1, pgschema.SEARCH_PARTITION_IDS), articles])
        write_outlets(plan)
        with tqdm(total=articles, unit=" articles", unit_scale=True, smoothing=0.05) as bar:
            if postgresql and processes > 0:
                for count in write_in_processes(plan, processes, copy_search):
                    bar.update(count)
            else:
                for part in slices(plan, processes):
                    write_slice(part, copy_search)
                    bar.update(len(part.articles))
    with connection.cursor() as cursor:
        if postgresql:
            for table in ("news_article", "news_image", "news_article_images", "news_story", "sources_source", "sources_feed"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
            # VACUUM too: the fresh tables' visibility maps set now, not by autovacuum during a measurement
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def main() -> None:
    """``python bench/bigpress.py --articles N`` on the database of ``REVUE_DATABASE_URL`` /
    ``REVUE_DATA_DIR`` (migrated by ``revue init`` first, empty of articles)."""
    import argparse
    import os
    import sys
    import time
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--outlets", type=int, default=10_000)
    parser.add_argument("--processes", type=int,
                        help="worker processes making the slices (0: all in this one); on PostgreSQL each writes its own "
                             f"(default {PROCESSES['postgresql']}), on SQLite this one writes them all (default "
                             f"{PROCESSES['sqlite']}: pickling the slices to the writer cost more than it gave)")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django

    django.setup()
    from revue.news.models import Article

    if Article.objects.exists():
        raise SystemExit("the database already holds articles: generate into a fresh one")
    started = time.perf_counter()
    from django.db import connection

    processes = PROCESSES.get(connection.vendor, 0) if options.processes is None else options.processes
    generate(options.articles, options.outlets, processes)
    print(f"generated {options.articles:,} articles and {options.outlets:,} outlets in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
