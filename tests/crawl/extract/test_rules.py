"""Per-outlet extraction rules: selectors to keep or drop, their lookup by host, the crawler's
options, and the admin preview that runs a rule on a real page (served on loopback)."""

from __future__ import annotations

import pytest

from revue.crawl.extract import extract
from revue.crawl.rules import ExtractionRules, extraction_options, parse_selectors, rules_for_url, selector_errors
from revue.sources.models import ExtractionRule, Source

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le port de Tanger Med bat son record</title>
<meta property="og:site_name" content="Le Phare"></head><body>
<header><nav><a href="/">Accueil</a> <a href="/eco">Économie</a></nav></header>
<main>
<div class="colonne-gauche"><h3>Le saviez-vous ?</h3><p>Le phare du cap Spartel a été construit en 1864 à la demande du sultan.</p>
<p>Il est classé monument historique depuis longtemps et se visite désormais tous les week-ends.</p></div>
<div class="texte-principal">
<p>Le port de Tanger Med a traité plus de huit millions de conteneurs l'an dernier, un record depuis son ouverture.</p>
<p class="encadre-pub">Offre spéciale : abonnement numérique à moitié prix pendant un an pour nos lecteurs fidèles.</p>
<p>L'autorité portuaire attribue cette hausse au transfert de lignes maritimes depuis les ports espagnols voisins.</p>
<p>Une nouvelle extension doit être lancée l'année prochaine pour accueillir des navires encore plus grands.</p>
</div>
</main><footer>© Le Phare</footer></body></html>"""
URL = "https://www.le-phare.test/eco/tanger-med-record"


# --- selectors ----------------------------------------------------------------------------------


def test_selectors_are_one_per_line():
    assert parse_selectors("div.article\n\n  aside.related  \ndiv.article\n") == ("div.article", "aside.related")


@pytest.mark.parametrize("bad", ["div[", "p::", "a >> b", "x" * 400])
def test_a_bad_selector_is_explained_in_french(bad):
    (problem,) = selector_errors((bad,))
    assert "sélecteur CSS valide" in problem or "dépasse" in problem


def test_good_selectors_have_no_problem():
    assert selector_errors(("div.texte-principal", "p.encadre-pub", "#main > article p:first-child")) == []


# --- applying them ------------------------------------------------------------------------------


def test_keep_selectors_make_the_body_and_drop_selectors_cut_into_it():
    rules = ExtractionRules(keep=("div.texte-principal",), drop=("p.encadre-pub",))
    article = extract(PAGE, URL, rules=rules)
    assert article.text.split("\n\n") == [
        "Le port de Tanger Med a traité plus de huit millions de conteneurs l'an dernier, un record depuis son ouverture.",
        "L'autorité portuaire attribue cette hausse au transfert de lignes maritimes depuis les ports espagnols voisins.",
        "Une nouvelle extension doit être lancée l'année prochaine pour accueillir des navires encore plus grands.",
    ]
    assert article.title == "Le port de Tanger Med bat son record"  # metadata still read


def test_without_rules_the_generic_extraction_runs():
    assert "Tanger Med" in extract(PAGE, URL).text


def test_drop_selectors_alone_work_before_trafilatura():
    rules = ExtractionRules(drop=("div.colonne-gauche", ".encadre-pub"))
    text = extract(PAGE, URL, rules=rules).text
    assert "cap Spartel" not in text and "Offre spéciale" not in text
    assert "huit millions de conteneurs" in text


def test_keep_selectors_that_match_nothing_fall_back_to_the_generic_extraction():
    text = extract(PAGE, URL, rules=ExtractionRules(keep=("div.ancienne-maquette",))).text
    assert "huit millions de conteneurs" in text


def test_a_broken_selector_in_a_stored_rule_never_breaks_extraction():
    text = extract(PAGE, URL, rules=ExtractionRules(keep=("div[",), drop=("p::",))).text
    assert "huit millions de conteneurs" in text


def test_limits_are_keyword_arguments():
    assert "huit millions" not in extract(PAGE, URL, max_html_chars=200).text  # cut before the body
    assert "huit millions" in extract(PAGE, URL, fast_mode_elements=0).text


# --- from the database --------------------------------------------------------------------------


@pytest.fixture
def phare(db):
    return Source.objects.create(name="Le Phare", slug="le-phare", homepage="https://www.le-phare.test/", language="fr")


def test_rules_are_found_by_the_host_of_the_page(phare):
    rule = ExtractionRule(source=phare, keep_selectors="div.texte-principal", drop_selectors="p.encadre-pub\n.pub")
    rule.full_clean()
    rule.save()
    assert rule.host == "le-phare.test"  # from the outlet's homepage, without www.
    assert rules_for_url(URL) == ExtractionRules(keep=("div.texte-principal",), drop=("p.encadre-pub", ".pub"))
    assert rules_for_url("https://le-phare.test/autre") == rules_for_url(URL)
    assert rules_for_url("https://www.ailleurs.test/x") == ExtractionRules()
    ExtractionRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert rules_for_url(URL) == ExtractionRules()


def test_the_crawler_gets_rules_and_limits_from_settings(phare, settings):
    ExtractionRule.objects.create(source=phare, host="le-phare.test", drop_selectors=".encadre-pub")
    settings.REVUE_EXTRACT_MAX_HTML_CHARS = 123_456
    settings.REVUE_EXTRACT_FAST_MODE_ELEMENTS = 7_000
    options = extraction_options(URL)
    assert options == {"rules": ExtractionRules(drop=(".encadre-pub",)), "max_html_chars": 123_456, "fast_mode_elements": 7_000}
    assert "Offre spéciale" not in extract(PAGE, URL, **options).text


def test_a_rule_needs_a_selector_and_a_host(phare):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ExtractionRule(source=phare).full_clean()
    homeless = Source.objects.create(name="Sans site", slug="sans-site")
    with pytest.raises(ValidationError):
        ExtractionRule(source=homeless, drop_selectors=".pub").full_clean()


# --- the admin and its preview ------------------------------------------------------------------


@pytest.fixture
def outlet_site(allow_loopback, httpserver_ipv4):
    """The outlet's article page on a loopback server (pytest-httpserver); any other path is a 404."""
    httpserver_ipv4.no_handler_status_code = 404
    httpserver_ipv4.expect_request("/eco/tanger-med-record").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    return httpserver_ipv4.url_for("").rstrip("/")


def test_the_admin_refuses_bad_selectors_with_a_message(admin_client, phare):
    response = admin_client.post(
        "/admin/sources/extractionrule/add/",
        {"source": phare.pk, "host": "", "keep_selectors": "div[", "drop_selectors": "", "sample_url": "", "note": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "n&#x27;est pas un sélecteur CSS valide" in response.content.decode()
    assert not ExtractionRule.objects.exists()


def test_the_preview_runs_the_typed_selectors_on_the_page_beside_the_default(admin_client, phare, outlet_site):
    rule = ExtractionRule.objects.create(source=phare, host="le-phare.test", keep_selectors="div.texte-principal")
    url = f"{outlet_site}/eco/tanger-med-record"
    response = admin_client.get(
        f"/admin/sources/extractionrule/{rule.pk}/apercu/",
        {"url": url, "keep_selectors": "div.texte-principal", "drop_selectors": "p.encadre-pub"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    with_rule, without_rule = page.split('id="avec-regle"')[1].split('id="sans-regle"')
    assert "huit millions de conteneurs" in with_rule and "Offre spéciale" not in with_rule
    assert "Offre spéciale" in without_rule  # what the rule changes is visible side by side
    assert ExtractionRule.objects.get(pk=rule.pk).drop_selectors == ""  # nothing saved by a preview


def test_the_preview_explains_a_failed_fetch(admin_client, phare, outlet_site, settings):
    rule = ExtractionRule.objects.create(source=phare, host="le-phare.test", keep_selectors="div.texte-principal")
    response = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/apercu/", {"url": f"{outlet_site}/absente"})
    assert response.status_code == 200
    assert "La page n&#x27;a pas pu être lue" in response.content.decode()
    settings.REVUE_FETCH_ALLOW = []
    response = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/apercu/", {"url": f"{outlet_site}/eco/tanger-med-record"})
    assert "REVUE_FETCH_ALLOW" in response.content.decode()  # the outbound guard applies to previews too


def test_the_preview_shows_bad_selectors_as_form_errors(admin_client, phare):
    rule = ExtractionRule.objects.create(source=phare, host="le-phare.test", drop_selectors=".pub")
    response = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/apercu/", {"url": URL, "keep_selectors": "div["})
    assert response.status_code == 200
    assert "sélecteur CSS valide" in response.content.decode()


def test_the_change_page_links_to_the_preview(admin_client, phare):
    rule = ExtractionRule.objects.create(source=phare, host="le-phare.test", drop_selectors=".pub")
    page = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/change/").content.decode()
    assert f"/admin/sources/extractionrule/{rule.pk}/apercu/" in page


# --- the crawler applies the outlet's rules -----------------------------------------------------


@pytest.fixture
def outlet_with_feed(outlet_site, httpserver_ipv4):
    """A feed whose one entry has only a summary, so the crawler fetches and extracts the page."""
    base = outlet_site
    httpserver_ipv4.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Phare</title>'
        f"<link>{base}/</link><item><title>Le port de Tanger Med bat son record</title>"
        f"<link>{base}/eco/tanger-med-record</link><guid>{base}/eco/tanger-med-record</guid>"
        "<pubDate>Mon, 08 Dec 2025 10:00:00 GMT</pubDate><description>Un record.</description></item>"
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    return base


@pytest.mark.django_db(transaction=True)
def test_the_crawler_extracts_pages_with_their_outlets_rules(outlet_with_feed):
    from revue.crawl.worker import Crawler
    from revue.news.models import Article
    from revue.sources.models import Feed

    source = Source.objects.create(name="Le Phare", slug="le-phare", homepage=f"{outlet_with_feed}/", language="fr")
    feed = Feed.objects.create(source=source, url=f"{outlet_with_feed}/feed.xml")
    rule = ExtractionRule(source=source, keep_selectors="div.texte-principal", drop_selectors="p.encadre-pub")
    rule.full_clean()
    rule.save()
    Crawler(processes=0, host_delay=0).run_once(feed_ids=[feed.id])
    article = Article.objects.get()
    assert article.text.startswith("Le port de Tanger Med a traité plus de huit millions de conteneurs")
    assert "Offre spéciale" not in article.text and "cap Spartel" not in article.text
