"""Bursts: many reports in a short time, shown to moderators and held for them.

A network is an IPv4 /24 or IPv6 /48, known only by its keyed hash. It is *bursting* when it sent
at least ``REVUE_REPORT_BURST_SIZE`` reports in the last ``REVUE_REPORT_BURST_WINDOW`` seconds;
an image is *reported by a burst* when a bursting network reported it in that window, or when
the image itself drew that many reports in the window. The desk flags both. Such reports still
count by the usual rules (distinct cookie, address and network), but a block they call for is
held for a moderator (``services``) instead of being made at once: a burst may be an office or a
campaign, and only a moderator can tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone

from revue.moderation.models import ImageReport


@dataclass(frozen=True)
class Burst:
    """One network's burst of reports."""

    network_hash: str
    report_count: int
    image_count: int
    first_at: datetime
    last_at: datetime

    @property
    def label(self) -> str:
        """A short name for the network, stable for the secret key, revealing nothing."""
        return f"réseau {self.network_hash[:8]}"


def window_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.REVUE_REPORT_BURST_WINDOW)


def bursting_networks(now: datetime | None = None):
    """The hashes of the networks bursting now (a queryset of ``network_hash`` values)."""
    return (
        ImageReport.objects.filter(created_at__gte=window_start(now))
        .values("network_hash")
        .annotate(sent=Count("id"))
        .filter(sent__gte=settings.REVUE_REPORT_BURST_SIZE)
        .values("network_hash")
    )


def recent_bursts(now: datetime | None = None) -> list[Burst]:
    """Every burst in the window, the largest first."""
    rows = (
        ImageReport.objects.filter(created_at__gte=window_start(now))
        .values("network_hash")
        .annotate(
            sent=Count("id"),
            images=Count("image", distinct=True),
            first_at=Min("created_at"),
            last_at=Max("created_at"),
        )
        .filter(sent__gte=settings.REVUE_REPORT_BURST_SIZE)
        .order_by("-sent")
    )
    return [
        Burst(row["network_hash"], row["sent"], row["images"], row["first_at"], row["last_at"]) for row in rows
    ]


def reported_by_a_burst(now: datetime | None = None) -> Exists:
    """For an image queryset: whether a bursting network reported the image in the window."""
    return Exists(
        ImageReport.objects.filter(
            image=OuterRef("pk"),
            created_at__gte=window_start(now),
            network_hash__in=bursting_networks(now),
        )
    )


def burst_behind(image_id: int, now: datetime | None = None) -> bool:
    """Whether image ``image_id``'s reports of the window come from a burst (see above)."""
    recent = ImageReport.objects.filter(image_id=image_id, created_at__gte=window_start(now))
    if recent.count() >= settings.REVUE_REPORT_BURST_SIZE:
        return True
    return recent.filter(network_hash__in=bursting_networks(now)).exists()
