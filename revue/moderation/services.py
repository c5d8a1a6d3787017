"""The moderation rules: readers report, enough distinct networks block, moderators decide.

* ``report_image(image_id, reporter)`` — record a reader's report. A report *counts* when neither
  the reader's cookie nor their address (IPv4 /32, IPv6 /64) has reported the image before; the
  image is blocked at once when the counted reports come from ``threshold_for(image)`` distinct
  *networks* (IPv4 /24, IPv6 /48) — one person easily has several addresses, rarely several
  networks. Reporting a blocked image is accepted quietly (nothing recorded, same answer).
* Held blocks: when the counted reports reach the threshold in addresses but not in networks,
  or reach it in networks while a burst is behind them (``bursts.burst_behind``), the image stays
  visible and a ``BlockHold`` waits on the moderators' desk. A hold for too few networks turns
  into a block when enough networks report without a burst; a hold for a burst waits for a
  moderator whatever comes after.
* ``threshold_for(image)`` — ``REVUE_REPORT_THRESHOLD`` (default 3) distinct networks; after a
  moderator restored the image, ``REVUE_REPORT_THRESHOLD_RESTORED`` (default 6, always above the
  first) networks reporting *after* the restore. Never below 2: one person never blocks alone.
* ``block_image`` / ``restore_image`` / ``block_host`` — the moderators' actions (they settle a
  held block too); each writes the audit log (``ModerationEvent``), as do automatic blocks and holds.

Whenever what readers may see changes, every reader cache is renewed once the transaction
commits (``revue.news.cache.invalidate_reader_caches``), so no page shows a blocked image after
the request that blocked it has returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from revue.moderation import bursts
from revue.moderation.identity import Reporter
from revue.moderation.models import BlockHold, ImageReport, ModerationEvent
from revue.news.cache import invalidate_reader_caches
from revue.news.models import Image

logger = logging.getLogger(__name__)

REPORT_THANKS = gettext_noop(  # the seed's words, translated when shown (revue.moderation.views)
    "Merci d'avoir signalé! Cette image sera automatiquement bloquée "
    "après qu'elle soit signalée par plusieurs personnes."
)
MIN_DISTINCT_REPORTERS = 2  # whatever the settings say, one person never blocks an image alone


@dataclass(frozen=True)
class ReportOutcome:
    """What a report did: whether it counted, blocked the image, or left its block held for a moderator."""

    counted: bool
    blocked: bool
    held: bool = False


@dataclass(frozen=True)
class Tally:
    """The counted reports of an image: how many distinct addresses, and distinct networks."""

    addresses: int
    networks: int


# --- thresholds ---------------------------------------------------------------------------------


def threshold_for(image: Image) -> int:
    """How many distinct networks must report ``image`` for it to be blocked."""
    first = settings.REVUE_REPORT_THRESHOLD
    needed = first
    if image.state == Image.State.RESTORED:
        needed = max(settings.REVUE_REPORT_THRESHOLD_RESTORED, first + 1)
    return max(MIN_DISTINCT_REPORTERS, needed)


def last_restored_at(image: Image) -> datetime | None:
    """When a moderator last restored ``image`` (from the audit log), or None."""
    return (
        ModerationEvent.objects.filter(image=image, action=ModerationEvent.Action.RESTORE)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def counted_reports(image: Image):
    """The reports that count towards blocking ``image`` now (those since its last restore)."""
    reports = ImageReport.objects.filter(image=image, counted=True)
    restored_at = last_restored_at(image) if image.state == Image.State.RESTORED else None
    return reports.filter(created_at__gt=restored_at) if restored_at else reports


def tally_of(image: Image) -> Tally:
    """Distinct addresses and networks among the reports that count towards blocking ``image``."""
    counts = counted_reports(image).aggregate(addresses=Count("id"), networks=Count("network_hash", distinct=True))
    return Tally(addresses=counts["addresses"], networks=counts["networks"])


# --- readers' reports ---------------------------------------------------------------------------


def report_image(image_id: int, reporter: Reporter) -> ReportOutcome:
    """Record ``reporter``'s report of image ``image_id``; block it, or hold its block, at the threshold.

    Raises ``Image.DoesNotExist`` for an unknown image. The image row is locked for the length of
    the transaction (PostgreSQL; SQLite serialises writers anyway), so concurrent reports are
    counted one after the other and the threshold report is the one that blocks.
    """
    with transaction.atomic():
        image = Image.objects.select_for_update().get(pk=image_id)
        if image.is_blocked:
            return ReportOutcome(counted=False, blocked=False)
        if not _record(image, reporter):
            return ReportOutcome(counted=False, blocked=False)
        tally, needed = tally_of(image), threshold_for(image)
        if tally.addresses < needed:
            return ReportOutcome(counted=True, blocked=False)
        held = BlockHold.objects.filter(image=image).values_list("reason", flat=True).first()
        if held == BlockHold.Reason.BURST:
            return ReportOutcome(counted=True, blocked=False, held=True)
        if tally.networks < needed:
            _hold(image, BlockHold.Reason.FEW_NETWORKS, tally)
            return ReportOutcome(counted=True, blocked=False, held=True)
        if bursts.burst_behind(image.pk):
            _hold(image, BlockHold.Reason.BURST, tally)
            return ReportOutcome(counted=True, blocked=False, held=True)
        blocked = _block(image, ModerationEvent.Action.AUTO_BLOCK, report_count=tally.addresses)
    return ReportOutcome(counted=True, blocked=blocked)


def _hold(image: Image, reason: str, tally: Tally) -> None:
    """Keep ``image`` visible and put its block before a moderator (logged when it starts or changes)."""
    fields = {"reason": reason, "address_count": tally.addresses, "network_count": tally.networks}
    hold, created = BlockHold.objects.get_or_create(image=image, defaults=fields)
    new_reason = not created and hold.reason != reason
    if not created:
        BlockHold.objects.filter(pk=hold.pk).update(**fields)
    if created or new_reason:
        _log(ModerationEvent.Action.HOLD, image, report_count=tally.addresses, note=BlockHold.Reason(reason).label)


def _record(image: Image, reporter: Reporter) -> bool:
    """Store the report unless this reader already made one; True when it counts."""
    reports = ImageReport.objects.filter(image=image)
    if reports.filter(reporter_id=reporter.reporter_id).exists():
        return False
    counts = not reports.filter(address_hash=reporter.address_hash, counted=True).exists()
    try:
        with transaction.atomic():
            ImageReport.objects.create(
                image=image,
                reporter_id=reporter.reporter_id,
                address_hash=reporter.address_hash,
                network_hash=reporter.network_hash,
                counted=counts,
            )
    except IntegrityError:  # the same reader, racing with themselves: one report is enough
        return False
    return counts


# --- moderators' actions ------------------------------------------------------------------------


def block_image(image: Image, moderator=None, note: str = "") -> bool:
    """Block ``image`` now (a moderator's decision); False if it already was."""
    with transaction.atomic():
        return _block(image, ModerationEvent.Action.BLOCK, moderator=moderator, note=note)


def restore_image(image: Image, moderator=None, note: str = "") -> bool:
    """Show ``image`` again (or keep it shown, releasing a held block); from now on it needs the
    higher threshold of fresh reports."""
    with transaction.atomic():
        changed = Image.objects.filter(pk=image.pk).exclude(state=Image.State.RESTORED).update(
            state=Image.State.RESTORED, blocked_at=None
        )
        released, _ = BlockHold.objects.filter(image_id=image.pk).delete()
        if changed or released:  # a held block released: the reports so far stop counting too
            image.state, image.blocked_at = Image.State.RESTORED, None
            _log(ModerationEvent.Action.RESTORE, image, moderator=moderator, note=note)
        if changed:
            transaction.on_commit(invalidate_reader_caches)
    return bool(changed or released)


def image_host(url: str) -> str:
    """The host name of an image URL, lower case ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def images_from_host(host: str):
    """Every image whose URL is on ``host`` (any scheme, any port)."""
    host = host.lower()
    prefixes = [f"{scheme}://{host}{end}" for scheme in ("http", "https") for end in ("/", ":", "?", "#")]
    match = Q()
    for prefix in prefixes:
        match |= Q(url__istartswith=prefix)
    return Image.objects.filter(match | Q(url__iexact=f"http://{host}") | Q(url__iexact=f"https://{host}"))


def block_host(host: str, moderator=None) -> int:
    """Block every image currently stored from ``host``; how many were newly blocked."""
    host = host.strip().lower()
    if not host:
        return 0
    with transaction.atomic():
        still_visible = images_from_host(host).exclude(state=Image.State.BLOCKED)
        images = list(still_visible.select_for_update().only("pk", "url"))
        still_visible.update(state=Image.State.BLOCKED, blocked_at=timezone.now())
        BlockHold.objects.filter(image__in=images).delete()
        note = f"toutes les images de {host}"
        ModerationEvent.objects.bulk_create(
            [_event(ModerationEvent.Action.BLOCK, image, moderator, note=note, host=host) for image in images]
        )
        _log(ModerationEvent.Action.BLOCK_HOST, None, moderator=moderator, host=host, note=f"{len(images)} image(s)")
        transaction.on_commit(invalidate_reader_caches)
    return len(images)


# --- shared steps -------------------------------------------------------------------------------


def _block(image: Image, action: str, *, moderator=None, report_count: int = 0, note: str = "") -> bool:
    """Block ``image`` inside the caller's transaction; caches are renewed once it commits."""
    now = timezone.now()
    changed = Image.objects.filter(pk=image.pk).exclude(state=Image.State.BLOCKED).update(
        state=Image.State.BLOCKED, blocked_at=now
    )
    if not changed:
        return False
    BlockHold.objects.filter(image_id=image.pk).delete()
    image.state, image.blocked_at = Image.State.BLOCKED, now
    _log(action, image, moderator=moderator, report_count=report_count, note=note)
    transaction.on_commit(invalidate_reader_caches)
    return True


def _event(action: str, image: Image | None, moderator=None, **fields) -> ModerationEvent:
    return ModerationEvent(
        action=action,
        image=image,
        image_url=image.url if image is not None else "",
        moderator=moderator if getattr(moderator, "pk", None) else None,
        moderator_name=moderator.get_username() if getattr(moderator, "pk", None) else "",
        **fields,
    )


def _log(action: str, image: Image | None, moderator=None, **fields) -> ModerationEvent:
    event = _event(action, image, moderator, **fields)
    event.save()
    logger.info("moderation %s", action, extra={"stage": "moderation", "outcome": action, "image_id": getattr(image, "pk", ""),
                                                "host": fields.get("host", ""), "moderator": event.moderator_name or "-"})
    return event
