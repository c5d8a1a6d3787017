"""Search on PostgreSQL (#17): ``news_article_search`` partitioned by ranges of
``SEARCH_PARTITION_IDS`` article ids, each partition with its own GIN index
(``revue.news.search.pgschema.partition``). A search reads the newest windows of ids; with
one index for the whole archive, each window read the word's whole posting list (every match in
the archive, 40-95 ms for the commonest words of a million articles); now the window's partitions'
lists alone. The entries are moved in SQL, nothing is indexed again (about four minutes for a
million articles here, most of it the GIN indexes). New partitions are attached by the index's
writer as the ids reach them. SQLite: nothing to do. Going back puts the entries in one table again.
"""

from django.db import migrations

from revue.news.search import pgschema
from revue.news.search.backends import Tsvector, backend


def partition(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Tsvector) and index.exists():
        pgschema.partition(index)


def unpartition(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Tsvector) and index.exists():
        pgschema.unpartition(index)


class Migration(migrations.Migration):
    dependencies = [("news", "0009_article_unclustered")]
    operations = [migrations.RunPython(partition, unpartition)]
