"""The moderators' desk, in Django's admin (staff with the moderation permissions).

* **Images signalées** — every reported image, the most reported first, with its count of
  distinct networks towards the threshold (and of addresses), its state, and a « rafale » flag
  when a burst reported it; actions: restore, block now, block every image of the same host
  (after a confirmation page).
* **Blocages en attente** — blocks the reports called for but that wait for a moderator (a
  burst, or too few networks), with the reason; actions: block now, or restore (keep it shown).
  Whoever may view or change reported images may view or decide these.
* **Images bloquées** — the latest blocked first, with who blocked them; action: restore.
* **Signalements récents** — the reports as they come, with the burst box on top.
* **Journal de modération** — the audit log, read only: who did what, and when.

Every decision goes through ``revue.moderation.services`` (never a bare form save), so each one
is logged and renews the readers' caches. Nothing here shows a raw address: networks appear as
the first characters of their keyed hash. Thumbnails come through the image proxy's desk address
(``/img/<signed id>/<width>/moderation``), never from the outlet: a hostile outlet can neither
learn a moderator's address nor make their browser send a request anywhere.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from revue.moderation import bursts, services
from revue.moderation.models import BlockedImage, BlockHold, ImageReport, ModerationEvent, ReportedImage
from revue.news import image_links
from revue.news.models import Image

DESK_CHANGE_LIST = "moderation/admin/desk_change_list.html"
THUMBNAIL_WIDTH = 120  # the proxy's nearest width above it is fetched


def preview(image: Image):
    """A small preview of an image for moderators, through the image proxy's desk address (a
    moderator's browser never loads the outlet's URL, even for a blocked image); the thumbnail
    links to the full picture there."""
    return format_html(
        '<a href="{}" rel="noopener noreferrer" target="_blank"><img src="{}" alt="" loading="lazy" '
        'style="max-width:120px;max-height:80px;object-fit:cover"></a>',
        image_links.moderation_path(image.pk),
        image_links.moderation_path(image.pk, THUMBNAIL_WIDTH),
    )


class DeskMixin:
    """The burst box above every list of the desk; no adding or deleting by hand."""

    change_list_template = DESK_CHANGE_LIST

    def changelist_view(self, request, extra_context=None):
        extra = {"bursts": bursts.recent_bursts(), "holds": BlockHold.objects.count(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="adresse de l'image")
    def address(self, image):
        return image.url  # as text: a link would take a moderator's browser to the outlet


class ImageReportInline(admin.TabularInline):
    model = ImageReport
    fields = ("created_at", "counted", "network")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at",)
    verbose_name_plural = "signalements"

    @admin.display(description="réseau")
    def network(self, report):
        return report.network_hash[:8]

    def has_add_permission(self, request, obj=None):
        return False


class ModerationActions:
    """The desk's actions on images, each through the services (logged, caches renewed)."""

    @admin.action(description="Rétablir les images sélectionnées", permissions=["change"])
    def restore(self, request, queryset):
        done = sum(services.restore_image(image, moderator=request.user) for image in queryset)
        self.message_user(request, f"{done} image(s) rétablie(s) : un seuil plus élevé s'applique désormais.")

    @admin.action(description="Bloquer maintenant les images sélectionnées", permissions=["change"])
    def block_now(self, request, queryset):
        done = sum(services.block_image(image, moderator=request.user) for image in queryset)
        self.message_user(request, f"{done} image(s) bloquée(s).")

    @admin.action(description="Bloquer toutes les images de leur hôte…", permissions=["change"])
    def block_hosts(self, request, queryset):
        hosts = sorted({services.image_host(image.url) for image in queryset} - {""})
        if request.POST.get("confirm") == "oui":
            done = sum(services.block_host(host, moderator=request.user) for host in hosts)
            self.message_user(request, f"{done} image(s) bloquée(s) sur {', '.join(hosts)}.", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Bloquer toutes les images d'un hôte",
            "opts": self.model._meta,
            "hosts": [
                (host, services.images_from_host(host).exclude(state=Image.State.BLOCKED).count()) for host in hosts
            ],
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "moderation/admin/confirm_block_host.html", context)


@admin.register(ReportedImage)
class ReportedImageAdmin(DeskMixin, ModerationActions, admin.ModelAdmin):
    list_display = ("thumbnail", "url", "state", "towards_threshold", "all_reports", "last_report", "burst")
    list_display_links = ("url",)
    list_filter = ("state",)
    search_fields = ("url",)
    actions = ["restore", "block_now", "block_hosts"]
    fields = ("thumbnail", "address", "state", "first_seen_at", "blocked_at")
    readonly_fields = fields
    inlines = [ImageReportInline]
    show_full_result_count = False

    def get_queryset(self, request):
        last_restore = (
            ModerationEvent.objects.filter(image=OuterRef("pk"), action=ModerationEvent.Action.RESTORE)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        pending = Q(reports__counted=True) & (
            ~Q(state=Image.State.RESTORED) | Q(restored_at__isnull=True) | Q(reports__created_at__gt=F("restored_at"))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(restored_at=Subquery(last_restore))
            .annotate(
                counted_reports=Count("reports", filter=pending),
                counted_networks=Count("reports__network_hash", filter=pending, distinct=True),
                report_total=Count("reports"),
                latest_report=Max("reports__created_at"),
                bursty=bursts.reported_by_a_burst(),
            )
            .filter(report_total__gt=0)
            .order_by("-counted_networks", "-counted_reports", "-latest_report")
        )

    @admin.display(description="aperçu")
    def thumbnail(self, image):
        return preview(image)

    @admin.display(description="réseaux comptés / seuil (adresses)", ordering="counted_networks")
    def towards_threshold(self, image):
        return f"{image.counted_networks} / {services.threshold_for(image)} ({image.counted_reports})"

    @admin.display(description="signalements reçus", ordering="report_total")
    def all_reports(self, image):
        return image.report_total

    @admin.display(description="dernier signalement", ordering="latest_report")
    def last_report(self, image):
        return image.latest_report

    @admin.display(description="rafale d'un réseau", boolean=True, ordering="bursty")
    def burst(self, image):
        return image.bursty


@admin.register(BlockedImage)
class BlockedImageAdmin(DeskMixin, ModerationActions, admin.ModelAdmin):
    list_display = ("thumbnail", "url", "blocked_at", "blocked_by")
    list_display_links = ("url",)
    search_fields = ("url",)
    actions = ["restore"]
    fields = ("thumbnail", "address", "state", "first_seen_at", "blocked_at")
    readonly_fields = fields
    inlines = [ImageReportInline]
    show_full_result_count = False

    def get_queryset(self, request):
        blocker = (
            ModerationEvent.objects.filter(
                image=OuterRef("pk"), action__in=[ModerationEvent.Action.AUTO_BLOCK, ModerationEvent.Action.BLOCK]
            )
            .order_by("-created_at")
            .values("moderator_name")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .filter(state=Image.State.BLOCKED)
            .annotate(blocker=Subquery(blocker))
            .order_by("-blocked_at", "-id")
        )

    @admin.display(description="aperçu")
    def thumbnail(self, image):
        return preview(image)

    @admin.display(description="bloquée par")
    def blocked_by(self, image):
        return image.blocker or "les lecteurs"


@admin.register(ImageReport)
class ImageReportAdmin(DeskMixin, admin.ModelAdmin):
    list_display = ("created_at", "image_link", "counted", "network")
    list_filter = ("counted",)
    list_select_related = ("image",)
    fields = ("created_at", "image", "counted", "network")
    readonly_fields = fields
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="image")
    def image_link(self, report):
        url = reverse("admin:moderation_reportedimage_change", args=[report.image_id])
        return format_html('<a href="{}">{}</a>', url, report.image.url[:100])

    @admin.display(description="réseau (empreinte)")
    def network(self, report):
        return report.network_hash[:8]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "image_address", "host", "moderator_name", "report_count", "note")
    fields = ("created_at", "action", "image", "image_address", "host", "moderator_name", "report_count", "note")
    readonly_fields = fields
    list_filter = ("action",)
    search_fields = ("image_url", "host", "moderator_name")
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="adresse de l'image", ordering="image_url")
    def image_address(self, event):
        return event.image_url  # as text, never a link to the outlet

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BlockHold)
class BlockHoldAdmin(DeskMixin, admin.ModelAdmin):
    """Held blocks: each waits for a moderator to block the image or to keep it shown."""

    list_display = ("held_at", "image_link", "reason", "network_count", "address_count")
    list_filter = ("reason",)
    list_select_related = ("image",)
    fields = ("held_at", "image", "reason", "network_count", "address_count")
    readonly_fields = fields
    actions = ["block_now", "restore"]
    show_full_result_count = False

    image_link = ImageReportAdmin.image_link

    @admin.action(description="Bloquer maintenant ces images", permissions=["change"])
    def block_now(self, request, queryset):
        done = sum(services.block_image(hold.image, moderator=request.user) for hold in queryset)
        self.message_user(request, f"{done} image(s) bloquée(s).")

    @admin.action(description="Garder ces images visibles (rétablir)", permissions=["change"])
    def restore(self, request, queryset):
        done = sum(services.restore_image(hold.image, moderator=request.user) for hold in queryset)
        self.message_user(request, f"{done} image(s) gardée(s) visible(s) : un seuil plus élevé s'applique désormais.")

    # whoever may decide on reported images decides on held blocks (no new permission to grant)
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("moderation.view_reportedimage") or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("moderation.change_reportedimage")
