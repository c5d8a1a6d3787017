"""``revue crawl [--forever]``: fetch every due feed once (or keep going), with a summary."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand
from django.utils import timezone

from revue.crawl.progress import CrawlProgress
from revue.crawl.worker import Crawler
from revue.sources.models import Feed


class Command(BaseCommand):
    help = "Fetch every feed that is due and store the new articles."

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true", help="keep crawling what becomes due until stopped")
        parser.add_argument("--all", action="store_true", help="fetch every active feed now, due or not")
        parser.add_argument("--idle", type=float, default=30.0, help="seconds to sleep when nothing is due")

    def handle(self, *args, forever=False, all=False, idle=30.0, **options):
        if all:
            Feed.objects.active().update(next_fetch_at=timezone.now())
        if forever:
            return self._forever(idle)
        self._once()

    def _once(self):
        progress = CrawlProgress(Feed.objects.due().count())
        try:
            summary = Crawler(on_feed_done=progress).run_once()
        finally:
            progress.close()
        self.stdout.write(summary.line())
        for failure in summary.failures[:20]:
            self.stdout.write(f"  ✗ {failure.url} — {failure.error}")
        if len(summary.failures) > 20:
            self.stdout.write(f"  … et {len(summary.failures) - 20} autres (voir « revue sources list »)")
        return summary

    def _forever(self, idle: float):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write("collecte continue ; Ctrl-C pour arrêter")
        try:
            Crawler().run_forever(idle_seconds=idle, stop=lambda: bool(stopping))
        except KeyboardInterrupt:
            self.stdout.write("arrêt demandé")
