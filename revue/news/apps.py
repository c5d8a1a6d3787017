from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_search_index(sender, using="default", **kwargs) -> None:
    """After ``migrate``: put the search triggers back and index what was queued meanwhile.

    SQLite drops a table's triggers when a migration rebuilds it (``revue.news.search``).
    """
    from django.db import connections

    from revue.news import search

    index = search.backend(connections[using])
    if index is None or not index.exists():
        return
    index.ensure_triggers()
    if using == "default":
        search.index_pending()


class NewsConfig(AppConfig):
    name = "revue.news"
    label = "news"
    verbose_name = "Actualités"

    def ready(self) -> None:
        post_migrate.connect(restore_search_index, sender=self, dispatch_uid="revue.news.restore_search_index")
