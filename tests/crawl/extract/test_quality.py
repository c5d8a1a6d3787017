"""The quality gate, first on real pages nobody here wrote, then on our own corpus.

* **Real pages** (``../shared/dev-data/extraction``, read through ``bench/devdata.py``; skipped
  with its message when absent): on both sets, Revue's extraction is at least plain
  trafilatura's figure (``trafilatura.extract(html)`` defaults) over the set (micro F1: word
  4-gram shingles on ``readability``, snippets on ``trafilatura_eval``), and no page on either set
  is more than ``PAGE_MARGIN`` below plain's F1 — but the pages named in ``KNOWN_LOSERS``, each
  with the reason it cannot be, and each checked to lose for that reason only. Both halves of
  the dev data's split are held to it. Revue extracts every page once per run (module fixture);
  plain trafilatura's texts, which do not depend on Revue's code, are kept on disk
  (``build/cache/plain-trafilatura``, keyed by every installed package's version and each page's
  hash) and extracted again only when a page or a package changed.
* **Home corpus** (``bench/data/extraction``: demo press pages and the hard cases, each with its
  expected text), a regression set: a floor of word F1, never worse than plain trafilatura.

A change that makes extraction worse fails here; the benchmark (``bench/extraction.py``) prints
the same figures, with speed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.diskcache import DiskCache, digest

pytestmark = pytest.mark.nodb
BENCH = Path(__file__).resolve().parents[3] / "bench" / "extraction.py"
F1_FLOOR = 0.97  # measured 0.999 when the corpus was pinned, 0.992 since captions of pictures within the text left the text
PER_PAGE_FLOOR = 0.9
PAGE_MARGIN = 0.2  # a page's F1 more than this below plain's is a loser
# Pages more than PAGE_MARGIN below plain trafilatura, and why they cannot be otherwise today:
# page name → (the snippets where ours and plain differ on that page, why). All on the tune half.
# (auto-presse.de-minisuv.html left it: its box of other articles' headlines, which fast mode
# gathered with the page's paragraphs, is dropped by blocks._drop_headline_lists.)
KNOWN_LOSERS = {
    "spreeblick.com.habeck.html": (
        ("wie flatterhaft das Mädl ist? :)",),
        "the snippet is a reader's comment: Revue never takes readers' comments as the article's "
        "text (plain trafilatura's defaults include comments); measured, taking trafilatura's "
        "comments lowers F1 on every set and half (snippets tune 0.935 -> 0.926, held-out 0.931 -> "
        "0.927; Readability held-out 0.956 -> 0.951) and this page still loses",
    ),
}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(bench):
    return bench.load_corpus()


@pytest.fixture(scope="module")
def corpus_texts(bench, corpus):
    """Both sides' texts of every home page by name: ours extracted once for the module, plain
    trafilatura's through the disk cache (``_plain_texts``)."""
    plain = _plain_texts(bench, [case.html for case in corpus])
    return {"ours": {case.name: bench.revue_extraction(case) for case in corpus}, "plain": dict(zip((case.name for case in corpus), plain))}


# --- real pages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(bench):
    """Every real page and both sides' texts, each page extracted once by each side."""
    why = bench.real_missing()
    if why:
        pytest.skip(why)
    pages = bench.load_real()
    ours = {(page.collection, page.name): bench.revue_text(page.html, page.url) for page in pages}
    plain = dict(zip(((page.collection, page.name) for page in pages), _plain_texts(bench, [page.html for page in pages])))
    return pages, {"ours": {"texts": ours}, "plain": {"texts": plain}}


@pytest.fixture(scope="module")
def scores(bench, real):
    """Each side's score on every real page, scored once for the module's tests."""
    pages, results = real
    return {side: {(page.collection, page.name): bench.real_score(results[side]["texts"][(page.collection, page.name)], page)
                   for page in pages} for side in results}


def _plain_texts(bench, htmls: list[str]) -> list[str]:
    """Plain trafilatura's text of each page (``bench.plain_text``). It depends on trafilatura and
    the libraries it reads pages with, not on Revue: read from the disk cache where a run already
    made it for the same page and the same installed packages (``tests/diskcache.py``)."""
    cache = DiskCache("plain-trafilatura")
    texts = [cache.get(digest(html), lambda html=html: bench.plain_text(html)) for html in htmls]
    cache.save()
    return texts


def _set_figures(bench, pages, scores, collection, side):
    return bench.total([scores[side][(page.collection, page.name)] for page in pages if page.collection == collection])


@pytest.mark.parametrize("collection", ["readability", "trafilatura_eval"])
def test_real_pages_at_least_plain_trafilatura_over_each_set(bench, real, scores, collection):
    pages, _results = real
    ours = _set_figures(bench, pages, scores, collection, "ours")
    plain = _set_figures(bench, pages, scores, collection, "plain")
    assert ours.f1 >= plain.f1, f"{collection}: ours F1 {ours.f1:.3f} < plain {plain.f1:.3f}"


@pytest.mark.parametrize("half", ["tune", "held-out"])
def test_real_pages_each_half_at_least_plain(bench, real, scores, half):
    pages, _results = real
    for collection in ("readability", "trafilatura_eval"):
        chosen = [page for page in pages if page.half == half]
        ours = _set_figures(bench, chosen, scores, collection, "ours")
        plain = _set_figures(bench, chosen, scores, collection, "plain")
        assert ours.f1 >= plain.f1 - 0.005, f"{collection} {half}: ours F1 {ours.f1:.3f} < plain {plain.f1:.3f}"


@pytest.mark.parametrize("collection", ["readability", "trafilatura_eval"])
def test_no_page_far_below_plain_but_the_known_ones(bench, real, collection):
    pages, results = real
    chosen = [page for page in pages if page.collection == collection]
    losers = {page.name: (round(plain, 3), round(ours, 3)) for page, plain, ours in bench.losers(chosen, results, PAGE_MARGIN)}
    assert {name: value for name, value in losers.items() if name not in KNOWN_LOSERS} == {}


@pytest.mark.parametrize("name", sorted(KNOWN_LOSERS))
def test_a_known_loser_loses_for_its_reason_only(bench, real, name):
    """Ours and plain differ on the named snippets only (ours misses a ``with`` snippet or keeps a
    ``without`` one); a page that no longer loses should leave ``KNOWN_LOSERS``."""
    pages, results = real
    page = next(page for page in pages if page.name == name)
    ours = bench._normal(results["ours"]["texts"][(page.collection, name)])
    plain = bench._normal(results["plain"]["texts"][(page.collection, name)])
    differing = {s for s in page.wanted + page.unwanted if (bench._normal(s) in ours) != (bench._normal(s) in plain)}
    assert {next((n for n in KNOWN_LOSERS[name][0] if n in s), s) for s in differing} == set(KNOWN_LOSERS[name][0]), differing
    assert bench.real_score(results["ours"]["texts"][(page.collection, name)], page).f1 < bench.real_score(
        results["plain"]["texts"][(page.collection, name)], page
    ).f1 - PAGE_MARGIN, f"{name} no longer loses: take it out of KNOWN_LOSERS"


def test_the_safety_net_keeps_plain_extraction_where_ours_came_out_near_empty(bench, real):
    """Pages where fast mode on the prepared page kept a few sentences of a long article, took
    the site's menu instead of the article the page marks itemprop=articleBody (rnz.de), or lost
    the paragraph written loose after the picture box (kbs)."""
    pages, results = real
    by_name = {page.name: page for page in pages}
    for name in (
        "spiegel.de.albtraum.html",
        "axios.com.future.html",
        "economictimes.indiatimes.com.slideshow.html",
        "rnz.de.witzel.html",
        "world.kbs.co.kr-Temperatures.html",
    ):
        page = by_name[name]
        ours = bench.real_score(results["ours"]["texts"][(page.collection, name)], page)
        plain = bench.real_score(results["plain"]["texts"][(page.collection, name)], page)
        assert ours.tp >= 2 and ours.f1 >= plain.f1, name  # without the net: F1 0.0-0.33


# --- home corpus (regression) -------------------------------------------------------------------


def test_the_corpus_has_demo_pages_and_every_hard_case(corpus):
    kinds = {case.kind for case in corpus}
    assert {"demo", "live-blog", "gallery", "paywall", "arabic", "json-ld", "lazy-images", "boxes"} <= kinds
    assert sum(case.kind == "demo" for case in corpus) >= 40


def test_f1_floor_and_never_worse_than_plain_trafilatura(bench, corpus, corpus_texts):
    ours = sum((bench.score(corpus_texts["ours"][case.name], case.expected) for case in corpus), bench.Score(0, 0, 0))
    plain = sum((bench.score(corpus_texts["plain"][case.name], case.expected) for case in corpus), bench.Score(0, 0, 0))
    assert ours.f1 >= F1_FLOOR
    assert ours.f1 >= plain.f1


def test_no_page_falls_below_the_per_page_floor(bench, corpus, corpus_texts):
    weak = {case.name: round(bench.score(corpus_texts["ours"][case.name], case.expected).f1, 3) for case in corpus}
    assert {name: f1 for name, f1 in weak.items() if f1 < PER_PAGE_FLOOR} == {}


def test_demo_pages_match_what_the_demo_press_serves_today(bench, corpus):
    """The pinned pages are the demo press's: regenerate with ``--write-demo`` if it changes."""
    from revue.demo import DemoPress
    from revue.demo.pages import render_article_page

    press = DemoPress()
    case = next(case for case in corpus if case.kind == "demo")
    slug, index = Path(case.name).stem.rsplit("-", 1)
    outlet = press.outlet(slug)
    assert render_article_page(outlet, outlet.article(int(index)), bench.DEMO_BASE_URL) == case.html
