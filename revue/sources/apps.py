from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "revue.sources"
    label = "sources"
    verbose_name = "Sources"
