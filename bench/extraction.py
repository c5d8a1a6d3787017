r"""Benchmark: Revue's extraction against plain trafilatura, on real pages first, then on our own
pinned corpus, each side measured in the same run.

    python bench/extraction.py [--repeat 3] [--runs 1] [--write-demo] [--real-only | --home-only] [--margin 0.2]

**Real pages** (``../shared/dev-data/extraction``, see ``bench/devdata.py``; skipped with a
message when absent), each page in one half of the dev data's split (``tune``: looked at while
tuning; ``held-out``: only measured), reported per set and half, each side's P/R/F1:

* ``readability/<page>/`` — 130 real pages and the article as Mozilla Readability's tests expect
  it (``expected.html``, taken to text): precision, recall and F1 of word 4-gram shingles
  (``\w+`` words, case-folded, NFC, soft hyphens removed; counted with multiplicity) of the extracted text against the
  expected text, summed over pages (micro), and the mean of per-page F1;
* ``trafilatura_eval/`` — 495 real pages with snippets of article text (``with``) and of
  boilerplate (``without``): a ``with`` snippet found in the extracted text is a true positive,
  missing a false negative; a ``without`` snippet found is a false positive (both texts NFC,
  whitespace collapsed, soft hyphens removed: canonically equivalent Unicode is the same text,
  and an invisible break hint is no text — some pages' snippets carry U+00AD, some pages do not).

Pages/s on the real pages: every page is run once by each side to warm up, then once more by each
side, interleaved (who goes first alternates), and those times count. Times are the process's CPU
time (``time.process_time``), not the wall clock: both sides run in this one thread, and on a
shared machine the wall clock also counts the time other processes held the CPU (under a load of
8 on 2 cores, single runs' wall-clock ratios went from 83 % to 92 %). With ``--runs N`` the timed
pass is made N times and the ratio of pages/s is reported for each run and as their median.
Per-page losers: pages
where ours is below plain by more than ``--margin`` in page F1.

**Home corpus** (``bench/data/extraction/``, listed in ``corpus.tsv``: page, URL, kind), a
regression set, never the headline figure:

* ``demo/`` — article pages of the demo press (``revue.demo``, seed 2025), four per outlet, in
  its four site layouts and four languages; the expected text is the article's
  ``DemoArticle.paragraphs`` plus its inline figure's caption (written when captions counted as
  article text; Revue now keeps the caption of a picture within the text under it in the HTML
  but out of the text, so the demo's recall shows that choice's cost). ``--write-demo`` writes
  these pages again from ``revue.demo``.
* ``hard/`` — pages written for the hard cases, each with its expected text beside it: a long
  live blog, a photo gallery, a paywalled teaser (its JSON-LD body must not be republished), an
  Arabic page, a page whose body sits only in JSON-LD ``articleBody``, lazy-loaded images, an
  English page with newsletter and "Related" boxes.

Quality: precision, recall and F1 of words (lower-cased ``\w+`` tokens, counted with
multiplicity) of each side's text against the expected text, summed over the corpus (micro) and
per group. Speed: each page is extracted ``--repeat`` times by each side, interleaved, and its
best time counts; pages/second is pages over the sum of best times. Plain trafilatura is
``trafilatura.extract(html)`` with its defaults (text output, comments included, balanced
mode); ours is ``revue.crawl.extract.extract(html, url)``, which also reads the metadata (title,
date through htmldate, author, image, language, canonical URL) and sanitizes its HTML.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench import devdata  # noqa: E402
from revue.crawl.clean import html_to_text  # noqa: E402
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


# --- the real pages -----------------------------------------------------------------------------

READABILITY, SNIPPETS = "readability", "trafilatura_eval"
REAL_SETS = (READABILITY, SNIPPETS)
READABILITY_URL = "http://fakehost/test/page.html"  # the address Readability's own tests give these pages
LOSER_MARGIN = 0.2  # a page where ours is below plain by more than this (page F1) is a loser
SHINGLE = 4


@dataclass(frozen=True)
class RealPage:
    collection: str  # READABILITY or SNIPPETS
    name: str  # the page folder or file name (its half of the split is devdata.half(name))
    url: str
    html: str
    expected: str = ""  # READABILITY: the expected article as text
    wanted: tuple[str, ...] = ()  # SNIPPETS: snippets the text must hold …
    unwanted: tuple[str, ...] = ()  # … and boilerplate it must not

    @property
    def half(self) -> str:
        return devdata.half(self.name)


@dataclass(frozen=True)
class Snippets:
    """Snippet counts: true positives, false negatives, false positives."""

    tp: int
    fn: int
    fp: int

    def __add__(self, other: "Snippets") -> "Snippets":
        return Snippets(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def real_missing() -> str | None:
    """Why the real pages cannot be read (a message for skips), or None."""
    return devdata.missing("extraction", READABILITY) or devdata.missing("extraction", SNIPPETS, "evaldata.json")


def _read_html(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def load_real() -> list[RealPage]:
    """Every real page of both sets (empty when the dev data is absent)."""
    if real_missing():
        return []
    pages = []
    for folder in sorted(devdata.path("extraction", READABILITY).iterdir()):
        if (folder / "source.html").exists() and (folder / "expected.html").exists():
            expected = html_to_text(_read_html(folder / "expected.html"))
            pages.append(RealPage(READABILITY, folder.name, READABILITY_URL, _read_html(folder / "source.html"), expected=expected))
    base = devdata.path("extraction", SNIPPETS)
    for key, item in json.loads((base / "evaldata.json").read_text(encoding="utf-8")).items():
        url = key if key.startswith(("http://", "https://")) else ""
        html = _read_html(base / "html" / item["file"])
        pages.append(RealPage(SNIPPETS, item["file"], url, html, wanted=tuple(item["with"]), unwanted=tuple(item["without"])))
    return pages


def _normal(text: str) -> str:
    """NFC, whitespace collapsed, soft hyphens out: the same text as a reader sees it."""
    return " ".join(unicodedata.normalize("NFC", text or "").replace("\u00ad", "").split())


def shingles(text: str) -> Counter:
    found = _WORD.findall(_normal(text).casefold())
    if len(found) < SHINGLE:
        return Counter([tuple(found)]) if found else Counter()
    return Counter(tuple(found[i : i + SHINGLE]) for i in range(len(found) - SHINGLE + 1))


def shingle_score(found: str, expected: str) -> Score:
    got, want = shingles(found), shingles(expected)
    return Score(sum((got & want).values()), sum(got.values()), sum(want.values()))


def snippet_score(found: str, page: RealPage) -> Snippets:
    text = _normal(found)
    tp = sum(_normal(snippet) in text for snippet in page.wanted)
    fp = sum(_normal(snippet) in text for snippet in page.unwanted)
    return Snippets(tp, len(page.wanted) - tp, fp)


def real_score(found: str, page: RealPage) -> Score | Snippets:
    return shingle_score(found, page.expected) if page.collection == READABILITY else snippet_score(found, page)


def total(scores: list) -> Score | Snippets:
    if not scores:
        return Score(0, 0, 0)
    return sum(scores[1:], scores[0])


def plain_text(html: str) -> str:
    """Plain trafilatura: ``trafilatura.extract(html)`` with its defaults."""
    return trafilatura.extract(html) or ""


def revue_text(html: str, url: str) -> str:
    return extract(html, url).text


def run_real(pages: list[RealPage], *, timed: bool = True, runs: int = 1) -> dict[str, dict]:
    """Per side ("plain", "ours"): text and CPU seconds per page name. With ``timed``, a warm-up
    pass over every page first, then the timed pass, interleaved (who goes first alternates),
    ``runs`` times: "times" holds the first run's, "runs" every run's (a list of dicts)."""
    sides = {"plain": lambda page: plain_text(page.html), "ours": lambda page: revue_text(page.html, page.url)}
    results = {side: {"texts": {}, "times": {}, "runs": []} for side in sides}
    if timed:
        for page in pages:
            for run in sides.values():
                run(page)
    for _ in range(max(1, runs) if timed else 1):
        times: dict[str, dict] = {side: {} for side in sides}
        for index, page in enumerate(pages):
            order = list(sides.items()) if index % 2 == 0 else list(sides.items())[::-1]
            for side, run in order:
                started = time.process_time()
                text = run(page)
                times[side][(page.collection, page.name)] = time.process_time() - started
                results[side]["texts"][(page.collection, page.name)] = text
        for side in sides:
            results[side]["runs"].append(times[side])
    for side in sides:
        results[side]["times"] = results[side]["runs"][0]
    return results


def speed_ratios(pages: list[RealPage], results: dict[str, dict]) -> list[float]:
    """Ours' pages/s over plain's on ``pages``, one ratio per timed run."""
    keys = [(page.collection, page.name) for page in pages]
    return [sum(plain[k] for k in keys) / sum(ours[k] for k in keys) for plain, ours in zip(results["plain"]["runs"], results["ours"]["runs"])]


def losers(pages: list[RealPage], results: dict[str, dict], margin: float = LOSER_MARGIN) -> list[tuple[RealPage, float, float]]:
    """Pages where ours is below plain by more than ``margin`` in page F1: (page, plain, ours)."""
    found = []
    for page in pages:
        key = (page.collection, page.name)
        plain = real_score(results["plain"]["texts"][key], page).f1
        ours = real_score(results["ours"]["texts"][key], page).f1
        if ours < plain - margin:
            found.append((page, plain, ours))
    return sorted(found, key=lambda item: item[2] - item[1])


def _figures(value: Score | Snippets) -> str:
    return f"P {value.precision:.3f} R {value.recall:.3f} F1 {value.f1:.3f}"


def report_real(pages: list[RealPage], results: dict[str, dict], margin: float) -> None:
    print(f"REAL PAGES ({devdata.path('extraction')}): {len(pages)} pages; ours = revue extract(), "
          f"plain = trafilatura {trafilatura.__version__} extract(html) defaults\n")
    for collection in REAL_SETS:
        how = "word 4-gram shingles, micro" if collection == READABILITY else "snippets"
        print(f"{collection} ({how})")
        for half in (*devdata.HALVES, "all"):
            chosen = [p for p in pages if p.collection == collection and half in ("all", p.half)]
            if not chosen:
                continue
            line = f"  {half:<9} {len(chosen):>4} pages"
            for side in ("plain", "ours"):
                scores = [real_score(results[side]["texts"][(p.collection, p.name)], p) for p in chosen]
                line += f"   {side}: {_figures(total(scores))}"
                if collection == READABILITY:
                    line += f" (mean F1 {statistics.mean(s.f1 for s in scores):.3f})"
            print(line)
        chosen = [p for p in pages if p.collection == collection]
        speeds = {side: len(chosen) / sum(results[side]["times"][(p.collection, p.name)] for p in chosen) for side in ("plain", "ours")}
        ratios = speed_ratios(chosen, results)
        print(f"  speed: plain {speeds['plain']:.1f} pages/s, ours {speeds['ours']:.1f} pages/s: "
              f"ours at {statistics.median(ratios):.0%} of plain (goal ≥ 85%)"
              + (f", median of {len(ratios)} runs ({', '.join(f'{r:.0%}' for r in ratios)})" if len(ratios) > 1 else ""))
        lost = losers(chosen, results, margin)
        print(f"  losers (ours < plain - {margin} in page F1): {len(lost)} of {len(chosen)}"
              f" ({sum(p.half == devdata.TUNE for p, _, _ in lost)} tune, {sum(p.half == devdata.HELD_OUT for p, _, _ in lost)} held-out)")
        for page, plain, ours in lost[:15]:
            print(f"    {page.half:<9} {page.name[:56]:<56} plain {plain:.3f} → ours {ours:.3f}")
        print()
    ratios = speed_ratios(pages, results)
    print(f"all real pages: ours at {statistics.median(ratios):.0%} of plain's pages/s"
          + (f", median of {len(ratios)} runs ({', '.join(f'{r:.0%}' for r in ratios)})" if len(ratios) > 1 else "") + "\n")


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
    parser.add_argument("--runs", type=int, default=1, help="timed passes over the real pages; the median ratio counts")
    parser.add_argument("--margin", type=float, default=LOSER_MARGIN, help="page F1 below plain's by more than this: a loser")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--real-only", action="store_true", help="only the real pages")
    only.add_argument("--home-only", action="store_true", help="only the home corpus")
    args = parser.parse_args(argv)
    if args.write_demo:
        print(f"wrote {write_demo_pages()} demo press pages")
    if not args.home_only:
        why = real_missing()
        if why:
            print(f"REAL PAGES skipped: {why}\n")
        else:
            pages = load_real()
            report_real(pages, run_real(pages, runs=args.runs), args.margin)
    if not args.real_only:
        print("HOME CORPUS (regression set: the demo press and the hard cases we wrote)\n")
        cases = load_corpus()
        report(cases, measure(cases, max(1, args.repeat)))


if __name__ == "__main__":
    main()
