"""WSGI entry point (``revue serve`` runs it under waitress; any WSGI server can).

The application wears the same guard as under ``revue serve``: proxy headers (``X-Forwarded-*``,
``Forwarded``, ``REVUE_CLIENT_ADDRESS_HEADER``) reach Django only from an address in
``REVUE_TRUSTED_PROXIES``, so that under gunicorn or uWSGI too a reader connecting directly
cannot claim HTTPS (``SECURE_PROXY_SSL_HEADER``) or another address.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
django_application = get_wsgi_application()

from revue.moderation.identity import proxy_headers_from_trusted_proxies_only  # noqa: E402  (needs the apps)

application = proxy_headers_from_trusted_proxies_only(django_application)
