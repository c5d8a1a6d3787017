"""Benchmark: Revue's search against the raw FTS5 query for the same queries, in the same run.

    python bench/search.py [--articles 100000] [--rounds 5] [--keep DIR]
    python bench/search.py --full          # 1,000,000 articles, as the search issue asks

Builds a scratch SQLite database (migrations, then articles through the ORM's ``bulk_create``, so
the triggers queue them, then ``revue.news.search.index_pending()``: the real indexing path), and
times a fixed mix of queries — common and rare words, phrases, prefixes, exclusions, OR, Arabic,
filters by outlet, language and dates — each round interleaving:

* **revue**: ``revue.news.search.search()`` end to end — parse, compile, FTS5 match of the newest
  ``REVUE_SEARCH_MAX_RESULTS`` candidates with bm25, recency weighting, the page's articles read
  through the ORM and their highlighted excerpts;
* **raw** (the floor): ``SELECT rowid FROM news_article_fts WHERE … MATCH ? ORDER BY rank LIMIT 20``,
  FTS5's own bm25 top 20 for the very same MATCH expression, nothing else.

Each query's time is its median over the rounds; the figures printed are p50 and p95 over the
mix for each side, and revue's p95 / raw's p95. Goal: revue p95 < 50 ms and ≤ 2 × raw.

``--archive DIR`` (a data folder ``bench/serve.py --full --keep`` made, e.g.
``build/arch100k/sqlite``) times instead the search *page* in process, through Django's test client
and every middleware, for words never asked before (``bench/serve.py``'s « new search » words),
phase by phase, in the thread's CPU time (the machine is shared: other processes' load moves the
wall clock, not this): ``fts`` (``engine.candidates``: the FTS5 statement, SQLite working in this
thread), ``fetch`` (``engine._hits``: the page's articles read, less their highlighting),
``highlight`` (``engine.highlight``), ``render`` (the template), ``rest`` (the view, the
middlewares, the page cache), ``cpu`` (their sum) and ``wall`` (the page's wall-clock time); then
``fts wall`` and ``fetch wall`` (those two phases' wall-clock time: on PostgreSQL the statements'
work is the server's, outside this thread's CPU) and ``statements`` (the SQL statements the page
ran, each a round trip on PostgreSQL). A PostgreSQL archive (``bench/serve.py --full --databases
postgresql --keep``: the folder's ``bench.json`` names its database) is read the same way. ``--before DIR`` (a
checkout of an older commit, e.g. ``git worktree add /tmp/old <commit>``) is measured in the same
run: each checkout in a process of its own, on the same archive, the two given the same words a
batch at a time, taking turns at going first; both then search each word once more outside the
timing, ranked at the same instant (recency moves scores), and the first pages are compared (same
articles in the same order, same titles and excerpts).

    python bench/search.py --archive build/arch100k/sqlite --before /tmp/old --words 400
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone as tz
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("BENCH_SEARCH_ROOT") or str(ROOT))  # --before's worker: the older checkout

# words the queries look for, with how often an article uses each (the rest is Zipf filler)
FRENCH = {
    "gouvernement": 0.08, "maroc": 0.30, "économie": 0.05, "résolution": 0.01, "sécurité": 0.03,
    "conseil": 0.06, "élections": 0.01, "tramway": 0.002, "phosphate": 0.003, "sécheresse": 0.004,
    "barrage": 0.004, "hydrogène": 0.0005, "marrakech": 0.02, "football": 0.03, "investissement": 0.02,
}
ARABIC = {"الحكومة": 0.10, "المغرب": 0.25, "الأمن": 0.03, "إصلاح": 0.01, "الانتخابات": 0.005}
SPANISH = {"gobierno": 0.08, "elecciones": 0.01, "marruecos": 0.3}
ENGLISH = {"government": 0.08, "elections": 0.01, "morocco": 0.3}
LANGUAGES = (("fr", 0.6, FRENCH), ("ar", 0.25, ARABIC), ("es", 0.08, SPANISH), ("en", 0.07, ENGLISH))
TEXT_WORDS = 80
TITLE_WORDS = 9
OUTLETS = 200

QUERY_MIX = [
    ("maroc", {}),
    ("gouvernement", {}),
    ("resolution", {}),
    ("securite conseil", {}),
    ('"conseil de sécurité"', {}),
    ("hydrogène", {}),
    ("tramway casablanca", {}),
    ("résol*", {}),
    ("gouv*", {}),
    ("maroc -football", {}),
    ("phosphate OR sécheresse", {}),
    ("élection", {}),
    ("الحكومة", {}),
    ("اصلاح", {}),
    ("elections", {"lang": "en"}),
    ("gobierno", {"lang": "es"}),
    ("maroc", {"outlet": "outlet-7"}),
    ("économie", {"category": "economie"}),
    ("barrage", {"since": "RECENT"}),
    ("investissement marrakech", {"since": "YEAR", "until": "TODAY"}),
]


def setup_django(data_dir: Path) -> None:
    os.environ["REVUE_DATA_DIR"] = str(data_dir)
    os.environ["REVUE_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["REVUE_CACHE_URL"] = "locmem://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django

    django.setup()


def filler_vocabulary(generator: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnoprstuvé"
    return ["".join(generator.choice(letters) for _ in range(generator.randint(3, 10))) for _ in range(size)]


def article_words(generator, filler, weights, keywords, count) -> str:
    words = generator.choices(filler, cum_weights=weights, k=count)
    for word, share in keywords.items():
        if generator.random() < share:
            words[generator.randrange(count)] = word
    if keywords is FRENCH and generator.random() < 0.01:
        words[0:3] = ["conseil", "de", "sécurité"]
    if keywords is FRENCH and generator.random() < 0.003:
        words[3:4] = ["casablanca"]
    return " ".join(words)


def generate(count: int, seed: int = 20251208) -> tuple[float, float]:
    """Store ``count`` articles, then index them; returns (store seconds, index seconds)."""
    from django.db import transaction

    from revue.news import search
    from revue.news.models import Article, Category
    from revue.sources.models import Source

    generator = random.Random(seed)
    filler = filler_vocabulary(generator, 30_000)
    cumulative, total = [], 0.0
    for rank in range(1, len(filler) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    outlets = Source.objects.bulk_create(
        [Source(name=f"Outlet {n}", slug=f"outlet-{n}", language=LANGUAGES[n % 4][0]) for n in range(OUTLETS)]
    )
    categories = list(Category.objects.all())
    now = datetime.now(tz.utc)
    span = timedelta(days=730).total_seconds()
    started = time.perf_counter()
    batch = []
    for n in range(count):
        code, _, keywords = generator.choices(LANGUAGES, weights=[w for _, w, _ in LANGUAGES])[0]
        # ids grow with time, as a crawler stores them; published dates jitter a little
        published = now - timedelta(seconds=span * (1 - n / count) + generator.random() * 3600)
        batch.append(
            Article(
                source=outlets[generator.randrange(OUTLETS)], url=f"https://bench.example/{n}",
                url_hash=f"{n:064x}", title=article_words(generator, filler, cumulative, keywords, TITLE_WORDS),
                text=article_words(generator, filler, cumulative, keywords, TEXT_WORDS), language=code,
                published_at=published, fetched_at=published, category=generator.choice(categories),
            )
        )
        if len(batch) == 10_000 or n == count - 1:
            with transaction.atomic():
                Article.objects.bulk_create(batch)
            batch = []
            print(f"\r  stored {n + 1:,}/{count:,}", end="", file=sys.stderr, flush=True)
    stored = time.perf_counter() - started
    print(file=sys.stderr)
    started = time.perf_counter()
    done = 0
    while True:
        step = search.index_pending(50_000)
        done += step
        print(f"\r  indexed {done:,}/{count:,}", end="", file=sys.stderr, flush=True)
        if not step:
            break
    print(file=sys.stderr)
    return stored, time.perf_counter() - started


def resolve(filters: dict) -> dict:
    today = date.today()
    values = {"RECENT": (today - timedelta(days=30)).isoformat(), "YEAR": (today - timedelta(days=365)).isoformat(),
              "TODAY": today.isoformat()}
    return {k: values.get(v, v) for k, v in filters.items()}


def measure(rounds: int) -> list[tuple[str, float, float, int]]:
    """(query, revue median ms, raw median ms, matches) for each query of the mix."""
    from django.db import connection

    from revue.news import search
    from revue.news.search.params import search_filters
    from revue.news.search.query import fts5_expression, parse_query

    prepared = []
    for text, filters in QUERY_MIX:
        chosen = search_filters(**resolve(filters))
        prepared.append((text, filters, chosen, fts5_expression(parse_query(text), chosen)))
    timings = {text + str(f): ([], []) for text, f, _, _ in prepared}
    matches = {}
    for round_number in range(rounds + 1):  # round 0 warms the caches and is not counted
        for text, filters, chosen, expression in prepared:
            key = text + str(filters)
            started = time.perf_counter()
            results = search.search(text, chosen)
            ours = time.perf_counter() - started
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM news_article_fts WHERE news_article_fts MATCH %s ORDER BY rank LIMIT 20",
                    [expression],
                )
                cursor.fetchall()
            raw = time.perf_counter() - started
            if round_number:
                timings[key][0].append(ours * 1000)
                timings[key][1].append(raw * 1000)
            matches[key] = results.matches
    return [
        (text + (f"  {filters}" if filters else ""), statistics.median(timings[text + str(filters)][0]),
         statistics.median(timings[text + str(filters)][1]), matches[text + str(filters)])
        for text, filters, _, _ in prepared
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# --- --archive: the search page in process, phase by phase, this checkout beside an older one ---------

PHASES = ("fts", "fetch", "highlight", "render", "rest", "cpu", "wall")
WALL_PHASES = ("fts wall", "fetch wall", "statements")


def page_worker() -> None:
    """One checkout's side (``sys.path[0]`` is its root): read batches of words on stdin, search
    each with the test client, answer each word's phases (ms) on stdout; ``{"check": words}``
    answers each word's results instead."""
    setup_archive(Path(os.environ["REVUE_DATA_DIR"]))
    from django.conf import settings
    from django.test import Client

    from revue.news.search import engine
    from revue.portal import search as portal_search

    spent: dict[str, float] = {}

    def timed(module, name: str, phase: str) -> None:
        original = getattr(module, name, None)
        if original is None:  # a checkout without that function: its time falls in « rest »
            return

        def wrapper(*args, **kwargs):
            started, wall = time.thread_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + time.thread_time() - started
                spent[phase + " wall"] = spent.get(phase + " wall", 0.0) + time.perf_counter() - wall

        setattr(module, name, wrapper)

    timed(engine, "candidates", "fts")
    timed(engine, "_hits", "fetch")
    timed(engine, "highlight", "highlight")
    timed(portal_search, "render", "render")
    from django.db import connection

    def counted(execute, sql, params, many, context):
        spent["statements"] = spent.get("statements", 0.0) + 0.001  # × 1000 below: one per statement
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(counted)
    client = Client()
    for line in sys.stdin:
        asked = json.loads(line)
        if "check" in asked:  # the first page of each word, ranked at the same instant on both sides
            from revue.news.search.query import SearchFilters, parse_query

            answer = {}
            for word in asked["check"]:
                query = parse_query(word)
                found = engine.candidates(query, SearchFilters(), settings.REVUE_SEARCH_MAX_RESULTS + 1)
                page = engine.recency_weighted(found, now=asked["now"])[: settings.REVUE_SEARCH_PAGE_SIZE]
                answer[word] = [[hit.article.pk, str(hit.title_html), str(hit.snippet_html)]
                                for hit in engine._hits(query, page)]
            print(json.dumps(answer), flush=True)
            continue
        rows = []
        for word in asked["words"]:
            spent.clear()
            started, cpu = time.perf_counter(), time.thread_time()
            response = client.get("/recherche", {"q": word})
            total, cpu = time.perf_counter() - started, time.thread_time() - cpu
            if response.status_code != 200:
                raise SystemExit(f"/recherche?q={word}: {response.status_code}")
            row = {phase: spent.get(phase, 0.0) * 1000 for phase in PHASES[:4]}
            row["fetch"] -= row["highlight"]  # highlighting happens within _hits
            row["cpu"] = cpu * 1000
            row["rest"] = row["cpu"] - row["fts"] - row["fetch"] - row["highlight"] - row["render"]
            row["wall"] = total * 1000
            row.update({phase: spent.get(phase, 0.0) * 1000 for phase in WALL_PHASES})
            row["fetch wall"] -= spent.get("highlight wall", 0.0) * 1000
            rows.append(row)
        print(json.dumps(rows), flush=True)


def setup_archive(data_dir: Path) -> None:
    """Django on the archive kept in ``data_dir``: its ``revue.sqlite3``, or the PostgreSQL
    database its ``bench.json`` names (``bench/serve.py --keep``), with the in-memory cache
    (a search never asked before misses any cache alike)."""
    os.environ["REVUE_DATA_DIR"] = str(data_dir)
    os.environ.pop("REVUE_DATABASE_URL", None)  # the data folder's revue.sqlite3
    about = data_dir / "bench.json"
    database = json.loads(about.read_text()).get("pg_database") if about.exists() else None
    if database:
        os.environ["REVUE_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["REVUE_CACHE_URL"] = "locmem://"
    os.environ["REVUE_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django

    django.setup()


def new_search_words(count: int) -> list[str]:
    """The words of ``bench/serve.py``'s « new search » rows (the archive's four languages)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from serve import search_words

    from urllib.parse import unquote

    return [unquote(path.split("=", 1)[1]) for path in search_words()][:count]


def start_page_worker(root: Path, data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "REVUE_DATA_DIR": str(data_dir), "BENCH_SEARCH_WORKER": "1", "BENCH_SEARCH_ROOT": str(root)}
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve())], cwd=root, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def ask(worker: subprocess.Popen, message: dict):
    worker.stdin.write(json.dumps(message) + "\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise SystemExit("a worker stopped")
    return json.loads(line)


def measure_pages(args) -> None:
    data_dir = args.archive.resolve()
    words = new_search_words(args.words + args.warmup)
    warm, words = words[: args.warmup], words[args.warmup :]
    sides = {"before": args.before.resolve()} if args.before else {}
    sides["now"] = ROOT
    workers = {name: start_page_worker(root, data_dir) for name, root in sides.items()}
    try:
        for worker in workers.values():
            ask(worker, {"words": warm})
        rows: dict[str, list[dict]] = {name: [] for name in workers}
        batch = 20
        for n, start in enumerate(range(0, len(words), batch)):
            order = list(workers) if n % 2 == 0 else list(workers)[::-1]
            for name in order:
                rows[name] += ask(workers[name], {"words": words[start : start + batch]})
        print(f"{data_dir}: the search page for {len(words)} words never asked before, one at a time "
              f"(after {len(warm)} to warm up); ms per page, p50 / p95; the phases are the thread's CPU time")
        print(f"{'':8}" + "".join(f"{phase:>15}" for phase in PHASES + WALL_PHASES))
        for name, found in rows.items():
            cells = []
            for phase in PHASES + WALL_PHASES:
                values = [row[phase] for row in found]
                cells.append(f"{statistics.median(values):>8.1f} /{percentile(values, 0.95):>5.0f}")
            print(f"{name:8}" + "".join(cells))
        if len(workers) == 2:
            checked, now = (args.check if args.check is not None else len(words)), time.time()
            before, after = (ask(worker, {"check": words[:checked], "now": now}) for worker in workers.values())
            same_ids = sum(1 for word in words[:checked] if [h[0] for h in before[word]] == [h[0] for h in after[word]])
            titles = sum(1 for word in words[:checked] if [h[1] for h in before[word]] == [h[1] for h in after[word]])
            excerpts = [(old[2], new[2]) for word in words[:checked] for old, new in zip(before[word], after[word])]
            reached = sum(1 for old, new in excerpts if old != new and "<mark>" not in old and "<mark>" in new)
            other = [word for word in words[:checked] for old, new in zip(before[word], after[word])
                     if old[2] != new[2] and not ("<mark>" not in old[2] and "<mark>" in new[2])]
            print(f"first pages compared for {checked} words, ranked at the same instant: same articles in the same "
                  f"order for {same_ids}, same titles for {titles}; of {len(excerpts)} excerpts "
                  f"{len(excerpts) - reached - len(other)} identical, {reached} now around a match the older one did "
                  f"not reach (past REVUE_SEARCH_SNIPPET_SCAN_CHARS), {len(other)} otherwise different"
                  + (f" ({', '.join(sorted(set(other))[:10])})" if other else ""))
    finally:
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()


def main() -> None:
    if os.environ.get("BENCH_SEARCH_WORKER"):
        page_worker()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="1,000,000 articles")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the scratch database in this folder")
    parser.add_argument("--archive", type=Path, help="time the search page on this kept archive's data folder instead")
    parser.add_argument("--before", type=Path, help="--archive: an older checkout measured beside this one")
    parser.add_argument("--words", type=int, default=200, help="--archive: words searched by each side")
    parser.add_argument("--warmup", type=int, default=20, help="--archive: words searched first, not counted")
    parser.add_argument("--check", type=int, help="--archive --before: words whose results are compared (all)")
    args = parser.parse_args()
    if args.archive:
        measure_pages(args)
        return
    count = 1_000_000 if args.full else args.articles
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="revue-bench-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    reuse = (data_dir / "bench.sqlite3").exists()
    setup_django(data_dir)
    from django.core.management import call_command

    from revue.news.models import Article

    try:
        call_command("migrate", verbosity=0)  # a kept database follows the schema too
        if not reuse:
            stored, indexed = generate(count)
            print(f"built {count:,} articles: stored in {stored:.0f} s, indexed in {indexed:.0f} s "
                  f"({count / max(indexed, 1e-9):,.0f} articles/s)")
        else:
            count = Article.objects.count()
            print(f"reusing {count:,} articles in {data_dir}")
        size = sum(p.stat().st_size for p in data_dir.glob("bench.sqlite3*")) / 1e9
        print(f"database {size:.2f} GB; {len(QUERY_MIX)} queries × {args.rounds} rounds (medians, ms)\n")
        rows = measure(args.rounds)
        print(f"{'query':48} {'revue':>8} {'raw':>8} {'ratio':>6} {'matches':>8}")
        for text, ours, raw, found in rows:
            print(f"{text[:48]:48} {ours:8.2f} {raw:8.2f} {ours / max(raw, 1e-6):6.2f} {found:8,}")
        ours_all, raw_all = [r[1] for r in rows], [r[2] for r in rows]
        p50, p95 = percentile(ours_all, 0.5), percentile(ours_all, 0.95)
        r50, r95 = percentile(raw_all, 0.5), percentile(raw_all, 0.95)
        print(f"\nrevue p50 {p50:.2f} ms  p95 {p95:.2f} ms")
        print(f"raw   p50 {r50:.2f} ms  p95 {r95:.2f} ms")
        print(f"p95 revue / raw = {p95 / max(r95, 1e-6):.2f}   (goal: revue p95 < 50 ms and ≤ 2 × raw)")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
