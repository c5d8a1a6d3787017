"""Benchmark: story clustering, quality and speed, beside plain baselines in the same run.

First the real labelled news of ``../shared/dev-data`` (``bench/stories_real.py``: French
headlines in Google News groups, English ECB+ documents, beside a TF-IDF centroid baseline at its
best threshold, whole sets and tune / held-out halves); then the set we generate, kept as a
regression set.

    python bench/stories.py            # quality on the labelled set + speed on 20,000 articles
    python bench/stories.py --full     # speed on 100,000 articles, memory at 25k/50k/100k
    python bench/stories.py --quality  # quality only
    python bench/stories.py --assignments FILE  # also every article's story, copy link and score, to diff

``--assignments FILE`` writes where each article of every set went (the real sets, ours, and the
speed run's articles through the database), one line each: run it before and after a change meant
to keep the stories, and ``diff`` the two files.

Quality: ``revue.news.stories.cluster`` on bench/data/stories_labelled.jsonl (made by
bench/stories_corpus.py) against the labels — BCubed precision/recall/F1, pairwise F1, copies
(near-duplicate links), pairs across languages, and events of one kind told apart — beside the
baseline: TF-IDF cosine of titles, each article joining the most similar earlier title within
the same time window when the cosine reaches a threshold (0.5, and the best threshold found on
the set itself, which flatters the baseline).

Speed: the incremental path the crawler runs — articles stored in batches (the crawler's
``REVUE_CRAWL_SETTLE_EVERY``, or ``--batch``) into a fresh
SQLite database, each batch then clustered by ``revue.news.stories.store.assign_stories`` — over a
corpus from the same generator, with articles per second and resident memory as the archive
grows; beside it, the same clustering done without an index (each article compared with every
article of its time window) on the first few thousand articles, and the same ``Clusterer`` over
the in-memory index with features made beforehand (what the database's reads and writes cost is
the difference).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import devdata  # noqa: E402

LABELLED = ROOT / "bench" / "data" / "stories_labelled.jsonl"


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    text: str
    language: str
    published_at: datetime
    story: str
    kind: str
    copy_of: int | None
    outlet: str


def load(path: Path = LABELLED) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            items.append(Item(row["id"], row["title"], row["text"], row["language"],
                              datetime.fromisoformat(row["published_at"]), row["story"], row["kind"],
                              row["copy_of"], row["outlet"]))
    return items


# --- scores ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    bcubed_p: float
    bcubed_r: float
    bcubed_f1: float
    pair_p: float
    pair_r: float
    pair_f1: float


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def scores(truth: list[str], found: list) -> Scores:
    """BCubed (per item: share of its found cluster that is right, share of its true cluster
    found with it) and pairwise precision/recall/F1."""
    by_truth, by_found = defaultdict(set), defaultdict(set)
    for i, (t, f) in enumerate(zip(truth, found)):
        by_truth[t].add(i)
        by_found[f].add(i)
    precision = recall = 0.0
    for i, (t, f) in enumerate(zip(truth, found)):
        both = len(by_truth[t] & by_found[f])
        precision += both / len(by_found[f])
        recall += both / len(by_truth[t])
    n = len(truth)
    bp, br = precision / n, recall / n
    true_pairs = sum(len(c) * (len(c) - 1) // 2 for c in by_truth.values())
    found_pairs = sum(len(c) * (len(c) - 1) // 2 for c in by_found.values())
    good = sum(len(a & b) * (len(a & b) - 1) // 2 for a in by_truth.values() for b in by_found.values() if a & b)
    pp = good / found_pairs if found_pairs else 1.0
    pr = good / true_pairs if true_pairs else 1.0
    return Scores(bp, br, f1(bp, br), pp, pr, f1(pp, pr))


def pair_recall(items: list[Item], found: list, keep) -> tuple[int, int]:
    """(pairs of one story joined, pairs of one story) among the pairs ``keep(a, b)`` selects."""
    joined = total = 0
    by_story = defaultdict(list)
    for item, f in zip(items, found):
        by_story[item.story].append((item, f))
    for members in by_story.values():
        for (a, fa), (b, fb) in combinations(members, 2):
            if keep(a, b):
                total += 1
                joined += fa == fb
    return joined, total


def false_merges(items: list[Item], found: list) -> tuple[int, int]:
    """(pairs of two events of one kind wrongly joined, such pairs published within 72 hours)."""
    by_kind = defaultdict(list)
    for item, f in zip(items, found):
        by_kind[item.kind].append((item, f))
    merged = total = 0
    for members in by_kind.values():
        for (a, fa), (b, fb) in combinations(members, 2):
            if a.story != b.story and abs((a.published_at - b.published_at).total_seconds()) <= 72 * 3600:
                total += 1
                merged += fa == fb
    return merged, total


# --- the baseline: TF-IDF cosine of titles ---------------------------------------------------------

TOKEN = re.compile(r"\w\w+")


def tfidf_vectors(titles: list[str]) -> list[dict[str, float]]:
    """Like scikit-learn's TfidfVectorizer defaults: lower case, 2+ character tokens, smooth idf, l2."""
    docs = [Counter(TOKEN.findall(t.lower())) for t in titles]
    df = Counter(term for doc in docs for term in doc)
    n = len(docs)
    vectors = []
    for doc in docs:
        vec = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in doc.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def baseline(items: list[Item], threshold: float, window_hours: float = 72) -> list[int]:
    vectors = tfidf_vectors([i.title for i in items])
    stories: list[int] = []
    for n, (item, vec) in enumerate(zip(items, vectors)):
        best, best_cos = None, threshold
        for m in range(n):
            if abs((items[m].published_at - item.published_at).total_seconds()) > window_hours * 3600:
                continue
            cos = sum(v * vectors[m].get(t, 0.0) for t, v in vec.items())
            if cos >= best_cos:
                best, best_cos = m, cos
        stories.append(stories[best] if best is not None else item.id)
    return stories


# --- quality ----------------------------------------------------------------------------------------


def quality(path: Path) -> dict:
    from revue.news.stories import assignments

    items = load(path)
    truth = [i.story for i in items]
    started = time.perf_counter()
    placed = assignments(items)
    elapsed = time.perf_counter() - started
    found = [a.story for a in placed]
    ours = scores(truth, found)
    base = scores(truth, baseline(items, 0.5))
    grid = {t / 20: scores(truth, baseline(items, t / 20)) for t in range(4, 18)}
    best_t = max(grid, key=lambda t: grid[t].bcubed_f1)
    report = {"articles": len(items), "stories": len(set(truth)), "ours": ours, "baseline@0.5": base,
              f"baseline@{best_t:.2f} (best)": grid[best_t], "seconds": elapsed}
    print(f"\nLabelled set: {len(items)} articles, {len(set(truth))} stories, "
          f"{dict(Counter(i.language for i in items))}, {sum(i.copy_of is not None for i in items)} copies")
    print(f"{'':30} {'BCubed P':>9} {'R':>6} {'F1':>6}   {'pairs P':>8} {'R':>6} {'F1':>6}")
    for name in ("ours", "baseline@0.5", f"baseline@{best_t:.2f} (best)"):
        s = report[name]
        print(f"{name:30} {s.bcubed_p:9.3f} {s.bcubed_r:6.3f} {s.bcubed_f1:6.3f}   {s.pair_p:8.3f} {s.pair_r:6.3f} {s.pair_f1:6.3f}")
    print(f"BCubed F1 gain over the baseline: {ours.bcubed_f1 - base.bcubed_f1:+.3f} "
          f"(over its best threshold: {ours.bcubed_f1 - grid[best_t].bcubed_f1:+.3f})")
    _details(items, found, placed)
    print(f"clustering time: {elapsed * 1000 / len(items):.2f} ms per article (in memory)")
    ablation(items)
    return report


def _details(items: list[Item], found: list, placed) -> None:
    base = baseline(items, 0.5)
    for label, keep in (
        ("same language", lambda a, b: a.language == b.language),
        ("across languages", lambda a, b: a.language != b.language),
        ("  fr-ar", lambda a, b: {a.language, b.language} == {"fr", "ar"}),
        ("  fr-es", lambda a, b: {a.language, b.language} == {"fr", "es"}),
        ("  fr-en", lambda a, b: {a.language, b.language} == {"fr", "en"}),
        ("  ar-es/en", lambda a, b: "ar" in {a.language, b.language} and {a.language, b.language} & {"es", "en"}),
        ("  es-en", lambda a, b: {a.language, b.language} == {"es", "en"}),
    ):
        j, t = pair_recall(items, found, keep)
        jb, _ = pair_recall(items, base, keep)
        print(f"pairs of one story, {label:18} joined {j:4}/{t:<4} = {j / t if t else 0:.3f}   (baseline {jb / t if t else 0:.3f})")
    merged, total = false_merges(items, found)
    merged_b, _ = false_merges(items, base)
    print(f"pairs of two events of one kind within 72 h, joined: {merged}/{total} = {merged / total:.4f}"
          f"   (baseline {merged_b / total:.4f})")
    by_id = {i.id: i for i in items}
    true_copies = {(i.id, i.copy_of) for i in items if i.copy_of is not None}
    found_copies = {(a.id, a.original) for a in placed if a.original is not None}
    right = len(true_copies & found_copies)
    others = found_copies - true_copies
    shared = [_contained(by_id[x], by_id[o]) for x, o in others]
    print(f"copies linked to their dispatch: {right}/{len(true_copies)} found; {len(others)} other links, "
          f"{sum(1 for x, o in others if by_id[x].story == by_id[o].story)} of them within the story "
          f"(exact share of the shorter text in the other: median {statistics.median(shared) if shared else 0:.2f})")


def _contained(a: Item, b: Item) -> float:
    """Exact share of the shorter text's 3-word shingles found in the other."""
    from revue.news.stories.dedupe import shingles
    from revue.news.stories.features import analyse

    sa = set(shingles(analyse(a.title, a.text, a.language).tokens, 3))
    sb = set(shingles(analyse(b.title, b.text, b.language).tokens, 3))
    return len(sa & sb) / max(min(len(sa), len(sb)), 1)


def ablation(items: list[Item]) -> None:
    """What the cross-language anchors each bring: the same run without the lexicon, without
    Arabic transliteration, with neither."""
    from revue.news.stories import cluster, scoring
    from revue.news.stories import features as textsim

    truth = [i.story for i in items]
    lexicon, names_matched = textsim.LEXICON, scoring._names_matched
    print("\nAblation (BCubed F1 · pairs of one story across languages joined · fr-ar pairs joined):")
    for label, no_lexicon, no_names in (("all anchors", False, False), ("without the lexicon", True, False),
                                        ("without transliteration", False, True), ("names and figures only", True, True)):
        textsim.LEXICON = {} if no_lexicon else lexicon
        textsim._lexicon.cache_clear()
        scoring._names_matched = (lambda *a: 0.0) if no_names else names_matched
        found = cluster(items)
        cross, total = pair_recall(items, found, lambda a, b: a.language != b.language)
        arabic, arabic_total = pair_recall(items, found, lambda a, b: {a.language, b.language} == {"fr", "ar"})
        print(f"  {label:26} {scores(truth, found).bcubed_f1:.3f} · {cross / total:.3f} · {arabic / arabic_total:.3f}")
    textsim.LEXICON, scoring._names_matched = lexicon, names_matched
    textsim._lexicon.cache_clear()


# --- speed ----------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident memory of this process now (not its peak)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def setup_database(folder: str) -> None:
    os.environ["REVUE_DATA_DIR"] = folder
    os.environ.pop("REVUE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def corpus(count: int, seed: int = 7):
    """``count`` articles from the generator, about 500 a day over 30 outlets."""
    from stories_corpus import Corpus

    days = count // 480 + 3
    for n, article in enumerate(Corpus(seed).stream(days, 135)):
        if n >= count:
            return
        yield article


def speed(count: int, marks: tuple[int, ...], batch: int = 50) -> dict:
    """The crawler's path: store a batch (not timed), make its story features (timed apart), cluster
    it (timed); memory at the marks."""
    from revue.news.models import Article
    from revue.news.stories.store import assign_stories
    from revue.sources.models import Feed, Source

    feeds: dict[str, tuple[int, int]] = {}
    done = 0
    segment_started, segment_time = done, 0.0
    report = {"marks": []}
    print(f"\nSpeed: clustering {count:,} articles incrementally in batches of {batch} (SQLite, one process)")
    print(f"{'articles':>9} {'articles/s (segment)':>21} {'articles/s (all)':>17} {'RSS MB':>8}")
    pending = []
    for article in corpus(count):
        if article.outlet not in feeds:
            source = Source.objects.create(name=article.outlet, slug=article.outlet, language=article.language)
            feeds[article.outlet] = (source.pk, Feed.objects.create(source=source, url=f"https://{article.outlet}.example/rss").pk)
        source_id, feed_id = feeds[article.outlet]
        pending.append(Article(source_id=source_id, feed_id=feed_id, url=f"https://{article.outlet}.example/{article.id}",
                               url_hash=f"{article.id:064d}", title=article.title, text=article.text,
                               language=article.language, published_at=datetime.fromisoformat(article.published_at)))
        if len(pending) == batch:
            done += _store_and_cluster(pending, assign_stories, report)
            pending = []
            if any(done >= m > done - batch for m in marks):
                elapsed = report["clustering"] - segment_time
                print(f"{done:>9,} {(done - segment_started) / elapsed:>21,.0f} {done / report['clustering']:>17,.0f} {rss_mb():>8.0f}")
                report["marks"].append((done, (done - segment_started) / elapsed, rss_mb()))
                segment_started, segment_time = done, report["clustering"]
    if pending:
        done += _store_and_cluster(pending, assign_stories, report)
    report["articles"], report["rate"] = done, done / report["clustering"]
    report["features_rate"] = done / report["features"]
    report["both_rate"] = done / (report["features"] + report["clustering"])
    return report


def write_assignments(path: Path, placed_in_database: list) -> None:
    """Every article's story, copy link, score and candidates: the real sets, ours, and the speed
    run's articles as the database placed them (story keys as the clustering gives them)."""
    import stories_real

    from revue.news.stories import StoryParams, assignments

    sets = [(name, stories_real.load(name)) for name in stories_real.SETS] if not devdata.missing("clustering") else []
    sets.append(("ours", load()))
    with path.open("w", encoding="utf-8") as out:
        for name, items in sets:
            for a in assignments(items, StoryParams()):
                out.write(f"{name}\t{a.id}\t{a.story}\t{a.original}\t{a.score!r}\t{a.candidates}\n")
        for a in placed_in_database:
            out.write(f"database\t{a.id}\t{a.story}\t{a.original}\t{a.score!r}\t{a.candidates}\n")
    print(f"assignments written to {path}")


def _store_and_cluster(pending, assign_stories, report) -> int:
    """Store a batch, make its story features (timed apart: the crawler makes them in its CPU
    processes, with each article's draft), then cluster it as the settle step does (timed)."""
    from revue.news.models import Article
    from revue.news.stories import StoryParams, prepare_all
    from revue.news.stories.store import article_items

    Article.objects.bulk_create(pending)
    ids = [a.pk for a in pending]
    items = article_items(ids)
    params = StoryParams.from_settings()
    cpu = time.process_time()
    prepared = prepare_all(items, params)
    report["features"] = report.get("features", 0.0) + time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    report.setdefault("placed", []).extend(assign_stories(ids, params, prepared=prepared, items=items))
    report["clustering"] = report.get("clustering", 0.0) + time.process_time() - cpu
    report["wall"] = report.get("wall", 0.0) + time.perf_counter() - started
    return len(ids)


def speed_baseline(count: int) -> tuple[float, float, float]:
    """Articles per second without an index (each article compared with every article of its
    window, in memory), with it (``cluster`` in memory), and with it once features are made (the
    ``Clusterer`` over the in-memory index, as the settle step runs it over the database's: what
    the database's reads and writes cost is the difference), on the first ``count`` articles."""
    from revue.news.stories import Clusterer, MemoryIndex, Profile, StoryParams, cluster, prepare, similarity

    items = [Item(a.id, a.title, a.text, a.language, datetime.fromisoformat(a.published_at), a.story, a.kind,
                  a.copy_of, a.outlet) for a in corpus(count)]
    params = StoryParams()
    started = time.perf_counter()
    seen: list[Profile] = []
    for item in items:
        me = Profile.of(prepare(item, params, params.shape).fingerprint)
        for other in seen:
            if abs(other.fingerprint.time - me.fingerprint.time) <= params.window:
                similarity(me, other)
        seen.append(me)
    scan = count / (time.perf_counter() - started)
    started = time.perf_counter()
    cluster(items, params)
    indexed = count / (time.perf_counter() - started)
    prepared = [prepare(item, params, params.shape) for item in items]
    clusterer = Clusterer(MemoryIndex(horizon=params.horizon), params)
    started = time.perf_counter()
    for item, ready in zip(items, prepared):
        clusterer.add(item, ready)
    return scan, indexed, count / (time.perf_counter() - started)


# --- main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--quality", action="store_true", help="quality only")
    parser.add_argument("--full", action="store_true", help="speed on 100,000 articles")
    parser.add_argument("--assignments", type=Path, default=None,
                        help="write every article's story, copy link and score to this file (to diff)")
    parser.add_argument("--batch", type=int, default=None,
                        help="articles clustered per call (default: REVUE_CRAWL_SETTLE_EVERY, as the crawler does)")
    args = parser.parse_args(argv)
    import stories_real

    stories_real.report()  # real labelled news first: the figures that count
    print("Our generated set (a regression set: its events are written from shared templates)")
    quality(args.labelled)
    if args.quality:
        if args.assignments:
            write_assignments(args.assignments, [])
        return 0
    count, marks = (100_000, (25_000, 50_000, 75_000, 100_000)) if args.full else (20_000, (5_000, 10_000, 15_000, 20_000))
    with tempfile.TemporaryDirectory(prefix="revue-bench-") as folder:
        setup_database(folder)
        from django.conf import settings

        report = speed(count, marks, batch=args.batch or settings.REVUE_CRAWL_SETTLE_EVERY)
    scan, indexed, in_memory = speed_baseline(3000)
    print(f"overall: {report['rate']:,.0f} articles/s clustered incrementally (goal: 500), "
          f"RSS {report['marks'][0][2]:.0f} → {report['marks'][-1][2]:.0f} MB")
    print(f"story features (made in the crawler's CPU processes, beside extraction): {report['features_rate']:,.0f} "
          f"articles/s per process; features and clustering in one process: {report['both_rate']:,.0f} articles/s")
    print(f"baseline on the first 3,000 articles, in memory: comparing with every article of the window "
          f"{scan:,.0f} articles/s; through the index (cluster) {indexed:,.0f} articles/s ({indexed / scan:.1f}×); "
          f"through the index in memory with features made beforehand (the settle step without its database) "
          f"{in_memory:,.0f} articles/s")
    if args.assignments:
        write_assignments(args.assignments, report["placed"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
