"""``revue serve [--port N]``: serve the portal with gunicorn, one process per core (``revue.portal.server``).

``--server waitress`` serves it with waitress instead (threads in one process: one core), as
before; ``--workers``/``--threads`` (``REVUE_SERVE_WORKERS``, ``REVUE_SERVE_THREADS``) size it.
Static files are served by WhiteNoise from the app itself, so nothing else is needed on one
machine; behind a proxy on many machines, run one ``revue serve`` per machine and list the
proxies in ``REVUE_TRUSTED_PROXIES``. Proxy headers (``X-Forwarded-*``, ``Forwarded`` and the
header named by ``REVUE_CLIENT_ADDRESS_HEADER``) reach the portal only from a connection whose
address is a trusted proxy; from any other they are dropped before Django sees them, so a
reader who connects directly cannot claim another address. The reader's address itself is read
by ``revue.moderation.identity.client_address`` (right-most untrusted entry of the header).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from revue.moderation.identity import proxy_headers_from_trusted_proxies_only, trusted_proxies


def proxy_notes() -> list[str]:
    """What the operator should know about proxies at start: who is trusted, and settings that do nothing."""
    proxies = ", ".join(str(network) for network in trusted_proxies())
    header = settings.REVUE_CLIENT_ADDRESS_HEADER.strip()
    notes = [f"Proxys de confiance : {proxies} (adresse du lecteur : {header or 'celle de la connexion'})"] if proxies else []
    if header and not proxies:
        notes.append(
            f"Attention : REVUE_CLIENT_ADDRESS_HEADER={header} n'est lu que sur les connexions de "
            "REVUE_TRUSTED_PROXIES, qui est vide : chaque lecteur a l'adresse de sa connexion."
        )
    if os.environ.get("REVUE_TRUSTED_PROXY_COUNT"):
        notes.append(
            "Attention : REVUE_TRUSTED_PROXY_COUNT n'existe plus ; listez vos proxys dans REVUE_TRUSTED_PROXIES "
            "(l'adresse du lecteur est l'entrée la plus à droite de l'en-tête qui n'en est pas un)."
        )
    return notes


def serve_wsgi(host: str, port: int, threads: int, stdout, server: str = "gunicorn", workers: int = 0) -> None:
    from django.core.wsgi import get_wsgi_application

    application = proxy_headers_from_trusted_proxies_only(get_wsgi_application())  # as revue/wsgi.py does
    notes = proxy_notes()
    if server == "waitress":
        from waitress import serve

        stdout.write(f"Revue est servi sur http://{host}:{port}/ (waitress, {threads} fils ; Ctrl-C pour arrêter)")
        for line in notes:
            stdout.write(line)
        # waitress's own proxy handling trusts one exact address; the guard above knows networks
        serve(application, host=host, port=port, threads=threads, ident="Revue", clear_untrusted_proxy_headers=False)
        return

    from revue.portal import server as gunicorn_server

    workers = workers or gunicorn_server.cores()
    stdout.write(f"Revue est servi sur http://{host}:{port}/ ({workers} processus de {threads} fils ; Ctrl-C pour arrêter)")
    for line in notes:
        stdout.write(line)
    stdout.flush()
    gunicorn_server.serve(
        application, host, port, workers=workers, threads=threads,
        timeout=settings.REVUE_SERVE_TIMEOUT, access_log=settings.REVUE_SERVE_ACCESS_LOG,
    )  # fmt: skip


class Command(BaseCommand):
    help = "Serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.REVUE_SERVE_WORKERS,
                            help="processes (gunicorn); 0: one per core")
        parser.add_argument("--threads", type=int, default=settings.REVUE_SERVE_THREADS, help="threads per process")
        parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn",
                            help="gunicorn (processes and threads, default) or waitress (threads in one process)")
        parser.add_argument("--no-migrate", action="store_true", help="don't apply pending migrations first")

    def handle(self, *args, host, port, threads, workers=0, server="gunicorn", no_migrate=False, **options):
        try:
            trusted_proxies()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not no_migrate:
            call_command("init", stdout=self.stdout)
        serve_wsgi(host, port, threads, self.stdout, server=server, workers=workers)
