"""revue.db: many rows a statement, every row written as it would be one at a time (SQLite
and PostgreSQL), beyond what one statement may carry."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from revue.db import MAX_PARAMETERS, insert_rows, update_rows
from revue.news.models import Story


@pytest.fixture
def stories(db):
    return Story.objects.bulk_create(Story(title=f"story {n}") for n in range(MAX_PARAMETERS // 3 + 50))


def test_insert_rows_writes_every_row_in_chunks(db):
    count = MAX_PARAMETERS // 3 + 10  # rows of 6 columns: more than two statements' worth
    table = Story._meta.db_table
    seen = timezone.now().replace(microsecond=0)
    when = Story._meta.get_field("first_seen_at").get_db_prep_save(seen, connection)
    rows = [(f"« titre » n°{n}, l'été", when, when, n, n % 5, "fr,ar") for n in range(count)]
    with connection.cursor() as cursor:
        insert_rows(cursor, table, ("title", "first_seen_at", "last_seen_at", "article_count", "outlet_count",
                                    "languages"), rows)
    written = Story.objects.order_by("article_count")
    assert [(s.title, s.article_count, s.outlet_count) for s in written] == [(r[0], r[3], r[4]) for r in rows]
    assert {s.first_seen_at for s in written} == {seen} and written[0].language_list == ["fr", "ar"]


def test_update_rows_sets_each_row_and_honours_the_condition(stories):
    table = Story._meta.db_table
    kept = {story.id for story in stories[::7]}
    Story.objects.filter(id__in=kept).update(languages="ar")  # the condition below leaves these alone
    rows = [(f"nouveau {story.id} — جديد", story.id * 2, story.id) for story in stories]
    with connection.cursor() as cursor:
        update_rows(cursor, table, ("title", "article_count"), "id", rows,
                    where=f"{connection.ops.quote_name('languages')} <> %s", where_params=["ar"])
    for story in Story.objects.all():
        if story.id in kept:
            assert story.title.startswith("story ") and story.article_count == 0
        else:
            assert story.title == f"nouveau {story.id} — جديد" and story.article_count == story.id * 2


def test_nothing_to_write_is_no_statement(db):
    with connection.cursor() as cursor:
        insert_rows(cursor, Story._meta.db_table, ("title",), [])
        update_rows(cursor, Story._meta.db_table, ("title",), "id", [])
    assert not Story.objects.exists()


@pytest.mark.nodb
def test_database_urls_are_read_with_their_quoting_ports_and_options(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from revue.settings import database_from_url

    default = database_from_url("", tmp_path)
    assert default["ENGINE"].endswith("sqlite3") and default["NAME"] == str(tmp_path / "revue.sqlite3")
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"] and default["CONN_MAX_AGE"] is None
    assert database_from_url("sqlite:///data/x.sqlite3", tmp_path)["NAME"] == "data/x.sqlite3"
    pg = database_from_url("postgres://revue:p%40ss%2Fw@db.example:6432/news?sslmode=require", tmp_path)
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql", "revue", "p@ss/w", "db.example", "6432", "news")
    assert pg["OPTIONS"] == {"sslmode": "require"} and pg["CONN_MAX_AGE"] == 60
    assert database_from_url("postgresql://127.0.0.1", tmp_path)["NAME"] == "revue"
    with pytest.raises(ImproperlyConfigured, match="REVUE_DATABASE_URL must start with"):
        database_from_url("mysql://root@127.0.0.1/test", tmp_path)
