"""Stories: every article joins the story of the event it tells, or opens a new one.

The algorithm is one class, ``Clusterer``, that takes articles one at a time in the order they
were stored and decides for each, looking only at *candidates* that an index returns:

1. its features (``revue.news.textsim``) and MinHash signature (``revue.news.dedupe``);
2. its index keys: the LSH bands of its signature (the same text has the same signature, so an
   exact duplicate shares every band), its most telling anchors (figures, places and
   institutions, names) and its rarest words;
3. candidates: for each key, the ``posting_cap`` most recent articles filed under it published
   within ``window`` of this one (and not before the *horizon*: ``horizon`` before the newest
   article clustered so far); the ``max_candidates`` sharing the most weight are compared;
4. a **copy** when a candidate in the same language has at least ``duplicate`` of the shorter
   text in common with it (estimated from the signatures) and the same figures: the article is
   linked to that candidate's first-seen original and joins its story;
5. otherwise the story that scores best above its threshold, else a new story. Within a
   language a story scores the cosine of the article's words (weighted by how rare each word is
   in the language) with the sum of its candidate members' words (``story_similarity``: centroid
   linkage over what the index returned), less when the titles' figures contradict or two texts
   share no name, place or figure; across
   languages, its best member on the anchors that do not depend on the language
   (``similarity``), against ``same_language`` and ``cross_language`` respectively. A word that
   the postings or the candidates of many stories at once use weighs less (``_spread_discount``);
6. it is filed in the index under its keys.

No step scans the archive: each article costs a bounded number of index lookups and
comparisons, and the index keeps only the articles younger than the horizon.

``cluster(items)`` runs the ``Clusterer`` over an in-memory index (``MemoryIndex``); the crawler
runs the very same ``Clusterer`` over the database index of ``revue.news.story_store`` as each
batch is stored, and ``revue stories rebuild`` replays it over the whole archive.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import sys
from array import array
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Protocol

from revue.news import dedupe
from revue.news.textsim import SALIENT, WEIGHT_TOPIC, analyse

BAND_WEIGHT = 4.0  # how much one shared LSH band weighs
SPECIFIC_UNSHARED = 0.5  # within a language: what is left of the word score when no name is shared,
SPECIFIC_ENOUGH = 0.5  # and the share of specific evidence from which nothing is taken off
TEXT_SHINGLES = 40  # an article with more shingles than this has a text, not a headline alone
SPREAD_FLOOR = 0.25  # the least a word's weight keeps when the index files it under many stories at once

WORD_KEY_WEIGHT = 2.0  # how much the rarest word shared weighs (others less, by their weight)
SPECIFIC_FLOOR = 5.0  # specific anchor weight a comparison is measured against, at the least
LEAD_FIGURE = 1.0  # evidence of a small figure of a title or lead that the other article reports too
FIGURES_CONFLICT = 0.2  # how much of the evidence is left when the titles' figures contradict
FIGURES_MISSING = 0.6  # when one title's figures are missing from the other article
MIN_TOPICS = 2  # kinds of event both articles must name before disagreeing on them counts
CROSS_SPECIFIC = 0.85  # across languages: share of the specific anchors (the rest: generic ones)


@dataclass(frozen=True)
class StoryParams:
    """The limits and thresholds an operator tunes (``REVUE_STORY_*`` settings, see README); the
    weights of the score are the constants above, set on the labelled set of bench/."""

    window: int = 72 * 3600  # seconds either side of an article in which its story's articles are
    horizon: int = 14 * 24 * 3600  # seconds before the newest article past which nothing is looked up
    permutations: int = 64
    lsh_threshold: float = 0.6
    shingle: int = 3
    duplicate: float = 0.7
    same_language: float = 0.26
    cross_language: float = 0.65
    posting_cap: int = 10
    max_keys: int = 10
    max_candidates: int = 12
    fresh: int = 24 * 3600  # seconds from a story's nearest article within which nothing fades
    half_life: int = 12 * 3600  # past that, seconds in which a resemblance counts half as much

    @classmethod
    def from_settings(cls) -> StoryParams:
        from django.conf import settings

        return cls(
            window=int(settings.REVUE_STORY_WINDOW_HOURS * 3600),
            horizon=int(settings.REVUE_STORY_HORIZON_HOURS * 3600),
            permutations=settings.REVUE_STORY_MINHASH_PERMUTATIONS,
            lsh_threshold=settings.REVUE_STORY_LSH_THRESHOLD,
            shingle=settings.REVUE_STORY_SHINGLE_WORDS,
            duplicate=settings.REVUE_STORY_DUPLICATE_SIMILARITY,
            same_language=settings.REVUE_STORY_SIMILARITY,
            cross_language=settings.REVUE_STORY_CROSS_LANGUAGE_SIMILARITY,
            posting_cap=settings.REVUE_STORY_POSTING_CAP,
            max_keys=settings.REVUE_STORY_INDEX_KEYS,
            max_candidates=settings.REVUE_STORY_CANDIDATES,
            fresh=int(settings.REVUE_STORY_FRESH_HOURS * 3600),
            half_life=int(settings.REVUE_STORY_HALF_LIFE_HOURS * 3600),
        )

    def fading(self, gap: int) -> float:
        """What a resemblance is worth between an article and a story whose nearest article is
        ``gap`` seconds away: 1 up to ``fresh``, then half as much every ``half_life``. Two reports
        built alike on two days (a law passed, a match played, the weather warning) are two events;
        one event told on and on has some article near each new one, so it does not fade."""
        gap = abs(gap)
        if gap <= self.fresh:
            return 1.0
        return 0.5 ** ((gap - self.fresh) / self.half_life) if self.half_life > 0 else 0.0

    @property
    def shape(self) -> dedupe.LshShape:
        return dedupe.lsh_shape(self.lsh_threshold, self.permutations)


class StoryItem(Protocol):
    """What ``cluster`` needs of an article (``fetched_at`` and ``source_id`` are optional)."""

    id: int
    title: str
    text: str
    language: str
    published_at: datetime


@dataclass(frozen=True)
class ArticleItem:
    """An article as the clustering reads it (plain values, so it travels to worker processes)."""

    id: int
    title: str
    text: str
    language: str
    published_at: datetime
    fetched_at: datetime
    source_id: int


# --- fingerprints: what the index keeps of an article --------------------------------------------


def pack_weights(weights: dict[int, float]) -> bytes:
    """Keys (little-endian int64, in order) then weights in quarters (uint8): what is stored."""
    items = sorted(weights.items())
    keys = array("q", [k for k, _ in items])
    codes = array("B", [min(255, round(w * 4)) for _, w in items])  # up to 63.75
    if sys.byteorder == "big":
        keys.byteswap()
    return keys.tobytes() + codes.tobytes()


def unpack_weights(data: bytes) -> dict[int, float]:
    count = len(data) // 9
    keys = array("q")
    keys.frombytes(data[: 8 * count])
    if sys.byteorder == "big":
        keys.byteswap()
    return dict(zip(keys, (code / 4 for code in data[8 * count:])))


def pack_keys(keys: Iterable[int]) -> bytes:
    packed = array("q", sorted(keys))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_keys(data: bytes) -> frozenset[int]:
    keys = array("q")
    keys.frombytes(data)
    if sys.byteorder == "big":
        keys.byteswap()
    return frozenset(keys)


@dataclass(frozen=True)
class Fingerprint:
    """One clustered article as the index keeps it (all bytes, as stored)."""

    id: int
    time: int  # epoch seconds
    language: str
    outlet: int | None
    signature: bytes
    size: int  # shingles in its text
    words: bytes
    anchors: bytes
    transliterated: bytes
    figures: bytes
    title_figures: bytes
    lead_figures: bytes
    story: int  # its story's key
    original: int | None  # the article it copies, if it is a copy


@dataclass(frozen=True)
class Profile:
    """A fingerprint unpacked for comparisons: specific anchors (names, figures, places,
    institutions) apart from generic ones (kinds of event, calendar words, small numbers)."""

    fingerprint: Fingerprint
    words: dict[int, float]
    specific: dict[int, float]
    generic: dict[int, float]
    transliterated: dict[int, float]
    figures: frozenset[int]
    title_figures: frozenset[int]
    lead_figures: frozenset[int]
    topics: frozenset[int]
    words_norm: float
    specific_mass: float
    generic_mass: float

    @classmethod
    def of(cls, fp: Fingerprint) -> Profile:
        return cls(fp, *_unpacked(fp.words, fp.anchors, fp.transliterated, fp.figures, fp.title_figures,
                                  fp.lead_figures))


@lru_cache(maxsize=4096)
def _unpacked(words: bytes, anchors: bytes, transliterated: bytes, figures: bytes, title_figures: bytes,
              lead_figures: bytes) -> tuple:
    """The unpacked content of a fingerprint (kept for the next comparisons: a recent article
    meets many newcomers). Keyed by the bytes themselves."""
    return _content(unpack_weights(words), unpack_weights(anchors), unpack_weights(transliterated),
                    unpack_keys(figures), unpack_keys(title_figures), unpack_keys(lead_figures))


def _content(words: dict[int, float], anchors: dict[int, float], transliterated: dict[int, float],
             figures: frozenset[int], title_figures: frozenset[int], lead_figures: frozenset[int]) -> tuple:
    """The fields of ``Profile`` after the first (dicts in key order, as unpacked)."""
    specific = {k: w for k, w in anchors.items() if w >= SALIENT}
    generic = {k: w for k, w in anchors.items() if w < SALIENT}
    return (words, specific, generic, transliterated, figures, title_figures,
            frozenset(lead_figures - specific.keys()), frozenset(k for k, w in anchors.items() if w == WEIGHT_TOPIC),
            math.sqrt(sum(w * w for w in words.values())), sum(specific.values()), sum(generic.values()))


# --- comparing two articles -------------------------------------------------------------------------


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
    told from ordinary words and are left out."""
    shared = _shared(a.specific, b.specific)
    shared += LEAD_FIGURE * len((a.lead_figures & b.figures) | (b.lead_figures & a.figures))
    mass_a = a.specific_mass + LEAD_FIGURE * len(a.lead_figures)
    mass_b = b.specific_mass + LEAD_FIGURE * len(b.lead_figures)
    if a.transliterated and not b.transliterated:
        names = _names_matched(a, b)
        shared, mass_a = shared + names, mass_a + names
    elif b.transliterated and not a.transliterated:
        names = _names_matched(b, a)
        shared, mass_b = shared + names, mass_b + names
    return min(1.0, shared / max(min(mass_a, mass_b), SPECIFIC_FLOOR))


def _figures_agree(a: Profile, b: Profile) -> float:
    """Whether the figures of the titles contradict: two accidents near one city differ by their
    death toll, two days of exchange rates by their date. When both titles have figures and
    neither article reports any of the other's, ``FIGURES_CONFLICT``; when one title's figures are
    missing from the other article (which has figures of its own), ``FIGURES_MISSING``."""
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
    language (``revue.news.textsim``): two articles about one event share rare words, names first.
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


def story_similarity(me: Profile, members: Sequence[Profile], discount: dict[int, float] | None = None) -> float:
    """How surely an article tells the event of one story, from its members in the article's
    language that the index returned.

    The cosine of the article's words with the sum of those members' words: the story's centre as
    far as it bears on this article. An article close to what the story's articles say in common
    joins it; one close to a single member's aside does not (comparing with each member alone
    chains stories). Less when the titles' figures contradict (``_title_figures_agree``) and when
    two texts name little in common (``_names_agree``)."""
    discount = discount or {}
    centre: dict[int, float] = {}
    get = centre.get
    for member in members:
        for k, w in _weighed(member.words, discount).items():
            centre[k] = get(k, 0.0) + w
    norm = math.sqrt(sum(w * w for w in centre.values()))
    words = _weighed(me.words, discount)
    words_norm = me.words_norm if words is me.words else math.sqrt(sum(w * w for w in words.values()))
    return (_cosine(words, centre, words_norm, norm) * _title_figures_agree(me, members)
            * _names_agree(me, members))


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


def _spread_discount(spread: dict[int, int]) -> dict[int, float]:
    """What a word weighs, at most, when the articles that use it recently belong to ``n``
    stories: ``sqrt(2 / n)`` from three stories on, never under ``SPREAD_FLOOR``. A word that many
    stories of the moment use (a city in the news every day, a newsroom's stock phrase) says little
    about which one an article tells. ``n`` is read from what the lookup returns anyway, with no
    statistics kept: the postings of the key (for the article's rarest words) and the candidates
    that have the word (for all its words)."""
    return {k: max(SPREAD_FLOOR, math.sqrt(2.0 / n)) for k, n in spread.items() if n > 2}


def _stories_per_word(me: Profile, candidates: Sequence[Profile]) -> dict[int, int]:
    """For each word of the article, how many stories among its candidates use it too."""
    found: dict[int, set[int]] = {}
    mine = me.words.keys()
    for candidate in candidates:
        for k in candidate.words.keys() & mine:
            found.setdefault(k, set()).add(candidate.fingerprint.story)
    return {k: len(stories) for k, stories in found.items()}


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
    figures out, and its silence proves nothing."""
    if not me.title_figures or not _reports_figures(me):
        return 1.0
    members = [m for m in members if _reports_figures(m)]
    theirs = frozenset().union(*(m.title_figures for m in members))
    if not theirs:
        return 1.0
    if me.title_figures & frozenset().union(*(m.figures for m in members)) or theirs & me.figures:
        return 1.0
    return FIGURES_CONFLICT


def _reports_figures(profile: Profile) -> bool:
    return bool(profile.figures - profile.title_figures)


# --- the index ------------------------------------------------------------------------------------------


class StoryIndex(Protocol):
    """Where the ``Clusterer`` finds candidates and files articles (memory or database)."""

    def watermark(self) -> int | None:
        """The newest ``time`` of any article filed so far."""

    def postings(self, keys: Sequence[int], low: int, high: int, cap: int) -> dict[int, list[tuple[int, int]]]:
        """For each key, (id, story) of the ``cap`` most recent articles filed under it with
        ``low <= time <= high`` (most recent first; ties: highest id first)."""

    def fingerprints(self, ids: Iterable[int]) -> dict[int, Fingerprint]:
        """The fingerprints of these articles."""

    def file(self, fingerprint: Fingerprint, keys: Sequence[int], new_story: bool) -> int:
        """File an article under its keys; open its story when ``new_story`` (its key is
        returned: the story key the fingerprint should carry)."""


@dataclass(frozen=True)
class Assignment:
    """Where an article went."""

    id: int
    story: int
    original: int | None  # the article it copies
    score: float  # the best similarity found (for a copy: the share of its text in the original)
    candidates: int  # how many articles it was compared with


def epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def story_time(item: StoryItem) -> int:
    """When an article counts as published: its date, never later than when it was fetched."""
    published = epoch(item.published_at)
    fetched = getattr(item, "fetched_at", None)
    return min(published, epoch(fetched)) if fetched is not None else published


@dataclass(frozen=True)
class Prepared:
    """An article ready to be clustered: its fingerprint, its index keys and their weights."""

    fingerprint: Fingerprint
    keys: list[int]
    weights: dict[int, float]

    content: tuple  # the profile's content, as ``_content`` makes it
    made_from: bytes = b""  # ``_made_from`` of the article it was made from

    @property
    def profile(self) -> Profile:
        return Profile(self.fingerprint, *self.content)


def _made_from(item: StoryItem, params: StoryParams) -> bytes:
    """What ``prepare`` reads of an article but its id: a digest of its title, text and language,
    with its story time, its outlet and the settings."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (item.title, item.text, item.language, str(story_time(item)), str(getattr(item, "source_id", None)),
                 repr(params)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def prepare(item: StoryItem, params: StoryParams, shape: dedupe.LshShape) -> Prepared:
    """Features, signature and index keys of an article (steps 1 and 2)."""
    features = analyse(item.title, item.text, item.language)
    sig = dedupe.signature(features.tokens, params.shingle, params.permutations)
    bands = dedupe.band_keys(sig, shape)
    weight_of = {**features.transliterated, **features.anchors}
    salient = [k for k in features.salient if weight_of[k] >= SALIENT][: params.max_keys]
    rare_words = sorted(features.words, key=lambda k: (-features.words[k], k))[: params.max_keys]
    keys = bands + salient + rare_words
    weights = {k: weight_of[k] for k in salient}
    heaviest = max((features.words[k] for k in rare_words), default=1.0)
    for k in rare_words:  # at most WORD_KEY_WEIGHT, so anchors (what other languages share) still rank
        weights[k] = weights.get(k, 0.0) + WORD_KEY_WEIGHT * features.words[k] / heaviest
    weights.update({k: BAND_WEIGHT for k in bands})
    fingerprint = Fingerprint(
        id=item.id, time=story_time(item), language=features.language, outlet=getattr(item, "source_id", None),
        signature=sig, size=dedupe.shingle_count(features.tokens, params.shingle),
        words=pack_weights(features.words), anchors=pack_weights(features.anchors),
        transliterated=pack_weights(features.transliterated), figures=pack_keys(features.figures),
        title_figures=pack_keys(features.title_figures), lead_figures=pack_keys(features.lead_figures),
        story=0, original=None)
    content = _content(_sorted(features.words), _sorted(features.anchors), _sorted(features.transliterated),
                       features.figures, features.title_figures, features.lead_figures)
    return Prepared(fingerprint, list(dict.fromkeys(keys)), weights, content, _made_from(item, params))


def reuse(prepared: Prepared | None, item: StoryItem, params: StoryParams) -> Prepared | None:
    """``prepared``, made beforehand (say, from an article's draft before it had an id), as this
    article's: when it was made from the same title, text, language, story time and outlet, with
    the same settings, with this article's id; else None (prepare it again)."""
    if prepared is None or not prepared.made_from or prepared.made_from != _made_from(item, params):
        return None
    if prepared.fingerprint.id == item.id:
        return prepared
    return replace(prepared, fingerprint=replace(prepared.fingerprint, id=item.id))


def prepare_all(items: Iterable[StoryItem], params: StoryParams) -> dict[int, Prepared]:
    """``prepare`` for many articles, by id: pure, so it can run in another process."""
    shape = params.shape
    return {item.id: prepare(item, params, shape) for item in items}


def _sorted(weights: dict[int, float]) -> dict[int, float]:
    return dict(sorted(weights.items()))


class Clusterer:
    """Assigns articles to stories one at a time (see the module docstring)."""

    def __init__(self, index: StoryIndex, params: StoryParams | None = None, cache_size: int = 4096):
        self.index = index
        self.params = params or StoryParams()
        self.shape = self.params.shape
        self._profiles: OrderedDict[int, Profile] = OrderedDict()
        self._cache_size = cache_size

    def add(self, item: StoryItem, prepared: Prepared | None = None) -> Assignment:
        """Place one article; ``prepared`` is its ``prepare`` result when computed beforehand
        (the crawler prepares in its CPU processes, so only steps 3-5 hold the clustering lock)."""
        prepared = prepared or prepare(item, self.params, self.shape)
        me = prepared.profile
        candidates, spread = self._candidates(prepared)
        for k, stories in _stories_per_word(me, candidates).items():
            spread[k] = max(spread.get(k, 0), stories)
        story, original, score = self._decide(me, candidates, _spread_discount(spread))
        stored = replace(prepared.fingerprint, story=story or 0, original=original)
        story_key = self.index.file(stored, prepared.keys, new_story=story is None)
        self._remember(replace(me, fingerprint=replace(stored, story=story_key)))
        return Assignment(item.id, story_key, original, score, len(candidates))

    # -- steps -----------------------------------------------------------------------------------

    def _candidates(self, prepared: Prepared) -> tuple[list[Profile], dict[int, int]]:
        """The candidates, and for each key looked up the number of stories its postings belong to."""
        p = self.params
        low, high = prepared.fingerprint.time - p.window, prepared.fingerprint.time + p.window
        watermark = self.index.watermark()
        if watermark is not None:
            low = max(low, watermark - p.horizon)
        if low > high:
            return [], {}
        found = self.index.postings(prepared.keys, low, high, p.posting_cap)
        score: dict[int, float] = {}
        spread: dict[int, int] = {}
        for k, entries in found.items():
            for article, _ in entries:
                score[article] = score.get(article, 0.0) + prepared.weights[k]
            spread[k] = len({story for _, story in entries})
        best = sorted(score, key=lambda a: (-score[a], -a))[: p.max_candidates]
        return self._load(best), spread

    def _decide(self, me: Profile, candidates: list[Profile], discount: dict[int, float] | None = None):
        """(story or None for a new one, original or None, best score); ``discount``: what words
        weigh at most (``_spread_discount``)."""
        p = self.params
        language = me.fingerprint.language
        copies = []
        for other in candidates:
            fp = other.fingerprint
            if fp.language != language:
                continue
            contained = dedupe.containment(me.fingerprint.signature, fp.signature, me.fingerprint.size, fp.size)
            if dedupe.is_copy(contained, p.duplicate, True, me.figures, other.figures):
                copies.append((contained, -fp.id, fp))
        if copies:
            contained, _, fp = max(copies)
            return fp.story, fp.original or fp.id, contained
        best: dict[int, float] = {}  # story -> best margin over its threshold
        best_score = 0.0
        same: dict[int, list[Profile]] = {}  # story -> its members in this article's language
        time = me.fingerprint.time
        for other in candidates:
            story = other.fingerprint.story
            if other.fingerprint.language == language:
                same.setdefault(story, []).append(other)
                continue
            score = similarity(me, other) * p.fading(time - other.fingerprint.time)
            best[story] = max(best.get(story, 0.0), score / p.cross_language)
            best_score = max(best_score, score)
        for story, members in same.items():
            score = story_similarity(me, members, discount)
            score *= p.fading(min(abs(time - m.fingerprint.time) for m in members))
            best[story] = max(best.get(story, 0.0), score / p.same_language)
            best_score = max(best_score, score)
        if best:
            story = min(best, key=lambda s: (-best[s], s))
            if best[story] >= 1.0:
                return story, None, best_score
        return None, None, best_score

    # -- profiles of recent articles, kept for the next comparisons --------------------------------

    def _load(self, ids: list[int]) -> list[Profile]:
        missing = [i for i in ids if i not in self._profiles]
        if missing:
            for fp in self.index.fingerprints(missing).values():
                self._remember(Profile.of(fp))
        return [self._profiles[i] for i in ids if i in self._profiles]

    def _remember(self, profile: Profile) -> None:
        self._profiles[profile.fingerprint.id] = profile
        self._profiles.move_to_end(profile.fingerprint.id)
        while len(self._profiles) > self._cache_size:
            self._profiles.popitem(last=False)


# --- the in-memory index, and cluster() -------------------------------------------------------------


@dataclass
class MemoryIndex:
    """The index in memory, forgetting what is older than the horizon (so memory stays flat).

    Story keys are the id of each story's first article.
    """

    horizon: int
    _postings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # key -> sorted (time, id)
    _fingerprints: dict[int, Fingerprint] = field(default_factory=dict)
    _keys: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _expiry: list[tuple[int, int]] = field(default_factory=list)  # heap of (time, id)
    _watermark: int | None = None

    def watermark(self) -> int | None:
        return self._watermark

    def postings(self, keys: Sequence[int], low: int, high: int, cap: int) -> dict[int, list[tuple[int, int]]]:
        found = {}
        for k in keys:
            entries = self._postings.get(k)
            if not entries:
                continue
            end = bisect_right(entries, (high, math.inf))
            ids = []
            for position in range(end - 1, -1, -1):
                time, article = entries[position]
                if time < low or len(ids) >= cap:
                    break
                ids.append((article, self._fingerprints[article].story))
            if ids:
                found[k] = ids
        return found

    def fingerprints(self, ids: Iterable[int]) -> dict[int, Fingerprint]:
        return {i: self._fingerprints[i] for i in ids if i in self._fingerprints}

    def file(self, fingerprint: Fingerprint, keys: Sequence[int], new_story: bool) -> int:
        story = fingerprint.id if new_story else fingerprint.story
        stored = replace(fingerprint, story=story)
        self._fingerprints[stored.id] = stored
        self._keys[stored.id] = tuple(dict.fromkeys(keys))
        for k in self._keys[stored.id]:
            insort(self._postings.setdefault(k, []), (stored.time, stored.id))
        heapq.heappush(self._expiry, (stored.time, stored.id))
        self._watermark = stored.time if self._watermark is None else max(self._watermark, stored.time)
        self._forget(self._watermark - self.horizon)
        return story

    def __len__(self) -> int:
        return len(self._fingerprints)

    def _forget(self, before: int) -> None:
        """Drop the articles published before ``before``: no lookup can reach them any more."""
        while self._expiry and self._expiry[0][0] < before:
            time, article = heapq.heappop(self._expiry)
            self._fingerprints.pop(article, None)
            for k in self._keys.pop(article, ()):
                entries = self._postings[k]
                entries.remove((time, article))
                if not entries:
                    del self._postings[k]


def cluster(items: Iterable[StoryItem], params: StoryParams | None = None) -> list[int]:
    """A story key per item, in the items' order, by the algorithm the crawler runs.

    Items are taken in the order given — the order the crawler stored them (sort an archive by
    id). A story's key is the id of its first item. ``params`` defaults to the settings when
    Django is configured, else to ``StoryParams()``.
    """
    params = params or _default_params()
    clusterer = Clusterer(MemoryIndex(horizon=params.horizon), params)
    return [clusterer.add(item).story for item in items]


def assignments(items: Iterable[StoryItem], params: StoryParams | None = None) -> list[Assignment]:
    """Like ``cluster``, with each item's copy link and score (for benchmarks and tools)."""
    params = params or _default_params()
    clusterer = Clusterer(MemoryIndex(horizon=params.horizon), params)
    return [clusterer.add(item) for item in items]


def _default_params() -> StoryParams:
    from django.conf import settings

    return StoryParams.from_settings() if settings.configured else StoryParams()
