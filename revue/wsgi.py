"""WSGI entry point for any WSGI server (``revue serve`` runs the same guarded application under
gunicorn, set up by ``revue.portal.server``).

The application wears the same guard as under ``revue serve``: proxy headers (``X-Forwarded-*``,
``Forwarded``, ``REVUE_CLIENT_ADDRESS_HEADER``) reach Django only from an address in
``REVUE_TRUSTED_PROXIES``, so that under gunicorn or uWSGI too a reader connecting directly
cannot claim HTTPS (``SECURE_PROXY_SSL_HEADER``) or another address. Run by hand under gunicorn,
give it ``--forwarded-allow-ips ''`` as ``revue serve`` does: gunicorn's default trusts
``X-Forwarded-Proto`` from 127.0.0.1 and sets the request's scheme itself, before the guard.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
django_application = get_wsgi_application()

from revue.moderation.identity import proxy_headers_from_trusted_proxies_only  # noqa: E402  (needs the apps)

from revue.portal.streams import live_streams  # noqa: E402

# the ticker's event streams stay open without a thread under gunicorn (revue.portal.streams)
application = live_streams(proxy_headers_from_trusted_proxies_only(django_application))
