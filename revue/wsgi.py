"""WSGI entry point (``revue serve`` runs it under waitress; any WSGI server can)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
application = get_wsgi_application()
