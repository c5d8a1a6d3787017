"""Template tags that put reporting on the portal's pages.

* ``{{ article|reader_body }}`` — the article's body with blocked images replaced by the
  placeholder and a « Signaler cette image » button beside every other image;
* ``{% report_button image %}`` — the button for one image (the lead image);
* ``{% report_form %}`` — once per page that has buttons: the one hidden form they submit
  (``next`` = this page's path; no CSRF token, so that the page is the same for every reader and
  can be cached: see ``revue.moderation.views``), its stylesheet and ``moderation/report.js``.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from revue.moderation import body

register = template.Library()


def has_images(article) -> bool:
    return bool(article.image_id) or body.shows_images(article.content_html)


@register.filter
def reader_body(article):
    """The article's body as readers may see it (see ``revue.moderation.body``)."""
    return mark_safe(body.reader_body(article))  # content_html is sanitized at intake; we add escaped markup only


@register.simple_tag
def report_button(image):
    """The report button of ``image`` ('' for none or a blocked image)."""
    if image is None or image.is_blocked:
        return ""
    return body.report_button_html(image)


@register.inclusion_tag("moderation/_report_form.html", takes_context=True)
def report_form(context, article=None):
    """The page's report form, which every report button submits (nothing for an article without images)."""
    if article is not None and not has_images(article):
        return {"needed": False}
    request = context.get("request")
    return {
        "needed": True,
        "form_id": body.REPORT_FORM_ID,
        "next": request.path if request is not None else "/",
    }
