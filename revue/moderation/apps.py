"""The moderation app: image reports, automatic blocking, the moderators' desk (admin), and the
admin's throttled login (``login_throttle``)."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "revue.moderation"
    label = "moderation"
    verbose_name = "Modération"

    def ready(self):
        from django.contrib import admin

        from revue.moderation.login_throttle import ThrottledLoginForm

        admin.site.login_form = ThrottledLoginForm  # the one login of Revue: the admin's
