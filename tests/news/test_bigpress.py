"""``bench/bigpress.py``, the generated archive ``bench/serve.py --full`` measures: on either
database it must end as the real code would have left it — the schema the migrations made (on
PostgreSQL the generator drops indexes and silences triggers while it loads), search entries
equal to what Revue's own indexing writes, every article found by search and in a story."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F, Max

from bench import bigpress
from revue.news.models import Article, Image, Story
from revue.news.search import engine
from revue.sources.models import Feed, Source

ARTICLES = 2100  # two slices: the second one's stories and search rows too
OUTLETS = 30


def schema() -> list[tuple]:
    """Every table, index, constraint and trigger of the database, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            return cursor.fetchall()
        cursor.execute("""
            SELECT 'index', i.relname, pg_get_indexdef(i.oid), x.indisvalid::text FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relnamespace = 'public'::regnamespace
            UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid), conrelid::regclass::text
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger
                WHERE tgrelid::regclass::text LIKE 'news_%%' OR tgrelid::regclass::text LIKE 'sources_%%'
            UNION ALL SELECT 'table', relname, coalesce(array_to_string(reloptions, ','), ''), relkind::text
                FROM pg_class WHERE relnamespace = 'public'::regnamespace
            UNION ALL SELECT 'compression', attrelid::regclass::text || '.' || attname, attcompression::text, ''
                FROM pg_attribute WHERE attnum > 0 AND attrelid IN
                    (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')
            UNION ALL SELECT 'column', table_name || '.' || column_name, data_type, coalesce(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public'
            ORDER BY 1, 2""")
        return cursor.fetchall()


def search_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT f.rowid, f.published, p.published, f.title, f.body, f.meta FROM news_article_fts AS f"
                           " LEFT JOIN news_search_published AS p ON p.article_id = f.rowid ORDER BY f.rowid")
        else:
            cursor.execute("SELECT article_id, published, document::text FROM news_article_search ORDER BY article_id")
        return cursor.fetchall()


def session_settings() -> list[tuple]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name IN"
                       " ('session_replication_role', 'synchronous_commit', 'maintenance_work_mem') ORDER BY name")
        return cursor.fetchall()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generated_archive_is_what_revue_would_store(client):
    before, settings_before = schema(), session_settings()
    if connection.vendor == "postgresql":
        with bigpress.postgresql_session() as copy_search:
            assert copy_search  # the search rows go by COPY: the generator knows the search table's columns

    bigpress.generate(ARTICLES, OUTLETS, processes=2)  # two slices, one in each process

    assert schema() == before  # the same indexes (valid), constraints, enabled triggers, columns
    assert session_settings() == settings_before  # the generator's session settings undone
    assert (Source.objects.count(), Feed.objects.count(), Article.objects.count()) == (OUTLETS, OUTLETS, ARTICLES)
    # the foreign keys PostgreSQL did not check while loading hold
    assert Article.objects.filter(story__isnull=True).count() == 0
    assert Article.objects.filter(source__isnull=True).count() == 0
    assert Article.objects.filter(image__isnull=False).count() == Image.objects.count() > ARTICLES // 2
    assert sum(Story.objects.values_list("article_count", flat=True)) == ARTICLES
    assert Story.objects.filter(lead__story=F("id")).count() == Story.objects.count()
    assert ARTICLES / 3 < Story.objects.count() < ARTICLES
    # nothing left on the search queue, and every article's entry is the one Revue's own indexing writes
    assert engine.pending_ids() == []
    generated = search_rows()
    assert [row[0] for row in generated] == list(range(1, ARTICLES + 1))
    engine.index_articles(range(1, ARTICLES + 1))
    assert search_rows() == generated
    # a reader finds the newest article by the rarest word of its title
    newest = Article.objects.select_related("source").order_by("-id").first()
    texts = [f"{title} {text}".lower() for title, text in Article.objects.values_list("title", "text")]
    word = min((w for w in newest.title.lower().split() if len(w) >= 4),
               key=lambda w: sum(w in text for text in texts))
    page = client.get("/recherche", {"q": word})
    assert page.status_code == 200 and f'href="/{newest.source.slug}/{newest.id}"' in page.content.decode()
    # the sequences go on after the generated ids
    highest = Story.objects.aggregate(Max("id"))["id__max"]
    assert Story.objects.create(title="après").id > highest

