"""The portal's pages: front page, article, story, outlet and category.

Each view is a few lines over ``revue.portal.queries``; lists go through
``revue.portal.pagination`` (no COUNT, 400 on a bad ``?page=``, 404 past the end).
Redirects only ever go to URLs built from our own database, never to one taken from the request.
"""

from __future__ import annotations

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from revue.news.models import Article, Category, Story
from revue.portal import queries
from revue.portal.pagination import InvalidPageNumber, Page, page_number
from revue.sources.models import Source, reserved_slugs


def home(request):
    """The ticker of the latest headlines, then the latest articles of each category."""
    return render(request, "portal/home.html", {"front": queries.front_page()})


def article(request, slug: str, pk: int):
    """One article, credited to its outlet and linked to its original; 301 to its one true URL."""
    item = get_object_or_404(Article.objects.published(), pk=pk)
    canonical = reverse("portal:article", args=[item.source.slug, item.pk])
    if request.path != canonical:  # wrong outlet slug, or a trailing slash
        return HttpResponsePermanentRedirect(canonical)
    context = {
        "article": item,
        "current_category": item.category,
        "others": queries.other_articles(item),
        "coverage": queries.coverage(item),
    }
    return render(request, "portal/article.html", context)


def story(request, pk: int):
    """One story: every outlet's article about it, with its language and time."""
    page = queries.story_page(get_object_or_404(Story.objects.select_related("lead__source"), pk=pk))
    if not page.entries:
        raise Http404("Cette histoire n'existe pas.")
    return render(request, "portal/story.html", {"page": page, "story": page.story})


def outlet(request, slug: str):
    """An outlet's articles, newest first."""
    if slug in reserved_slugs():
        raise Http404("Cette page n'existe pas.")
    source = get_object_or_404(Source, slug=slug, is_active=True)
    return list_page(request, queries.outlet_articles(source), "portal/outlet.html", {"source": source})


def category(request, slug: str):
    """A category's articles, newest first."""
    section = get_object_or_404(Category, slug=slug)
    context = {"category": section, "current_category": section}
    return list_page(request, queries.category_articles(section), "portal/category.html", context)


def list_page(request, queryset, template_name: str, context: dict):
    """Render page ``?page=N`` of ``queryset`` with ``template_name``; 400 on a bad number."""
    try:
        number = page_number(request.GET.get("page"))
    except InvalidPageNumber as exc:
        return render(request, "portal/bad_request.html", {"message": str(exc)}, status=400)
    page = Page.of(queryset, number)
    if number > 1 and not page.items:
        raise Http404("Cette page n'existe pas.")
    return render(request, template_name, {**context, "page": page})
