"""Stories in the database: the crawler's incremental path gives what ``cluster`` gives, and the
rebuild gives it again; stories carry their outlets, languages, times and a title."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from django.db.models import Count

from revue.news.models import Article, Story, StoryFingerprint
from revue.news.stories import cluster
from revue.news.stories.recent import POSTINGS, RECENT
from revue.news.stories.store import _forget_stories, assign_stories, rebuild_stories, update_stories
from tests.news.conftest import Labelled
from tests.news.samples import CAFTAN

pytestmark = pytest.mark.django_db


def partition(keys) -> set[frozenset]:
    groups = defaultdict(set)
    for item, key in keys:
        groups[key].add(item)
    return {frozenset(g) for g in groups.values()}


def stored_partition() -> set[frozenset]:
    return partition(Article.objects.values_list("id", "story_id"))


def copies() -> set[tuple[int, int]]:
    return set(Article.objects.filter(duplicate_of__isnull=False).values_list("id", "duplicate_of_id"))


def titles() -> set[tuple[frozenset, str]]:
    return {(frozenset(s.articles.values_list("id", flat=True)), s.title) for s in Story.objects.all()}


def in_batches(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        assign_stories(ids[start:start + size])


@pytest.fixture
def first_days(labelled):
    return labelled[:260]


def test_incremental_batches_give_what_cluster_gives(first_days, store_labelled):
    ids = store_labelled(first_days)
    in_batches([ids[row.id] for row in first_days], 25)

    items = [replace(row, id=ids[row.id]) for row in first_days]
    expected = partition(zip((i.id for i in items), cluster(items)))
    assert stored_partition() == expected
    assert len(expected) < len(first_days) * 0.6, "stories gather several articles"


@pytest.mark.django_db(transaction=True)
def test_sqlite_clusters_before_taking_the_write_lock_and_gives_what_cluster_gives(first_days, store_labelled):
    """Outside a transaction, on SQLite, a batch is clustered before the write lock is taken
    (the crawler's writes go on meanwhile) and written under it: the result is the same."""
    from django.db import connection

    ids = store_labelled(first_days)
    assert not connection.in_atomic_block
    in_batches([ids[row.id] for row in first_days], 25)

    items = [replace(row, id=ids[row.id]) for row in first_days]
    assert stored_partition() == partition(zip((i.id for i in items), cluster(items)))


@pytest.mark.django_db(transaction=True)
def test_sqlite_writes_no_clustering_planned_on_an_index_that_changed_since(first_days, store_labelled):
    """Another clustering wrote, or an article went away, between the plan and the lock: the
    plan is dropped (nothing of it written) and the batch is clustered again under the lock."""
    from django.db import connection

    from revue.news.stories import store as story_store
    from revue.news.stories import StoryParams

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL clusters under its advisory lock, with no write lock to spare")
    ids = store_labelled(first_days[:70])
    order = [ids[row.id] for row in first_days[:70]]
    params = StoryParams.from_settings()
    assign_stories(order[:20])

    version = story_store._index_version()
    index, placed = story_store._plan(order[20:40], params)
    assign_stories(order[40:60])  # another clustering writes meanwhile
    assert story_store._write_if_unchanged(version, index, placed) is None
    assert not StoryFingerprint.objects.filter(article_id__in=order[20:40]).exists()
    assert len(assign_stories(order[20:40])) == 20  # clustered again, on the index as it is now

    version = story_store._index_version()
    index, placed = story_store._plan(order[60:70], params)
    Article.objects.filter(id=order[65]).delete()  # a moderator deletes one meanwhile
    assert story_store._write_if_unchanged(version, index, placed) is None

    version = story_store._index_version()
    index, placed = story_store._plan(order[60:65], params)
    written = story_store._write_if_unchanged(version, index, placed)  # nothing changed: written
    assert [a.id for a in written] == order[60:65]
    assert StoryFingerprint.objects.count() == 65
    assert set(Article.objects.filter(story__isnull=True).values_list("id", flat=True)) == set(order[66:70])


@pytest.mark.django_db(transaction=True)
def test_postings_kept_between_batches_give_what_cluster_gives_and_go_when_another_writes(first_days,
                                                                                           store_labelled):
    """The crawler's batches (outside a transaction, on SQLite, features made beforehand) keep
    each key's most recent postings from one batch to the next; a clustering they did not make
    (another process's: here one inside a transaction, which keeps nothing) changes the index,
    and what was kept is dropped: every article lands where ``cluster`` puts it, compared with as
    many candidates, copies alike."""
    from django.db import connection, transaction

    from revue.news.stories import StoryParams, assignments, prepare_all
    from revue.news.stories import store as story_store
    from revue.news.stories.store import article_items

    if connection.vendor != "sqlite":
        pytest.skip("the postings are kept on SQLite only")
    ids = store_labelled(first_days)
    order = [ids[row.id] for row in first_days]
    params = StoryParams.from_settings()
    placed = []
    for n, start in enumerate(range(0, len(order), 20)):
        batch = order[start:start + 20]
        if n % 4 == 3:  # another clusterer
            with transaction.atomic():
                placed += assign_stories(batch, params)
            continue
        items = article_items(batch)
        placed += assign_stories(batch, params, prepared=prepare_all(items, params), items=items)
        assert story_store.POSTINGS.heads, "the batch's keys are kept"

    items = [replace(row, id=ids[row.id]) for row in first_days]
    expected = assignments(items, params)
    assert stored_partition() == partition((a.id, a.story) for a in expected)
    assert copies() == {(a.id, a.original) for a in expected if a.original is not None}
    assert [(a.id, a.candidates) for a in placed] == [(a.id, a.candidates) for a in expected]



def test_postgresql_reads_a_keys_newest_postings_in_the_index_order_whatever_its_statistics(first_days,
                                                                                            store_labelled):
    """PostgreSQL: the postings of every key of a lookup come from the key's index entries in
    order, ``cap`` of them at most, never from a bitmap scan that reads all of a frequent key's
    postings and sorts them; the planner picks that scan for a table filled since its last
    ANALYZE (a cold import), which is what this one is. The lookup's answer is each key's newest
    ``cap`` postings in the range, newest first."""
    from django.db import connection, transaction

    from revue.news.models import StoryPosting
    from revue.news.stories import postings, store as story_store

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    ids = store_labelled(first_days)
    in_batches([ids[row.id] for row in first_days], 50)
    frequent = (StoryPosting.objects.values("key").annotate(n=Count("id")).order_by("-n", "key").first())
    assert frequent["n"] > 6, "a key shared by many articles"
    with connection.cursor() as cursor:  # and one shared by as many as in a large archive, unknown to the statistics
        cursor.execute(f"INSERT INTO {StoryPosting._meta.db_table} (key, time, article_id, story_id)"
                       " SELECT key, time - g, article_id, story_id FROM"
                       f" (SELECT * FROM {StoryPosting._meta.db_table} WHERE key = %s LIMIT 1) AS p,"
                       " generate_series(1, 60000) AS g", [frequent["key"]])
    keys = [frequent["key"], *StoryPosting.objects.order_by("key").values_list("key", flat=True).distinct()[:20]]
    times = sorted(StoryPosting.objects.filter(key=frequent["key"]).values_list("time", flat=True))
    low, high, cap = times[1], times[-2], 5
    with transaction.atomic():
        index = story_store.DatabaseIndex(1)
        found = index._query_postings(keys, low, high, cap)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + postings.PG_STATEMENT, [",".join(map(str, keys)), low, high, cap])
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using story_posting_key_idx" in plan and "Bitmap" not in plan, plan
    for key in dict.fromkeys(keys):
        expected = list(StoryPosting.objects.filter(key=key, time__gte=low, time__lte=high)
                        .order_by("-time", "-article_id").values_list("key", "time", "article_id", "story_id")[:cap])
        assert [row for row in found if row[0] == key] == expected
    assert len([row for row in found if row[0] == frequent["key"]]) == cap


def test_rebuild_gives_the_incremental_result_again(first_days, store_labelled):
    ids = store_labelled(first_days)
    in_batches([ids[row.id] for row in first_days], 40)
    before = (stored_partition(), copies(), titles())

    assert rebuild_stories(batch=70) == len(first_days)

    assert (stored_partition(), copies(), titles()) == before
    assert Story.objects.count() == len(before[0])


def test_where_the_batches_end_changes_no_story_nor_score(labelled, store_labelled):
    """An article met by a newcomer in its own batch weighs what it weighs read back from the
    index (its words as stored): one article a batch, or the whole set in one, the same stories,
    copies and scores. So workers whose batches interleave make what one process makes."""
    rows = labelled[:300]
    ids = store_labelled(rows)
    order = [ids[row.id] for row in rows]
    runs = []
    for size in (1, 300, 37):
        _forget_stories()  # the last run's stories, and what this process kept of them
        RECENT.clear()
        POSTINGS.clear()
        placed = [a for start in range(0, len(order), size) for a in assign_stories(order[start:start + size])]
        runs.append((stored_partition(), copies(), [(a.id, a.original, a.score) for a in placed]))
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0][0]) < len(rows) * 0.7, "stories gather several articles"


def test_an_articles_profile_is_the_same_made_or_read_back(labelled):
    """What ``prepare`` gives a new article's profile is what ``Profile.of`` reads from its stored
    fingerprint, to the last bit."""
    from revue.news.stories import StoryParams
    from revue.news.stories.fingerprints import Profile, prepare_all

    for prepared in prepare_all(labelled[:200], StoryParams()).values():
        assert Profile(prepared.fingerprint, *prepared.content) == Profile.of(prepared.fingerprint)


def test_a_batch_is_clustered_once(first_days, store_labelled):
    ids = list(store_labelled(first_days[:30]).values())
    assign_stories(ids)
    stories = stored_partition()
    assert assign_stories(ids) == []
    assert stored_partition() == stories and StoryFingerprint.objects.count() == 30


def test_update_clusters_what_was_left_out(first_days, store_labelled):
    ids = list(store_labelled(first_days[:40]).values())
    assign_stories(ids[:10])
    assert update_stories(batch=7) == 30
    assert not Article.objects.filter(story__isnull=True).exists()


def test_a_story_knows_its_outlets_languages_times_and_title(store_labelled):
    start = datetime(2025, 12, 10, 9, 0, tzinfo=timezone.utc)
    rows = [Labelled(n, outlet, language, start + timedelta(minutes=minutes), title, text, "caftan", "culture", None)
            for n, (outlet, language, minutes, title, text) in enumerate(CAFTAN, 1)]
    ids = store_labelled(rows)
    assign_stories(ids.values())

    story = Story.objects.get()
    assert story.article_count == 4 and story.outlet_count == 4
    assert story.language_list == ["ar", "es", "fr"]
    assert (story.first_seen_at, story.last_seen_at) == (start, start + timedelta(minutes=120))
    assert story.lead.language == "fr" and story.title == story.lead.title


def test_a_republished_copy_points_to_the_first_seen_original(labelled, store_labelled):
    copy = next(row for row in labelled if row.copy_of is not None)
    original = next(row for row in labelled if row.id == copy.copy_of)
    ids = store_labelled([original, copy])
    assign_stories(ids.values())

    stored_copy = Article.objects.get(pk=ids[copy.id])
    assert stored_copy.duplicate_of_id == ids[original.id]
    assert stored_copy.story_id == Article.objects.get(pk=ids[original.id]).story_id


def test_an_article_published_long_before_the_archive_front_opens_its_own_story(labelled, store_labelled):
    row = labelled[0]
    ids = store_labelled([row, replace(row, id=10_000, outlet="autre-site", published_at=row.published_at - timedelta(days=40))])
    assign_stories(ids.values())
    assert Story.objects.count() == 2, "a copy from beyond the horizon is not looked up"


def test_the_crawler_store_puts_each_new_article_in_its_story(db):
    from revue.crawl.drafts import ArticleDraft
    from revue.crawl.store import settle, store_drafts
    from revue.sources.models import Feed, Source

    start = datetime(2025, 12, 10, 9, 0, tzinfo=timezone.utc)
    stored = []
    for n, (slug, language, minutes, title, text) in enumerate(CAFTAN):
        source = Source.objects.create(name=slug, slug=slug, language=language)
        feed = Feed.objects.create(source=source, url=f"https://{slug}.example/rss")
        draft = ArticleDraft(url=f"https://{slug}.example/caftan", guid=f"caftan-{n}", title=title, summary="",
                             content_html=f"<p>{text}</p>", text=text, author="", language=language,
                             published_at=start + timedelta(minutes=minutes))
        created = store_drafts(source.pk, feed.pk, [draft]).created
        settle(created)  # as the crawler does once a few hundred articles are stored
        stored += created

    assert len(stored) == 4
    assert Story.objects.count() == 1 and Story.objects.get().article_count == 4
    assert set(Article.objects.values_list("story_id", flat=True)) == {Story.objects.get().pk}


def test_story_features_made_with_the_drafts_are_the_settles_own_and_used(db):
    """The crawler makes each article's story features with its draft, in a CPU process, before
    the article has an id; the settle uses them only while the stored article reads the same."""
    import pickle
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    from django.utils import timezone as django_timezone

    from revue.crawl import pipeline
    from revue.crawl.drafts import FeedContext
    from revue.crawl.feeds import parse
    from revue.crawl.store import settle_articles, settle_inputs, store_drafts
    from revue.news.stories import StoryParams, prepare, reuse
    from revue.sources.models import Feed, Source

    params = StoryParams.from_settings()
    start = datetime(2025, 12, 10, 9, 0, tzinfo=timezone.utc)
    ids, features = [], {}
    for n, (slug, language, minutes, title, text) in enumerate(CAFTAN):
        source = Source.objects.create(name=slug, slug=slug, language=language)
        feed = Feed.objects.create(source=source, url=f"https://{slug}.example/rss")
        rss = (f"<rss version='2.0'><channel><title>{slug}</title><item><title>{escape(title)}</title>"
               f"<link>https://{slug}.example/caftan</link><guid>caftan-{n}</guid>"
               f"<pubDate>{format_datetime(start + timedelta(minutes=minutes))}</pubDate>"
               f"<description>{escape(text)}</description></item></channel></rss>")
        entries = list(parse(rss.encode(), feed.url).entries)
        ctx = FeedContext(outlet_name=slug, outlet_language=language, feed_language=language, category_hint="",
                          fetched_at=django_timezone.now(), source_id=source.pk)
        result = store_drafts(source.pk, feed.pk, pipeline.make_drafts(entries, {}, ctx, params).drafts)
        ids += result.created
        features.update(result.features)

    assert sorted(features) == sorted(ids) and len(ids) == 4
    made = {article: pickle.loads(blob)[0] for article, blob in features.items()}  # (story features, search terms)
    items, _rows = settle_inputs(ids)
    for item in items:  # what the draft gave is what the stored article gives
        assert reuse(made[item.id], item, params) == prepare(item, params, params.shape)
    edited = replace(items[0], text=items[0].text + " Mise à jour.")
    assert reuse(made[items[0].id], edited, params) is None  # edited since: made again
    assert reuse(made[items[0].id], items[0], replace(params, max_keys=params.max_keys + 1)) is None

    settle_articles(ids, params, None, features)
    assert Story.objects.count() == 1 and Story.objects.get().article_count == 4
