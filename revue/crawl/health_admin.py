"""Source health in the admin: what is failing and why, per feed and per outlet, without reading
the database.

The feed list (``/admin/sources/feed/``) shows for each feed its last fetch, its last success (from
its fetch log), the last HTTP status and error, the articles it brought on each of the last
``REVUE_HEALTH_DAYS`` days as a small inline SVG sparkline, the entries it had to leave out, the
average length of its articles' text, and whether it is active or parked; the filter *santé*
picks the failing, parked, silent (nothing new for ``REVUE_HEALTH_SILENT_DAYS``) and thin-text
(fewer than ``REVUE_HEALTH_THIN_CHARS`` characters on average) feeds; the actions fetch now, park
and wake. A feed's page lists its recent fetches (``FeedFetch``, the newest
``REVUE_FETCH_LOG_SIZE``). The outlet list gets its feeds' figures the same way.

These admins extend the sources app's own (``revue.sources.admin``) from the crawl app, which
owns the fetch log: sources must not import crawl.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Avg, Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, TruncDate
from django.utils import timezone
from django.utils.html import format_html

from revue.crawl.models import FeedFetch
from revue.news.models import Article
from revue.sources.admin import FeedAdmin, SourceAdmin
from revue.sources.models import Feed, Source

SPARK_WIDTH, SPARK_HEIGHT = 84, 18


def sparkline(counts: list[int]) -> str:
    """An inline SVG polyline of ``counts`` (one a day, oldest first), with its total as title."""
    top = max(counts) or 1
    step = SPARK_WIDTH / max(len(counts) - 1, 1)
    label = _spark_label(counts)
    points = " ".join(f"{i * step:.1f},{SPARK_HEIGHT - 1 - (n / top) * (SPARK_HEIGHT - 2):.1f}" for i, n in enumerate(counts))
    return format_html(
        '<svg class="revue-spark" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<title>{}</title><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"/></svg>',
        SPARK_WIDTH, SPARK_HEIGHT, SPARK_WIDTH, SPARK_HEIGHT, label, label, points,
    )


def _spark_label(counts: list[int]) -> str:
    return f"{sum(counts)} articles en {len(counts)} jours (par jour : {', '.join(map(str, counts))})"


def daily_counts(articles, days: int) -> list[int]:
    """Articles fetched on each of the last ``days`` days (today last), from ``articles``."""
    return daily_counts_by(articles, None, days)[None]


def daily_counts_by(articles, field: str | None, days: int) -> dict:
    """``daily_counts`` for each value of ``field`` (``feed_id``, ``source_id``) among ``articles``,
    in one query; a value with no article in the window is missing (``None``: all of them together)."""
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(since, time.min))
    keys = (field, "day") if field else ("day",)
    rows = (articles.filter(fetched_at__gte=start)
            .annotate(day=TruncDate("fetched_at", tzinfo=timezone.get_current_timezone()))
            .values(*keys).annotate(n=Count("id")).values_list(*keys, "n"))
    found: dict = {}
    for *key, day, n in rows:
        found.setdefault(key[0] if key else None, {})[day] = n
    if not field:
        found.setdefault(None, {})
    return {key: [by_day.get(since + timedelta(days=i), 0) for i in range(days)] for key, by_day in found.items()}


class SparklineChangeList(ChangeList):
    """The admin's list, with each shown row's daily article counts read in one query
    (``row.daily_counts``) rather than one query a row."""

    def get_results(self, request):
        super().get_results(request)
        field = self.model_admin.sparkline_field
        ids = [row.pk for row in self.result_list]
        counts = daily_counts_by(Article.objects.filter(**{f"{field}__in": ids}), field, settings.REVUE_HEALTH_DAYS)
        silent = [0] * settings.REVUE_HEALTH_DAYS
        for row in self.result_list:
            row.daily_counts = counts.get(row.pk, silent)


def row_sparkline(row, field: str):
    """A list row's sparkline: its counts from the list's one query, else its own query."""
    counts = getattr(row, "daily_counts", None)
    if counts is None:
        counts = daily_counts(Article.objects.filter(**{field: row.pk}), settings.REVUE_HEALTH_DAYS)
    return sparkline(counts)


def _window_start():
    return timezone.now() - timedelta(days=settings.REVUE_HEALTH_DAYS)


def _recent_articles(**outer):
    return Article.objects.filter(fetched_at__gte=_window_start(), **outer)


def annotate_feed_health(queryset):
    """Each feed with its last success, last article, recent article count and average text length."""
    recent = _recent_articles(feed_id=OuterRef("pk"))
    return queryset.annotate(
        last_success_at=Subquery(
            FeedFetch.objects.filter(feed_id=OuterRef("pk"), outcome__in=["ok", "not_modified"])
            .order_by("-id").values("at")[:1]),
        last_article_at=Subquery(Article.objects.filter(feed_id=OuterRef("pk")).order_by("-fetched_at").values("fetched_at")[:1]),
        recent_count=Coalesce(Subquery(recent.order_by().values("feed_id").annotate(n=Count("id")).values("n")[:1],
                                       output_field=IntegerField()), 0),
        average_length=Subquery(recent.order_by().values("feed_id").annotate(a=Avg(Length("text"))).values("a")[:1]),
    )


def annotated(field: str, description: str):
    """A list column showing (and sorting by) a value the admin's queryset annotated."""

    @admin.display(description=description, ordering=field)
    def show(self, obj):
        return getattr(obj, field)

    return show


class HealthFilter(admin.SimpleListFilter):
    title = "santé"
    parameter_name = "sante"

    def lookups(self, request, model_admin):
        return [("failing", "en erreur"), ("parked", "en pause"),
                ("silent", f"muets (rien depuis {settings.REVUE_HEALTH_SILENT_DAYS} j)"),
                ("thin", f"texte maigre (< {settings.REVUE_HEALTH_THIN_CHARS} caractères)")]

    def queryset(self, request, queryset):
        silent_since = timezone.now() - timedelta(days=settings.REVUE_HEALTH_SILENT_DAYS)
        return {
            "failing": lambda: queryset.filter(error_count__gt=0),
            "parked": lambda: queryset.filter(state=Feed.State.PARKED),
            "silent": lambda: queryset.filter(Q(last_article_at__isnull=True) | Q(last_article_at__lt=silent_since)),
            "thin": lambda: queryset.filter(average_length__lt=settings.REVUE_HEALTH_THIN_CHARS),
        }.get(self.value(), lambda: queryset)()


class FeedFetchInline(admin.TabularInline):
    """The feed's recent fetch log, newest first (read-only)."""

    model = FeedFetch
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "outcome", "http_status", "new_articles", "error")
    verbose_name_plural = "collectes récentes"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FeedHealthAdmin(FeedAdmin):
    list_display = ("url", "source", "state", "last_fetched_at", "last_success", "last_status", "error_short",
                    "articles_per_day", "entries_skipped", "average_text", "recent_articles")
    list_filter = (HealthFilter, "state", "source__language")
    actions = ["fetch_now", "park", "wake"]
    inlines = [FeedFetchInline]
    sparkline_field = "feed_id"

    def get_queryset(self, request):
        return annotate_feed_health(super().get_queryset(request))

    def get_changelist(self, request, **kwargs):
        return SparklineChangeList

    @admin.display(description="dernier succès", ordering="last_success_at")
    def last_success(self, feed):
        return feed.last_success_at or ("—" if feed.error_count else feed.last_fetched_at)

    @admin.display(description="dernière erreur")
    def error_short(self, feed):
        return feed.last_error[:120] if feed.error_count else ""

    @admin.display(description="articles par jour")
    def articles_per_day(self, feed):
        return row_sparkline(feed, self.sparkline_field)

    @admin.display(description="longueur moyenne", ordering="average_length")
    def average_text(self, feed):
        return round(feed.average_length) if feed.average_length is not None else "—"

    recent_articles = annotated("recent_count", "articles récents")

    @admin.action(description="Mettre en pause")
    def park(self, request, queryset):
        count = Feed.objects.filter(pk__in=queryset.values("pk")).update(state=Feed.State.PARKED)
        self.message_user(request, f"{count} flux mis en pause.", messages.SUCCESS)

    @admin.action(description="Réveiller (sortir de pause)")
    def wake(self, request, queryset):
        return self.unpark(request, queryset)


class SourceHealthAdmin(SourceAdmin):
    list_display = ("name", "slug", "language", "is_active", "feed_count", "failing_feeds", "parked_feeds",
                    "last_fetch", "articles_per_day")
    sparkline_field = "source_id"

    def get_changelist(self, request, **kwargs):
        return SparklineChangeList

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            feeds_total=Count("feeds", distinct=True),
            feeds_failing=Count("feeds", filter=Q(feeds__error_count__gt=0), distinct=True),
            feeds_parked=Count("feeds", filter=Q(feeds__state=Feed.State.PARKED), distinct=True),
            feeds_last_fetch=Max("feeds__last_fetched_at"),
        )

    feed_count = annotated("feeds_total", "flux")
    failing_feeds = annotated("feeds_failing", "en erreur")
    parked_feeds = annotated("feeds_parked", "en pause")
    last_fetch = annotated("feeds_last_fetch", "dernière collecte")

    @admin.display(description="articles par jour")
    def articles_per_day(self, source):
        return row_sparkline(source, self.sparkline_field)


for model, health in ((Feed, FeedHealthAdmin), (Source, SourceHealthAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, health)
