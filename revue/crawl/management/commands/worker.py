"""``revue worker``: a crawler worker that runs until stopped (``revue crawl --forever``).

Run as many as you like, on one machine or many, against PostgreSQL: they share the due
feeds through leases (see ``revue.crawl.schedule``). On SQLite run one.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a crawler worker until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--idle", type=float, default=30.0, help="seconds to sleep when nothing is due")

    def handle(self, *args, idle=30.0, **options):
        call_command("crawl", forever=True, idle=idle, stdout=self.stdout, stderr=self.stderr)
