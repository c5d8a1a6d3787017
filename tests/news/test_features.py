"""What an article says, comparable across languages: names, figures and concepts."""

from __future__ import annotations

import pytest

from revue.news.stories.features import analyse, arabic_variants, key, skeleton
from revue.news.stories.figures import figures
from revue.text.fold import fold


@pytest.mark.parametrize("latin, arabic", [
    ("Hicham", "هشام"), ("Berrada", "برادة"), ("Youssef", "يوسف"), ("Chraibi", "الشرايبي"),
    ("Benali", "بنعلي"), ("Khouribga", "خريبكة"), ("Marrakech", "مراكش"), ("Kettani", "الكتاني"),
    ("Molina", "مولينا"), ("Okafor", "أوكافور"), ("Mehdi", "مهدي"), ("Hafid", "حفيظ"),
])
def test_a_name_has_one_skeleton_in_both_scripts(latin, arabic):
    assert skeleton(fold(latin)) in {skeleton(v) for v in arabic_variants(fold(arabic))}


def test_arabic_words_lose_their_article_and_clitics():
    assert "رباط" in arabic_variants(fold("بالرباط"))
    assert arabic_variants(fold("وجدة"))[0] == "وجده"  # a town that starts with waw keeps it


@pytest.mark.parametrize("text, language", [
    ("4,8 milliards de dirhams", "fr"), ("4.800 millones de dírhams", "es"),
    ("4.8 billion dirhams", "en"), ("4,8 مليار درهم", "ar"), ("٤٫٨ مليار درهم", "ar"),
])
def test_an_amount_is_one_figure_however_it_is_written(text, language):
    assert [value for value, *_ in figures(fold(text), language)] == ["4.8e+09"]


@pytest.mark.parametrize("text", ["Botola : le Raja bat le Wydad (2-1)", "Le Wydad s'incline 1-2 face au Raja",
                                  "Raja - Wydad : 2 – 1"])
def test_a_score_is_one_figure_whichever_side_comes_first(text):
    assert [value for value, *_ in figures(fold(text), "fr")] == ["1-2"]


def test_dates_and_ranges_of_digits_are_not_scores():
    assert [value for value, *_ in figures(fold("le 20-05-2022 à 10:30"), "fr")] == ["20", "5", "2022", "10", "30"]


@pytest.mark.parametrize("text, language, value", [
    ("80.759 investisseurs", "fr", "80759"), ("80 759 investisseurs", "fr", "80759"),
    ("80,759 investors", "en", "80759"), ("3,5 %", "fr", "3.5"), ("3.5%", "en", "3.5"),
    ("3,5 في المائة", "ar", "3.5"), ("10,62 dirhams", "fr", "10.62"),
])
def test_thousands_and_decimals_follow_the_language(text, language, value):
    assert [v for v, *_ in figures(fold(text), language)] == [value]


def test_exonyms_and_countries_meet_in_one_concept():
    concepts = [analyse(title, "", language).anchors for title, language in (
        ("Visite à Tanger et accord avec l'Espagne", "fr"), ("Visita a Tánger y acuerdo con España", "es"),
        ("Visit to Tangier and agreement with Spain", "en"), ("زيارة إلى طنجة واتفاق مع إسبانيا", "ar"))]
    for concept in ("TANGER", "ES", "VISIT", "AGREEMENT"):
        assert all(key("c", concept) in anchors for anchors in concepts), concept


def test_capitalised_words_are_names_but_not_a_title_in_title_case():
    sentence = analyse("Le ministre reçoit Karim Zniber à Rabat", "", "fr")
    title_case = analyse("Minister Meets Karim Zniber In Capital", "Karim Zniber met the minister.", "en")
    pair = key("s2", "krm|znbr")
    assert pair in sentence.anchors and pair in title_case.anchors
    assert key("s", "mnstr") not in title_case.anchors, "Title Case says nothing about names"


def test_in_arabic_every_word_may_be_a_name_for_other_languages_only():
    arabic = analyse("كريم زنيبر في الرباط", "", "ar")
    assert key("s2", "krm|znbr") in arabic.transliterated
    assert key("s2", "krm|znbr") not in arabic.anchors


def test_title_and_lead_figures_are_told_apart():
    features = analyse("Accident : 7 morts près de Taza", "Le bilan est de 7 morts et 23 blessés.\n\nPlus tard, 412 passagers.", "fr")
    assert features.title_figures == {key("n", "7")}
    assert features.lead_figures == {key("n", "7"), key("n", "23")}
    assert key("n", "412") in features.figures


def test_language_is_guessed_from_the_script_when_missing():
    assert analyse("اليونسكو تدرج القفطان", "", "").language == "ar"
    assert analyse("Le caftan à l'UNESCO", "", "").language == "fr"
    assert analyse("Caftan", "", "es-ES").language == "es"


@pytest.mark.parametrize("title, language", [
    ("Bourse : clôture en baisse ce lundi", "fr"), ("Bolsa: cierre a la baja este lunes", "es"),
    ("Stock exchange closes lower on Monday", "en"), ("البورصة تنهي تداولات يوم الاثنين على انخفاض", "ar"),
])
def test_a_weekday_is_one_figure_in_every_language(title, language):
    monday = key("n", "day:MON")
    features = analyse(title, "", language)
    assert monday in features.title_figures and monday in features.figures


def test_a_name_of_several_words_the_lexicon_knows_is_one_word():
    """« Programme alimentaire mondial » does not meet « produits alimentaires mondiaux »."""
    wfp = analyse("Programme alimentaire mondial : le Maroc réélu au Conseil exécutif", "", "fr")
    fao = analyse("FAO : baisse des prix mondiaux des produits alimentaires", "", "fr")
    assert key("w", "c:WFP") in wfp.words
    assert not wfp.words.keys() & fao.words.keys()


def test_a_known_place_weighs_as_a_word_not_as_a_name():
    inside = analyse("Bourse de Casablanca : ouverture dans le vert", "", "fr").words
    first = analyse("Casablanca : ouverture de la Bourse dans le vert", "", "fr").words
    casablanca = key("w", "casabl")
    assert inside[casablanca] == first[casablanca]  # no name boost for the capital inside the sentence


def test_a_figure_written_with_decimals_is_a_measure_even_when_round():
    """« 8,0 % » tells a rate apart as « 8,5 % » does; « 8 morts » is a small count."""
    (_, rate, _), = figures(fold("le taux de chômage à 8,0 %"), "fr")
    (_, count, _), = figures(fold("8 morts"), "fr")
    assert rate > count
