"""Benchmark: the PostgreSQL search statement (#17), round 2's beside this checkout's, same run.

    export REVUE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME   # an archive bench/serve.py --keep made
    .venv/bin/python bench/search_pg.py --save-before    # once, before migrating: keeps round 2's entries
    .venv/bin/revue migrate                              # news.0005 rewrites the entries in place
    .venv/bin/python bench/search_pg.py --words 50 --explain 2

``--save-before`` copies ``news_article_search`` as round 2 wrote it (facet terms bare, weight D)
into ``bench_search_before``, with the same GIN index and compression. Each run then asks, for
``--words`` words a reader might type (``bench/serve.py``'s list: the four languages of the
archive, past the commonest; ``--skip`` of them left out first), round 2's statement on that copy
(the match ``'word':AB``, facets ``:D``, ranked by ``ts_rank`` on the newest
``REVUE_SEARCH_MAX_RESULTS`` + 1 matches) and this checkout's (``Tsvector.candidates``, the code
the engine runs), one after the other, the first to go alternating from word to word; each
word is asked once of each (no statement finds its rows in a result kept from the same word,
though PostgreSQL's buffers are warm for both). Then the same with each word's language as a
filter (``--filtered`` words). Printed: p50, p95 and slowest ms of each, their ratio, how many
words gave the same candidates (same ids, same order) and how alike the first pages the engine
makes of them are (relevance divided by age, ``engine.recency_weighted``: this checkout ranks
by the title, round 2 by the whole document); ``--explain N``: ``EXPLAIN (ANALYZE, BUFFERS)``
of both for the first N words.

``--windows`` (#17, news.0007): round 3's one statement (every match read, the newest kept)
beside the windows of ids (``backends.newest_function``), both made as temporary functions of
this session (the archive is left as it is, no ``--save-before`` needed): p50, p95 and slowest
ms of each over the same words, and how many gave the very same rows (ids, ranks, order).

``--partitions`` (#17, news.0010): the windows of ids over one table with one GIN index (a copy of
the entries, ``bench_search_whole``, made by the first such run and kept) beside the same function
over the partitioned table, the same way.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")

BEFORE = "bench_search_before"
ROUND_2 = ("SELECT article_id, ts_rank(%s::float4[], document, CAST(%s AS tsquery)), published"
           f" FROM (SELECT article_id, document, published FROM {BEFORE}"
           " WHERE document @@ CAST(%s AS tsquery) ORDER BY article_id DESC LIMIT %s) AS newest")


def round_2_tsquery(expression: str) -> str:
    """This checkout's match written as round 2 wrote it: words ``:AB``, prefixes ``:*AB``, facet
    terms bare with ``:D``."""
    from revue.news.search.query import TSQUERY_FACET_MARK

    def lexeme(match: re.Match) -> str:
        word, prefix = match.group(1), match.group(2) or ""
        if word.startswith(TSQUERY_FACET_MARK):
            return f"'{word[len(TSQUERY_FACET_MARK):]}':D"
        return f"'{word}'{prefix}AB" if prefix else f"'{word}':AB"

    return re.sub(r"'([^']*)'(:\*)?", lexeme, expression)


def save_before(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {BEFORE}")
    cursor.execute(f"CREATE TABLE {BEFORE} (LIKE news_article_search INCLUDING ALL)")
    cursor.execute(f"INSERT INTO {BEFORE} SELECT * FROM news_article_search")
    cursor.execute(f"ANALYZE {BEFORE}")
    cursor.execute(f"SELECT count(*), pg_total_relation_size('{BEFORE}') FROM {BEFORE}")
    rows, size = cursor.fetchone()
    print(f"{BEFORE}: {rows:,} entries, {size / 1e6:.0f} MB with its indexes and TOAST")


def words(count: int, skip: int) -> list[str]:
    from serve import search_words

    paths = search_words(skip + count)[skip:]
    return [urllib.parse.unquote(path.split("=", 1)[1]) for path in paths]


def timed(run) -> tuple[float, list]:
    started = time.perf_counter()
    rows = run()
    return (time.perf_counter() - started) * 1000, rows


def explain(cursor, sql: str, params: list) -> str:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join("    " + row[0] for row in cursor.fetchall())


def figures(spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered):7.1f}  p95 {p95:7.1f}  slowest {ordered[-1]:7.1f} ms"


def first_page(found: list) -> list[int]:
    """The ids of the first page the engine makes of these candidates (relevance and recency)."""
    from django.conf import settings

    from revue.news.search.engine import Candidate, recency_weighted

    ranked = recency_weighted([Candidate(int(i), float(r or 0.0), int(p)) for i, r, p in found])
    return [pk for _, pk in ranked[: settings.REVUE_SEARCH_PAGE_SIZE]]


def compare(label: str, queries: list[tuple[str, object]], explain_first: int) -> None:
    from django.conf import settings
    from django.db import connection

    from revue.news.search.backends import NEWEST_MATCHES, SEARCH_PLANNER, backend
    from revue.news.search.query import tsquery_expression

    index = backend()
    limit = settings.REVUE_SEARCH_MAX_RESULTS + 1
    title_weight = float(settings.REVUE_SEARCH_TITLE_WEIGHT)
    weights = "{0, 0, %s, 1.0}" % (1.0 / title_weight)
    spent: dict[str, list[float]] = {"round 2": [], "this checkout": []}
    same, shared, same_first, matches = 0, [], 0, []
    with connection.cursor() as cursor:
        for n, (text, (parsed, filters)) in enumerate(queries):
            old = round_2_tsquery(tsquery_expression(parsed, filters))
            runs = {
                "round 2": lambda: (cursor.execute(ROUND_2, [weights, old, old, limit]), cursor.fetchall())[1],
                "this checkout": lambda: index.candidates(parsed, filters, limit, title_weight),
            }
            order = list(runs) if n % 2 == 0 else list(runs)[::-1]
            found = {}
            for name in order:
                ms, found[name] = timed(runs[name])
                spent[name].append(ms)
            before, after = found["round 2"], found["this checkout"]
            matches.append(len(after))
            same += [r[0] for r in before] == [r[0] for r in after]
            pages = first_page(before), first_page(after)
            shared.append(len(set(pages[0]) & set(pages[1])) / max(len(pages[0]), 1))
            same_first += pages[0][:1] == pages[1][:1]
            if n < explain_first:
                print(f"\n  « {text} » ({len(after)} candidates), round 2:\n" + explain(cursor, ROUND_2, [weights, old, old, limit]))
                print(f"  « {text} », this checkout:")
                _, (matched, ranked, floor, wanted) = index.candidates_statement(parsed, filters, limit, title_weight)
                body = NEWEST_MATCHES.format(matched="CAST(%s AS tsquery)", ranked="CAST(%s AS tsquery)", floor="%s",
                                             wanted="%s")
                with index._set_locally(SEARCH_PLANNER):  # as news_article_search_newest() plans it
                    print(explain(cursor, body, [ranked, floor, matched, wanted]))
    print(f"\n{label}: {len(queries)} searches, candidates per search median {statistics.median(matches):.0f} "
          f"(max {max(matches)})")
    for name, values in spent.items():
        print(f"  {name:<14} {figures(values)}")
    ratio = statistics.median(spent["round 2"]) / statistics.median(spent["this checkout"])
    print(f"  medians' ratio {ratio:.1f}x; same candidates in the same order: {same} of {len(queries)}; first page "
          f"(relevance and recency): {statistics.mean(shared):.0%} of its articles the same on average, the same "
          f"first result for {same_first}")


def compare_windows(label: str, queries: list[tuple[str, object]]) -> None:
    """Round 3's one statement beside the windows of ids (news.0007)."""
    from revue.news.search.backends import newest_function

    sys.path.insert(0, str(ROOT / "revue" / "news" / "migrations"))
    one_statement = __import__("0007_search_windows").ONE_STATEMENT
    compare_functions(label, queries, {
        "one statement": one_statement.replace("news_article_search_newest(", "pg_temp.bench_newest_one("),
        "windows": newest_function("pg_temp.bench_newest_windows")})


WHOLE = "bench_search_whole"


def compare_partitions(label: str, queries: list[tuple[str, object]]) -> None:
    """The windows of ids over one table (``WHOLE``: a copy of the entries with one GIN index, as
    before news.0010) beside the same function over the partitioned table."""
    from django.db import connection

    from revue.news.search.backends import newest_function

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [WHOLE])
        if not cursor.fetchone()[0]:
            print(f"copying the entries into {WHOLE}, one table with one GIN index (once; a few minutes) …", flush=True)
            for statement in (
                f"CREATE TABLE {WHOLE} (article_id bigint PRIMARY KEY, published bigint NOT NULL,"
                " document tsvector NOT NULL, title tsvector NOT NULL) WITH (toast_tuple_target = 128)",
                f"ALTER TABLE {WHOLE} ALTER COLUMN title SET STORAGE MAIN",
                f"INSERT INTO {WHOLE} SELECT article_id, published, document, title FROM news_article_search ORDER BY article_id",
                f"CREATE INDEX {WHOLE}_document ON {WHOLE} USING GIN (document)",
                f"ANALYZE {WHOLE}",
            ):
                cursor.execute(statement)
    whole = newest_function("pg_temp.bench_newest_whole").replace("news_article_search AS s", f"{WHOLE} AS s")
    compare_functions(label, queries, {"one table": whole, "partitions": newest_function("pg_temp.bench_newest_parts")})


def compare_functions(label: str, queries: list[tuple[str, object]], functions: dict[str, str]) -> None:
    """Each of two functions (name -> the statement making it, in this session only) asked each
    search in turn, the first to go alternating: p50, p95, slowest, and whether they gave the very
    same rows."""
    from django.conf import settings
    from django.db import connection

    from revue.news.search.backends import TS_RANK_FIRST_MENTION
    from revue.news.search.query import tsquery_expression, tsquery_rank_expression

    limit = settings.REVUE_SEARCH_MAX_RESULTS + 1
    floor = 1.0 / float(settings.REVUE_SEARCH_TITLE_WEIGHT) / TS_RANK_FIRST_MENTION  # as Tsvector.candidates
    names = {name: re.search(r"FUNCTION (pg_temp\.\w+)\(", made).group(1) for name, made in functions.items()}
    spent: dict[str, list[float]] = {name: [] for name in names}
    same, matches = 0, []
    first, second = list(names)
    with connection.cursor() as cursor:
        for made in functions.values():
            cursor.execute(made)
        for n, (_, (parsed, filters)) in enumerate(queries):
            params = [tsquery_expression(parsed, filters), tsquery_rank_expression(parsed, filters), floor, limit]
            order = list(names) if n % 2 == 0 else list(names)[::-1]
            found = {}
            for name in order:
                sql = f"SELECT * FROM {names[name]}(CAST(%s AS tsquery), CAST(%s AS tsquery), %s, %s)"
                ms, found[name] = timed(lambda: (cursor.execute(sql, params), cursor.fetchall())[1])
                spent[name].append(ms)
            matches.append(len(found[second]))
            same += found[first] == found[second]
    print(f"\n{label}: {len(queries)} searches, candidates per search median {statistics.median(matches):.0f} "
          f"(max {max(matches)}, {sum(m == limit for m in matches)} at the limit)")
    for name, values in spent.items():
        print(f"  {name:<14} {figures(values)}")
    ratio = statistics.median(spent[first]) / statistics.median(spent[second])
    print(f"  medians' ratio {ratio:.1f}x; the very same rows (ids, ranks, order): {same} of {len(queries)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save-before", action="store_true", help=f"copy the entries as they are into {BEFORE}")
    parser.add_argument("--words", type=int, default=50)
    parser.add_argument("--filtered", type=int, default=20, help="words asked again with their language as a filter")
    parser.add_argument("--skip", type=int, default=1000, help="words of the list left out first")
    parser.add_argument("--windows", action="store_true", help="round 3's one statement beside the windows of ids")
    parser.add_argument("--partitions", action="store_true",
                        help=f"the windows over one table ({WHOLE}, made once) beside the partitioned table (news.0010)")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN (ANALYZE, BUFFERS) of the first N words")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from revue.news.search.params import search_filters
    from revue.news.search.query import parse_query

    if connection.vendor != "postgresql":
        raise SystemExit("REVUE_DATABASE_URL must name a PostgreSQL archive")
    with connection.cursor() as cursor:
        if options.save_before:
            save_before(cursor)
            return
        if options.windows or options.partitions:
            compared = compare_partitions if options.partitions else compare_windows
            chosen = words(options.words, options.skip)
            compared("words", [(w, (parse_query(w), search_filters())) for w in chosen])
            languages = ["fr", "ar", "es", "en"]
            if options.filtered:
                compared("words with their language as a filter",
                         [(w, (parse_query(w), search_filters(lang=languages[n % 4])))
                          for n, w in enumerate(chosen[: options.filtered])])
            return
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL, (SELECT count(*) FROM news_article_search)", [BEFORE])
        saved, entries = cursor.fetchone()
    if not saved:
        raise SystemExit(f"no {BEFORE}: run --save-before on the archive before migrating it")
    chosen = words(options.words, options.skip)
    languages = ["fr", "ar", "es", "en"]  # serve.search_words interleaves them in this order
    print(f"{entries:,} entries; {len(chosen)} words from « {chosen[0]} » on")
    compare("words", [(w, (parse_query(w), search_filters())) for w in chosen], options.explain, )
    filtered = [(f"{w} (lang={languages[n % 4]})", (parse_query(w), search_filters(lang=languages[n % 4])))
                for n, w in enumerate(chosen[: options.filtered])]
    if filtered:
        compare("words with their language as a filter", filtered, 0)


if __name__ == "__main__":
    main()
