"""Stories on real news: the quality gate on real labelled sets, the seed's headlines, and story
features that never raise, whatever the text.

The real sets are read from ``../shared/dev-data/clustering`` (``bench/devdata.py``; skipped with a
message when absent) through ``bench/stories_real.py``, which the benchmark prints in full; the
baseline (TF-IDF character 3–5-grams, centroid linkage, its best threshold) is computed here; its
best score, which does not depend on Revue's code, is kept on disk (``tests/diskcache.py``) keyed by
the set's text, the baseline's and the scorer's code and the installed packages: a run after the
first computes it again only when one of them changed. Ours is clustered and scored every run.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import devdata  # noqa: E402
import stories_real  # noqa: E402
from stories import scores  # noqa: E402

from revue.demo.headlines import CAFTAN, RHN, SEED_HEADLINES  # noqa: E402
from revue.news.stories import StoryParams, cluster, prepare  # noqa: E402
from revue.news.stories.features import analyse  # noqa: E402
from tests.diskcache import DiskCache, digest  # noqa: E402
from tests.news.test_cluster import Item  # noqa: E402

pytestmark = pytest.mark.nodb

# The goal of #14 is 0.05 above the baseline on both sets; measured: fr_gnews +0.036, ecbplus +0.053
# (titles alone: +0.003). The gate keeps what is reached from slipping back under the baseline.
GAIN_FLOOR = 0.01
NOW = datetime(2025, 12, 8, 8, 0, tzinfo=timezone.utc)


def require(*parts: str) -> None:
    missing = devdata.missing(*parts)
    if missing:
        pytest.skip(missing)


@pytest.mark.parametrize("name", ["fr_gnews", "ecbplus"])
def test_real_stories_beat_the_tfidf_centroid_baseline_at_its_best_threshold(name):
    require("clustering", name)
    items = stories_real.load(name)
    truth = [i.story for i in items]
    ours = scores(truth, cluster(items, StoryParams())).bcubed_f1
    baseline = _baseline(items, truth)
    assert ours >= baseline + GAIN_FLOOR, f"{name}: ours {ours:.3f}, baseline {baseline:.3f}"


def _baseline(items, truth) -> float:
    """The baseline's best B-cubed F1 over its thresholds, through the disk cache."""
    code = [Path(module.__file__).read_text(encoding="utf-8") for module in (stories_real, sys.modules[scores.__module__])]
    key = digest(*code, *(f"{i.title}\t{i.text}\t{i.language}\t{story}" for i, story in zip(items, truth)))
    cache = DiskCache("stories-baseline")
    best = cache.get(key, lambda: max(scores(truth, labels).bcubed_f1 for labels in stories_real.baseline_runs(items).values()))
    cache.save()
    return best


def test_tokenised_real_text_is_clustered_without_error():
    """ECB+ as it is written (``1 , 200``, ``'' quotes ''``): it used to raise in the figure reader."""
    require("clustering", "ecbplus")
    items = stories_real.load("ecbplus", detokenised=False)
    assert any(" , " in i.text for i in items)
    found = cluster(items, StoryParams())
    truth = [i.story for i in items]
    assert len(found) == len(items)
    assert scores(truth, found).bcubed_f1 >= 0.8


def seed_rows() -> list[Item]:
    return [Item(n, h.title, "", h.language, NOW) for n, h in enumerate(SEED_HEADLINES, 1)]


def test_the_seed_pair_told_twice_in_french_is_one_story():
    found = cluster(seed_rows(), StoryParams())
    stories = {found[n] for n, h in enumerate(SEED_HEADLINES) if h.story_key == RHN}
    assert len(stories) == 1


# Two headlines the seed leaves without a story key tell one event all the same: the Étoile d'Or
# of the Marrakech festival given to Erige Sehiri's film, and her interview about receiving it
# (same person, same prize, same festival, same days). Joining them is right.
ONE_EVENT = {"Interview avec Erige Sehiri": "etoile-d-or", "L'Etoile d'Or du Festival de Marrakech": "etoile-d-or"}


def seed_story(headline) -> str:
    """The story a seed headline belongs to: its key, else its title alone (see ``ONE_EVENT``)."""
    for start, story in ONE_EVENT.items():
        if headline.title.startswith(start):
            return story
    return headline.story_key or headline.title


def test_no_false_joins_among_the_seed_headlines():
    """Titles alone, all at one time (the hardest case: no text, no time apart). Joins that
    shared a city (« Casablanca » three times), a theme's words (« alimentaire mondial » and
    « produits alimentaires mondiaux ») or a tournament's stage (« quarts ») are gone: a known
    place is no person's name, a name of several words is one word, two headlines naming
    different countries disagree."""
    found = cluster(seed_rows(), StoryParams())
    by_story = defaultdict(set)
    for h, story in zip(SEED_HEADLINES, found):
        by_story[story].add(seed_story(h))
    assert [keys for keys in by_story.values() if len(keys) > 1] == []


def test_the_caftan_headlines_in_french_and_spanish_are_one_story():
    """Titles alone, one in French and one in Spanish: they meet on UNESCO and on the rare words
    both languages write alike (caftan / caftán, épisode / episodio, bataille / batalla)."""
    found = cluster(seed_rows(), StoryParams())
    assert len({found[n] for n, h in enumerate(SEED_HEADLINES) if h.story_key == CAFTAN}) == 1


# --- features never raise ---------------------------------------------------------------------------

DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９²³¹"
SEPARATORS = [",", ".", " , ", " . ", "\u00a0", "\u202f", " ", "٫", "٬", "'", ",,", ". ,"]
numbers = st.lists(st.text(alphabet=DIGITS, min_size=1, max_size=5), min_size=1, max_size=4).flatmap(
    lambda parts: st.lists(st.sampled_from(SEPARATORS), min_size=len(parts) - 1, max_size=len(parts) - 1).map(
        lambda marks: "".join(p + m for p, m in zip(parts, marks + [""]))))
words = st.sampled_from(["millions", "milliards", "mil millones", "مليون", "billion", "%", "dirhams", "''", "``",
                         "Hicham Berrada", "هشام برادة", "New Delhi", "-", "«", "»", "\n\n", "l'", "1er"])
texts = st.lists(st.one_of(numbers, words, st.text(max_size=30)), max_size=30).map(" ".join)
languages = st.sampled_from(["fr", "es", "en", "ar", "", "de", "zz", "FR-fr", "pt_BR"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=texts, text=texts, language=languages)
def test_story_features_never_raise(title, text, language):
    features = analyse(title, text, language)
    assert all(w >= 0 for w in features.words.values())
    params = StoryParams()
    prepared = prepare(Item(1, title, text, language, NOW), params, params.shape)
    assert prepared.fingerprint.id == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts, texts, languages), min_size=1, max_size=6))
def test_any_articles_get_a_story_each(rows):
    items = [Item(n, title, text, language, NOW) for n, (title, text, language) in enumerate(rows, 1)]
    found = cluster(items, StoryParams())
    assert len(found) == len(items) and all(story in {i.id for i in items} for story in found)
