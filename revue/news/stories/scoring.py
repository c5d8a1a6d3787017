"""How surely an article tells the event of a story: ``similarity`` between two articles (across
languages, on the anchors that do not depend on the language) and ``story_similarity`` between an
article and the members of a story that the index returned (within a language, on words weighed by
their rarity). The weights are the constants below, chosen on the tune halves of the real labelled
sets of ``bench/stories_real.py``."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from revue.news.stories.fingerprints import Profile

SPECIFIC_UNSHARED = 0.5  # within a language: what is left of the word score when no name is shared,
SPECIFIC_ENOUGH = 0.5  # and the share of specific evidence from which nothing is taken off
TEXT_SHINGLES = 40  # an article with more shingles than this has a text, not a headline alone
SPREAD_FLOOR = 0.25  # the least a word's weight keeps when the index files it under many stories at once
SPECIFIC_FLOOR = 5.0  # specific anchor weight a comparison is measured against, at the least
LEAD_FIGURE = 1.0  # evidence of a small figure of a title or lead that the other article reports too
FIGURES_CONFLICT = 0.2  # how much of the evidence is left when the titles' figures contradict
FIGURES_MISSING = 0.6  # when one title's figures are missing from the other article
COUNTRIES_CONFLICT = 0.5  # what is left when two headlines name countries, none the same
MIN_TOPICS = 2  # kinds of event both articles must name before disagreeing on them counts
CROSS_SPECIFIC = 0.85  # across languages: share of the specific anchors (the rest: generic ones)


def _shared(a: dict[int, float], b: dict[int, float]) -> float:
    """The weight two sets of anchors have in common."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(w, b[k]) for k, w in a.items() if k in b)


def _cosine(a: dict[int, float], b: dict[int, float], norm_a: float, norm_b: float) -> float:
    if not norm_a or not norm_b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b) / (norm_a * norm_b)


def _names_matched(arabic: Profile, other: Profile) -> float:
    """The weight of the other article's names that the Arabic article's words spell."""
    return sum(min(w, arabic.transliterated[k]) for k, w in other.specific.items()
               if k in arabic.transliterated and k not in arabic.specific)


def _specific(a: Profile, b: Profile) -> float:
    """The share of the smaller article's specific evidence that the other article has too.

    Specific evidence: names, figures, places and institutions, and each small figure of the
    title or lead (a death toll, a score) that the other reports. An Arabic article's words may
    spell the other's names (skeletons): those that do count as its names; the others cannot be
    told from ordinary words and are left out. A rare word's skeleton (a cognate) counts only when
    shared: most words are written differently in the other language, so its absence says nothing."""
    shared = _shared(a.specific, b.specific)
    shared += LEAD_FIGURE * len((a.lead_figures & b.figures) | (b.lead_figures & a.figures))
    mass_a = a.specific_mass + LEAD_FIGURE * len(a.lead_figures) - _cognates_unshared(a, b)
    mass_b = b.specific_mass + LEAD_FIGURE * len(b.lead_figures) - _cognates_unshared(b, a)
    if a.transliterated and not b.transliterated:
        names = _names_matched(a, b)
        shared, mass_a = shared + names, mass_a + names
    elif b.transliterated and not a.transliterated:
        names = _names_matched(b, a)
        shared, mass_b = shared + names, mass_b + names
    return min(1.0, shared / max(min(mass_a, mass_b), SPECIFIC_FLOOR))


def _cognates_unshared(a: Profile, b: Profile) -> float:
    """The weight of ``a``'s cognates that ``b`` does not have."""
    return sum(a.specific[k] for k in a.cognates if k not in b.specific) if a.cognates else 0.0


def _strong(profile: Profile) -> frozenset[int]:
    """The title's figures that tell an event apart: three digits or more, or a decimal (specific
    anchors), not a day, an ordinal or a small count (« 3e trimestre », « lundi 8 »)."""
    return profile.title_figures & profile.specific.keys()


def _strong_conflict(mine: frozenset[int], theirs: frozenset[int], my_figures: frozenset[int],
                     their_figures: frozenset[int]) -> bool:
    """Both titles give strong figures and neither side reports any of the other's (« chômage à
    8,0 % » and « croissance à 3,3 % », both « au 3e trimestre »: the 3 they share proves nothing)."""
    return bool(mine and theirs and not mine & their_figures and not theirs & my_figures)


def _figures_agree(a: Profile, b: Profile) -> float:
    """Whether the figures of the titles contradict: two accidents near one city differ by their
    death toll, two days of exchange rates by their date. When both titles have figures and
    neither article reports any of the other's, ``FIGURES_CONFLICT``; when one title's figures are
    missing from the other article (which has figures of its own), ``FIGURES_MISSING``. The
    titles' strong figures are compared first (``_strong_conflict``)."""
    if _strong_conflict(_strong(a), _strong(b), a.figures, b.figures):
        return FIGURES_CONFLICT
    a_found = bool(a.title_figures & b.figures)
    b_found = bool(b.title_figures & a.figures)
    if a.title_figures and b.title_figures:
        return 1.0 if a_found or b_found else FIGURES_CONFLICT
    if a.title_figures and b.figures and not a_found:
        return FIGURES_MISSING
    if b.title_figures and a.figures and not b_found:
        return FIGURES_MISSING
    return 1.0


def _topics_agree(a: Profile, b: Profile) -> float:
    """1 when the two articles share a kind of event, or either names fewer than
    ``MIN_TOPICS``; down to one half when both say what happened and nothing in common."""
    if len(a.topics) < MIN_TOPICS or len(b.topics) < MIN_TOPICS:
        return 1.0
    return 0.5 + 0.5 * min(1.0, len(a.topics & b.topics) / MIN_TOPICS)


def similarity(a: Profile, b: Profile) -> float:
    """How surely two articles tell one event, from 0 to 1.

    Within a language: the cosine of their words, each weighing as much as it is rare in the
    language (``revue.news.stories.features``): two articles about one event share rare words, names first.
    Across languages, where no word is shared, the anchors that do not depend on the language:
    the specific evidence they share (names, figures, places, institutions), over that of the
    article that has less (but never less than ``SPECIFIC_FLOOR``: a title alone proves little),
    unless their titles' figures or their kinds of event disagree; generic anchors add a little.
    """
    if a.fingerprint.language == b.fingerprint.language:
        return _cosine(a.words, b.words, a.words_norm, b.words_norm)
    specific = _specific(a, b) * _figures_agree(a, b) * _topics_agree(a, b)
    generic = (_shared(a.generic, b.generic) / math.sqrt(a.generic_mass * b.generic_mass)
               if a.generic_mass and b.generic_mass else 0.0)
    return CROSS_SPECIFIC * specific + (1 - CROSS_SPECIFIC) * generic


def weighed(me: Profile, discount: dict[int, float] | None) -> tuple[dict[int, float], float]:
    """The article's words as ``story_similarity`` weighs them with ``discount``, and their norm:
    made once for an article compared with several stories."""
    words = _weighed(me.words, discount or {})
    return words, me.words_norm if words is me.words else math.sqrt(sum(w * w for w in words.values()))


def story_similarity(me: Profile, members: Sequence[Profile], discount: dict[int, float] | None = None,
                     mine: tuple[dict[int, float], float] | None = None) -> float:
    """How surely an article tells the event of one story, from its members in the article's
    language that the index returned.

    The cosine of the article's words with the sum of those members' words: the story's centre as
    far as it bears on this article. An article close to what the story's articles say in common
    joins it; one close to a single member's aside does not (comparing with each member alone
    chains stories). Less when the titles' figures contradict (``_title_figures_agree``), when
    two texts name little in common (``_names_agree``) and when two headlines name different
    countries (``_countries_agree``). ``mine``: ``weighed(me, discount)``, when made already."""
    discount = discount or {}
    if len(members) == 1:  # the centre is the member's words (0.0 + w is w: the very same sums)
        centre = _weighed(members[0].words, discount)
        norm = members[0].words_norm if centre is members[0].words else math.sqrt(sum(w * w for w in centre.values()))
    else:
        centre = {}
        get = centre.get
        for member in members:
            if discount and not discount.keys().isdisjoint(member.words):
                for k, w in member.words.items():
                    centre[k] = get(k, 0.0) + (w * discount[k] if k in discount else w)
            else:
                for k, w in member.words.items():
                    centre[k] = get(k, 0.0) + w
        norm = math.sqrt(sum(w * w for w in centre.values()))
    words, words_norm = mine or weighed(me, discount)
    return (_cosine(words, centre, words_norm, norm) * _title_figures_agree(me, members)
            * _names_agree(me, members) * _countries_agree(me, members))


def _countries_agree(me: Profile, members: Sequence[Profile]) -> float:
    """``COUNTRIES_CONFLICT`` when the article is a headline alone, naming countries, and the
    story's headlines name countries too but none of the same (« Coupe arabe : la Palestine et la
    Syrie qualifiées pour les quarts », « … face à l'Arabie saoudite … pour les quarts »: two
    matches of one tournament), else 1. A headline names the countries its event is about; a text
    names many more, so texts are left out."""
    if me.fingerprint.size > TEXT_SHINGLES or not me.countries:
        return 1.0
    theirs = frozenset().union(*(m.countries for m in members if m.fingerprint.size <= TEXT_SHINGLES))
    return COUNTRIES_CONFLICT if theirs and theirs.isdisjoint(me.countries) else 1.0


def _names_agree(me: Profile, members: Sequence[Profile]) -> float:
    """From ``SPECIFIC_UNSHARED`` to 1: how much of the specific evidence (names, places,
    institutions, figures) of the article, or of the story's members if they have less, the two
    share, full from ``SPECIFIC_ENOUGH`` of it. Only between articles that have a text: two texts
    about one event name some of the same people and places, where two reports built alike about
    two events (two verdicts, two festivals) share their words and not their names. A headline
    alone names too little for its silence to count."""
    if me.fingerprint.size <= TEXT_SHINGLES or not me.specific_mass:
        return 1.0
    theirs: dict[int, float] = {}
    for member in members:
        if member.fingerprint.size > TEXT_SHINGLES:
            for k, w in member.specific.items():
                if w > theirs.get(k, 0.0):
                    theirs[k] = w
    mass = sum(theirs.values())
    if not mass:
        return 1.0
    share = _shared(me.specific, theirs) / max(min(me.specific_mass, mass), SPECIFIC_FLOOR)
    return SPECIFIC_UNSHARED + (1 - SPECIFIC_UNSHARED) * min(1.0, share / SPECIFIC_ENOUGH)


def spread_discount(spread: dict[int, int]) -> dict[int, float]:
    """What a word weighs, at most, when the articles that use it recently belong to ``n``
    stories: ``sqrt(2 / n)`` from three stories on, never under ``SPREAD_FLOOR``. A word that many
    stories of the moment use (a city in the news every day, a newsroom's stock phrase) says little
    about which one an article tells. ``n`` is read from what the lookup returns anyway, with no
    statistics kept: the postings of the key (for the article's rarest words) and the candidates
    that have the word (for all its words)."""
    return {k: max(SPREAD_FLOOR, math.sqrt(2.0 / n)) for k, n in spread.items() if n > 2}


def stories_per_word(me: Profile, candidates: Sequence[Profile]) -> dict[int, int]:
    """For each word of the article, how many stories among its candidates use it too."""
    by_story: dict[int, set[int]] = {}  # story -> the article's words its candidates use
    mine = me.words.keys()
    for candidate in candidates:
        story = candidate.fingerprint.story
        shared = candidate.words.keys() & mine
        if story in by_story:
            by_story[story] |= shared
        else:
            by_story[story] = shared
    counts: Counter[int] = Counter()
    for shared in by_story.values():
        counts.update(shared)
    return dict(counts)


def _weighed(words: dict[int, float], discount: dict[int, float]) -> dict[int, float]:
    """``words`` with the discounted ones weighing less (the same dict when none is)."""
    if not discount or discount.keys().isdisjoint(words):
        return words
    return {k: w * discount[k] if k in discount else w for k, w in words.items()}


def _title_figures_agree(me: Profile, members: Sequence[Profile]) -> float:
    """``FIGURES_CONFLICT`` when the article's title and the story's titles both give figures and
    neither side reports any of the other's (two verdicts of one day: 15 years, 11 years; two
    accidents near one town: 7 dead, 4 dead), else 1. Only between articles whose texts give
    figures beyond their titles': a headline alone, or a text without figures, leaves most
    figures out, and its silence proves nothing. The titles' strong figures are compared first
    (``_strong_conflict``): a day or an ordinal both give does not make them agree."""
    if not me.title_figures or not _reports_figures(me):
        return 1.0
    members = [m for m in members if _reports_figures(m)]
    theirs = frozenset().union(*(m.title_figures for m in members))
    if not theirs:
        return 1.0
    reported = frozenset().union(*(m.figures for m in members))
    if _strong_conflict(_strong(me), frozenset().union(*(_strong(m) for m in members)), me.figures, reported):
        return FIGURES_CONFLICT
    if me.title_figures & reported or theirs & me.figures:
        return 1.0
    return FIGURES_CONFLICT


def _reports_figures(profile: Profile) -> bool:
    return bool(profile.figures - profile.title_figures)

