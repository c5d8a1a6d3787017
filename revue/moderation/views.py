"""The readers' side of moderation: ``/signaler/image/<id>/`` and ``/signaler/csrf/``.

Article pages are the same for every reader, so a shared cache can keep them
(``revue.portal.cache``): they carry no CSRF token and set no cookie. Their report buttons carry
what a page may hand everyone, the image's own report token (``jeton``, see ``tokens``: the same
for every reader of that page, proof that a page showed the image); what belongs to one reader,
the CSRF token, comes from these private views (``Cache-Control: private, no-store``):

* with JavaScript, the page's script asks ``GET /signaler/csrf/`` for it (JSON, with its cookie),
  then posts the report and shows the answer in place;
* without JavaScript, the button's plain form goes to ``GET /signaler/image/<id>/?jeton=…&next=…``,
  a small page that carries its own CSRF token and asks the reader to confirm; its form posts
  the report, which comes back to the article with the thank-you message shown there.

``POST /signaler/image/<id>/`` answers JSON for the page's script (``Accept: application/json``),
or — for the form — a redirect back to the article. ``next`` is followed only when it is a path
on this site (never an open redirect); else the reader goes back to an article showing the image.
A report must carry the image's token. Errors a reader can cause get a short French answer: 403
no valid token (or a stale page), 404 unknown image, 405 neither a report nor its confirmation
page, 429 too many reports from the address or its network (with ``Retry-After``). CSRF
protection is Django's, as on every form. The answer never says whether the report counted,
blocked the image or was held for a moderator.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from revue.moderation.identity import identify, remember
from revue.moderation.ratelimit import take_report_slot, too_many_reports_message
from revue.moderation.services import REPORT_THANKS, report_image
from revue.moderation.tokens import TOKEN_FIELD, TokenCheck, check_token
from revue.news.models import Article, Image

NOT_A_POST = gettext_noop("Pour signaler une image, utilisez le bouton « Signaler cette image » sous l'image.")
UNKNOWN_IMAGE = gettext_noop("Cette image n'existe pas ou plus sur Revue.")
NO_TOKEN = gettext_noop(
    "Ce signalement n'a pas été reconnu : pour signaler une image, utilisez le bouton "
    "« Signaler cette image » de la page qui la montre. Rien n'a été enregistré."
)
STALE_PAGE = gettext_noop(
    "Cette page est ouverte depuis trop longtemps : rechargez-la, puis signalez l'image à nouveau. "
    "Rien n'a été enregistré."
)


@never_cache
def report(request, image_id: int):
    """A reader reports image ``image_id`` (a GET with the image's token: the confirmation page)."""
    if request.method == "GET" and TOKEN_FIELD in request.GET:
        return confirm(request, image_id)
    if request.method != "POST":
        answer = _answer(request, NOT_A_POST, status=405)
        answer["Allow"] = "POST"
        return answer
    token = check_token(request.POST.get(TOKEN_FIELD, ""), image_id)
    if token is not TokenCheck.VALID:
        return _answer(request, STALE_PAGE if token is TokenCheck.EXPIRED else NO_TOKEN, status=403)
    reporter = identify(request)
    rate = take_report_slot(reporter.address_hash, reporter.network_hash)
    if not rate.allowed:
        answer = _answer(request, too_many_reports_message(rate.retry_after), status=429)
        answer["Retry-After"] = str(rate.retry_after)
        return answer
    try:
        report_image(image_id, reporter)
    except Image.DoesNotExist:
        return _answer(request, UNKNOWN_IMAGE, status=404)
    if wants_json(request):
        response = JsonResponse({"message": gettext(REPORT_THANKS)})
    else:
        messages.success(request, gettext(REPORT_THANKS))  # in the language of the page reported from
        response = HttpResponseRedirect(return_path(request, image_id))
    remember(response, request, reporter)
    return response


def confirm(request, image_id: int):
    """Without JavaScript: the page that asks to confirm the report, with its own CSRF token."""
    token = request.GET.get(TOKEN_FIELD, "")
    check = check_token(token, image_id)
    if check is not TokenCheck.VALID:
        return _answer(request, STALE_PAGE if check is TokenCheck.EXPIRED else NO_TOKEN, status=403)
    if not Image.objects.filter(pk=image_id).exists():
        return _answer(request, UNKNOWN_IMAGE, status=404)
    target = request.GET.get("next", "")
    context = {
        "image_id": image_id, "token_field": TOKEN_FIELD, "token": token,
        "next": target if is_same_site_path(target) else "", "back": target if is_same_site_path(target) else "/",
    }  # fmt: skip
    return render(request, "moderation/confirm.html", context)


@never_cache
@require_GET
def csrf_token(request):
    """The page's script asks here for the reader's CSRF token before it posts a report."""
    return JsonResponse({"csrf": get_token(request)})


def wants_json(request) -> bool:
    """True for the page's script, which asks for JSON; a browser's form navigation asks for HTML."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def is_same_site_path(target: str) -> bool:
    """True for ``/a/path?query``; False for anything that could leave the site."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or char == "\\" for char in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    if parts.scheme or parts.netloc:
        return False
    return url_has_allowed_host_and_scheme(target, allowed_hosts=set())


def return_path(request, image_id: int) -> str:
    """Where the plain form goes back to: its ``next`` if on this site, else an article showing the image."""
    target = request.POST.get("next", "")
    if is_same_site_path(target):
        return target
    article = (
        Article.objects.published()
        .filter(Q(image_id=image_id) | Q(images__id=image_id))
        .first()
    )
    return article.get_absolute_url() if article else "/"


def _answer(request, message: str, status: int):
    """A refusal as JSON for the script, or as a short page, in the edition's language."""
    message = gettext(message)
    if wants_json(request):
        return JsonResponse({"message": message}, status=status)
    target = request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", "")
    context = {"message": message, "back": target if is_same_site_path(target) else "/"}
    return render(request, "moderation/answer.html", context, status=status)
