"""What moderation remembers: readers' image reports, and the audit log of every decision.

``ImageReport`` is one row per (image, reporter id). A report *counts* towards blocking only
when neither the reader's cookie id nor their address hash has already reported the image; a
report from a known address under a new cookie is kept (the burst indicator reads it) but does
not count. Two database constraints hold these rules even under concurrent requests.

``BlockHold`` is a block the readers' reports called for but that waits for a moderator: the
reports came in a burst, or from too few networks (see ``services``). One row per waiting image;
a moderator's block or restore removes it.

``ModerationEvent`` is the audit log: who blocked, restored or blocked a whole host, which blocks
were held, and when; automatic blocks and holds have no moderator. ``ReportedImage`` and
``BlockedImage`` are proxies of ``news.Image`` that give the moderators' desk its own admin pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from revue.news.models import Image


class ImageReport(models.Model):
    """One reader's report of one image."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="reports", verbose_name="image")
    reporter_id = models.CharField("lecteur", max_length=64, help_text="id aléatoire du cookie signé du lecteur")
    address_hash = models.CharField("adresse (empreinte)", max_length=64, help_text="empreinte HMAC de l'adresse")
    network_hash = models.CharField("réseau (empreinte)", max_length=64, help_text="empreinte HMAC du réseau")
    counted = models.BooleanField("compté", default=True, help_text="compte pour le seuil de blocage")
    created_at = models.DateTimeField("reçu le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "signalement"
        verbose_name_plural = "signalements récents"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["image", "reporter_id"], name="report_once_per_reader"),
            models.UniqueConstraint(
                fields=["image", "address_hash"],
                condition=models.Q(counted=True),
                name="report_counts_once_per_address",
            ),
        ]
        indexes = [
            models.Index(fields=["image", "counted", "created_at"], name="report_image_counted_idx"),
            models.Index(fields=["network_hash", "created_at"], name="report_network_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"signalement de l'image {self.image_id}"


class ModerationEvent(models.Model):
    """One line of the audit log: an image blocked or restored, a host blocked."""

    class Action(models.TextChoices):
        AUTO_BLOCK = "auto_block", "bloquée par les lecteurs"
        HOLD = "hold", "blocage retenu pour un modérateur"
        BLOCK = "block", "bloquée par un modérateur"
        RESTORE = "restore", "rétablie par un modérateur"
        BLOCK_HOST = "block_host", "hôte bloqué"

    action = models.CharField("action", max_length=12, choices=Action.choices)
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_events", verbose_name="image"
    )
    image_url = models.URLField("adresse de l'image", max_length=2000, blank=True, help_text="gardée si l'image disparaît")
    host = models.CharField("hôte", max_length=255, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modérateur",
    )
    moderator_name = models.CharField("modérateur", max_length=150, blank=True, help_text="gardé si le compte disparaît")
    report_count = models.PositiveIntegerField("signalements comptés", default=0, help_text="à ce moment-là")
    note = models.CharField("note", max_length=500, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal de modération"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["image", "action", "-created_at"], name="event_image_action_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.image_url or self.host}"


class BlockHold(models.Model):
    """A block the reports called for, held until a moderator blocks or restores the image."""

    class Reason(models.TextChoices):
        BURST = "burst", "rafale de signalements"
        FEW_NETWORKS = "few_networks", "trop peu de réseaux"

    image = models.OneToOneField(Image, on_delete=models.CASCADE, related_name="block_hold", verbose_name="image")
    reason = models.CharField("raison", max_length=16, choices=Reason.choices)
    address_count = models.PositiveIntegerField("adresses", default=0, help_text="adresses distinctes comptées")
    network_count = models.PositiveIntegerField("réseaux", default=0, help_text="réseaux distincts comptés")
    held_at = models.DateTimeField("retenu le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "blocage en attente"
        verbose_name_plural = "blocages en attente"
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"blocage en attente de l'image {self.image_id}"


class ReportedImage(Image):
    """The desk's view of images: by number of reports."""

    class Meta:
        proxy = True
        verbose_name = "image signalée"
        verbose_name_plural = "images signalées"


class BlockedImage(Image):
    """The desk's view of blocked images, most recent first."""

    class Meta:
        proxy = True
        verbose_name = "image bloquée"
        verbose_name_plural = "images bloquées"
