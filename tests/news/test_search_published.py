"""Search on SQLite reads each match's ``published`` from ``news_search_published`` (news.0006),
beside the FTS5 table: the table must hold exactly one row per index entry, with the entry's
date, however articles come, change and go (indexing, deletion by the ORM or by hand, ``revue
prune``), and the migration must fill it from an archive indexed before it existed."""

from __future__ import annotations

import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from revue.news import search
from revue.news.models import Article
from revue.news.search import engine
from revue.news.search.query import SearchFilters, parse_query
from revue.sources.models import Source

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index's own table")

_serial = itertools.count(1)


def rows(sql: str) -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def published_rows() -> dict[int, int]:
    return rows("SELECT article_id, published FROM news_search_published")


def index_rows() -> dict[int, int]:
    return rows("SELECT rowid, published FROM news_article_fts")


def stored(source: Source, title: str, age: timedelta) -> Article:
    n = next(_serial)
    return Article.objects.create(source=source, url=f"https://quotidien.example/p{n}", title=title,
                                  text="Le conseil municipal a voté le budget du tramway.", language="fr",
                                  published_at=timezone.now() - age)


def unix(article: Article) -> int:
    article.refresh_from_db()
    return int(article.published_at.timestamp())


def found(word: str) -> dict[int, int]:
    """What a search reads for each match: article id → published."""
    return {c.article_id: c.published for c in engine.candidates(parse_query(word), SearchFilters(), 100)}


@pytest.fixture
def archive(db):
    source = Source.objects.create(name="Le Quotidien", language="fr")
    articles = [stored(source, f"Tramway, épisode {n}", timedelta(days=n * 20, hours=n)) for n in range(6)]
    search.index_pending()
    return articles


def test_each_entry_keeps_its_date_beside_the_index_and_a_search_reads_it(archive):
    expected = {a.pk: unix(a) for a in archive}
    assert published_rows() == index_rows() == expected
    assert found("tramway") == expected

    moved = archive[2]
    Article.objects.filter(pk=moved.pk).update(published_at=moved.published_at - timedelta(days=400))
    search.index_pending()  # as a crawl run ends: the changed article indexed again
    expected[moved.pk] = unix(moved)
    assert published_rows() == index_rows() == expected
    assert found("tramway") == expected

    with connection.cursor() as cursor:  # a row gone missing: its match is still found, with its date
        cursor.execute("DELETE FROM news_search_published WHERE article_id = %s", [moved.pk])
    assert found("tramway") == expected


def test_a_deleted_article_leaves_no_row_behind(archive):
    archive[0].delete()
    with connection.cursor() as cursor:  # by hand too: the trigger, not the ORM, deletes the rows
        cursor.execute("DELETE FROM news_article WHERE id = %s", [archive[1].pk])
    left = {a.pk: unix(a) for a in archive[2:]}
    assert published_rows() == index_rows() == left
    assert found("tramway") == left


def test_prune_leaves_no_row_behind(archive):
    out = StringIO()
    call_command("prune", "--days", "50", stdout=out)  # the articles 60 days old and more go
    left = {a.pk: unix(a) for a in archive[:3]}
    assert set(Article.objects.values_list("id", flat=True)) == set(left)
    assert published_rows() == index_rows() == left
    assert found("tramway") == left


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_table_from_an_archive_indexed_before_it(archive):
    try:
        call_command("migrate", "news", "0005", verbosity=0)
        assert "news_search_published" not in connection.introspection.table_names()
        archive[0].delete()  # the trigger as it was before: the index row goes, nothing fails
        assert set(index_rows()) == {a.pk for a in archive[1:]}
    finally:
        call_command("migrate", "news", verbosity=0)
    expected = {a.pk: unix(a) for a in archive[1:]}
    assert published_rows() == index_rows() == expected
    assert found("tramway") == expected
    del expected[archive[1].pk]
    archive[1].delete()  # the trigger made again deletes the new table's row too
    assert published_rows() == index_rows() == expected
