"""``revue search reindex``: rebuild the search index of every article (after a time-zone or
normalisation change, or to repair it); ``revue search pending``: index what is queued."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from revue.news import search
from revue.news.models import Article


class Command(BaseCommand):
    help = "Maintain the search index."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex", "pending"])

    def handle(self, *args, action, **options):
        if action == "pending":
            self.stdout.write(f"{search.index_pending()} articles indexés")
            return
        batch = settings.REVUE_SEARCH_INDEX_BATCH
        ids = Article.objects.order_by("id").values_list("id", flat=True)
        done = 0
        with tqdm(total=ids.count(), desc="Indexation", unit=" articles", disable=None) as bar:
            last = 0
            while chunk := list(ids.filter(id__gt=last)[:batch]):
                done += search.index_articles(chunk)
                last = chunk[-1]
                bar.update(len(chunk))
        self.stdout.write(f"{done} articles indexés")
