"""Story clustering on real labelled news, beside a plain baseline computed in the same run.

    python bench/stories_real.py        # (also the first part of bench/stories.py)

Sets (``../shared/dev-data/clustering``, see ``bench/devdata.py``):

* ``fr_gnews`` — 614 real French headlines (accents stripped, no times, no text) in 130 Google
  News story groups;
* ``ecbplus`` — 496 real English news documents (title + text) in 42 event groups, two related
  events per topic kept apart (their text is tokenised, ``1 , 200``: it is detokenised here, and
  read as it is by the property test); ``ecbplus titles`` is the same set with the titles alone.

Every item is given one publication time (the sets have none), so the time window plays no part.
Items are clustered in the file's order by ``revue.news.stories.cluster`` — the crawler's
algorithm — with its default settings.

Baseline: TF-IDF of character 3–5-grams within words (scikit-learn, sublinear tf, fitted on the
set itself), each item joining the most similar story centroid when the cosine reaches a
threshold, else opening a story (centroid linkage, one pass, same order). It is run at every
threshold from 0.05 to 0.90 and its **best** threshold on the part measured is the one reported:
a figure that flatters the baseline.

Split: the figures are given for the whole set and for its two halves (``devdata.half``: by
Google News group; by ECB+ topic, so that a topic's two events stay together). The weights and
thresholds of ``revue.news`` were chosen on the ``tune`` halves; ``held-out`` says what to expect
on news nobody here has seen.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import devdata  # noqa: E402

ONE_TIME = datetime(2025, 12, 8, 8, 0, tzinfo=timezone.utc)
THRESHOLDS = tuple(t / 100 for t in range(5, 91, 5))
SETS = ("fr_gnews", "ecbplus", "ecbplus titles")


@dataclass(frozen=True)
class RealItem:
    id: int
    title: str
    text: str
    language: str
    published_at: datetime
    story: str  # the gold group
    unit: str  # what the split is made on (a group, or an ECB+ topic)


def detokenise(text: str) -> str:
    """Undo the tokenisation of ECB+ (``1 , 200``, ``'' quotes ''``, ``it 's``)."""
    text = text.replace("``", '"').replace("''", '"')
    text = re.sub(r"(\d) ([.,]) (\d)", r"\1\2\3", text)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    return re.sub(r" - ", "-", text)


def load(name: str, detokenised: bool = True) -> list[RealItem]:
    """One real set, in the file's order (``ecbplus titles``: ECB+ with the titles alone)."""
    folder = "ecbplus" if name.startswith("ecbplus") else name
    titles_only = name.endswith("titles")
    base = devdata.path("clustering", folder)
    with (base / "gold.csv").open(encoding="utf-8") as handle:
        gold = {row["article_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
    items = []
    with (base / "input.csv").open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), 1):
            title, text = row["title"] or "", row["text"] or ""
            if detokenised and folder == "ecbplus":
                title, text = detokenise(title), detokenise(text)
            story = gold[row["article_id"]]
            unit = story.split("_")[0] if folder == "ecbplus" else story
            items.append(RealItem(number, title, "" if titles_only else text, row["lang"] or "fr", ONE_TIME,
                                  story, unit))
    return items


def part(items: list[RealItem], half: str) -> list[RealItem]:
    return items if half == "all" else [i for i in items if devdata.half(i.unit) == half]


# --- the baseline ------------------------------------------------------------------------------------


def baseline_runs(items: list[RealItem], thresholds=THRESHOLDS) -> dict[float, list[int]]:
    """Story numbers per item for each threshold: TF-IDF char 3–5-grams, centroid linkage.

    Exact and quick: an item's cosine with a centroid is the sum of its cosines with the members
    over the norm of the members' sum, both read from the Gram matrix of the set."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [f"{i.title} {i.text}".strip() for i in items]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(documents)
    gram = (vectors @ vectors.T).toarray()
    runs = {}
    for threshold in thresholds:
        labels: list[int] = []
        members: list[list[int]] = []
        squared: list[float] = []  # squared norm of each story's sum of vectors
        for n in range(len(items)):
            best, best_cos = -1, threshold
            row = gram[n]
            for story, ids in enumerate(members):
                cos = row[ids].sum() / np.sqrt(squared[story])
                if cos >= best_cos:
                    best, best_cos = story, cos
            if best < 0:
                members.append([n])
                squared.append(float(gram[n, n]) or 1.0)
                labels.append(len(members) - 1)
            else:
                squared[best] += 2 * float(row[members[best]].sum()) + float(gram[n, n])
                members[best].append(n)
                labels.append(best)
        runs[threshold] = labels
    return runs


# --- the run --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    name: str
    half: str
    items: int
    groups: int
    ours: object  # stories.Scores
    baseline: object
    threshold: float
    rate: float  # items per second clustered by ours


def measure(name: str, half: str = "all") -> Figures:
    from stories import scores

    from revue.news.stories import StoryParams, cluster

    items = part(load(name), half)
    truth = [i.story for i in items]
    started = time.perf_counter()
    found = cluster(items, StoryParams())
    elapsed = time.perf_counter() - started
    graded = {t: scores(truth, labels) for t, labels in baseline_runs(items).items()}
    best = max(graded, key=lambda t: graded[t].bcubed_f1)
    return Figures(name, half, len(items), len(set(truth)), scores(truth, found), graded[best], best,
                   len(items) / elapsed if elapsed else 0.0)


def report() -> list[Figures]:
    """Print every real set, whole and by half, beside the baseline; return the figures."""
    missing = devdata.missing("clustering")
    if missing:
        print(f"real sets skipped: {missing}")
        return []
    print("Real labelled news (BCubed P / R / F1; baseline: TF-IDF char 3-5-grams, centroid linkage, "
          "its best threshold)")
    print(f"{'set':16} {'part':9} {'items':>5} {'groups':>6}   {'ours P':>6} {'R':>5} {'F1':>5}   "
          f"{'baseline F1':>11} {'@':>4}   {'gain':>6}   {'items/s':>7}")
    figures = []
    for name in SETS:
        for half in ("all", devdata.TUNE, devdata.HELD_OUT):
            f = measure(name, half)
            figures.append(f)
            print(f"{name:16} {half:9} {f.items:5} {f.groups:6}   {f.ours.bcubed_p:6.3f} {f.ours.bcubed_r:5.3f} "
                  f"{f.ours.bcubed_f1:5.3f}   {f.baseline.bcubed_f1:11.3f} {f.threshold:4.2f}   "
                  f"{f.ours.bcubed_f1 - f.baseline.bcubed_f1:+6.3f}   {f.rate:7.0f}")
    print("goal: ours at least 0.05 above the baseline on both sets (fr_gnews, ecbplus)\n")
    return figures


def orders(count: int) -> None:
    """Each real set, whole, in ``count`` shuffled orders (seeded) beside its file's order: ours
    and the baseline (its best threshold in each order), BCubed F1's spread. Both cluster
    incrementally, so both depend on the order articles arrive in; a set's file often keeps an
    event's articles together, which flatters both."""
    import random
    import statistics

    from stories import scores

    from revue.news.stories import StoryParams, cluster

    print(f"Real labelled news in {count} shuffled orders (BCubed F1: file order, then min / median / max)")
    print(f"{'set':16} {'ours, file':>10} {'shuffled':>20}   {'baseline, file':>14} {'shuffled':>20}   {'median gain':>11}")
    for name in SETS:
        items = load(name)
        runs = []
        for seed in [None, *range(count)]:
            order = items[:]
            if seed is not None:
                random.Random(seed).shuffle(order)
            truth = [i.story for i in order]
            ours = scores(truth, cluster(order, StoryParams())).bcubed_f1
            base = max(scores(truth, labels).bcubed_f1 for labels in baseline_runs(order).values())
            runs.append((ours, base))
        (ours_file, base_file), shuffled = runs[0], runs[1:]
        ours_s, base_s = sorted(r[0] for r in shuffled), sorted(r[1] for r in shuffled)
        gain = statistics.median(o - b for o, b in shuffled)
        print(f"{name:16} {ours_file:10.3f} {ours_s[0]:6.3f} {statistics.median(ours_s):6.3f} {ours_s[-1]:6.3f}   "
              f"{base_file:14.3f} {base_s[0]:6.3f} {statistics.median(base_s):6.3f} {base_s[-1]:6.3f}   {gain:+11.3f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Story clustering on the real labelled sets, beside the baseline.")
    parser.add_argument("--orders", type=int, default=0, help="also cluster each set in this many shuffled orders")
    arguments = parser.parse_args()
    report()
    if arguments.orders:
        orders(arguments.orders)
