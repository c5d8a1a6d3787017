"""What the clustering keeps of an article, and how it is made: ``prepare`` reads an article's
features (``features.analyse``) and MinHash signature (``dedupe``) into a ``Fingerprint`` (bytes, as
the index stores them) and the index keys it is filed and looked up under; a ``Profile`` is a
fingerprint unpacked for comparisons. ``StoryParams`` holds the settings an operator tunes.

Pure functions and plain values, no ORM: the crawler prepares each article in its CPU processes,
beside its draft, and passes the result on (``reuse`` checks it still applies).
"""

from __future__ import annotations

import hashlib
import math
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Protocol

from revue.news.stories import dedupe
from revue.news.stories.features import SALIENT, WEIGHT_COGNATE, WEIGHT_COUNTRY, WEIGHT_TOPIC, analyse

BAND_WEIGHT = 4.0  # how much one shared LSH band weighs
WORD_KEY_WEIGHT = 2.0  # how much the rarest word shared weighs (others less, by their weight)


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


def _as_stored(weights: dict[int, float]) -> dict[int, float]:
    """``unpack_weights(pack_weights(weights))``, without the bytes: each weight in quarters, in key order."""
    return {k: min(255, round(w * 4)) / 4 for k, w in sorted(weights.items())}


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
    cognates: frozenset[int]  # specific anchors that are rare words' skeletons, not names
    countries: frozenset[int]  # the countries it names

    @classmethod
    def of(cls, fp: Fingerprint) -> Profile:
        return cls(fp, *_unpacked(fp.words, fp.anchors, fp.transliterated, fp.figures, fp.title_figures,
                                  fp.lead_figures))


@lru_cache(maxsize=1024)
def _unpacked(words: bytes, anchors: bytes, transliterated: bytes, figures: bytes, title_figures: bytes,
              lead_figures: bytes) -> tuple:
    """The unpacked content of a fingerprint (kept for the next comparisons: a recent article
    meets many newcomers). Keyed by the bytes themselves. About 15 kB each: 1,024 of them answer
    91.4 % of lookups where 4,096 answered 92.9 %, for 29 MB less in the settle process
    (``bench/stories.py``'s 20,000 articles: 823-832 articles/s against 837-871, RSS 342 MB
    against 371)."""
    return _content(unpack_weights(words), unpack_weights(anchors), unpack_weights(transliterated),
                    unpack_keys(figures), unpack_keys(title_figures), unpack_keys(lead_figures))


def _content(words: dict[int, float], anchors: dict[int, float], transliterated: dict[int, float],
             figures: frozenset[int], title_figures: frozenset[int], lead_figures: frozenset[int]) -> tuple:
    """The fields of ``Profile`` after the first (dicts in key order, as unpacked)."""
    specific = {k: w for k, w in anchors.items() if w >= SALIENT}
    generic = {k: w for k, w in anchors.items() if w < SALIENT}
    return (words, specific, generic, transliterated, figures, title_figures,
            frozenset(lead_figures - specific.keys()), frozenset(k for k, w in anchors.items() if w == WEIGHT_TOPIC),
            math.sqrt(sum(w * w for w in words.values())), sum(specific.values()), sum(generic.values()),
            frozenset(k for k, w in specific.items() if w == WEIGHT_COGNATE),
            frozenset(k for k, w in generic.items() if w == WEIGHT_COUNTRY and k not in figures))


# --- preparing an article -----------------------------------------------------------------------------


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
    # compared with the weights as stored (quarters), not as computed: an article's profile is then
    # the same whether a newcomer meets it in its own batch or reads it back from the index, so
    # where the batches end changes no story (a rebuild, or one process, makes the crawl's stories)
    content = _content(_as_stored(features.words), _as_stored(features.anchors), _as_stored(features.transliterated),
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
