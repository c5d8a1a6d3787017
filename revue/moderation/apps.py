"""The moderation app: image reports, automatic blocking, and the moderators' desk (admin)."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "revue.moderation"
    label = "moderation"
    verbose_name = "Modération"
