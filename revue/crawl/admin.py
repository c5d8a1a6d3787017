"""The admin of per-outlet extraction rules, with a preview that runs a rule on a real page.

``ExtractionRule`` lives in the sources app (an outlet's settings), but its admin is here: the
preview needs the crawl stages (guarded fetch, extract) and sources must not import crawl. The
preview page (``…/extractionrule/<id>/apercu/?url=…``) fetches the URL through the guarded
fetcher and shows the article extracted with the selectors typed in its form (the saved ones at
first) beside the article extracted without any rule, so an operator sees what the rule changes
before saving it. Bad selectors and failed fetches are explained on the page, never a 500.

The extracted HTML is shown as text and links only: each ``<img>`` becomes its address written
out (``[image : https://…]``), since these pictures have no row in the archive yet and so no
image-proxy address, and an operator's browser must never load an outlet-chosen URL (a hostile
outlet would learn the operator's address, or aim their browser at internal hosts).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from revue.crawl import health_admin  # noqa: F401 (registers source health: the feed and outlet admins)
from revue.crawl.websub import admin as websub_admin  # noqa: F401 (registers WebSub subscriptions, read-only)
from revue.crawl.extract import ExtractedArticle, extract
from revue.net.fetch import PAGE_ACCEPT, FetchError, FetchLimits, fetch_sync
from revue.crawl.pipeline import decode_page
from revue.crawl.rules import NO_RULES, ExtractionRules, parse_selectors, selector_errors
from revue.html.fragment import escape_text
from revue.html.images import Image, rewrite_images
from revue.sources.models import ExtractionRule


def _check_selectors(text: str) -> str:
    problems = selector_errors(parse_selectors(text))
    if problems:
        raise ValidationError(problems)
    return text


class ExtractionRuleForm(forms.ModelForm):
    sample_url = forms.URLField(label="Page d'exemple", max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = ExtractionRule
        fields = ("source", "host", "keep_selectors", "drop_selectors", "sample_url", "note", "is_active")

    def clean_keep_selectors(self) -> str:
        return _check_selectors(self.cleaned_data.get("keep_selectors", ""))

    def clean_drop_selectors(self) -> str:
        return _check_selectors(self.cleaned_data.get("drop_selectors", ""))


class PreviewForm(forms.Form):
    url = forms.URLField(label="Page d'article", max_length=2000, assume_scheme="https")
    keep_selectors = forms.CharField(label="À garder", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    drop_selectors = forms.CharField(label="À retirer", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_keep_selectors(self) -> str:
        return _check_selectors(self.cleaned_data.get("keep_selectors", ""))

    def clean_drop_selectors(self) -> str:
        return _check_selectors(self.cleaned_data.get("drop_selectors", ""))

    def rules(self) -> ExtractionRules:
        return ExtractionRules(
            keep=parse_selectors(self.cleaned_data["keep_selectors"]),
            drop=parse_selectors(self.cleaned_data["drop_selectors"]),
        )


def images_as_text(fragment: str) -> str:
    """``fragment`` (sanitized article HTML) with every ``<img>`` replaced by its address as text."""

    def as_text(image: Image) -> None:
        image.replace(f'<span class="image-address">[image : {escape_text(image.src or "?")}]</span>')

    return rewrite_images(fragment, as_text)


@dataclass(frozen=True)
class Preview:
    """One page extracted with and without the rule (or why it could not be)."""

    url: str
    with_rule: ExtractedArticle | None = None
    without_rule: ExtractedArticle | None = None
    error: str = ""


def run_preview(url: str, rules: ExtractionRules, limits: FetchLimits) -> Preview:
    """Fetch ``url`` through the guarded fetcher and extract it with and without ``rules``."""
    try:
        result = fetch_sync(url, limits, accept=PAGE_ACCEPT)
    except FetchError as error:
        return Preview(url=url, error=f"La page n'a pas pu être lue : {error}")
    html = decode_page(result.content, result.content_type)
    return Preview(
        url=result.final_url,
        with_rule=_shown(extract(html, result.final_url, rules=rules)),
        without_rule=_shown(extract(html, result.final_url, rules=NO_RULES)),
    )


def _shown(article: ExtractedArticle) -> ExtractedArticle:
    return dataclasses.replace(article, html=images_as_text(article.html))


@admin.register(ExtractionRule)
class ExtractionRuleAdmin(admin.ModelAdmin):
    form = ExtractionRuleForm
    list_display = ("source", "host", "is_active", "updated_at", "preview_link")
    list_filter = ("is_active",)
    search_fields = ("host", "source__name", "note")
    list_select_related = ("source",)
    raw_id_fields = ("source",)
    readonly_fields = ("preview_link",)

    @admin.display(description="aperçu")
    def preview_link(self, rule: ExtractionRule) -> str:
        if not rule.pk:
            return "enregistrez la règle pour la prévisualiser"
        return format_html('<a href="{}">Prévisualiser sur une page</a>', reverse("admin:sources_extractionrule_preview", args=[rule.pk]))

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:rule_id>/apercu/", preview, name="sources_extractionrule_preview"), *super().get_urls()]

    def preview_view(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        rule = get_object_or_404(ExtractionRule, pk=rule_id)
        if not self.has_view_permission(request, rule):
            raise PermissionDenied
        initial = {"url": rule.sample_url, "keep_selectors": rule.keep_selectors, "drop_selectors": rule.drop_selectors}
        form = PreviewForm(request.GET if "url" in request.GET else None, initial=initial)
        preview = None
        if form.is_bound and form.is_valid():
            preview = run_preview(form.cleaned_data["url"], form.rules(), FetchLimits.from_settings())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Aperçu de la règle : {rule}",
            "opts": self.model._meta,
            "original": rule,
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/crawl/extractionrule_preview.html", context)
