"""Template tags of the portal: navigation, language attributes, safe links, reading times.

``{% category_nav %}`` and ``{% source_count %}`` read the briefly cached lists of
``revue.portal.queries`` (so the header and footer cost no query on a warm cache);
``{% lang_attrs article %}`` gives a title or an article its ``lang`` and ``dir``;
``{% card article %}`` writes an article's card in a list; ``{{ article|article_url }}`` (and
``outlet_url``, ``category_url``, ``story_url``) the portal's own links, as ``{% url %}`` would,
kept by each process;
``{% image_url image 640 %}``, ``{% image_srcset image %}`` and ``{{ html|proxy_images:article }}``
point images at Revue's image proxy (``/img/<signed id>``), never at the outlet, and
``shared_image_url`` gives feeds and page metadata the proxy's absolute address.
"""

from __future__ import annotations

import html
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from revue.html.images import Image, has_images, rewrite_images
from revue.moderation.body import placeholder_html
from revue.news.image_links import proxy_path, shared_path
from revue.news.models import url_hash
from revue.portal import queries
from revue.text.language import language_code

register = template.Library()

# Languages written right to left (ISO 639-1 and a few 639-3 codes outlets use).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
RELATIVE_TIME_WINDOW = timedelta(hours=24)


def language_of(article) -> str:
    """The article's language code, else its outlet's, else ''."""
    code = (getattr(article, "language", "") or "").strip()
    if not code and getattr(article, "source", None) is not None:
        code = (article.source.language or "").strip()
    return code.lower()


def is_rtl(code: str) -> bool:
    return language_code(code) in RTL_LANGUAGES


@register.simple_tag
def lang_attrs(article, auto: bool = False):
    """``lang="…" dir="…"`` for an article: ``dir="auto"`` in lists, rtl/ltr on its own page."""
    code = language_of(article)
    if auto:
        direction = "auto"
    elif code:
        direction = "rtl" if is_rtl(code) else "ltr"
    else:
        direction = "auto"
    if code:
        return format_html('lang="{}" dir="{}"', code, direction)
    return format_html('dir="{}"', direction)


@register.filter
def http_url(value) -> str:
    """``value`` if it is an http(s) URL, else '' (never a ``javascript:`` link or image)."""
    value = str(value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in {"http", "https"} else ""


@register.filter
def visible_image(article):
    """The article's lead image if it has one that is not blocked, else None."""
    image = getattr(article, "image", None)
    if image is None or image.is_blocked or not http_url(image.url):
        return None
    return image


@register.filter
def reading_time(value) -> str:
    """« il y a 5 minutes » within a day, else the date (« 20 mai 2022 »)."""
    if not value:
        return ""
    if abs(timezone.now() - value) < RELATIVE_TIME_WINDOW:
        return naturaltime(value)
    return date_format(timezone.localtime(value), "j F Y")


# --- the portal's own addresses in lists ------------------------------------------------------
# A front page links some 250 articles, outlets and stories, and ``reverse()`` costs tens of
# microseconds each: each process keeps the paths it made, keyed by all they depend on (the
# view, its arguments, the edition's language, the URL configuration and prefix), so a renamed
# outlet's new slug, or another edition, is a new key. Most of a page's links are still there
# after a renewal (a settle adds a few articles), so its first view reverses only the new ones.
PATHS_KEPT = 20_000


@lru_cache(maxsize=PATHS_KEPT)
def _kept_path(view: str, args: tuple, *depends_on) -> str:
    return reverse(view, args=args)


def portal_path(view: str, *args) -> str:
    """``reverse(view, args=args)``, kept by this process."""
    return _kept_path(view, args, get_language(), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@register.filter
def article_url(article) -> str:
    """``{{ article|article_url }}``: as ``{% url 'portal:article' article.source.slug article.pk %}``."""
    return portal_path("portal:article", article.source.slug, article.pk)


@register.filter
def outlet_url(source) -> str:
    """``{{ article.source|outlet_url }}``: as ``{% url 'portal:outlet' source.slug %}``."""
    return portal_path("portal:outlet", source.slug)


@register.filter
def category_url(category) -> str:
    """``{{ category|category_url }}``: as ``{% url 'portal:category' category.slug %}``."""
    return portal_path("portal:category", category.slug)


@register.filter
def story_url(story) -> str:
    """``{{ story|story_url }}``: as ``{% url 'portal:story' story.pk %}``."""
    return portal_path("portal:story", story.pk)


# --- an article's card in lists ---------------------------------------------------------------
# Written here rather than in an included template: a front page shows some fifty cards, and the
# template engine's include, variables and tags took about three quarters of each card's time.
# Every value from the archive is escaped as the template engine escapes it.

CARD_IMAGE_WIDTH = 320
CARD_IMAGE_SIZES = "(max-width: 40rem) 100vw, 20rem"


def _escaped(value) -> str:
    """``value`` escaped as ``{{ value }}`` writes it (Django's ``escape``, without its lazy-string wrapper)."""
    return html.escape(str(value))


@register.simple_tag
def card(article):
    """``{% card article %}``: the article's card in a list — its lead image (through the proxy;
    a placeholder when blocked), its title in its own language, its outlet and its time."""
    url = _escaped(article_url(article))
    image = visible_image(article)
    if image is not None:
        size = f' width="{localize(image.width)}" height="{localize(image.height)}"' if image.width and image.height else ""
        picture = (f'<a class="card__image" href="{url}" tabindex="-1" aria-hidden="true"><img '
                   f'src="{_escaped(image_url(image, CARD_IMAGE_WIDTH))}" srcset="{_escaped(image_srcset(image))}" '
                   f'sizes="{CARD_IMAGE_SIZES}" alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer"{size}></a>')
    elif article.image is not None and article.image.is_blocked:
        removed = _escaped(gettext("Image retirée"))
        picture = f'<div class="card__image image-placeholder" role="img" aria-label="{removed}"><span>{removed}</span></div>'
    else:
        picture = ""
    source, published = article.source, article.published_at
    return mark_safe(
        f'<article class="card">\n  {picture}\n'
        f'  <h3 class="card__title" {lang_attrs(article, auto=True)}><a href="{url}">{_escaped(article.title)}</a></h3>\n'
        f'  <p class="card__meta"><a class="card__source" href="{_escaped(outlet_url(source))}"><bdi>{_escaped(source.name)}</bdi></a>'
        f' · <time datetime="{timezone.template_localtime(published).isoformat()}">{_escaped(reading_time(published))}</time></p>\n'
        "</article>\n"
    )


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def category_nav(context):
    """The header's category links, the current one marked."""
    current = context.get("current_category")
    return {
        "categories": queries.categories(),
        "current_slug": getattr(current, "slug", None),
    }


@register.simple_tag
def source_count() -> int:
    """How many outlets the portal follows."""
    return queries.active_source_count()


# --- images through Revue's image proxy ---------------------------------------------------------
# Readers' browsers never ask an outlet for an image: every <img> points at /img/<signed id>
# (revue.news.image_links). A blocked image gets no address at all, so blocking applies to every
# page at once.

BODY_IMAGE_WIDTH = 640
BODY_IMAGE_SIZES = "(max-width: 48rem) 100vw, 48rem"


def proxied(image) -> bool:
    """Whether ``image`` has a proxy address: an ``Image`` row that is not blocked."""
    return image is not None and getattr(image, "pk", None) is not None and not image.is_blocked


def proxy_url(image, width=None) -> str:
    """``/img/<signed id>[/<width>]`` for an ``Image``, or '' for none or a blocked one."""
    return proxy_path(image.pk, width) if proxied(image) else ""


def shared_image_url(request, image) -> str:
    """The absolute proxy address other sites get (feeds out, OpenGraph, JSON-LD): the largest
    proxy width, on this portal's host; '' for none or a blocked image."""
    path = shared_path(image.pk) if proxy_url(image) else ""
    return request.build_absolute_uri(path) if path and request is not None else path


@register.simple_tag
def image_url(image, width=None) -> str:
    """``{% image_url image 640 %}``: the proxy address of ``image`` at about that width."""
    return proxy_url(image, width)


@register.simple_tag
def image_srcset(image, address=str) -> str:
    """``srcset`` of every proxy width up to the picture's own (all of them while unknown);
    ``address`` turns a proxy path into the address written (absolute, for the API)."""
    if not proxied(image):
        return ""
    widths = [w for w in settings.REVUE_IMAGE_WIDTHS if not image.width or w <= image.width]
    candidates = [f"{address(proxy_url(image, w))} {w}w" for w in widths]
    if image.width and image.width not in widths:
        candidates.append(f"{address(proxy_url(image))} {image.width}w")
    return ", ".join(candidates)


def _images_by_hash(article) -> dict:
    images = list(article.images.all()) if getattr(article, "pk", None) else []
    if getattr(article, "image", None) is not None:
        images.append(article.image)
    return {image.url_hash or url_hash(image.url): image for image in images}


def _proxied_attributes(shown: Image, image, address) -> list[tuple[str, str]]:
    """The attributes of one ``<img>`` pointed at the proxy (its ``src`` becomes the proxy's
    ``src``, ``srcset`` and ``sizes``), lazy, with its size when known."""
    written = shown.attributes
    names = {name for name, _ in written}
    extra = []
    if "loading" not in names:
        extra.append(("loading", "lazy"))
    if "decoding" not in names:
        extra.append(("decoding", "async"))
    if image.width and image.height and "width" not in names and "height" not in names:
        extra += [("width", str(int(image.width))), ("height", str(int(image.height)))]
    proxied = [("src", address(proxy_url(image, BODY_IMAGE_WIDTH))), ("srcset", image_srcset(image, address)),
               ("sizes", BODY_IMAGE_SIZES)]
    kept = []
    for name, value in written:
        if name == "src":
            kept.extend(proxied)
        elif name not in ("srcset", "sizes"):  # only the proxy's own: never a second source
            kept.append((name, value))
    return extra + kept


@register.filter(is_safe=True)
def proxy_images(body_html, article):
    """``{{ article|reader_body|proxy_images:article }}``: the body's images served by the proxy
    (``proxied_body`` with the portal's own paths)."""
    return proxied_body(body_html, article)


def proxied_body(body_html, article, address=str):
    """The body's images served by the proxy; ``address`` turns a proxy path into the address
    written (the API gives absolute ones).

    Composes with the moderation filter (``reader_body``) in either order: an image whose
    ``Image`` row is blocked becomes the moderation placeholder here too, an image Revue has no
    row for is left out (never hot-linked from the outlet), and ``<img>`` tags that do not point
    at an outside http(s) URL (the portal's own) are kept as they are.
    """
    html = str(body_html or "")
    if not has_images(html):
        return mark_safe(html)  # content_html is sanitized at intake
    known = _images_by_hash(article)

    def rewrite(shown: Image) -> None:
        if not http_url(shown.src):
            return
        image = known.get(url_hash(shown.src))
        if image is None:
            shown.replace("")
        elif image.is_blocked:
            shown.replace(placeholder_html())
        else:
            shown.set_attributes(_proxied_attributes(shown, image, address))

    return mark_safe(rewrite_images(html, rewrite))  # images found and rewritten by revue.html.images
