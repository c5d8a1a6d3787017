"""The operators' view of WebSub subscriptions (read-only): which feeds a hub pushes, in which
state, until when, how many pushes came and the last error; never the secret nor the callback's
token. Registered by ``revue.crawl.admin``."""

from __future__ import annotations

from django.contrib import admin

from revue.sources.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("topic", "feed", "hub", "state", "expires_at", "pushes", "last_push_at", "last_error")
    list_filter = ("state",)
    search_fields = ("topic", "hub")
    fields = ("feed", "hub", "topic", "state", "requested_at", "attempts", "verified_at", "expires_at",
              "pushes", "last_push_at", "last_error", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # the crawler makes them
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
