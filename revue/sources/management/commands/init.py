"""``revue init``: create or migrate the database in the data folder."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or migrate Revue's database (SQLite in REVUE_DATA_DIR, or REVUE_DATABASE_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--default-sources", action="store_true", help="also follow the default outlet list")

    def handle(self, *args, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"PostgreSQL {db['HOST']}/{db['NAME']}"
        self.stdout.write(f"Base de données prête : {where}")
        if options["default_sources"]:
            call_command("sources", "defaults", stdout=self.stdout)
