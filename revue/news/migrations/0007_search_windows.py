"""Search on PostgreSQL (#17): ``news_article_search_newest`` finds the newest matches window of
ids by window, newest first (``revue.news.search.backends.newest_function``), instead of reading
every match of the archive to keep the newest. The function is replaced in place; nothing else
changes. SQLite: nothing to do. Going back makes round 3's one-statement function again.
"""

from django.db import migrations

from revue.news.search.backends import NEWEST_MATCHES, POSTGRES_NEWEST, SEARCH_PLANNER, Tsvector, backend

ONE_STATEMENT = (
    "CREATE OR REPLACE FUNCTION news_article_search_newest(matched tsquery, ranked tsquery, body_mention float8,"
    " wanted integer) RETURNS TABLE (article_id bigint, relevance float8, published bigint)"
    " LANGUAGE sql STABLE" + "".join(f" SET {name} = {value}" for name, value in SEARCH_PLANNER.items())
    + " AS $$ " + NEWEST_MATCHES.format(matched="matched", ranked="ranked", floor="body_mention", wanted="wanted") + " $$"
)


def replace_function(statement: str):
    def run(apps, schema_editor):
        index = backend(schema_editor.connection)
        if isinstance(index, Tsvector) and index.exists():
            index._run([statement])
    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0006_search_published")]
    operations = [migrations.RunPython(replace_function(POSTGRES_NEWEST), replace_function(ONE_STATEMENT))]
