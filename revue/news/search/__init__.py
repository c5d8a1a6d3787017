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
below are the package's interface, read from their modules on first use.
"""

from importlib import import_module

# Read on first use (PEP 562): importing ``words`` alone — the crawler's CPU processes do, before
# Django is set up — must not import the engine, which needs the ORM.
_HOME = {
    "SearchTimeout": "backends", "backend": "backends",
    "Hit": "engine", "SearchResults": "engine", "entry_options": "engine", "highlight": "engine",
    "index_articles": "engine", "index_pending": "engine", "pending_ids": "engine", "index_queued": "engine",
    "search": "engine",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
