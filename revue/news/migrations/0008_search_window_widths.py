"""Search on PostgreSQL (#17): after a window of ids that found matches, the next window is as wide
as that window's density says the missing matches need, twice over (at least
``SEARCH_SMALLEST_WINDOW`` ids), no wider than four times the last: a word dense in the newest ids
no longer reads a wide second window's matches to keep a few. The same rows. The function is
replaced in place; SQLite: nothing to do. Going back makes news.0007's function again.
"""

import importlib

from django.db import migrations

from revue.news.search.backends import POSTGRES_NEWEST

replace_function = importlib.import_module("revue.news.migrations.0007_search_windows").replace_function

SIZED_BY_DENSITY = POSTGRES_NEWEST[POSTGRES_NEWEST.index("            IF found > 0 THEN"):
                                   POSTGRES_NEWEST.index("            END IF;") + len("            END IF;")]
FOUR_TIMES_WIDER = POSTGRES_NEWEST.replace(SIZED_BY_DENSITY, "            width := width * 4;")


class Migration(migrations.Migration):
    dependencies = [("news", "0007_search_windows")]
    operations = [migrations.RunPython(replace_function(POSTGRES_NEWEST), replace_function(FOUR_TIMES_WIDER))]
