"""Signed image ids: ``/img/42:Xy…`` names image 42, and only Revue can write that address.

The signature (``django.core.signing`` with the site's secret key and the
``REVUE_IMAGE_URL_SALT`` salt, which the portal's ``image_url`` tag uses too) makes ids
impossible to enumerate or forge, so the proxy serves only images the archive holds.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing


def _signer() -> signing.Signer:
    return signing.Signer(salt=settings.REVUE_IMAGE_URL_SALT)


def sign(image_id: int) -> str:
    return _signer().sign(str(int(image_id)))


def unsign(token: str) -> int | None:
    """The image id a token names, or None when it is not one of ours."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
