"""Full-text search over the archive, the same on SQLite and PostgreSQL.

The package, from the bottom up:

* ``words`` — words as search sees them: folded (``revue.text.fold``), stemmed, with their spans;
  an article's index entry (``index_entry``, pure: the crawler's CPU processes make it);
* ``query`` — what a reader types, parsed (``parse_query``, ``SearchFilters``), and written as an
  FTS5 or a tsquery expression;
* ``params`` — the portal's and the API's search parameters read into filters (``InvalidSearch``);
* ``backends`` — the index on each database (FTS5, tsvector), chosen once by ``backend()``, with
  its tables, triggers and time limit;
* ``engine`` — keeping the index in step (``index_articles``, ``index_pending``) and searching
  (``search``: the newest matches, ranked by relevance and recency).

``from revue.news import search`` then ``search.search(…)``, ``search.index_pending()``: the names
below are the package's interface.
"""

from revue.news.search.backends import SearchTimeout, backend
from revue.news.search.engine import (
    Hit,
    SearchResults,
    entry_options,
    highlight,
    index_articles,
    index_pending,
    pending_ids,
    refresh,
    search,
)

__all__ = ["Hit", "SearchResults", "SearchTimeout", "backend", "entry_options", "highlight", "index_articles",
           "index_pending", "pending_ids", "refresh", "search"]
