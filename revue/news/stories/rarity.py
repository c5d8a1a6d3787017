"""How rare a word is in its language: what makes a shared word telling.

Two headlines that share « Oppo » and « écran » tell one event far more surely than two that
share « France » and « nouveau ». The weight of a word is how rare it is in general use, read
from ``wordfreq`` (word frequencies of about forty languages, gathered from many sources and
shipped inside the package): ``rarity(word) = 9 - zipf``, from 0 (the commonest words) up to
``RARE`` for a word the list does not have (names, brands, places mostly).

This is a prior that does not depend on what the portal has stored (no corpus statistics), so an
article's features depend on its own text alone, the same in every process and on every machine.

The folded lists (``revue.text.fold``: lower case, no accents, Arabic letters in one form)
are read once per language and process, from wordfreq's ``small`` lists (words used at least
once per million words; a few tens of thousands per language, a few MB in memory).
"""

from __future__ import annotations

from functools import lru_cache

RARE = 6.5  # rarity of a word the list does not have (used less than once per million words)
UNKNOWN_LANGUAGE = 4.5  # rarity of any word in a language wordfreq does not know


@lru_cache(maxsize=16)
def table(language: str) -> dict[str, float] | None:
    """Folded word -> rarity, for one language, loaded on first use (None when wordfreq has no
    list for it)."""
    import wordfreq

    from revue.text.fold import fold

    if language not in wordfreq.available_languages("small"):
        return None
    frequencies: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict(language, "small").items():
        folded = fold(word)
        frequencies[folded] = frequencies.get(folded, 0.0) + frequency
    return {word: min(RARE, 9.0 - wordfreq.freq_to_zipf(frequency)) for word, frequency in frequencies.items()}


def rarity(folded: str, language: str) -> float:
    """How rare a folded word is in ``language``: 0 (commonest) … ``RARE`` (not in the list)."""
    found = table(language)
    if found is None:
        return UNKNOWN_LANGUAGE
    return found.get(folded, RARE)
