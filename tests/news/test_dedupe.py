"""Republished copies are found by their LSH bands and told from daily items with other figures."""

from __future__ import annotations

from revue.news.stories import dedupe
from revue.news.stories.features import analyse

DISPATCH = (
    "RABAT (MAP) - Le Haut-Commissariat au Plan annonce une inflation de 2,3 % au troisième trimestre, "
    "contre 4,1 % un an plus tôt, tirée par la baisse des prix de l'énergie.\n\n"
    "En milieu urbain, la hausse atteint 2,6 %, contre 1,9 % en milieu rural. Les prix alimentaires "
    "progressent de 3,2 %, selon la note publiée jeudi.\n\n"
    "Les économistes de la banque centrale attendent une inflation de 2 % sur l'ensemble de l'année."
)


def sig(text: str) -> bytes:
    return dedupe.signature(analyse("", text, "fr").tokens, 3, 64)


def size(text: str) -> int:
    return dedupe.shingle_count(analyse("", text, "fr").tokens, 3)


def test_a_copy_with_a_byline_and_a_cut_is_contained_in_the_dispatch():
    copy = "Par la rédaction\n\n" + DISPATCH.split(" - ", 1)[1].rsplit("\n\n", 1)[0]
    contained = dedupe.containment(sig(DISPATCH), sig(copy), size(DISPATCH), size(copy))
    assert contained >= 0.7
    other = "Le Haut-Commissariat au Plan publiera jeudi sa note sur le chômage au troisième trimestre."
    assert dedupe.containment(sig(DISPATCH), sig(other), size(DISPATCH), size(other)) < 0.5


def test_a_long_copy_shares_an_lsh_band_with_its_dispatch():
    longer = DISPATCH + "\n\n" + "Les prix de l'énergie ont reculé de 6,1 % sur la période, selon la même note."
    shape = dedupe.lsh_shape(0.5, 64)
    assert set(dedupe.band_keys(sig(DISPATCH), shape)) & set(dedupe.band_keys(sig(longer), shape))


def test_the_same_text_has_the_same_signature_whatever_the_case_and_spacing():
    noisy = DISPATCH.upper().replace(" ", "  ").replace(" - ", " — ")
    assert sig(DISPATCH) == sig(noisy)


def test_yesterdays_rates_are_not_a_copy_of_todays():
    today = "Cours des devises du lundi 8 décembre 2025. L'euro s'échange à 10,62 dirhams, le dollar à 9,21 dirhams."
    yesterday = "Cours des devises du dimanche 7 décembre 2025. L'euro s'échange à 10,58 dirhams, le dollar à 9,25 dirhams."
    a, b = analyse("", today, "fr"), analyse("", yesterday, "fr")
    assert not dedupe.figures_agree(a.figures, b.figures)
    assert not dedupe.is_copy(1.0, 0.7, True, a.figures, b.figures)


def test_the_lsh_shape_matches_its_threshold():
    shape = dedupe.lsh_shape(0.5, 64)
    assert shape.bands * shape.rows <= 64
    assert 0.4 <= shape.threshold <= 0.6
