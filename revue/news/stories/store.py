"""Stories in the database: the clustering index, incremental assignment and rebuild.

``assign_stories(article_ids)`` is what the crawler calls after each stored batch: under one
lock (SQLite's write lock, a PostgreSQL advisory lock), the articles not yet clustered are
taken in id order and given to ``revue.news.stories.Clusterer`` over ``DatabaseIndex`` — the
same algorithm ``stories.cluster`` runs in memory. On SQLite, whose write lock stops every other
writer, the clustering is done before the lock is taken and only written under it, when the
index has not changed meanwhile (``_index_version``); else it is done again under the lock.

The index lives in two tables:
``StoryFingerprint`` (what is kept of an article, with its clustering order ``seq``) and
``StoryPosting`` (key, time, article), read by key and time range with a limit per key, so an
article costs a bounded number of indexed lookups whatever the size of the archive. Rows of a
batch are written when the batch ends; until then the batch's own articles are found in an
in-memory overlay, with the same ordering and limits. A process keeps the fingerprints it last
committed or read (``RECENT``, bounded), since each is compared with many newcomers; on SQLite,
the crawler's batches also keep each key's most recent postings (``POSTINGS``, read for a whole
batch at once, dropped whenever anything else wrote to the index): a lookup they cover reads no
row again.

``rebuild_stories()`` forgets every story and clusters the whole archive again, in the order the
articles were first clustered (then by id): the result is the one the crawler reached
incrementally. After each batch the touched stories get their counts, times, languages and
title (from their most representative article: ``representative``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from revue.db import hold_lock, insert_rows, update_rows, writers_queue_at_begin
from revue.news.models import Article, Story, StoryFingerprint, StoryPosting
from revue.news.stories import postings
from revue.news.stories.recent import POSTINGS, RECENT, RecentPostings, covers
from revue.news.stories import (ArticleItem, Assignment, Clusterer, Fingerprint, MemoryIndex, Profile, StoryParams,
                                similarity)

logger = logging.getLogger(__name__)

LOCK_KEY = 0x5245_5655_5354  # "REVUST": the clustering's lock (revue.db.hold_lock)
REPRESENTATIVE_SAMPLE = 12  # most recent members a story's title is chosen among
PORTAL_LANGUAGE = "fr"  # a story's title is taken in the readers' language when it can be
WRITTEN_FIELDS = ("article_id", "story_id", "seq", "time", "outlet_id", "language", "original_id", "signature",
                  "size", "words", "anchors", "transliterated", "figures", "title_figures", "lead_figures")
FINGERPRINT_FIELDS = ("article_id", "time", "language", "outlet_id", "signature", "size", "words", "anchors",
                      "transliterated", "figures", "title_figures", "lead_figures", "story_id", "original_id")


ENDLESS = 2**62  # a time range with no bound


def _bytes(value) -> bytes:
    return bytes(value) if value is not None else b""


def _fingerprint(row: tuple) -> Fingerprint:
    (article, time, language, outlet, signature, size, words, anchors, transliterated, figures, title_figures,
     lead_figures, story, original) = row
    return Fingerprint(article, time, language, outlet, _bytes(signature), size, _bytes(words), _bytes(anchors),
                       _bytes(transliterated), _bytes(figures), _bytes(title_figures), _bytes(lead_figures),
                       story, original)


class DatabaseIndex:
    """``revue.news.stories.StoryIndex`` over the StoryFingerprint and StoryPosting tables.

    New stories get provisional keys (negative) until ``flush`` creates their rows.
    """

    def __init__(self, next_seq: int, recent: RecentPostings | None = None) -> None:
        self.next_seq = next_seq
        self._recent = recent  # the postings kept from earlier batches, checked for this state of the index
        self._overlay = MemoryIndex(horizon=2**62)  # the batch's own articles, not yet written
        self._pending: list[tuple[Fingerprint, list[int], int]] = []  # (fingerprint, keys, seq)
        self._new_stories = 0
        self._story_of: dict[int, int] = {}  # article -> story, as the postings say
        newest = StoryFingerprint.objects.order_by("-time").values_list("time", flat=True).first()
        self._watermark = newest
        self._ordered_scans = False  # (PostgreSQL) bitmap scans turned off in this transaction

    # -- StoryIndex --------------------------------------------------------------------------------

    def watermark(self) -> int | None:
        return self._watermark

    def postings(self, keys: Sequence[int], low: int, high: int, cap: int) -> dict[int, list[tuple[int, int]]]:
        found: dict[int, list[tuple[int, int, int]]] = {}
        unread = keys  # what the kept postings do not answer
        if self._recent is not None and cap == self._recent.cap:
            unread = self._from_recent(keys, low, high, cap, found)
        for key, time, article, story in self._query_postings(unread, low, high, cap) if unread else ():
            found.setdefault(key, []).append((time, article, story))
            self._story_of[article] = story
        merged = set()  # keys whose entries came from both sides: to be ordered again
        for key, entries in self._overlay.postings(keys, low, high, cap).items():
            stored = self._overlay.fingerprints(a for a, _ in entries)
            if key in found:
                merged.add(key)
            found.setdefault(key, []).extend((stored[a].time, a, story) for a, story in entries)
        return {key: [(a, story) for _, a, story in (sorted(entries, reverse=True)[:cap] if key in merged else entries)]
                for key, entries in found.items()}

    def fingerprints(self, ids: Iterable[int]) -> dict[int, Fingerprint]:
        ids = list(ids)
        found = self._overlay.fingerprints(ids)
        for article in ids:
            cached = RECENT.get(article) if article not in found else None
            if cached is not None:
                story = self._story_of.get(article, cached.story)
                found[article] = cached if story == cached.story else replace(cached, story=story)
        found.update(_read_fingerprints([i for i in ids if i not in found]))
        return found

    def file(self, fingerprint: Fingerprint, keys: Sequence[int], new_story: bool) -> int:
        if new_story:
            self._new_stories += 1
            fingerprint = replace(fingerprint, story=-self._new_stories)
        self._overlay.file(fingerprint, keys, new_story=False)
        self._pending.append((fingerprint, list(keys), self.next_seq))
        self.next_seq += 1
        self._watermark = fingerprint.time if self._watermark is None else max(self._watermark, fingerprint.time)
        return fingerprint.story

    # -- reading and writing --------------------------------------------------------------------

    def keep(self, keys: Iterable[int]) -> None:
        """Read the most recent postings of those of these keys not kept yet, and keep them."""
        recent = self._recent
        heads = recent.heads
        unknown = [k for k in dict.fromkeys(keys) if k not in heads]
        if unknown:
            heads: dict[int, list[tuple[int, int, int]]] = {k: [] for k in unknown}
            for key, time, article, story in self._query_postings(unknown, -ENDLESS, ENDLESS, recent.cap):
                heads[key].append((time, article, story))
            for key, head in heads.items():
                recent.put(key, head)

    def _from_recent(self, keys: Sequence[int], low: int, high: int, cap: int,
                     found: dict[int, list[tuple[int, int, int]]]) -> list[int]:
        """Answer what the kept postings cover into ``found`` (reading the heads of the keys not kept,
        to keep them); returns the keys left to look up in [low, high]."""
        self.keep(keys)
        heads = self._recent.heads
        left = []
        for key in keys:
            head = heads.get(key)
            if head is None or not covers(head, low, high, cap):
                left.append(key)
                continue
            if head and head[0][0] <= high and head[-1][0] >= low:
                entries = head[:]  # (a copy: the batch's own postings are added to it)
            else:
                entries = [row for row in head if low <= row[0] <= high][:cap]
            if entries:
                found[key] = entries
                for _, article, story in entries:
                    self._story_of[article] = story
        return left

    def _query_postings(self, keys: Sequence[int], low: int, high: int, cap: int) -> list[postings.Row]:
        """For each key, its ``cap`` most recent postings in [low, high] (``postings.read``); on
        PostgreSQL with bitmap scans turned off once in the transaction the index lives in."""
        if not self._ordered_scans and connection.in_atomic_block:
            self._ordered_scans = postings.order_scans()
        return postings.read(keys, low, high, cap, ordered=self._ordered_scans)

    def flush(self) -> dict[int, int]:
        """Write the batch: new stories, fingerprints, postings, and each article's story and
        original. Returns the story key of every provisional one."""
        stories = Story.objects.bulk_create([Story(title="") for _ in range(self._new_stories)])
        real = {-(n + 1): story.pk for n, story in enumerate(stories)}
        fingerprints, filed, articles = [], [], []
        for fp, keys, seq in self._pending:
            story = real.get(fp.story, fp.story)
            fingerprints.append((fp.id, story, seq, fp.time, fp.outlet, fp.language, fp.original, fp.signature,
                                 fp.size, fp.words, fp.anchors, fp.transliterated, fp.figures, fp.title_figures,
                                 fp.lead_figures))
            filed += [(key, fp.time, fp.id, story) for key in keys]
            articles.append((story, fp.original, fp.id))
        with connection.cursor() as cursor:  # many rows a statement: see revue.db
            insert_rows(cursor, StoryFingerprint._meta.db_table, WRITTEN_FIELDS, fingerprints)
            insert_rows(cursor, StoryPosting._meta.db_table, postings.COLUMNS, filed)
            update_rows(cursor, Article._meta.db_table, ("story_id", "duplicate_of_id"), "id", articles)
        RECENT.remember([replace(fp, story=real.get(fp.story, fp.story)) for fp, _, _ in self._pending])
        if self._recent is not None:  # what this batch files joins the kept postings once committed
            recent, version = self._recent, _posting_version()
            transaction.on_commit(lambda: recent.committed(version, filed))
        self._pending.clear()
        return real


# --- assigning and rebuilding ----------------------------------------------------------------------


def _next_seq() -> int:
    last = StoryFingerprint.objects.order_by("-seq").values_list("seq", flat=True).first()
    return 1 if last is None else last + 1


# what an ``ArticleItem`` is made of, in its order
ITEM_FIELDS = ("id", "title", "text", "language", "published_at", "fetched_at", "source_id")


def article_items(ids: Sequence[int]) -> list[ArticleItem]:
    rows = Article.objects.filter(id__in=ids).values_list(*ITEM_FIELDS)
    by_id = {row[0]: ArticleItem(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _cluster(ids: Sequence[int], params: StoryParams, prepared: dict | None = None,
             items: Sequence[ArticleItem] | None = None) -> list[Assignment]:
    """Cluster these articles, in this order, against everything clustered before (``items``:
    those articles, when read already)."""
    return _write(*_plan(ids, params, prepared, items))


def _plan(ids: Sequence[int], params: StoryParams, prepared: dict | None = None,
          items: Sequence[ArticleItem] | None = None,
          recent: RecentPostings | None = None) -> tuple[DatabaseIndex, list[Assignment]]:
    """Where each of these articles goes, with nothing written yet (``index`` holds it; ``recent``:
    the postings kept, checked for the index as it is)."""
    index = DatabaseIndex(_next_seq(), recent)
    clusterer = Clusterer(index, params)
    prepared = prepared or {}
    if recent is not None:  # the batch's keys read at once, not article by article (and kept longer)
        keys = list(dict.fromkeys(k for ready in prepared.values() for k in ready.keys))
        for key in keys:
            recent.head(key)
        index.keep(keys)
    if items is None:
        items = article_items(ids)
    else:  # read before: leave out what was deleted since, read what is missing
        given = {item.id: item for item in items}
        alive = set(Article.objects.filter(id__in=ids).values_list("id", flat=True))
        given.update((item.id, item) for item in article_items([i for i in ids if i in alive and i not in given]))
        items = [given[i] for i in ids if i in alive]
    return index, [clusterer.add(item, prepared.get(item.id)) for item in items]


def _write(index: DatabaseIndex, placed: list[Assignment]) -> list[Assignment]:
    real = index.flush()
    placed = [replace(a, story=real.get(a.story, a.story)) for a in placed]
    refresh_stories({a.story for a in placed})
    return placed


def _index_version() -> tuple:
    """What changes whenever the index does (SQLite): the last clustering order number and the
    number of fingerprints (an article deleted), and the posting rows ever written (AUTOINCREMENT
    never hands a number out twice: another clustering, or a rebuild, wrote some)."""
    quote = connection.ops.quote_name
    fingerprints = quote(StoryFingerprint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(seq) FROM {fingerprints}), (SELECT COUNT(*) FROM {fingerprints}),"
                       " (SELECT seq FROM sqlite_sequence WHERE name = %s)", [StoryPosting._meta.db_table])
        return tuple(cursor.fetchone())


def _posting_version(version: tuple | None = None) -> tuple:
    """The state of the index the kept postings are valid for: the database and its ``_index_version``."""
    return connection.settings_dict["NAME"], *(version or _index_version())


def _assign_before_locking(wanted: list[int], params: StoryParams, prepared: dict | None,
                           items: Sequence[ArticleItem] | None) -> list[Assignment] | None:
    """SQLite's write lock stops every other writer (the crawler storing articles) while it is
    held, so the clustering itself is done before taking it, on the index as it is, and only the
    writing under it, if the index has not changed meanwhile; None when it has (or an article
    went away): cluster again under the lock. (PostgreSQL has no such lock: there the
    clustering runs under its advisory lock, other writes going on.)"""
    version = _index_version()
    done = _clustered(wanted)
    todo = [i for i in wanted if i not in done]
    if not todo:
        return []
    POSTINGS.check(_posting_version(version), params.posting_cap)
    index, placed = _plan(todo, params, prepared, items, POSTINGS)
    return _write_if_unchanged(version, index, placed)


def _write_if_unchanged(version: tuple, index: DatabaseIndex, placed: list[Assignment]) -> list[Assignment] | None:
    try:
        with transaction.atomic():  # BEGIN IMMEDIATE: the write lock
            ids = [a.id for a in placed]
            if _index_version() != version or Article.objects.filter(id__in=ids).count() != len(ids):
                return None
            return _write(index, placed)
    except IntegrityError:  # a story or an original deleted meanwhile (checked at commit)
        return None


def assign_stories(article_ids: Iterable[int], params: StoryParams | None = None,
                   prepared: dict | None = None, items: Sequence[ArticleItem] | None = None) -> list[Assignment]:
    """Give each of these articles not yet clustered its story (in id order), in one transaction.

    ``prepared``: ``stories.prepare_all`` of these articles, when computed beforehand, and
    ``items``: the articles it was computed from."""
    params = params or StoryParams.from_settings()
    wanted = sorted(set(article_ids))
    if not wanted:
        return []
    if writers_queue_at_begin() and not connection.in_atomic_block:
        placed = _assign_before_locking(wanted, params, prepared, items)
        if placed is not None:
            return placed
    with transaction.atomic():
        hold_lock(LOCK_KEY)  # two workers never cluster at once
        done = _clustered(wanted)
        return _cluster([i for i in wanted if i not in done], params, prepared, items)


def assign_new_articles(article_ids: Iterable[int], prepared: dict | None = None,
                        items: Sequence[ArticleItem] | None = None, params: StoryParams | None = None) -> None:
    """``assign_stories`` for the crawler: a failure is logged and never loses the stored batch
    (``revue stories update`` clusters whatever was left out)."""
    ids = list(article_ids)
    try:
        assign_stories(ids, params, prepared=prepared, items=items)
    except Exception:  # the articles are stored already; stories can be caught up later
        logger.exception("clustering failed", extra={"stage": "stories", "articles": len(ids)})


def _clustered(ids: list[int]) -> set[int]:
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT article_id FROM {connection.ops.quote_name(StoryFingerprint._meta.db_table)}"
                       f" WHERE article_id IN ({marks})", ids)
        return {row[0] for row in cursor.fetchall()}


def unclustered_ids() -> list[int]:
    """Articles without a story yet (an archive from before stories, or a failed batch)."""
    return list(Article.objects.filter(fingerprint__isnull=True).order_by("id").values_list("id", flat=True))


def left_behind(stored_before: datetime, limit: int) -> list[int]:
    """Up to ``limit`` articles, oldest id first, stored before ``stored_before`` and still in no
    story: a worker stored them and stopped before settling them (killed, its machine lost). Each
    run of a worker ends by settling these (``revue.crawl.worker``), so no article waits for an
    operator's ``revue stories update``. Read through ``article_unclustered_idx``."""
    return list(Article.objects.filter(story__isnull=True, fetched_at__lt=stored_before).order_by("id")
                .values_list("id", flat=True)[:limit])


def update_stories(params: StoryParams | None = None, batch: int | None = None,
                   progress: Callable[[int], None] | None = None) -> int:
    """Cluster every article that has no story yet, oldest id first. Returns how many."""
    ids = unclustered_ids()
    batch = batch or settings.REVUE_STORY_BATCH
    for start in range(0, len(ids), batch):
        assign_stories(ids[start:start + batch], params)
        if progress:
            progress(min(batch, len(ids) - start))
    return len(ids)


def rebuild_stories(params: StoryParams | None = None, batch: int | None = None,
                    progress: Callable[[int], None] | None = None) -> int:
    """Forget all stories and cluster the whole archive again, in the original order, in one
    transaction (the crawler's batches wait for it). Returns the number of articles."""
    params = params or StoryParams.from_settings()
    batch = batch or settings.REVUE_STORY_BATCH
    with transaction.atomic():
        hold_lock(LOCK_KEY)  # two workers never cluster at once
        order = list(Article.objects.order_by(F("fingerprint__seq").asc(nulls_last=True), "id")
                     .values_list("id", flat=True))
        _forget_stories()
        RECENT.clear()
        POSTINGS.clear()
        for start in range(0, len(order), batch):
            _cluster(order[start:start + batch], params)
            if progress:
                progress(min(batch, len(order) - start))
    return len(order)


def _forget_stories() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StoryPosting._meta.db_table}")
        cursor.execute(f"DELETE FROM {StoryFingerprint._meta.db_table}")
        cursor.execute(f"UPDATE {Article._meta.db_table} SET story_id = NULL, duplicate_of_id = NULL"
                       " WHERE story_id IS NOT NULL OR duplicate_of_id IS NOT NULL")
        cursor.execute(f"DELETE FROM {Story._meta.db_table}")


# --- what a story shows: counts, times, languages, title ---------------------------------------------


def _moment(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)


@dataclass(frozen=True)
class Member:
    """A recent article of a story, as its title is chosen."""

    id: int
    time: int
    language: str
    is_copy: bool


def representative(members: Sequence[Member], load: Callable[[list[int]], dict[int, Fingerprint]]) -> int:
    """The id of the member most similar to all the others: among those in the portal's
    language when there are some; ties go to originals over copies, then to the earliest.
    ``load`` gives fingerprints, read only when there is a choice to make."""
    in_portal_language = [m for m in members if m.language == PORTAL_LANGUAGE]
    choices = in_portal_language or list(members)
    def tie_break(m: Member) -> tuple:
        return (m.is_copy, m.time, m.id)

    if len(choices) == 1 or len(members) == 2:  # alone, or two equally similar to each other
        return min(choices, key=tie_break).id
    found = load([m.id for m in members])
    compared = {m.id: found[m.id] for m in members if m.id in found}

    def centrality(member: Member) -> float:
        me = compared.get(member.id)
        if me is None:
            return 0.0
        return sum(_similarity(me, other) for other_id, other in compared.items() if other_id != member.id)

    return min(choices, key=lambda m: (-round(centrality(m), 9), *tie_break(m))).id


SIMILARITIES: dict[tuple, float] = {}  # what ``representative`` compared last
SIMILARITIES_KEPT = 50_000  # pairs (a story's members are compared again each time one joins)


def _compared(fp: Fingerprint) -> tuple:
    """What ``similarity`` reads of a fingerprint (its profile is made of these bytes alone)."""
    return fp.language, fp.words, fp.anchors, fp.transliterated, fp.figures, fp.title_figures, fp.lead_figures


def _similarity(a: Fingerprint, b: Fingerprint) -> float:
    """``similarity`` of two articles, kept by what it reads of them: a story's recent members are
    compared with each other again whenever one more joins it, and only the newcomer's pairs are new."""
    pair = (_compared(a), _compared(b))
    found = SIMILARITIES.get(pair)
    if found is None:
        if len(SIMILARITIES) >= SIMILARITIES_KEPT:
            SIMILARITIES.clear()
        found = SIMILARITIES[pair] = similarity(Profile.of(a), Profile.of(b))
    return found


def _read_fingerprints(ids: list[int]) -> dict[int, Fingerprint]:
    """Fingerprints of these articles from the database, remembered as recent ones."""
    if not ids:
        return {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f) for f in FINGERPRINT_FIELDS)
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(StoryFingerprint._meta.db_table)}"
                       f" WHERE article_id IN ({marks})", ids)
        read = [_fingerprint(row) for row in cursor.fetchall()]
    RECENT.remember(read)
    return {fp.id: fp for fp in read}


def load_fingerprints(ids: list[int]) -> dict[int, Fingerprint]:
    """Fingerprints by article id, from this process's recent ones or the database."""
    found = {}
    for article in ids:
        cached = RECENT.get(article)
        if cached is not None:
            found[article] = cached
    found.update(_read_fingerprints([i for i in ids if i not in found]))
    return found


def refresh_stories(story_ids: Iterable[int]) -> None:
    """Counts, first and last times, languages, lead article and title of these stories."""
    ids = sorted(set(story_ids))
    if not ids:
        return
    stats = {story: (articles, outlets, first, last) for story, articles, outlets, first, last in _story_stats(ids)}
    members = _recent_members(ids)
    languages = {story: {m.language for m in found} for story, found in members.items()}
    larger = [story for story in ids if story in stats and stats[story][0] > REPRESENTATIVE_SAMPLE]
    if larger:  # some members are not among the recent ones read
        rows = StoryFingerprint.objects.filter(story_id__in=larger).values_list("story_id", "language").distinct()
        for story, language in rows:
            languages[story].add(language)
    leads = {story: representative(found, load_fingerprints) for story, found in members.items()}
    titles = _titles(list(leads.values()))
    rows = []
    for story in ids:
        if story not in stats:
            continue
        articles, outlets, first, last = stats[story]
        lead = leads.get(story)
        rows.append((articles, outlets, _moment(first), _moment(last), ",".join(sorted(languages.get(story, ()))),
                     lead, (titles.get(lead) or "")[:500], story))
    fields = ("article_count", "outlet_count", "first_seen_at", "last_seen_at", "languages", "lead_id", "title")
    with connection.cursor() as cursor:
        update_rows(cursor, Story._meta.db_table, fields, "id", rows)


def _titles(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM {connection.ops.quote_name(Article._meta.db_table)}"
                       f" WHERE id IN ({marks})", ids)
        return dict(cursor.fetchall())


def _story_stats(ids: list[int]) -> list[tuple]:
    table, time = connection.ops.quote_name(StoryFingerprint._meta.db_table), connection.ops.quote_name("time")
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT story_id, COUNT(*), COUNT(DISTINCT outlet_id), MIN({time}), MAX({time}) FROM {table}"
                       f" WHERE story_id IN ({marks}) GROUP BY story_id", ids)
        return cursor.fetchall()


def _recent_members(ids: list[int]) -> dict[int, list[Member]]:
    """Each story's ``REPRESENTATIVE_SAMPLE`` most recent members, earliest first."""
    quote = connection.ops.quote_name
    table, time = quote(StoryFingerprint._meta.db_table), quote("time")
    marks = ",".join(["%s"] * len(ids))
    columns = f"story_id, article_id, {time}, language, original_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY story_id"
            f" ORDER BY {time} DESC, article_id DESC) AS member_rank FROM {table}"
            f" WHERE story_id IN ({marks})) AS ranked WHERE member_rank <= %s", [*ids, REPRESENTATIVE_SAMPLE])
        rows = cursor.fetchall()
    members: dict[int, list[Member]] = {}
    for story, article, moment, language, original in rows:
        members.setdefault(story, []).append(Member(article, moment, language, original is not None))
    for found in members.values():
        found.sort(key=lambda m: (m.time, m.id))
    return members
