"""Benchmark: Revue's extraction against plain trafilatura, on a pinned corpus, in the same run.

    python bench/extraction.py [--repeat 3] [--write-demo]

Corpus (``bench/data/extraction/``, listed in ``corpus.tsv``: page, URL, kind):

* ``demo/`` — article pages of the demo press (``revue.demo``, seed 2025), four per outlet, in
  its four site layouts and four languages; the expected text is the article's
  ``DemoArticle.paragraphs`` plus its inline figure's caption (captions are article text: the
  portal shows them). ``--write-demo`` writes these pages again from ``revue.demo``.
* ``hard/`` — pages written for the hard cases, each with its expected text beside it: a long
  live blog, a photo gallery, a paywalled teaser (its JSON-LD body must not be republished), an
  Arabic page, a page whose body sits only in JSON-LD ``articleBody``, lazy-loaded images, an
  English page with newsletter and "Related" boxes.

Quality: precision, recall and F1 of words (lower-cased ``\\w+`` tokens, counted with
multiplicity) of each side's text against the expected text, summed over the corpus (micro) and
per group. Speed: each page is extracted ``--repeat`` times by each side, interleaved, and its
best time counts; pages/second is pages over the sum of best times. Plain trafilatura is
``trafilatura.extract(html)`` with its defaults (text output, comments included, balanced
mode); ours is ``revue.crawl.extract.extract(html, url)``, which also reads the metadata (title,
date through htmldate, author, image, language, canonical URL) and sanitizes its HTML.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from revue.crawl.extract import extract  # noqa: E402

CORPUS = ROOT / "bench" / "data" / "extraction"
MANIFEST = CORPUS / "corpus.tsv"
DEMO_BASE_URL = "http://127.0.0.1:8001"
DEMO_PAGES_PER_OUTLET = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "demo" or the hard case's kind
    url: str
    html: str
    expected: str

    @property
    def group(self) -> str:
        return "demo" if self.kind == "demo" else "hard"


@dataclass(frozen=True)
class Score:
    matched: int
    found: int
    expected: int

    def __add__(self, other: "Score") -> "Score":
        return Score(self.matched + other.matched, self.found + other.found, self.expected + other.expected)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def words(text: str) -> Counter:
    return Counter(_WORD.findall((text or "").lower()))


def score(found: str, expected: str) -> Score:
    got, want = words(found), words(expected)
    return Score(sum((got & want).values()), sum(got.values()), sum(want.values()))


def load_corpus() -> list[Case]:
    cases = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        page, url, kind = line.split("\t")
        path = CORPUS / page
        cases.append(
            Case(
                name=page,
                kind=kind,
                url=url,
                html=path.read_text(encoding="utf-8"),
                expected=path.with_suffix(".txt").read_text(encoding="utf-8"),
            )
        )
    return cases


def plain_trafilatura(case: Case) -> str:
    return trafilatura.extract(case.html) or ""


def revue_extraction(case: Case) -> str:
    return extract(case.html, case.url).text


SIDES = {"trafilatura 2.3 (defaults)": plain_trafilatura, "revue extract()": revue_extraction}


# --- the demo part of the corpus ----------------------------------------------------------------


def write_demo_pages() -> int:
    """Write the demo press's pages and expected texts, and the manifest's demo lines."""
    from revue.demo import DemoPress
    from revue.demo.pages import render_article_page

    folder = CORPUS / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for outlet in DemoPress().outlets:
        for article in outlet.articles[:DEMO_PAGES_PER_OUTLET]:
            name = f"{outlet.slug}-{article.index}"
            html = render_article_page(outlet, article, DEMO_BASE_URL)
            expected = list(article.paragraphs) + ([article.inline_image_caption] if article.inline_image_caption else [])
            (folder / f"{name}.html").write_text(html, encoding="utf-8")
            (folder / f"{name}.txt").write_text("\n\n".join(expected) + "\n", encoding="utf-8")
            lines.append(f"demo/{name}.html\t{DEMO_BASE_URL}{article.url_path}\tdemo")
    kept = [line for line in MANIFEST.read_text(encoding="utf-8").splitlines() if "\tdemo" not in line]
    MANIFEST.write_text("\n".join(kept + lines) + "\n", encoding="utf-8")
    return len(lines)


# --- the run ------------------------------------------------------------------------------------


def measure(cases: list[Case], repeat: int) -> dict[str, dict]:
    """Per side: the text found per case and the best time per case (sides interleaved)."""
    results = {side: {"texts": {}, "times": {}} for side in SIDES}
    for case in cases:  # warm-up: imports, compiled patterns, trafilatura's caches
        for run in SIDES.values():
            run(case)
    for case in cases:
        for _ in range(repeat):
            for side, run in SIDES.items():
                started = time.perf_counter()
                text = run(case)
                elapsed = time.perf_counter() - started
                results[side]["texts"][case.name] = text
                best = results[side]["times"].get(case.name, float("inf"))
                results[side]["times"][case.name] = min(best, elapsed)
    return results


def _row(label: str, value: Score, width: int = 34) -> str:
    return f"{label:<{width}} P {value.precision:.3f}  R {value.recall:.3f}  F1 {value.f1:.3f}"


def report(cases: list[Case], results: dict[str, dict]) -> None:
    print(f"corpus: {len(cases)} pages ({sum(c.group == 'demo' for c in cases)} demo press, "
          f"{sum(c.group == 'hard' for c in cases)} hard cases)\n")
    totals = {}
    for side in SIDES:
        texts = results[side]["texts"]
        by_group: dict[str, Score] = {}
        for case in cases:
            by_group[case.group] = by_group.get(case.group, Score(0, 0, 0)) + score(texts[case.name], case.expected)
        total = sum(by_group.values(), Score(0, 0, 0))
        totals[side] = total
        print(_row(f"{side}: all pages", total))
        for group, value in sorted(by_group.items()):
            print(_row(f"    {group}", value))
    print("\nhard cases, F1 (plain → ours):")
    plain, ours = SIDES
    for case in cases:
        if case.group == "hard":
            a = score(results[plain]["texts"][case.name], case.expected).f1
            b = score(results[ours]["texts"][case.name], case.expected).f1
            print(f"    {case.name:<32} {a:.3f} → {b:.3f}")
    print()
    speeds = {}
    for side in SIDES:
        times = results[side]["times"]
        speeds[side] = len(cases) / sum(times.values())
        print(f"{side:<28} {speeds[side]:7.1f} pages/s   median {1000 * statistics.median(times.values()):.1f} ms/page")
    ratios = [results[ours]["times"][c.name] / results[plain]["times"][c.name] for c in cases]
    print(f"\nours / plain: F1 {totals[ours].f1:.3f} vs {totals[plain].f1:.3f} "
          f"({'≥' if totals[ours].f1 >= totals[plain].f1 else '<'} goal); "
          f"speed {speeds[ours] / speeds[plain]:.0%} of plain (goal ≥ 85%), "
          f"median per-page time ratio {statistics.median(ratios):.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page and side; the best counts")
    parser.add_argument("--write-demo", action="store_true", help="write the demo press's pages again first")
    args = parser.parse_args(argv)
    if args.write_demo:
        print(f"wrote {write_demo_pages()} demo press pages")
    cases = load_corpus()
    report(cases, measure(cases, max(1, args.repeat)))


if __name__ == "__main__":
    main()
