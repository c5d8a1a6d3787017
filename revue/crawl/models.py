"""What the crawl keeps beyond each feed's row: ``FeedFetch``, a feed's recent fetch log.

Each fetch of a feed adds one row, written with the feed's outcome in the same transaction
(``revue.crawl.fetchlog``); only the newest ``REVUE_FETCH_LOG_SIZE`` rows of each feed are
kept, so the log stays small whatever the crawl's age. The source health admin shows it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from revue.sources.models import Feed


class FeedFetch(models.Model):
    """One fetch of one feed: when, how it went, what it brought."""

    class Outcome(models.TextChoices):
        OK = "ok", "lu"
        NOT_MODIFIED = "not_modified", "inchangé (304)"
        ERROR = "error", "erreur"
        PARKED = "parked", "erreur, mis en pause"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="fetches")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    new_articles = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["feed", "-id"], name="feed_fetch_recent_idx")]
        verbose_name = "collecte d'un flux"
        verbose_name_plural = "journal des collectes"

    def __str__(self) -> str:
        return f"{self.feed_id} {self.at:%Y-%m-%d %H:%M} {self.outcome}"
