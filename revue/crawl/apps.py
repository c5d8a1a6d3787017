from django.apps import AppConfig


class CrawlConfig(AppConfig):
    name = "revue.crawl"
    label = "crawl"
    verbose_name = "Collecte"
