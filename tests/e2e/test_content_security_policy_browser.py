"""The Content-Security-Policy in a real browser (Debian's chromium, driven by Playwright, on a
live server): no page a reader or a moderator opens breaks it, and no page makes the browser ask
anything of another origin — the outlet's images included, which a hostile outlet could point at
a moderator's internal hosts (issue #15, items 4 and 6).

The portal's pages (home, an article with a lead and an inline image, search, a story, an
outlet), then the admin as a moderator (the index, the moderators' desk with a reported and a
blocked image, an outlet's change form, the extraction-rule preview of a page full of images)
and the API's docs. Violations are read twice: the ``securitypolicyviolation`` events of each
page and chromium's console. The outlet (its pages and images) is a loopback server that counts
who asks for what: only Revue's server may, never the browser.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from revue.moderation.models import ImageReport
from revue.news.models import Image
from revue.sources.models import ExtractionRule
from tests.e2e.test_image_reports_browser import chromium, png, publish
from tests.e2e.test_security_headers import directives
from tests.images.conftest import outlet  # noqa: F401 (the loopback outlet fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
OUTLET_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Forum des migrations</title></head>
<body><main><article><h1>Forum des migrations</h1>
<p>Le secrétaire d'Etat américain Antony Blinken a indiqué jeudi à New York que le pacte servira de base.</p>
<figure><img src="{base}/photos/forum.png" alt="Le forum"><figcaption>Le forum.</figcaption></figure>
<p>Le premier Forum d'examen des migrations internationales se tient cette semaine au siège des Nations unies.</p>
<p><img src="{base}/photos/interne.png" alt="">Les délégations de plus de cent pays y participent, a précisé le porte-parole.</p>
</article></main></body></html>"""


@pytest.fixture
def moderator_session(live_server):
    user = get_user_model().objects.create_superuser("moderatrice", password="cèdre-atlas-2026")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def staged(images_base: str) -> dict[str, str]:
    """The archive a moderator works on: an article, one image reported, one blocked, an outlet rule."""
    article = publish(images_base)
    lead = article.image
    ImageReport.objects.create(image=lead, reporter_id="r1", address_hash="a1", network_hash="n1")
    blocked = Image.objects.create(url=f"{images_base}/photos/bloquee.png", state=Image.State.BLOCKED)
    ImageReport.objects.create(image=blocked, reporter_id="r2", address_hash="a2", network_hash="n2")
    rule = ExtractionRule.objects.create(source=article.source, host="barlamane.com", drop_selectors=".pub")
    story = f"/histoire/{article.story_id}/" if article.story_id else None
    return {
        "article": article.get_absolute_url(),
        "outlet": f"/{article.source.slug}/",
        "story": story,
        "rule": f"/admin/sources/extractionrule/{rule.pk}/apercu/?url={images_base}/articles/forum",
        "source": f"/admin/sources/source/{article.source.pk}/change/",
    }


@contextmanager
def watched(browser):
    """A fresh browser context that watches for CSP violations; yields it, its page, and the URL
    of every request the browser makes (blocked ones included)."""
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(WATCH_VIOLATIONS)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        yield context, context.new_page(), requested
    finally:
        context.close()


def visit(page, url: str) -> list[str]:
    """Open ``url`` under the policy; every violation the page reports, events and console alike."""
    console: list[str] = []
    listen = lambda message: console.append(message.text) if "Content Security Policy" in message.text else None  # noqa: E731
    page.on("console", listen)
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    policy = directives(response.headers.get("content-security-policy", ""))
    assert policy.get("script-src") == ["'self'"], url  # django-csp writes directives in any order
    page.wait_for_load_state("networkidle")
    page.remove_listener("console", listen)
    return [*page.evaluate("window.__violations"), *console]


SMUGGLE = """(outside) => {
  const script = document.createElement("script");
  script.textContent = "window.__ran = true";
  document.body.append(script);
  const img = document.createElement("img");
  img.src = outside;
  document.body.append(img);
  return new Promise((done) => setTimeout(() => done(window.__ran === true), 300));
}"""


def test_no_page_breaks_the_policy_and_the_browser_asks_only_revue(live_server, outlet, moderator_session):
    cache.clear()
    outlet.serve("/articles/forum", OUTLET_PAGE.format(base=outlet.base_url).encode(), "text/html; charset=utf-8")
    for name in ("blinken", "forum", "bloquee", "interne"):
        outlet.serve(f"/photos/{name}.png", png(), "image/png")
    paths = staged(outlet.base_url)
    reader_pages = ["/", paths["article"], "/recherche?q=migration", paths["outlet"], "/api/docs"]
    reader_pages += [paths["story"]] if paths["story"] else []
    admin_pages = [
        "/admin/login/", "/admin/", "/admin/moderation/reportedimage/", "/admin/moderation/blockedimage/",
        "/admin/moderation/moderationevent/", paths["source"], paths["rule"],
    ]  # fmt: skip
    violations: dict[str, list[str]] = {}
    with chromium() as browser, watched(browser) as (context, page, requested):
        for path in reader_pages:
            violations[path] = visit(page, live_server.url + path)
        expect(page.locator("#swagger-ui .info")).to_be_visible()  # the API docs still work
        for path in admin_pages:
            violations[path] = visit(page, live_server.url + path)
            if path == "/admin/login/":
                context.add_cookies([{"name": "sessionid", "value": moderator_session, "url": live_server.url}])
        preview = page.locator("#avec-regle").inner_text()
        asked = list(requested)

        visit(page, live_server.url + paths["article"])  # what an injected script or image would get
        ran = page.evaluate(SMUGGLE, f"{outlet.base_url}/photos/smuggled.png")
        smuggled = page.evaluate("window.__violations")

    assert {path: found for path, found in violations.items() if found} == {}
    assert not ran and any(v.startswith("script-src") for v in smuggled) and any(v.startswith("img-src") for v in smuggled)
    assert "[image : " in preview  # the rule preview wrote the outlet's images out
    elsewhere = sorted({url for url in asked if not url.startswith(live_server.url)})
    assert elsewhere == []  # never the outlet: every picture came through /img/
    assert any(re.search(r"/img/[^/]+/\d+/moderation$", url) for url in asked)  # the desk's thumbnails
    assert outlet.hits["/photos/bloquee.png"] == 1  # fetched once, by Revue's proxy, for the desk
    assert outlet.hits["/photos/interne.png"] == 0 and outlet.hits["/photos/smuggled.png"] == 0  # blocked
