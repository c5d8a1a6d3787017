"""``revue.news.stories.cluster``: one story per event, across outlets and languages, in bounded
work and memory — and a quality floor on the labelled set (bench/data/stories_labelled.jsonl)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest

from revue.demo.content import DemoPress
from revue.demo.headlines import CAFTAN, RHN
from revue.news.stories import Clusterer, MemoryIndex, StoryParams, assignments, cluster
from tests.news.samples import CAFTAN as CAFTAN_TEXTS

START = datetime(2025, 12, 10, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    text: str
    language: str
    published_at: datetime


def items(*rows) -> list[Item]:
    return [Item(n, title, text, language, START + timedelta(minutes=minutes))
            for n, (title, text, language, minutes) in enumerate(rows, 1)]


def bcubed_f1(truth: list, found: list) -> float:
    by_truth, by_found = defaultdict(set), defaultdict(set)
    for i, (t, f) in enumerate(zip(truth, found)):
        by_truth[t].add(i)
        by_found[f].add(i)
    p = sum(len(by_truth[t] & by_found[f]) / len(by_found[f]) for t, f in zip(truth, found)) / len(truth)
    r = sum(len(by_truth[t] & by_found[f]) / len(by_truth[t]) for t, f in zip(truth, found)) / len(truth)
    return 2 * p * r / (p + r)


# Our generated set is a regression set, not the yardstick (real news is: tests/news/test_real_stories.py).
# Its events of one kind are written from one template, names and figures aside, so words that tell
# real events apart join them here: 0.96 when the scoring was tuned on this set, 0.65 once it was
# measured on real news (#14), 0.78 since resemblance fades between days and a score is one figure.
# The floor keeps that from getting worse unnoticed.
GENERATED_SET_FLOOR = 0.76


def test_quality_floor_on_the_labelled_set(labelled):
    found = cluster(labelled)
    assert len(labelled) >= 500
    assert bcubed_f1([row.story for row in labelled], found) >= GENERATED_SET_FLOOR


def test_one_event_in_three_languages_is_one_story_keyed_by_its_first_article():
    rows = items(*((title, text, language, minutes) for _, language, minutes, title, text in CAFTAN_TEXTS))
    assert cluster(rows) == [1, 1, 1, 1]


def test_a_republished_copy_is_linked_to_the_first_seen_original():
    dispatch = CAFTAN_TEXTS[0][4]
    placed = assignments(items(
        ("UNESCO : le caftan marocain inscrit au patrimoine", dispatch, "fr", 0),
        ("UNESCO : le caftan marocain inscrit au patrimoine [INTEGRAL]", "Par la rédaction\n\n" + dispatch, "fr", 30),
        ("Le caftan à l'UNESCO (MAP)", dispatch + "\n\nLire aussi : la saison des mariages", "fr", 60),
    ))
    assert [(a.story, a.original) for a in placed] == [(1, None), (1, 1), (1, 1)]


FX = "Voici les cours publiés par Bank Al-Maghrib pour le {day}. L'euro s'échange à {euro} dirhams, le dollar à {dollar} dirhams."


def test_daily_items_of_two_days_and_two_accidents_are_separate_stories():
    rows = items(
        ("Cours des devises du lundi 8 décembre 2025", FX.format(day="lundi 8 décembre", euro="10,62", dollar="9,21"), "fr", 0),
        ("Cours des devises du mardi 9 décembre 2025", FX.format(day="mardi 9 décembre", euro="10,58", dollar="9,25"), "fr", 1440),
        ("Taza : 7 morts dans le renversement d'un autocar", "Sept personnes sont mortes et 23 ont été blessées près de Taza.", "fr", 0),
        ("Taza : 4 morts dans une collision entre deux camions", "Quatre personnes sont mortes et 11 ont été blessées près de Taza.", "fr", 600),
    )
    stories = cluster(rows)
    assert len(set(stories)) == 4


def test_the_same_text_ten_days_later_is_another_story():
    text = CAFTAN_TEXTS[0][4]
    rows = items(("Le caftan à l'UNESCO", text, "fr", 0), ("Le caftan à l'UNESCO", text, "fr", 10 * 1440))
    assert cluster(rows) == [1, 2]


LAW = ("La Chambre des représentants a adopté {day} en séance plénière le projet de loi {subject}, par {yes} voix "
       "pour et {no} contre. Le texte, présenté par le ministre délégué, sera transmis à la Chambre des conseillers.")


def test_a_report_built_alike_two_days_later_is_another_event():
    rows = items(
        ("La Chambre des représentants adopte le projet de loi sur la grève",
         LAW.format(day="mardi", subject="sur le droit de grève", yes=124, no=41), "fr", 0),
        ("La Chambre des représentants adopte le projet de loi de finances",
         LAW.format(day="jeudi", subject="de finances pour 2026", yes=165, no=55), "fr", 2 * 1440),
    )
    assert cluster(rows) == [1, 2]


TRIAL = ("La chambre criminelle de la cour d'appel d'Agadir a poursuivi l'examen du dossier des trois agresseurs "
         "de Tiznit, accusés d'avoir attaqué un commerçant en juillet. {news}")


def test_an_event_told_day_after_day_stays_one_story():
    """Each report is 20 hours after the one before: the story's nearest article is always near."""
    told = [("Procès des agresseurs de Tiznit : la défense plaide l'acquittement", "La défense a plaidé l'acquittement."),
            ("Procès de Tiznit : le parquet requiert 20 ans contre les agresseurs", "Le parquet a requis 20 ans de prison."),
            ("Procès de Tiznit : les agresseurs condamnés à 15 ans de prison", "Les accusés ont été condamnés à 15 ans."),
            ("Tiznit : les agresseurs font appel de leur condamnation", "Ils ont fait appel.")]
    rows = items(*((title, TRIAL.format(news=news), "fr", n * 20 * 60) for n, (title, news) in enumerate(told)))
    assert cluster(rows) == [1, 1, 1, 1]


@pytest.mark.xfail(strict=True, reason="the demo press writes unrelated articles from shared sentence templates "
                   "and a small pool of names: since words are weighed on real news, they chain into false "
                   "stories. Known, #14 stays open")
def test_the_demo_press_tells_its_two_stories_twice():
    press = DemoPress()
    articles = sorted(press.articles(), key=lambda a: (a.published_at, a.outlet_slug, a.index))
    rows = [Item(n, a.title, a.text, a.language, a.published_at) for n, a in enumerate(articles, 1)]
    found = dict(zip((a.story_key for a in articles), cluster(rows)))
    by_key = defaultdict(set)
    for article, story in zip(articles, cluster(rows)):
        by_key[article.story_key].add(story)
    assert len(by_key[RHN]) == 1 and len(by_key[CAFTAN]) == 1
    assert found[RHN] != found[CAFTAN]
    members = defaultdict(set)
    for article, story in zip(articles, cluster(rows)):
        members[story].add(article.story_key)
    mixed = [keys for keys in members.values() if len(keys) > 1]
    assert len(mixed) <= 2, f"unrelated demo articles joined: {mixed}"


def test_work_per_article_is_bounded_whatever_the_archive():
    params = StoryParams(posting_cap=10, max_candidates=15)
    text = "Le Raja et le Wydad se retrouvent à Casablanca devant 45 000 spectateurs, selon Karim Zniber."
    rows = [Item(n, f"Derby n°{n} : Raja - Wydad", text.replace("45 000", str(1000 + n)), "fr", START + timedelta(minutes=n))
            for n in range(1, 400)]
    placed = assignments(rows, params)
    assert max(a.candidates for a in placed) <= 15


def test_memory_stays_flat_as_the_archive_grows():
    params = StoryParams(horizon=2 * 24 * 3600)
    index = MemoryIndex(horizon=params.horizon)
    clusterer = Clusterer(index, params)
    sizes = []
    for n in range(1, 1201):  # 60 days, 20 articles a day
        clusterer.add(Item(n, f"Titre {n} à Rabat", f"Texte {n} sur Youssef Berrada, {n * 7} dirhams.", "fr",
                           START + timedelta(hours=1.2 * n)))
        if n % 200 == 0:
            sizes.append(len(index))
    assert max(sizes) <= 3 * 20 + 1, "only the articles of the last two days (and the window) are kept"


def test_same_input_same_stories():
    rows = [replace(row) for row in items(*((t, x, lang, m) for _, lang, m, t, x in CAFTAN_TEXTS))]
    assert cluster(rows) == cluster(list(rows))


def test_names_alone_join_an_arabic_article_to_a_french_one():
    rows = items(
        ("Karim Zniber reçu à Rabat par Samira Bennani", "Karim Zniber a été reçu mercredi à Rabat par Samira Bennani, "
         "qui l'a félicité pour sa nomination.", "fr", 0),
        ("سميرة بناني تستقبل كريم زنيبر بالرباط", "استقبلت سميرة بناني، يوم الأربعاء بالرباط، كريم زنيبر وهنأته على تعيينه.", "ar", 45),
    )
    assert cluster(rows) == [1, 1], "the same names, written in two scripts"
