"""Store articles idempotently: one transaction per entry batch, nothing stored twice.

``store_many`` stores several feeds' drafts in one transaction and a handful of statements for
all of them (the crawler gathers the feeds that finish while the database is busy). An article is the same article when its canonical URL is the same (``url_hash`` is unique),
or when the same outlet already has an article with the same guid — so an entry crawled twice,
or carried by two feeds of one outlet, is one row. Re-running ``store_drafts`` on the same
drafts changes nothing. Images are one row per distinct URL, shared by every article.

``settle`` is what follows storing, for many feeds' articles at once: the new articles are
indexed for search and join their stories (``revue.news.stories.store``). The crawler calls it
(through ``settle_articles``, in a process of its own: ``revue.crawl.pipeline.settle_process``)
every few hundred articles rather than per feed, because clustering is cheaper in bulk and
would otherwise hold up every other feed's database call.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from revue.crawl.drafts import TITLE_CHARS, ArticleDraft
from revue.crawl.pipeline import terms_digest
from revue.metrics import count_articles
from revue.news import search
from revue.news.cache import invalidate_reader_caches
from revue.news.models import Article, Category, Image, url_hash
from revue.news.search.words import INDEX_FIELDS, IndexEntry, index_entry
from revue.news.stories import ArticleItem, StoryParams, prepare_all, reuse
from revue.news.stories.store import ITEM_FIELDS, assign_new_articles


@dataclass(frozen=True)
class StoreResult:
    created: tuple[int, ...] = ()  # ids of the new articles
    existing: int = 0  # drafts that were already stored
    skipped: tuple[str, ...] = field(default_factory=tuple)  # why a draft was not stored
    features: dict = field(default_factory=dict)  # new article id -> what its draft carried for the settle (pickled)


NEW_ENTRIES_CHUNK = 240  # entries per statement: 4 parameters each, under SQLite's historical 999
STORE_ROWS = 500  # articles an INSERT statement carries at most (Django splits further on SQLite)


def new_entries(source_id: int, pairs: Sequence[tuple[str, str]]) -> set[int]:
    """Which of these ``(canonical URL, guid)`` pairs the archive does not have yet: the
    positions of those whose URL no article has and whose guid (when there is one) no article
    of this outlet has."""
    return _unknown([(source_id, url, guid) for url, guid in pairs])


def _unknown(entries: Sequence[tuple[int, str, str]]) -> set[int]:
    """``new_entries`` for ``(outlet id, canonical URL, guid)`` entries of any outlets.

    It runs twice for every changed feed, so it is one statement that returns only the new
    entries (a feed that changed mostly repeats entries already stored): on SQLite each row
    returned costs the database thread the interpreter lock again, which under a busy crawl
    means waiting for it; a statement that returned every known entry took ten times longer.
    Each test is a lookup in its own unique or composite index (``EXPLAIN``: covering index).
    """
    fresh: set[int] = set()
    quote = connection.ops.quote_name
    table = quote(Article._meta.db_table)
    for start in range(0, len(entries), NEW_ENTRIES_CHUNK):
        chunk = entries[start:start + NEW_ENTRIES_CHUNK]
        params: list = []
        for position, (source_id, url, guid) in enumerate(chunk, start):
            params += [position, url_hash(url), guid or "", source_id]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        sql = (
            f"SELECT v.column1 FROM (VALUES {values}) AS v"
            f" WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE a.{quote('url_hash')} = v.column2)"
            f" AND (v.column3 = '' OR NOT EXISTS (SELECT 1 FROM {table} b"
            f" WHERE b.{quote('source_id')} = v.column4 AND b.{quote('guid')} = v.column3))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fresh.update(position for (position,) in cursor.fetchall())
    return fresh


def _images_by_url(urls: Iterable[str]) -> dict[str, Image]:
    """One ``Image`` per distinct URL, created when missing (race-safe)."""
    wanted = {u for u in urls if u}
    if not wanted:
        return {}
    hashes = {url_hash(u): u for u in wanted}
    Image.objects.bulk_create(
        [Image(url=u, url_hash=h) for h, u in hashes.items()], ignore_conflicts=True
    )
    return {img.url: img for img in Image.objects.filter(url_hash__in=hashes)}


def _categories() -> dict[str, Category]:
    return {c.slug: c for c in Category.objects.all()}


Batch = Sequence[tuple[int, int | None, Sequence[ArticleDraft]]]


def store_many(batch: Batch) -> list[StoreResult | Exception]:
    """``store_drafts`` for the drafts of several feeds, ``(source_id, feed_id, drafts)`` each, in
    one transaction (on SQLite every commit costs a disk write): a result, or the error that
    feed's drafts met, per feed and in order.

    The feeds' rows go in together, a handful of statements for the whole batch rather than for
    each feed (on PostgreSQL each is a round trip of the crawler's one database thread). When
    that fails, each feed is stored again in a savepoint of its own; and when the commit itself
    fails (a deferred constraint: an outlet deleted meanwhile), each feed is stored again alone,
    in a transaction of its own: one feed's failure is never its neighbours'."""
    categories = _categories()  # read once for the batch

    def one(source_id, feed_id, drafts) -> StoreResult | Exception:
        try:
            return store_drafts(source_id, feed_id, drafts, categories)
        except DatabaseError as error:
            return error

    try:
        with transaction.atomic():
            if len(batch) > 1:
                try:
                    with transaction.atomic():
                        return _store(batch, categories)
                except DatabaseError:  # one feed's rows spoiled the statements: each feed alone
                    pass
            return [one(*item) for item in batch]
    except DatabaseError:
        return [one(*item) for item in batch]


def store_drafts(source_id: int, feed_id: int | None, drafts: Sequence[ArticleDraft],
                 categories: dict[str, Category] | None = None) -> StoreResult:
    """Store the drafts not yet in the archive, in one transaction (``categories``: by slug,
    when read already)."""
    with transaction.atomic():
        return _store(((source_id, feed_id, drafts),), categories)[0]


def _store(batch: Batch, categories: dict[str, Category] | None) -> list[StoreResult]:
    """Store the drafts of these feeds that the archive does not have, in order, as if one feed
    after the other: an entry an earlier feed of the batch stores (the same URL, or of the same
    outlet the same guid) is one that a later feed finds existing."""
    feeds, entries = [], []
    for source_id, feed_id, drafts in batch:
        skipped = tuple(f"no title and no text: {d.url}" for d in drafts if not (d.title or d.text))
        drafts = [d for d in drafts if d.title or d.text]
        feeds.append((source_id, feed_id, drafts, skipped))
        entries += [(source_id, d.url, d.guid[:1000]) for d in drafts]
    unknown = _unknown(entries) if entries else set()
    claimed_urls: set[str] = set()  # by earlier feeds of the batch
    claimed_guids: set[tuple[int, str]] = set()
    fresh_of_feeds: list[dict[str, ArticleDraft]] = []
    position = 0
    for source_id, _feed_id, drafts, _skipped in feeds:
        fresh: dict[str, ArticleDraft] = {}
        guids: list[tuple[int, str]] = []
        for draft in drafts:
            key, guid = url_hash(draft.url), draft.guid[:1000]
            if (position in unknown and key not in fresh and key not in claimed_urls
                    and (source_id, guid) not in claimed_guids):
                fresh[key] = draft
                if guid:
                    guids.append((source_id, guid))
            position += 1
        claimed_urls.update(fresh)
        claimed_guids.update(guids)
        fresh_of_feeds.append(fresh)
    every = {key: draft for fresh in fresh_of_feeds for key, draft in fresh.items()}
    stored: dict[str, int] = {}
    if every:
        images = _images_by_url([d.image_url for d in every.values()]
                                + [u for d in every.values() for u in d.inline_image_urls])
        if categories is None:
            categories = _categories()
        now = timezone.now()
        rows = [
            Article(
                source_id=source_id,
                feed_id=feed_id,
                url=d.url,
                url_hash=key,
                guid=d.guid[:1000],
                title=d.title[:TITLE_CHARS],
                summary=d.summary,
                content_html=d.content_html,
                text=d.text,
                author=d.author[:300],
                language=d.language[:8],
                published_at=d.published_at,
                fetched_at=now,
                image=images.get(d.image_url),
                category=categories.get(d.category_slug),
                content_hash=d.content_hash,
            )
            for (source_id, feed_id, _drafts, _skipped), fresh in zip(feeds, fresh_of_feeds)
            for key, d in fresh.items()
        ]
        Article.objects.bulk_create(rows, ignore_conflicts=True, batch_size=STORE_ROWS)
        stored = dict(Article.objects.filter(url_hash__in=every).values_list("url_hash", "id"))
        _link_images(every, stored, images)
    results = []
    for (_source_id, _feed_id, drafts, skipped), fresh in zip(feeds, fresh_of_feeds):
        created = tuple(stored[k] for k in fresh if k in stored)
        count_articles(d.language for k, d in fresh.items() if k in stored)
        features = {stored[k]: d.features for k, d in fresh.items() if k in stored and d.features}
        results.append(StoreResult(created=created, existing=len(drafts) - len(created), skipped=skipped,
                                   features=features))
    return results


def _link_images(fresh: dict[str, ArticleDraft], stored: dict[str, int], images: dict[str, Image]) -> None:
    through = Article.images.through
    links = []
    for key, draft in fresh.items():
        article_id = stored.get(key)
        if article_id is None:
            continue
        for image_url in dict.fromkeys((draft.image_url, *draft.inline_image_urls)):
            image = images.get(image_url)
            if image is not None:
                links.append(through(article_id=article_id, image_id=image.id))
    through.objects.bulk_create(links, ignore_conflicts=True)


def settle_inputs(article_ids: Sequence[int]) -> tuple[list[ArticleItem], list[dict]]:
    """What settling these articles reads, in one query: each as its story sees it
    (``ArticleItem``) and as search indexes it (its ``search.words.INDEX_FIELDS`` values)."""
    read = Article.objects.filter(id__in=article_ids).order_by("id")
    rows = list(read.values(*dict.fromkeys(INDEX_FIELDS + ITEM_FIELDS)))
    items = [ArticleItem(*(row[name] for name in ITEM_FIELDS)) for row in rows]
    return items, [{name: row[name] for name in INDEX_FIELDS} for row in rows]


def settle(article_ids: Sequence[int], prepared: dict | None = None, items: Sequence[ArticleItem] | None = None,
           rows: Sequence[dict] = (), entries: dict | None = None, params: StoryParams | None = None) -> None:
    """Index newly stored articles for search and put each in its story.

    Until then a search still finds them (it indexes what is queued first) and
    ``revue stories update`` would cluster them; settling makes both immediate. When the CPU
    work was done beforehand (``settle_articles``, from ``settle_inputs``): ``prepared``, their
    story features, ``items`` and ``rows``, the articles as those were made from, ``entries``,
    their search index entries by id (an article edited since is indexed as it now reads).
    ``params``: the story settings (default: ``REVUE_STORY_*``).
    """
    if article_ids:
        entries = entries or {}
        search.index_articles(article_ids, {row["id"]: (row, entries[row["id"]]) for row in rows if row["id"] in entries})
        assign_new_articles(article_ids, prepared, items, params)
        transaction.on_commit(invalidate_reader_caches)  # readers' pages show them now (revue.portal.cache)


def settle_articles(article_ids: Sequence[int], params: StoryParams | None = None,
                    entry_options: dict | None = None, features: dict | None = None) -> None:
    """``settle`` reading the articles once, and making their story features and index
    entries before any write (so no write lock is held meanwhile). ``params`` and
    ``entry_options`` (``search.entry_options()``): the caller's settings, for a process
    whose own settings may differ. ``features``: story features and search terms made
    beforehand, pickled, by article id (``StoreResult.features``, from this crawl's own CPU
    processes: ``pipeline.make_drafts``); each is used only if the article still reads as it was
    made from."""
    if not article_ids:
        return
    params = params or StoryParams.from_settings()
    options = entry_options if entry_options is not None else search.entry_options()
    made = {article: pickle.loads(blob) for article, blob in (features or {}).items()}
    items, rows = settle_inputs(article_ids)
    entries = {row["id"]: search_entry(row, options, made.get(row["id"], (None, None))[1]) for row in rows}
    prepared = {item.id: ready for item in items if item.id in made
                and (ready := reuse(made[item.id][0], item, params)) is not None}
    prepared.update(prepare_all([item for item in items if item.id not in prepared], params))
    settle(article_ids, prepared, items, rows, entries, params)


def search_entry(row: dict, options: dict, terms: tuple | None) -> IndexEntry:
    """``index_entry(row)``, its title and body terms taken from ``terms`` (made with the draft
    in a CPU process: ``pipeline.search_terms``) when the article still reads as they were made
    from and its whole body is indexed; else made here. The same entry either way."""
    body = row["text"] or row["summary"] or ""
    if (terms is None or not row["language"] or len(body) > options["max_chars"]
            or terms[0] != terms_digest(row["language"], row["title"], body)):
        return index_entry(row, **options)
    bare = index_entry({**row, "title": "", "text": "", "summary": ""}, **options)  # the facets alone
    return replace(bare, title=terms[1], body=terms[2])
