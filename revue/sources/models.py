"""Outlets (``Source``) and their feeds (``Feed``), with the feed's polling state.

``Feed.objects.due()`` is the one definition of "what should be fetched now"; the scheduler
(``revue.crawl.schedule``) leases from it. A source's slug is its address on the portal
(``/{slug}/``), so it can never take a word the portal's own paths use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

# Words kept from outlets besides the URL map's own (``reserved_slugs``): files served before the
# URL map (static files, the favicon), and the names a portal's readers and operators expect to
# stay its own (an account, a health check, an about page).
ALSO_RESERVED = frozenset(
    {
        "static", "media", "favicon.ico", "health", "healthz", "i18n", "jsi18n", "compte", "account",
        "login", "logout", "a-propos", "sources", "feeds", "rss", "atom", "moderation",
    }
)
LITERAL = re.compile(r"[-a-z0-9_.]+")


@lru_cache(maxsize=1)
def reserved_slugs() -> frozenset[str]:
    """Words an outlet's slug may never be: the first segment of every path of the portal's URL
    map (read from Django's resolver, so a new page reserves its word by existing), and
    ``ALSO_RESERVED``. An outlet's page sits at ``/{slug}/``, after every fixed path."""
    from django.conf import settings
    from django.urls import LocalePrefixPattern, URLResolver, get_resolver

    found = set(ALSO_RESERVED) | {code for code, _name in settings.LANGUAGES}  # the editions' prefixes (/ar/ …)

    def walk(patterns) -> None:
        for entry in patterns:
            route = "" if isinstance(entry.pattern, LocalePrefixPattern) else str(entry.pattern).lstrip("^")
            if isinstance(entry, URLResolver) and not route:
                walk(entry.url_patterns)  # included at the root: its own paths start at the root
                continue
            first = route.replace("\\.", ".").split("/")[0].rstrip("$")
            if LITERAL.fullmatch(first):
                found.add(first)

    walk(get_resolver().url_patterns)
    return frozenset(found)


def validate_slug_not_reserved(value: str) -> None:
    if value in reserved_slugs():
        raise ValidationError(f"« {value} » est réservé par le portail ; choisissez un autre slug.")


def unique_source_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A free, non-reserved slug for an outlet called ``name``."""
    base = slugify(name)[:50] or "source"
    if base in reserved_slugs():
        base = f"{base}-info"
    candidate, n = base, 2
    while Source.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


class Source(models.Model):
    """A news outlet."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_slug_not_reserved])
    homepage = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1, e.g. fr, ar, es, en")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, e.g. MA")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_source_slug(self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/{self.slug}/"


class FeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Feed.State.ACTIVE, source__is_active=True)

    def due(self, now=None):
        """Active feeds whose next fetch time has come and that no live lease holds."""
        now = now or timezone.now()
        return (
            self.active()
            .filter(next_fetch_at__lte=now)
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        )


class Feed(models.Model):
    """One feed of an outlet, with everything the crawler remembers between two fetches."""

    class State(models.TextChoices):
        ACTIVE = "active", "actif"
        PARKED = "parked", "en pause (trop d'erreurs)"
        DISABLED = "disabled", "désactivé"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=300, blank=True)
    category_hint = models.SlugField(
        max_length=60, blank=True, help_text="slug of the category its entries fall under by default"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)

    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    interval_seconds = models.PositiveIntegerField(default=15 * 60)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_new_entries = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # entries left out while the feed itself was read fine (an item no stage could use): the feed
    # goes on; each crawl that leaves one out adds it here (it is tried again while it is new)
    entries_skipped = models.PositiveIntegerField(default=0)
    last_skip_reason = models.TextField(blank=True)
    last_skipped_at = models.DateTimeField(null=True, blank=True)

    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    # WebSub (revue.crawl.websub): the hub and the topic (its self link) the feed advertises, and
    # while a subscription to it is live, the shortest polling interval (0: polled as any feed)
    hub_url = models.URLField(max_length=2000, blank=True)
    topic_url = models.URLField(max_length=2000, blank=True)
    push_poll_seconds = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["source__name", "url"]
        indexes = [models.Index(fields=["state", "next_fetch_at"], name="feed_due_idx")]

    def __str__(self) -> str:
        return self.url


class Subscription(models.Model):
    """A WebSub subscription of one feed to its hub (``revue.crawl.websub``).

    Its callback is the portal's ``/websub/<token>/``; ``secret`` signs every push. It outlives
    its feed (``feed`` set to null when the feed is deleted) until the hub has confirmed the
    unsubscription, so that a removed feed is unsubscribed too.
    """

    class State(models.TextChoices):
        SUBSCRIBING = "subscribing", "abonnement demandé"
        SUBSCRIBED = "subscribed", "abonné"
        UNSUBSCRIBING = "unsubscribing", "désabonnement demandé"

    feed = models.ForeignKey(Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions")
    hub = models.URLField(max_length=2000)
    topic = models.URLField(max_length=2000)
    callback = models.URLField(max_length=2000)
    token = models.CharField(max_length=64, unique=True)
    secret = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBSCRIBING)
    requested_at = models.DateTimeField(null=True, blank=True)  # the last request sent to the hub
    attempts = models.PositiveSmallIntegerField(default=0)  # requests sent without a verification since
    expires_at = models.DateTimeField(null=True, blank=True)  # the lease the hub granted
    verified_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    pushes = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "abonnement WebSub"
        verbose_name_plural = "abonnements WebSub"
        constraints = [  # one live subscription per feed (an old one may be unsubscribing beside it)
            models.UniqueConstraint(fields=["feed"], condition=~Q(state="unsubscribing"), name="one_live_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} @ {self.hub}"


class ExtractionRule(models.Model):
    """An outlet's correction of article extraction: CSS selectors to drop or to keep.

    Used when the generic extraction goes wrong on one site: drop selectors remove elements
    (a sidebar taken for text), keep selectors name where the article is (and then are the whole
    body). Rules apply to article pages on ``host`` (without ``www.``), by default the outlet's
    homepage host; the crawler reads them through ``revue.crawl.rules.rules_for_url``.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="extraction_rules")
    host = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="hôte des pages d'articles, sans « www. » (vide : celui du site de la source)",
    )
    keep_selectors = models.TextField(
        blank=True,
        help_text="sélecteurs CSS du texte de l'article, un par ligne (ex. « div.article-body »)",
    )
    drop_selectors = models.TextField(
        blank=True,
        help_text="sélecteurs CSS à retirer, un par ligne (ex. « .encadre-pub », « aside.related »)",
    )
    sample_url = models.URLField(max_length=2000, blank=True, help_text="une page d'article pour l'aperçu")
    note = models.CharField(max_length=300, blank=True, help_text="pourquoi cette règle existe")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source__name", "host", "id"]
        verbose_name = "règle d'extraction"
        verbose_name_plural = "règles d'extraction"

    def __str__(self) -> str:
        return f"{self.source} — {self.host or 'site de la source'}"

    def clean(self) -> None:
        from urllib.parse import urlsplit

        if not self.host and self.source_id and self.source.homepage:
            self.host = urlsplit(self.source.homepage).hostname or ""
        self.host = self.host.strip().lower().removeprefix("www.").rstrip(".")
        if not self.host:
            raise ValidationError({"host": "Indiquez l'hôte des pages d'articles : la source n'a pas de site."})
        if not (self.keep_selectors.strip() or self.drop_selectors.strip()):
            raise ValidationError("Une règle a besoin d'au moins un sélecteur à garder ou à retirer.")
