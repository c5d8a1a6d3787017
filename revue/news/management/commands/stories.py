"""``revue stories rebuild|update|status``: the stories the crawler builds as it stores articles.

``rebuild`` forgets every story and clusters the whole archive again in the order the articles
were first clustered — the result is the one the crawler reached incrementally (run it after
changing a ``REVUE_STORY_*`` setting; story numbers change). ``update`` clusters the articles
that have no story yet (an archive from before stories, a batch whose clustering failed).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from revue.news.models import Article, Story
from revue.news.stories.store import rebuild_stories, update_stories


def plural(count: int) -> str:
    """French plural: 0 and 1 are singular."""
    return "s" if count > 1 else ""


class Command(BaseCommand):
    help = "Rebuild, complete or describe the stories (articles about one event, from many outlets)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="forget every story and cluster the whole archive again")
        rebuild.add_argument("--batch", type=int, default=None, help="articles per batch (REVUE_STORY_BATCH)")
        update = sub.add_parser("update", help="cluster the articles that have no story yet")
        update.add_argument("--batch", type=int, default=None, help="articles per batch (REVUE_STORY_BATCH)")
        sub.add_parser("status", help="how many stories, how many articles without one")

    def handle(self, *args, action, verbosity=1, **options):
        self.verbosity = verbosity
        getattr(self, f"_{action}")(**options)

    def _progress(self, total: int):
        done = [0]

        def step(count: int) -> None:
            done[0] += count
            if self.verbosity >= 2 or done[0] == total:
                self.stdout.write(f"  {done[0]}/{total} articles")

        return step

    def _rebuild(self, batch, **_):
        total = Article.objects.count()
        started = time.monotonic()
        count = rebuild_stories(batch=batch, progress=self._progress(total))
        self.stdout.write(f"histoires reconstruites : {count} articles en {Story.objects.count()} histoires "
                          f"({time.monotonic() - started:.1f} s)")

    def _update(self, batch, **_):
        total = Article.objects.filter(fingerprint__isnull=True).count()
        count = update_stories(batch=batch, progress=self._progress(total))
        self.stdout.write(f"{count} article{plural(count)} rangé{plural(count)} dans leurs histoires")

    def _status(self, **_):
        stories = Story.objects.count()
        shared = Story.objects.filter(outlet_count__gt=1).count()
        waiting = Article.objects.filter(fingerprint__isnull=True).count()
        copies = Article.objects.filter(duplicate_of__isnull=False).count()
        languages = Story.objects.filter(languages__contains=",").count()
        self.stdout.write(f"{stories} histoires, dont {shared} couvertes par plusieurs sources et "
                          f"{languages} en plusieurs langues ; {copies} reprises liées à leur original ; "
                          f"{waiting} article{plural(waiting)} sans histoire")
