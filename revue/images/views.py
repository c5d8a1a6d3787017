"""``/img/<signed id>`` and ``/img/<signed id>/<width>``: an outlet's image from Revue's address.

Answers, in this order: 404 for an id that is not ours (bad signature, see
``revue.news.image_links``) or no longer in the archive; 400 for a width the proxy does not
make; 410 with the neutral placeholder for a blocked image (its cached files are never read);
502 with the placeholder when the outlet's image cannot be had (fetch failed, not a real
picture, too big); else the picture with its real content type, a long ``Cache-Control`` and an
ETag (304 on a match). Never a 500 for bad input.

``/img/<signed id>[/<width>]/moderation`` is the same picture for the moderators' desk, so that
no staff browser ever loads an outlet's URL: only for staff who may view the desk's images (404
for anyone else), served even when blocked (a moderator decides on what they see), and never
stored by a shared cache (``Cache-Control: private, no-store``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from revue.images import pictures, proxy
from revue.news.image_links import unsign
from revue.news.models import Image

FAILURE_CACHE_SECONDS = 300
# the desk's lists of reported and blocked images: who may see a blocked picture
DESK_PERMISSIONS = ("moderation.view_reportedimage", "moderation.view_blockedimage")


def _text(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _placeholder(status: int, reason: str, max_age: int) -> HttpResponse:
    response = HttpResponse(pictures.placeholder_png(), status=status, content_type="image/png")
    response["Cache-Control"] = f"max-age={max_age}" if max_age else "no-store"
    response["X-Revue-Image"] = reason
    return _hardened(response)


def _hardened(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Disposition"] = "inline"
    return response


@require_safe
def image(request: HttpRequest, token: str, width: int | None = None) -> HttpResponse:
    return _serve(request, token, width, for_moderators=False)


@require_safe
def moderation_image(request: HttpRequest, token: str, width: int | None = None) -> HttpResponse:
    user = request.user
    if not (user.is_active and user.is_staff and any(user.has_perm(name) for name in DESK_PERMISSIONS)):
        return _text(404, "Image inconnue.")
    response = _serve(request, token, width, for_moderators=True)
    response["Cache-Control"] = "private, no-store"
    return response


def _serve(request: HttpRequest, token: str, width: int | None, *, for_moderators: bool) -> HttpResponse:
    image_id = unsign(token)
    if image_id is None:
        return _text(404, "Image inconnue : cette adresse n'a pas été faite par Revue.")
    if width is not None and width not in settings.REVUE_IMAGE_WIDTHS:
        offered = ", ".join(str(w) for w in settings.REVUE_IMAGE_WIDTHS)
        return _text(400, f"Largeur non proposée : {width}. Largeurs possibles : {offered}.")
    found = Image.objects.filter(pk=image_id).first()
    if found is None:
        return _text(404, "Image inconnue : elle n'est plus dans les archives.")
    if found.is_blocked and not for_moderators:
        return _placeholder(410, "bloquée", 0)
    store = proxy.image_store()
    try:
        served = proxy.original(found, store)
        if width is not None:
            served = proxy.variant(found, served, width, store)
    except proxy.Unavailable:
        return _placeholder(502, "indisponible", FAILURE_CACHE_SECONDS)
    return _picture(request, found, served)


def _picture(request: HttpRequest, found: Image, served: proxy.Served) -> HttpResponse:
    etag = f'"{found.url_hash[:20]}-{served.name}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(served.data, content_type=served.picture.content_type)
        response["Content-Length"] = str(len(served.data))
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.REVUE_IMAGE_CACHE_SECONDS}, immutable"
    return _hardened(response)
