"""Search on SQLite reads each match's ``published`` from a small table of its own (#17):
``news_search_published`` (article id, Unix time), filled here from the FTS5 table's own
``published`` column (in SQL, no reindexing: about a second for 100,000 articles), kept in step by
``Fts5.write`` and by the deletion trigger, made again here to delete its rows with the articles.
Reading the column from the FTS5 table loaded each match's whole stored row, its words with it
(``revue.news.search.backends.Fts5.candidates_statement``). The FTS5 table keeps its column.
PostgreSQL is unchanged. Going back drops the table and puts the trigger back as it was.
"""

from django.db import migrations

from revue.news.search.backends import Fts5, backend

# the deletion trigger as news.0004 made it
TRIGGER_BEFORE = """CREATE TRIGGER news_article_search_delete AFTER DELETE ON news_article BEGIN
        DELETE FROM news_article_fts WHERE rowid = old.id;
        DELETE FROM news_search_pending WHERE article_id = old.id;
    END"""


def keep_published(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Fts5) and index.exists():
        index.migrate_published()


def drop_published(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Fts5) and index.exists():
        index._run(["DROP TRIGGER IF EXISTS news_article_search_delete", TRIGGER_BEFORE,
                    "DROP TABLE IF EXISTS news_search_published"])


class Migration(migrations.Migration):
    dependencies = [("news", "0005_search_facet_mark")]
    operations = [migrations.RunPython(keep_published, drop_published)]
