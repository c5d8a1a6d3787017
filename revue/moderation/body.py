"""Article HTML as readers may see it: blocked images replaced, a report button beside the others.

``content_html`` is stored once, sanitized, and never rewritten when an image gets blocked (the
image row is shared by every article showing it, and its state can change back). So the body is
adjusted when it is shown:

* ``reader_body(article)`` — for the article page: every ``<img>`` whose URL is a blocked
  ``Image`` becomes the neutral placeholder; every other known image gets ``data-image-id`` and,
  right after it (after its link, when the link holds only the image), a « Signaler cette image »
  button tied to the page's one report form (``form="signalement-image"``), so reporting works
  without JavaScript too and the paragraph structure stays valid (a ``<button>`` is phrasing
  content, a ``<form>`` would close the paragraph). The button carries the image's report token
  (``revue.moderation.tokens``): only a page showing the image lets a reader report it.
* ``without_blocked_images(article)`` — the same without buttons, for syndication feeds and the
  API. Use ``prefetch_related("images")`` on a list of articles to read them in one query.

Images map to ``Image`` rows by URL, exactly as the crawl linked them (the ``src`` with its
entities decoded, then ``url_hash``). The images are found and edited by ``revue.html.images``
(lxml), the one reader of ``<img>`` the crawl and the portal share; the rest of the body, nh3's
canonical output, is written back byte for byte.
"""

from __future__ import annotations

from typing import Iterable

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi, gettext, gettext_noop

from revue.html import images as html_images
from revue.moderation.tokens import TOKEN_FIELD, token_for
from revue.news.models import Image, url_hash

REPORT_FORM_ID = "signalement-image"
REPORT_LABEL = gettext_noop("Signaler cette image")  # in the edition's language (revue.portal.languages)
PLACEHOLDER_LABEL = gettext_noop("Image retirée")


def interface_direction() -> str:
    """``rtl`` in the Arabic edition: the button and placeholder speak the page's language, not the article's."""
    return "rtl" if get_language_bidi() else "ltr"


def placeholder_html() -> str:
    """The neutral stand-in for a blocked image (phrasing content: valid inside a paragraph)."""
    return format_html(
        '<span class="image-placeholder image-placeholder--inline" role="img" aria-label="{}" lang="{}" dir="{}">'
        "<span>{}</span></span>",
        gettext(PLACEHOLDER_LABEL),
        get_language(),
        interface_direction(),
        gettext(PLACEHOLDER_LABEL),
    )


def report_button_html(image: Image) -> str:
    """The « Signaler cette image » button for ``image``, tied to the page's report form; it
    sends the image's report token with the form (a submit button's name and value)."""
    return format_html(
        '<button type="submit" class="report-image" form="{}" formaction="{}" data-image-id="{}" '
        'name="{}" value="{}" lang="{}" dir="{}">{}</button>',
        REPORT_FORM_ID,
        reverse("moderation:report-image", args=[image.pk]),
        image.pk,
        TOKEN_FIELD,
        token_for(image.pk),
        get_language(),
        interface_direction(),
        gettext(REPORT_LABEL),
    )


def images_by_hash(images: Iterable[Image]) -> dict[str, Image]:
    return {image.url_hash or url_hash(image.url): image for image in images}


def rewrite_images(content_html: str, images: Iterable[Image], *, report_buttons: bool) -> str:
    """``content_html`` with blocked images replaced and, if asked, report buttons added."""
    if not shows_images(content_html):
        return content_html
    known = images_by_hash(images)
    if not report_buttons and not any(image.is_blocked for image in known.values()):
        return content_html

    def rewrite(shown: html_images.Image) -> None:
        src = shown.src
        image = known.get(url_hash(src)) if src else None
        if image is None:
            return
        if image.is_blocked:
            shown.replace_shown(placeholder_html())  # the link that holds only the image goes too
        elif report_buttons:
            marked = [(name, value) for name, value in shown.attributes if name != "data-image-id"]
            shown.set_attributes([("data-image-id", str(image.pk)), *marked])
            shown.insert_after(report_button_html(image))  # after the link that holds only the image

    return html_images.rewrite_images(content_html, rewrite)


def shows_images(content_html: str) -> bool:
    """Whether the HTML has any ``<img>`` at all (no query is needed when it has none)."""
    return html_images.has_images(content_html)


def _images_of(article) -> list[Image]:
    """The article's images (one query; none with ``prefetch_related("images")``)."""
    images = list(article.images.all())
    if article.image_id and all(image.pk != article.image_id for image in images) and article.image is not None:
        images.append(article.image)
    return images


def reader_body(article) -> str:
    """The article's body for its page: placeholders for blocked images, report buttons for others."""
    if not shows_images(article.content_html):
        return article.content_html
    return rewrite_images(article.content_html, _images_of(article), report_buttons=True)


def without_blocked_images(article) -> str:
    """The article's body for feeds and the API: blocked images replaced by the placeholder."""
    if not shows_images(article.content_html):
        return article.content_html
    return rewrite_images(article.content_html, _images_of(article), report_buttons=False)
