"""``revue prune``: drop articles older than ``REVUE_RETENTION_DAYS`` (see ``revue.news.retention``),
in batches with a progress bar; ``--dry-run`` only counts them. It also folds the metrics files of
processes that have ended (``revue.metrics.compact``)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from revue.metrics import compact
from revue.news.retention import cutoff_for, prunable, prune


class Command(BaseCommand):
    help = "Drop articles older than REVUE_RETENTION_DAYS that no story still shows, with their images and index rows."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="keep this many days of articles (default: REVUE_RETENTION_DAYS)")
        parser.add_argument("--batch", type=int, default=None,
                            help="articles deleted per transaction (default: REVUE_PRUNE_BATCH)")
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")

    def handle(self, *args, days=None, batch=None, dry_run=False, **options):
        days = settings.REVUE_RETENTION_DAYS if days is None else days
        try:
            cutoff = cutoff_for(days)
        except ValueError as error:
            raise CommandError(f"--days / REVUE_RETENTION_DAYS: {error}") from None
        if batch is not None and batch < 1:
            raise CommandError(f"--batch {batch}: give 1 or more")
        total = prunable(cutoff).count()
        when = cutoff.strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"{total} articles publiés avant le {when} seraient supprimés")
            return
        with tqdm(total=total, desc="Purge", unit=" articles", disable=None) as bar:
            done = prune(cutoff, batch=batch, progress=bar.update)
        self.stdout.write(f"{done.articles} articles publiés avant le {when} supprimés, "
                          f"{done.stories} histoires vidées, {done.images} images")
        folded = compact()  # the metrics files of processes that have ended, folded into one
        if folded:
            self.stdout.write(f"{folded} fichiers de métriques de processus terminés regroupés")
