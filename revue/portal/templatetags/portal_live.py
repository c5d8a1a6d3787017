"""``{% ticker_attrs %}``: the data attributes the live ticker's script reads (``revue.portal.live``)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def ticker_attrs():
    """Where the ticker's script finds the headlines (events, else a poll) and how often to poll."""
    return format_html(
        'data-ticker data-stream-url="{}" data-headlines-url="{}" data-poll-seconds="{}" data-size="{}"',
        reverse("live-stream"),
        reverse("live-headlines"),
        settings.REVUE_TICKER_POLL_SECONDS,
        settings.REVUE_TICKER_SIZE,
    )
