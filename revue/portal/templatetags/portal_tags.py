"""Template tags of the portal: navigation, language attributes, safe links, reading times.

``{% category_nav %}`` and ``{% source_count %}`` read the briefly cached lists of
``revue.portal.queries`` (so the header and footer cost no query on a warm cache);
``{% lang_attrs article %}`` gives a title or an article its ``lang`` and ``dir``;
``{% image_url image 640 %}``, ``{% image_srcset image %}`` and ``{{ html|proxy_images:article }}``
point images at Revue's image proxy (``/img/<signed id>``), never at the outlet, and
``shared_image_url`` gives feeds and page metadata the proxy's absolute address.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


def proxy_url(image, width=None) -> str:
    """``/img/<signed id>[/<width>]`` for an ``Image``, or '' for none or a blocked one."""
    if image is None or getattr(image, "pk", None) is None or image.is_blocked:
        return ""
    return proxy_path(image.pk, width)


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
    if proxy_url(image) == "":
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
