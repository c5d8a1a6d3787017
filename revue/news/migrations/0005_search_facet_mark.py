"""Search on PostgreSQL answered by its GIN index alone (#17): facet terms now start with a mark
no word has (``revue.news.search.query.TSQUERY_FACET_MARK``), so that a search names no weight;
each entry gets its title's own tsvector, which ranks the matches; documents are kept in TOAST,
compressed with LZ4 where the server has it. The entries already written are rewritten in SQL,
into a new table that takes the old one's place (``Tsvector.mark_facets``: no reindexing; about
two to three minutes for 100,000 articles on a loaded two-core machine). SQLite is unchanged (its
facets have a column of their own). Going back drops ``title`` and the function and queues every
article, indexed again right after ``migrate``.
"""

from django.db import migrations

from revue.news.search.backends import Tsvector, backend


def mark_facets(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Tsvector) and index.exists():
        index.mark_facets()


def queue_every_article(apps, schema_editor):
    index = backend(schema_editor.connection)
    if isinstance(index, Tsvector) and index.exists():
        index._run(["DROP FUNCTION IF EXISTS news_article_search_newest(tsquery, tsquery, float8, integer)",
                    "ALTER TABLE news_article_search DROP COLUMN IF EXISTS title",
                    "INSERT INTO news_search_pending (article_id) SELECT id FROM news_article ON CONFLICT DO NOTHING"])


class Migration(migrations.Migration):
    dependencies = [("news", "0004_search")]
    operations = [migrations.RunPython(mark_facets, queue_every_article)]
