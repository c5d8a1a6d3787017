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
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone as tz
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="1,000,000 articles")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the scratch database in this folder")
    args = parser.parse_args()
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
