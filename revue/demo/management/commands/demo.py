"""``revue demo [--port N]``: the portal on the offline demo press, in one command.

Migrates the database in the data folder, starts the demo press on loopback, follows its
outlets, crawls them (with a progress bar) and serves the portal. Run again, it reuses the
database, and the press publishes a new edition, so only what is new is taken in.
"""

from __future__ import annotations

from datetime import datetime, timezone

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from revue.crawl.progress import CrawlProgress
from revue.crawl.worker import Crawler
from revue.demo.content import DemoPress
from revue.demo.server import serve_press
from revue.sources.services import FeedSpec, follow


class Command(BaseCommand):
    help = "Run the portal on the offline demo press."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="the portal's port (default 8000)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--press-port", type=int, default=8001, help="the demo press's port (default 8001)")
        parser.add_argument("--no-serve", action="store_true", help="crawl the press, then stop")

    def handle(self, *args, port, host, press_port, no_serve=False, **options):
        call_command("init", stdout=self.stdout)
        edition, anchor = self._edition()
        press = DemoPress(now=anchor, edition=edition)
        try:
            running = serve_press(press, port=press_port)
        except OSError as error:
            raise CommandError(f"le port {press_port} de la presse de démo est pris ({error}) ; essayez --press-port") from None
        # The press lives on loopback, which the outbound guard refuses by default.
        settings.REVUE_FETCH_ALLOW = [*settings.REVUE_FETCH_ALLOW, "127.0.0.1"]
        settings.REVUE_HOST_DELAY = 0  # every outlet of the press is one host: ours, and fast
        self.stdout.write(f"Presse de démo (édition {edition}) : {running.base_url}/")
        try:
            feed_ids = self._follow(running)
            progress = CrawlProgress(len(feed_ids), label="Collecte de la presse de démo")
            try:
                summary = Crawler(on_feed_done=progress).run_once(feed_ids=feed_ids)
            finally:
                progress.close()
            self.stdout.write(summary.line())
            self._remember(edition + 1, anchor)
            if not no_serve:
                from revue.portal.management.commands.serve import serve_wsgi

                self.stdout.write(f"\n  ➜  Ouvrez http://{host}:{port}/\n")
                serve_wsgi(host, port, settings.REVUE_SERVE_THREADS, self.stdout)
        finally:
            running.close()

    def _follow(self, running) -> list[int]:
        ids = []
        for outlet, url, hint in running.feed_urls():
            followed = follow(
                FeedSpec(
                    feed_url=url,
                    outlet_name=outlet.name,
                    slug=outlet.slug,
                    homepage=f"{running.base_url}/{outlet.slug}/",
                    language=outlet.language,
                    country=outlet.country,
                    category_hint=hint,
                )
            )
            ids.append(followed.feed.id)
        return ids

    def _state_file(self):
        return settings.DATA_DIR / "demo-press"

    def _edition(self) -> tuple[int, datetime]:
        """The press's edition for this run and its clock (fixed at the first run)."""
        try:
            edition, stamp = self._state_file().read_text().split()
            return int(edition), datetime.fromisoformat(stamp)
        except (FileNotFoundError, ValueError):
            now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
            return 0, now

    def _remember(self, edition: int, anchor: datetime) -> None:
        self._state_file().write_text(f"{edition} {anchor.isoformat()}\n")
