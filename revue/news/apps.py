from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "revue.news"
    label = "news"
    verbose_name = "Actualités"
