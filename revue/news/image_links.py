"""Addresses of the image proxy: ``/img/<signed id>[/<width>]`` names one ``Image`` row.

The one place that signs image ids and reads them back (``django.core.signing`` with the
site's secret key and the ``REVUE_IMAGE_URL_SALT`` salt): the proxy (``revue.images``) reads
them, and everything that shows an image writes them — the portal's pages, its feeds out and
page metadata, and the moderators' desk. It sits in the news app, below all of them, so each
can point a browser at the proxy without importing the proxy; nobody outside Revue can forge
or enumerate an address, so the proxy serves only images the archive holds.

Whether an image may be shown (a blocked one may not, except to moderators) is decided by the
caller, not here.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

# A front page names hundreds of images, and signing an id then reversing its URL costs about
# 0.1 ms: each process keeps the addresses it made, keyed by all they depend on (the secret key,
# the salt, the URL configuration and prefix), so a new key or salt never serves an old address.
PATHS_KEPT = 20_000


def _signer() -> signing.Signer:
    return signing.Signer(salt=settings.REVUE_IMAGE_URL_SALT)


def sign(image_id: int) -> str:
    """The token of image ``image_id`` (``42:Xy…``)."""
    return _signer().sign(str(int(image_id)))


def unsign(token: str) -> int | None:
    """The image id a token names, or None when it is not one of ours."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def offered_width(width: int) -> int:
    """The proxy width (``REVUE_IMAGE_WIDTHS``) nearest above ``width``, else the largest one."""
    widths = settings.REVUE_IMAGE_WIDTHS
    wanted = int(width)
    return next((w for w in widths if w >= wanted), widths[-1])


def _path(view: str, image_id: int, width: int | None) -> str:
    width = offered_width(width) if width else None
    return _kept_path(view, int(image_id), width, settings.SECRET_KEY, settings.REVUE_IMAGE_URL_SALT,
                      settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=PATHS_KEPT)
def _kept_path(view: str, image_id: int, width: int | None, *depends_on) -> str:
    token = sign(image_id)
    return reverse(f"{view}-width", args=[token, width]) if width else reverse(view, args=[token])


def proxy_path(image_id: int, width: int | None = None) -> str:
    """``/img/<signed id>``, or ``/img/<signed id>/<width>`` at the offered width nearest above."""
    return _path("images:image", image_id, width)


def shared_path(image_id: int) -> str:
    """What other sites and programs get (feeds out, page metadata, the API): the largest width."""
    return proxy_path(image_id, settings.REVUE_IMAGE_WIDTHS[-1])


def moderation_path(image_id: int, width: int | None = None) -> str:
    """The same picture for the moderators' desk: served to moderators even when blocked."""
    return _path("images:moderation", image_id, width)
