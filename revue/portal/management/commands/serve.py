"""``revue serve [--port N]``: serve the portal with waitress (a production WSGI server).

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


def serve_wsgi(host: str, port: int, threads: int, stdout) -> None:
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    application = get_wsgi_application()  # what revue/wsgi.py hands any other WSGI server

    stdout.write(f"Revue est servi sur http://{host}:{port}/ (Ctrl-C pour arrêter)")
    for line in proxy_notes():
        stdout.write(line)
    # waitress's own proxy handling trusts one exact address; the guard above knows networks
    serve(
        proxy_headers_from_trusted_proxies_only(application),
        host=host,
        port=port,
        threads=threads,
        ident="Revue",
        clear_untrusted_proxy_headers=False,
    )


class Command(BaseCommand):
    help = "Serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=settings.REVUE_SERVE_THREADS)
        parser.add_argument("--no-migrate", action="store_true", help="don't apply pending migrations first")

    def handle(self, *args, host, port, threads, no_migrate=False, **options):
        try:
            trusted_proxies()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not no_migrate:
            call_command("init", stdout=self.stdout)
        serve_wsgi(host, port, threads, self.stdout)
