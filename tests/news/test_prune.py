"""``revue prune`` (``revue.news.retention``): old articles go with their index rows, the stories
left empty and the images nobody shows any more; what a live story shows stays; a run cut short
leaves a consistent archive that the next run finishes."""

from __future__ import annotations

from datetime import datetime, timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from revue.news import search
from revue.news.models import Article, Image, Story
from revue.news.retention import prunable, prune
from revue.news.stories.store import assign_stories

pytestmark = pytest.mark.django_db

CUTOFF = datetime(2025, 12, 1, 16, 0, tzinfo=timezone.utc)


def index_rows() -> set[int]:
    table, column = {"sqlite": ("news_article_fts", "rowid"),
                     "postgresql": ("news_article_search", "article_id")}[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def archive(labelled, store_labelled):
    """80 labelled articles clustered into stories and indexed, each with a lead image; one image
    shared by an old article and a recent one, one old article's image blocked."""
    ids = list(store_labelled(labelled[:80]).values())
    assign_stories(ids)
    search.index_pending()
    articles = list(Article.objects.order_by("published_at", "id"))
    for article in articles:
        article.image = Image.objects.create(url=f"https://img.example/{article.pk}.jpg")
        article.save(update_fields=["image"])
    shared = articles[0].image
    articles[-1].images.add(shared)
    Image.objects.filter(pk=articles[1].image_id).update(state=Image.State.BLOCKED)
    return articles


def expected_gone(articles) -> set[int]:
    return {a.pk for a in articles if a.published_at < CUTOFF and (a.story is None or a.story.last_seen_at < CUTOFF)}


def test_prune_drops_old_articles_but_keeps_what_a_live_story_shows(archive):
    gone = expected_gone(archive)
    kept_in_live_story = [a for a in archive if a.published_at < CUTOFF and a.pk not in gone]
    assert len(gone) >= 10 and kept_in_live_story, "the sample must hold both kinds"
    live_counts = {s.pk: s.article_count for s in Story.objects.filter(last_seen_at__gte=CUTOFF)}
    stories_before = Story.objects.count()

    done = prune(CUTOFF, batch=7)

    left = set(Article.objects.values_list("id", flat=True))
    assert done.articles == len(gone) and not (gone & left)
    assert {a.pk for a in archive} - gone == left
    # a live story still lists every one of its articles, old ones too
    assert {s.pk: s.article_count for s in Story.objects.filter(last_seen_at__gte=CUTOFF)} == live_counts
    assert all(Story.objects.filter(pk=a.story_id).exists() for a in kept_in_live_story)
    # stories left empty are gone, none is left without articles
    assert done.stories == stories_before - Story.objects.count() > 0
    assert not Story.objects.filter(articles__isnull=True).exists()
    # the search index holds exactly the articles left
    assert index_rows() == left
    # images: the orphans go; the one a kept article still shows and the blocked one stay
    assert Image.objects.filter(pk=archive[0].image_id).exists()
    assert Image.objects.filter(pk=archive[1].image_id, state=Image.State.BLOCKED).exists()
    orphan_images = {a.image_id for a in archive if a.pk in gone} - {archive[0].image_id, archive[1].image_id}
    assert done.images == len(orphan_images)
    assert not Image.objects.filter(pk__in=orphan_images).exists()
    # a second run has nothing left to do
    assert prune(CUTOFF).articles == 0


def test_a_run_cut_short_leaves_a_consistent_archive_that_the_next_run_finishes(archive):
    gone = expected_gone(archive)
    batches = []

    def killed_after_two(count: int) -> None:
        batches.append(count)
        if len(batches) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        prune(CUTOFF, batch=4, progress=killed_after_two)

    assert Article.objects.filter(pk__in=gone).count() == len(gone) - 8
    assert index_rows() == set(Article.objects.values_list("id", flat=True))
    assert not Story.objects.filter(articles__isnull=True).exists()
    assert prunable(CUTOFF).count() == len(gone) - 8

    assert prune(CUTOFF, batch=4).articles == len(gone) - 8
    assert not Article.objects.filter(pk__in=gone).exists()


def test_the_command_counts_with_dry_run_then_prunes(archive, settings):
    days = (datetime.now(timezone.utc) - CUTOFF).days  # a cutoff a little after CUTOFF
    out = StringIO()
    call_command("prune", "--days", str(days), "--dry-run", stdout=out)
    would = int(out.getvalue().split()[0])
    assert would >= len(expected_gone(archive)) and Article.objects.count() == len(archive)

    settings.REVUE_RETENTION_DAYS = days
    out = StringIO()
    call_command("prune", "--batch", "5", stdout=out)
    assert out.getvalue().startswith(f"{would} articles publiés avant le ")
    assert Article.objects.count() == len(archive) - would
