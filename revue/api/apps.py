"""The read-only JSON API app (``/api/``, schema at ``/api/docs``)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "revue.api"
    label = "api"
    verbose_name = "API"
