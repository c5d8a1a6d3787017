"""Response headers of every page beyond Django's own and django-csp's: ``Permissions-Policy``.

Django's ``SecurityMiddleware`` writes HSTS, ``nosniff``, ``Referrer-Policy`` and
``Cross-Origin-Opener-Policy``; django-csp writes ``Content-Security-Policy`` (both configured
in ``revue.settings``). Django has nothing for ``Permissions-Policy``, which tells the browser
that no page of Revue — nor anything an outlet's text could smuggle into one — may use the
camera, the microphone, geolocation, payments and the like: ``PERMISSIONS_POLICY`` in the
settings, one feature per entry, each allowed to nobody (``()``).
"""

from __future__ import annotations

from django.conf import settings


def permissions_policy(features) -> str:
    """``camera=(), microphone=()…``: the header's value, every listed feature denied."""
    return ", ".join(f"{feature}=()" for feature in features)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
