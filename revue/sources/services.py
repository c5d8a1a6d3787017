"""Following outlets: register a feed (and its outlet) idempotently, from any source of truth.

``follow`` is what ``revue sources add``, OPML import, the default list and the demo all call,
so an outlet is created the same way whichever door it came in by.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction

from revue.sources.models import Feed, Source


@dataclass(frozen=True)
class FeedSpec:
    """One feed to follow, as a person or a file describes it."""

    feed_url: str
    outlet_name: str
    homepage: str = ""
    language: str = ""
    country: str = ""
    category_hint: str = ""
    title: str = ""
    slug: str = ""


@dataclass(frozen=True)
class Followed:
    feed: Feed
    created: bool  # False when the feed was already followed


def _homepage_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""


def outlet_for(spec: FeedSpec) -> Source:
    """The outlet a new feed belongs to: an existing one of that name and language, or a new one."""
    existing = Source.objects.filter(name=spec.outlet_name)
    if spec.slug:
        existing = Source.objects.filter(slug=spec.slug)
    elif spec.language:
        existing = existing.filter(language__in=[spec.language, ""])
    source = existing.first()
    if source is None:
        source = Source(
            name=spec.outlet_name,
            slug=spec.slug,
            homepage=spec.homepage or _homepage_of(spec.feed_url),
            language=spec.language,
            country=spec.country,
        )
        source.full_clean(exclude=["slug"] if not spec.slug else None)
        source.save()
    return source


@transaction.atomic
def follow(spec: FeedSpec) -> Followed:
    """Follow ``spec.feed_url``; following a feed twice changes nothing."""
    feed = Feed.objects.filter(url=spec.feed_url).select_related("source").first()
    if feed is not None:
        return Followed(feed=feed, created=False)
    feed = Feed(
        source=outlet_for(spec),
        url=spec.feed_url,
        title=spec.title[:300],
        category_hint=spec.category_hint,
    )
    feed.full_clean(exclude=["source"])
    feed.save()
    return Followed(feed=feed, created=True)
