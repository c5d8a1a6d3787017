"""The archive: ``Article``, ``Image``, ``Category`` and ``Story``.

Querysets speak the domain and are shared by views, syndication feeds, sitemaps and the API:
``Article.objects.published()`` is the one definition of what a reader may see. URLs are
unique through their SHA-256 (``url_hash``) so that long URLs index the same way on SQLite
and PostgreSQL.

Stories (``revue.news.stories``): every clustered article belongs to a ``Story`` and, when it
republishes another outlet's text, points to that first-seen original (``duplicate_of``).
``StoryFingerprint`` and ``StoryPosting`` are the clustering index: what is kept of each article
to compare it with later ones, and the keys under which candidates are looked up.
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone

from revue.sources.models import Feed, Source


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class Category(models.Model):
    """A section of the portal (Maroc, Économie, Sport …)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/categorie/{self.slug}/"


class ImageQuerySet(models.QuerySet):
    def visible(self):
        return self.exclude(state=Image.State.BLOCKED)


class Image(models.Model):
    """One distinct image URL, shared by every article that shows it."""

    class State(models.TextChoices):
        VISIBLE = "visible", "visible"
        BLOCKED = "blocked", "bloquée"
        RESTORED = "restored", "rétablie par un modérateur"

    url = models.URLField(max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    blocked_at = models.DateTimeField(null=True, blank=True)

    objects = ImageQuerySet.as_manager()

    def __str__(self) -> str:
        return self.url

    def save(self, *args, **kwargs):
        self.url_hash = url_hash(self.url)
        super().save(*args, **kwargs)

    @property
    def is_blocked(self) -> bool:
        return self.state == self.State.BLOCKED


class StoryQuerySet(models.QuerySet):
    def covered(self, since):
        """Stories with an article since ``since``, newest first (the front page ranks them)."""
        return self.filter(last_seen_at__gte=since).select_related("lead__source").order_by("-last_seen_at", "-id")


class Story(models.Model):
    """Articles from many outlets about one event."""

    title = models.CharField(max_length=500)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)
    languages = models.CharField(max_length=50, blank=True, help_text="comma-separated ISO codes")
    lead = models.ForeignKey(
        "Article", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="its most representative article (the title comes from it)",
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/histoire/{self.pk}/"

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What a reader may see, newest first, with what a list needs in one query."""
        return (
            self.filter(source__is_active=True)
            .select_related("source", "category", "image")
            .order_by("-published_at", "-id")
        )

    def for_list(self):
        """``published()`` without the heavy text columns, for lists and the ticker."""
        return self.published().defer("content_html", "text", "summary")

    def originals(self):
        """Without republished copies: a list shows the first-seen original once."""
        return self.filter(duplicate_of__isnull=True)


class Article(models.Model):
    """One article of one outlet, stored once whatever number of its feeds carried it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles")
    url = models.URLField(max_length=2000, help_text="canonical URL at the outlet")
    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    guid = models.CharField(max_length=1000, blank=True)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True)
    content_html = models.TextField(blank=True, help_text="sanitized HTML")
    text = models.TextField(blank=True, help_text="plain text of the content")
    author = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(default=timezone.now)
    image = models.ForeignKey(Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="lead_of")
    images = models.ManyToManyField(Image, blank=True, related_name="articles")
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles")
    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        help_text="the first-seen original this article republishes (a near-duplicate)",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="article_recent_idx"),
            models.Index(fields=["source", "-published_at", "-id"], name="article_source_recent_idx"),
            models.Index(fields=["category", "-published_at", "-id"], name="article_category_recent_idx"),
            models.Index(fields=["source", "guid"], name="article_source_guid_idx"),
            # the few articles not yet in a story: those a worker stored and died before settling,
            # which the next run of any worker finds (``stories.store.left_behind``)
            models.Index(fields=["id"], condition=models.Q(story__isnull=True), name="article_unclustered_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.url_hash = url_hash(self.url)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/{self.source.slug}/{self.pk}"


class StoryFingerprint(models.Model):
    """What the clustering keeps of an article to compare it with later ones (packed bytes;
    see ``revue.news.stories.Fingerprint``), and where it went."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="fingerprints")
    seq = models.BigIntegerField(unique=True, help_text="order in which articles were clustered")
    time = models.BigIntegerField(db_index=True, help_text="publication time, epoch seconds")
    outlet = models.ForeignKey(Source, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    original = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signature = models.BinaryField()
    size = models.PositiveIntegerField(default=0, help_text="shingles in its text")
    words = models.BinaryField()
    anchors = models.BinaryField()
    transliterated = models.BinaryField()
    figures = models.BinaryField()
    title_figures = models.BinaryField()
    lead_figures = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["story", "-time"], name="story_fingerprint_story_idx")]


class StoryPosting(models.Model):
    """One index entry: an article filed under one key (an LSH band, a name, a figure …)."""

    key = models.BigIntegerField()
    time = models.BigIntegerField(help_text="the article's publication time, epoch seconds")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+", db_index=False,
                              help_text="the article's story, read with the posting")

    class Meta:
        indexes = [models.Index(fields=["key", "-time", "-article"], name="story_posting_key_idx")]
