"""Full-text search: the index, its queue and the triggers that keep it in step with articles.

SQLite gets an FTS5 table, PostgreSQL a tsvector table with a GIN index (see
``revue.news.search.backends``); other databases get nothing and search finds nothing. Articles
already stored are queued, and indexed right after ``migrate`` (``revue.api.apps``).
"""

from django.db import migrations

from revue.news.search.backends import backend


def create_index(apps, schema_editor):
    index = backend(schema_editor.connection)
    if index is not None:
        index.create()


def drop_index(apps, schema_editor):
    index = backend(schema_editor.connection)
    if index is not None:
        index.drop()


class Migration(migrations.Migration):
    dependencies = [("news", "0003_stories")]
    operations = [migrations.RunPython(create_index, drop_index)]
