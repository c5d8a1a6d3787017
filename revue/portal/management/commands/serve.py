"""``revue serve [--port N]``: serve the portal with waitress (a production WSGI server).

Static files are served by WhiteNoise from the app itself, so nothing else is needed on one
machine; behind a proxy on many machines, run one ``revue serve`` per machine.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def serve_wsgi(host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve

    from revue.wsgi import application

    stdout.write(f"Revue est servi sur http://{host}:{port}/ (Ctrl-C pour arrêter)")
    serve(application, host=host, port=port, threads=threads, ident="Revue", clear_untrusted_proxy_headers=True)


class Command(BaseCommand):
    help = "Serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=settings.REVUE_SERVE_THREADS)
        parser.add_argument("--no-migrate", action="store_true", help="don't apply pending migrations first")

    def handle(self, *args, host, port, threads, no_migrate=False, **options):
        if not no_migrate:
            call_command("init", stdout=self.stdout)
        serve_wsgi(host, port, threads, self.stdout)
