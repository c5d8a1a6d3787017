"""Stories: every article joins the story of the event it tells, or opens a new one.

The algorithm is one class, ``Clusterer``, that takes articles one at a time in the order they
were stored and decides for each, looking only at *candidates* that an index returns:

1. its features (``revue.news.stories.features``) and MinHash signature (``revue.news.stories.dedupe``);
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
   the postings or the candidates of many stories at once use weighs less (``spread_discount``);
6. it is filed in the index under its keys.

No step scans the archive: each article costs a bounded number of index lookups and
comparisons, and the index keeps only the articles younger than the horizon.

``cluster(items)`` runs the ``Clusterer`` over an in-memory index (``MemoryIndex``); the crawler
runs the very same ``Clusterer`` over the database index of ``revue.news.stories.store`` as each
batch is stored, and ``revue stories rebuild`` replays it over the whole archive.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from revue.news.stories import dedupe
from revue.news.stories.fingerprints import Fingerprint, Prepared, Profile, StoryItem, StoryParams, prepare
from revue.news.stories.scoring import similarity, spread_discount, stories_per_word, story_similarity, weighed


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
        if len({c.fingerprint.story for c in candidates}) > 2:  # else no word is discounted for them
            for k, stories in stories_per_word(me, candidates).items():
                spread[k] = max(spread.get(k, 0), stories)
        story, original, score = self._decide(me, candidates, spread_discount(spread))
        stored = _placed(prepared.fingerprint, story or 0, original)
        story_key = self.index.file(stored, prepared.keys, new_story=story is None)
        self._remember(Profile(_placed(stored, story_key, original), *prepared.content))
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
        best = heapq.nsmallest(p.max_candidates, score, key=lambda a: (-score[a], -a))
        return self._load(best), spread

    def _decide(self, me: Profile, candidates: list[Profile], discount: dict[int, float] | None = None):
        """(story or None for a new one, original or None, best score); ``discount``: what words
        weigh at most (``spread_discount``)."""
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
        mine = weighed(me, discount) if same else None  # (the same for every story)
        for story, members in same.items():
            score = story_similarity(me, members, discount, mine)
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


def _placed(fp: Fingerprint, story: int, original: int | None) -> Fingerprint:
    """``fp`` with this story and original (``dataclasses.replace``, without its cost per call)."""
    return Fingerprint(fp.id, fp.time, fp.language, fp.outlet, fp.signature, fp.size, fp.words, fp.anchors,
                       fp.transliterated, fp.figures, fp.title_figures, fp.lead_figures, story, original)


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
        stored = _placed(fingerprint, story, fingerprint.original)
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

