"""Admin for outlets and feeds: the operator's view of what is followed and what fails (a feed's
errors, and the entries left out of a feed that was otherwise read fine: ``entries_skipped``)."""

from django.contrib import admin, messages
from django.utils import timezone

from revue.sources.models import Feed, Source


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 0
    fields = ("url", "category_hint", "state", "next_fetch_at", "error_count", "last_error", "entries_skipped")
    readonly_fields = ("next_fetch_at", "error_count", "last_error", "entries_skipped")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "country", "is_active", "created_at")
    list_filter = ("language", "country", "is_active")
    search_fields = ("name", "slug", "homepage")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ("url", "source", "state", "last_status", "error_count", "entries_skipped", "last_fetched_at",
                    "next_fetch_at", "last_new_entries")
    list_filter = ("state", "source__language")
    search_fields = ("url", "title", "source__name", "last_error", "last_skip_reason")
    list_select_related = ("source",)
    readonly_fields = (
        "etag", "last_modified", "last_fetched_at", "last_status", "last_new_entries",
        "error_count", "last_error", "last_error_at", "entries_skipped", "last_skip_reason", "last_skipped_at",
        "lease_owner", "lease_expires_at", "created_at",
    )
    actions = ["fetch_now", "unpark"]

    @admin.action(description="Collecter au prochain passage")
    def fetch_now(self, request, queryset):
        count = queryset.update(next_fetch_at=timezone.now())
        self.message_user(request, f"{count} flux seront collectés au prochain passage.")

    @admin.action(description="Réactiver (sortir de pause)")
    def unpark(self, request, queryset):
        count = queryset.update(state=Feed.State.ACTIVE, error_count=0, next_fetch_at=timezone.now())
        self.message_user(request, f"{count} flux réactivés.", messages.SUCCESS)
