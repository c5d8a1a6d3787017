"""Retention: dropping articles older than ``REVUE_RETENTION_DAYS`` (``revue prune``).

An article goes when it was published before the cutoff and no story still shows it: a story
whose newest article is on the right side of the cutoff (``Story.last_seen_at``) keeps all of its
articles, so a story page never loses the old reports it lists. Each batch of
``REVUE_PRUNE_BATCH`` articles is one transaction: the articles, what the database deletes with
them (search index rows by trigger, story fingerprints and postings by cascade), the stories left
empty, the other stories' counts recomputed, and the images no remaining article shows (only
visible images that no reader reported and no moderator touched: a blocked image keeps its row,
so the same picture stays blocked when it comes back). A run killed between two batches leaves a
consistent archive and the next run takes up where it stopped: nothing but the articles
themselves says what is left to do. The image proxy's disk cache is keyed by the image's URL and
evicts what nobody asks for, so it needs no pass of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from revue.news.cache import invalidate_reader_caches
from revue.news.models import Article, Image, Story
from revue.news.stories.store import refresh_stories


@dataclass(frozen=True)
class PruneResult:
    articles: int = 0
    stories: int = 0
    images: int = 0

    def __add__(self, other: PruneResult) -> PruneResult:
        return PruneResult(self.articles + other.articles, self.stories + other.stories, self.images + other.images)


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    if days < 1:
        raise ValueError(f"a retention of {days} days would drop everything: give 1 or more")
    return (now or timezone.now()) - timedelta(days=days)


def prunable(cutoff: datetime):
    """Articles published before ``cutoff`` that no live story shows."""
    return Article.objects.filter(published_at__lt=cutoff).exclude(story__last_seen_at__gte=cutoff)


def prune_batch(ids: list[int]) -> PruneResult:
    """Delete these articles, and the stories and images only they kept, in one transaction."""
    with transaction.atomic():
        rows = Article.objects.filter(id__in=ids)
        story_ids = set(rows.exclude(story__isnull=True).values_list("story_id", flat=True))
        image_ids = set(rows.exclude(image__isnull=True).values_list("image_id", flat=True))
        image_ids |= set(Article.images.through.objects.filter(article_id__in=ids).values_list("image_id", flat=True))
        articles = rows.delete()[1].get(Article._meta.label, 0)
        empty = Story.objects.filter(id__in=story_ids, articles__isnull=True)
        gone_stories = set(empty.values_list("id", flat=True))
        stories = Story.objects.filter(id__in=gone_stories).delete()[1].get(Story._meta.label, 0)
        refresh_stories(story_ids - gone_stories)
        orphans = (
            Image.objects.filter(id__in=image_ids, state=Image.State.VISIBLE)
            .filter(lead_of__isnull=True, articles__isnull=True)
            .filter(Q(reports__isnull=True) & Q(moderation_events__isnull=True))
        )
        images = Image.objects.filter(id__in=list(orphans.values_list("id", flat=True))).delete()[1]
    return PruneResult(articles, stories, images.get(Image._meta.label, 0))


def prune(cutoff: datetime, batch: int | None = None, progress: Callable[[int], None] | None = None) -> PruneResult:
    """Delete every prunable article, oldest ids first, ``batch`` at a time."""
    size = batch or settings.REVUE_PRUNE_BATCH
    if size < 1:
        raise ValueError(f"a batch of {size} articles: give 1 or more")
    total = PruneResult()
    candidates = prunable(cutoff).order_by("id").values_list("id", flat=True)
    last = 0
    while ids := list(candidates.filter(id__gt=last)[:size]):
        total += prune_batch(ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))
    if total.articles:
        invalidate_reader_caches()  # pages kept by the portal may list what is gone
    return total
