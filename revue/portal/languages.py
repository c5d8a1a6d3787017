"""The portal's editions: French at the root, Arabic, Spanish and English under ``/ar/``, ``/es/``, ``/en/``.

One language per URL, so that the page cache, shared caches and search engines each see one
page per address (``revue.urls`` puts the portal under Django's ``i18n_patterns`` with the
default language unprefixed; the admin, the API, the image proxy and the switch below stay
unprefixed). ``EditionMiddleware`` (in place of Django's ``LocaleMiddleware``) reads the edition
from the path alone:

* every page answers in its URL's language whatever the reader's headers or cookies, and varies
  on neither (Django's middleware would add ``Vary: Accept-Language`` to every French page);
* the one exception is a **first visit** to the French front page ``/``: a reader whose browser
  prefers Arabic, Spanish or English (``Accept-Language``) is sent to that edition's front page
  (302, ``Vary: Accept-Language``); a reader who chose an edition with the switcher carries the
  ``LANGUAGE_COOKIE_NAME`` cookie, which wins over the header there, and that answer is
  ``private`` (shared caches store only the cookie-less answers, which depend on the header alone).

The switcher links to ``/langue/<code>/?suivant=<this page's path>``: ``switch_language`` keeps
the choice in that cookie and redirects to the same page in the chosen edition (a local path
only, never a URL taken from the request). Pages themselves never set a cookie and stay public.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_noop

SWITCH_NEXT = "suivant"  # the switch's query parameter: the page to come back to
FRONT_PAGE = "/"

# The portal's sections (revue.text.categories) are rows in French; their names are translated
# when shown ({% translate category.name %}), from these entries of the catalogues.
SECTION_NAMES = (
    gettext_noop("Maroc"), gettext_noop("Politique"), gettext_noop("Économie"), gettext_noop("Société"),
    gettext_noop("Monde"), gettext_noop("Sport"), gettext_noop("Culture"), gettext_noop("Technologie"),
)  # fmt: skip


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def edition_of(path: str) -> str:
    """The language of a portal path: its prefix (``/ar/…``), else the default (French)."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def unprefixed(path: str) -> str:
    """``/ar/histoire/3/`` → ``/histoire/3/``: the path in the default edition."""
    prefix = translation.get_language_from_path(path)
    if prefix is None:
        return path
    return path[len(prefix) + 1 :] or "/"


def edition_path(path: str, code: str) -> str:
    """The same page in the edition ``code``: ``/histoire/3/`` → ``/ar/histoire/3/``."""
    base = unprefixed(path)
    return base if code == settings.LANGUAGE_CODE else f"/{code}{base}"


def chosen_language(request) -> str | None:
    """The edition the reader chose with the switcher (its cookie), if it is one of ours."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in codes() else None


def preferred_language(request) -> str:
    """The reader's browser's first language the portal has (``Accept-Language``), else French."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class EditionMiddleware:
    """Activates the language of the URL's edition; sends a first visit of ``/`` to the reader's edition."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = edition_of(request.path_info)
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        at_front = request.path_info == FRONT_PAGE and request.method in ("GET", "HEAD")
        chosen = chosen_language(request) if at_front else None
        if at_front:
            wanted = chosen or preferred_language(request)
            if wanted != code:
                response = HttpResponseRedirect(edition_path(FRONT_PAGE, wanted))
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ("Accept-Language",))
                return response
        response = self.get_response(request)
        if at_front:
            patch_vary_headers(response, ("Accept-Language",))
            if chosen:
                patch_cache_control(response, private=True)
        response.headers.setdefault("Content-Language", code)
        return response


def switch_language(request, code: str):
    """``/langue/ar/?suivant=/histoire/3/``: keep the choice in a cookie, go to that page in Arabic."""
    if code not in codes():
        raise Http404("Cette langue n'existe pas sur Revue.")
    wanted = request.GET.get(SWITCH_NEXT, FRONT_PAGE)
    if not wanted.startswith("/") or not url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        wanted = FRONT_PAGE  # a local path only: never somewhere else
    response = HttpResponseRedirect(edition_path(wanted, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
