"""The portal in four editions (issue #19): French at the root, /ar/, /es/, /en/.

Each edition answers in its language with the right ``lang``/``dir`` on ``<html>`` and hreflang
alternates to the others; an article keeps its own language and direction in every edition; the
French article line is the seed's, word for word, and each other edition has its own; a first
visit of ``/`` follows ``Accept-Language``, the switcher's choice (its cookie) wins over it; the
stable portal URLs still answer unprefixed, in French.
"""

from __future__ import annotations

import re
import pytest
from django.test import Client

from revue.news.models import Article, Story
from revue.portal.translations import CatalogueError, compile_all
from tests.portal.test_portal_article import blinken  # noqa: F401  (the seed's article, 20 May 2022 in Barlamane)

EDITIONS = {"fr": ("", "ltr"), "ar": ("/ar", "rtl"), "es": ("/es", "ltr"), "en": ("/en", "ltr")}
# one interface string per edition, and the article line and source link of each
SEARCH_LABEL = {"fr": ">Rechercher</label>", "ar": ">بحث</label>", "es": ">Buscar</label>", "en": ">Search</label>"}
ARTICLE_LINE = {
    "fr": "Publié dans Barlamane le 20 - 05 - 2022",
    "ar": "نُشر في Barlamane يوم 20 - 05 - 2022",
    "es": "Publicado en Barlamane el 20 - 05 - 2022",
    "en": "Published in Barlamane on 20 - 05 - 2022",
}
SOURCE_LINK = {
    "fr": "Cliquez ici pour lire l'article depuis sa source.",
    "ar": "انقر هنا لقراءة المقال من مصدره.",
    "es": "Haga clic aquí para leer el artículo en su fuente.",
    "en": "Click here to read the article at its source.",
}
FRENCH_WORDS = re.compile(r"\b(Rechercher|Rubriques|Aller au contenu|Tout voir|Publié dans|Cliquez ici|agrège|Aussi couvert)\b")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&#x27;", "'")


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.fixture
def arabic_article(hespress, make_article, category):
    return make_article(hespress, "الحكومة تصادق على مشروع قانون المالية", category=category("maroc"),
                        content_html="<p>صادق مجلس الحكومة على مشروع قانون المالية.</p>")


@pytest.mark.django_db
@pytest.mark.parametrize("code", EDITIONS)
def test_each_edition_renders_in_its_language_with_its_direction_and_alternates(client, code, blinken):
    prefix, direction = EDITIONS[code]
    for path in ("/", f"/barlamane/{blinken.pk}", "/barlamane/", "/categorie/monde/", "/recherche?q=migration"):
        response = client.get(prefix + path)
        assert response.status_code == 200, prefix + path
        html = response.content.decode()
        assert html_tag(html) == f'<html lang="{code}" dir="{direction}">', prefix + path
        assert response["Content-Language"] == code
        assert SEARCH_LABEL[code] in html, prefix + path
        for other, (other_prefix, _) in EDITIONS.items():  # every edition of this page, absolute
            assert f'<link rel="alternate" hreflang="{other}" href="http://testserver{other_prefix}{path}">' in html, (path, other)
        assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{path}">' in html
        assert "&lt;bdi" not in html, path  # isolation marks are markup, never text
        if code != "fr":  # nothing of the interface left in French (articles are French: their text is not looked at)
            interface = re.sub(r'<(h1|h3|div) class="(article__title|card__title|article__body)[^"]*"[^>]*>.*?</\1>', "", html, flags=re.S)
            assert not FRENCH_WORDS.search(text_of(interface)), (path, FRENCH_WORDS.search(text_of(interface)))


@pytest.mark.django_db
@pytest.mark.parametrize("code", EDITIONS)
def test_the_article_line_is_the_seeds_in_french_and_its_own_in_each_edition(client, code, blinken):
    prefix, direction = EDITIONS[code]
    html = client.get(f"{prefix}/barlamane/{blinken.pk}").content.decode()
    assert ARTICLE_LINE[code] in text_of(html)
    assert SOURCE_LINK[code] in text_of(html)
    assert f'<p class="article__byline" lang="{code}" dir="{direction}">' in html
    assert f'href="{prefix}/archives/2022/05/20/"' in html and f'href="{prefix}/barlamane/"' in html  # links stay in the edition
    # the article itself keeps its own language and direction
    assert '<article class="article" lang="fr" dir="ltr">' in html


@pytest.mark.django_db
def test_the_french_line_is_exactly_the_seeds(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    assert ('<p class="article__byline" lang="fr" dir="ltr">Publié dans <a href="/barlamane/" dir="auto">Barlamane</a> le '
            '<a class="article__date" href="/archives/2022/05/20/">20 - 05 - 2022</a></p>') in html
    assert ('rel="noopener noreferrer">Cliquez ici pour lire l&#x27;article depuis sa source.</a>' in html
            or "rel=\"noopener noreferrer\">Cliquez ici pour lire l'article depuis sa source.</a>" in html)


@pytest.mark.django_db
def test_arabic_edition_isolates_the_date_and_an_arabic_article_stays_rtl_everywhere(client, blinken, arabic_article):
    html = client.get(f"/ar/barlamane/{blinken.pk}").content.decode()
    assert re.search(r'<a class="article__date" href="/ar/archives/2022/05/20/" dir="ltr">20 - 05 - 2022</a>', html)
    for prefix in ("", "/ar", "/en"):
        page = client.get(f"{prefix}/hespress/{arabic_article.pk}").content.decode()
        assert '<article class="article" lang="ar" dir="rtl">' in page, prefix
        home = client.get(f"{prefix}/").content.decode()
        assert f'href="{prefix}/hespress/{arabic_article.pk}" lang="ar" dir="auto"' in home, prefix


@pytest.mark.django_db
def test_counts_take_each_languages_plural(client, blinken, arabic_article):
    footer = {"": "Revue agrège les titres de 2 sources.", "/es": "Revue reúne los titulares de 2 fuentes.",
              "/en": "Revue gathers the headlines of 2 sources.", "/ar": "تجمع Revue عناوين مصدرين."}
    for prefix, words in footer.items():
        assert words in text_of(client.get(f"{prefix}/").content.decode()), prefix


@pytest.mark.django_db
def test_each_editions_feeds_speak_its_language_and_link_into_it(client, blinken):
    rss = client.get("/ar/flux/rss/").content.decode()
    assert "<title>Revue — آخر العناوين</title>" in rss and f"<link>http://testserver/ar/barlamane/{blinken.pk}</link>" in rss
    assert f"<guid>http://testserver/barlamane/{blinken.pk}</guid>" in rss  # one guid whatever the edition
    assert "<title>World · Revue</title>" in client.get("/en/flux/categorie/monde/rss/").content.decode()
    assert "<title>Revue — les derniers titres</title>" in client.get("/flux/rss/").content.decode()


@pytest.mark.django_db
def test_search_notices_and_bad_requests_speak_the_editions_language(client, blinken):
    notice = client.get("/ar/recherche", {"q": "-migration"}).content.decode()
    assert "أدخل كلمة واحدة على الأقل للبحث عنها إضافة إلى الكلمات المستبعدة." in notice
    assert "Give at least one word" in client.get("/en/recherche", {"q": "-migration"}).content.decode()
    wrong_day = client.get("/es/recherche", {"q": "x", "du": "hier"})
    assert wrong_day.status_code == 400 and "«hier» no es una fecha válida para «du»" in wrong_day.content.decode()
    wrong_page = client.get("/en/barlamane/?page=deux")
    assert wrong_page.status_code == 400 and "“deux” is not a page number" in wrong_page.content.decode()
    assert "n'est pas un numéro de page" in client.get("/barlamane/?page=deux").content.decode().replace("&#x27;", "'")
    assert "الإبلاغ عن هذه الصورة" not in client.get(f"/barlamane/{blinken.pk}").content.decode()


@pytest.mark.django_db
def test_section_names_are_translated(client, blinken):
    assert ">العالم</a>" in client.get("/ar/").content.decode()
    assert ">World</a>" in client.get("/en/categorie/monde/").content.decode()
    assert "<h1>Mundo</h1>" in client.get("/es/categorie/monde/").content.decode()


@pytest.mark.django_db
def test_a_first_visit_of_the_front_page_follows_accept_language(db):
    reader = Client(HTTP_ACCEPT_LANGUAGE="ar-MA,ar;q=0.9,fr;q=0.8")
    first = reader.get("/")
    assert first.status_code == 302 and first["Location"] == "/ar/"
    assert "accept-language" in first["Vary"].lower() and "private" in first["Cache-Control"]
    assert reader.get("/ar/").status_code == 200
    assert Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").get("/")["Location"] == "/es/"
    assert Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").get("/")["Location"] == "/en/"
    french = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,en;q=0.5").get("/")
    assert french.status_code == 200 and "accept-language" in french["Vary"].lower()
    assert Client(HTTP_ACCEPT_LANGUAGE="de-DE,zh;q=0.8").get("/").status_code == 200  # none of ours: French
    assert Client().get("/").status_code == 200  # no header: French


@pytest.mark.django_db
def test_deep_links_are_never_redirected_by_the_browsers_language(blinken):
    reader = Client(HTTP_ACCEPT_LANGUAGE="ar")
    for path in (f"/barlamane/{blinken.pk}", "/barlamane/", "/categorie/monde/", "/recherche?q=x"):
        response = reader.get(path)
        assert response.status_code == 200 and html_tag(response.content.decode()) == '<html lang="fr" dir="ltr">', path
        assert "accept-language" not in response.get("Vary", "").lower(), path


@pytest.mark.django_db
def test_the_switcher_goes_to_the_same_page_and_keeps_the_choice(blinken):
    reader = Client(HTTP_ACCEPT_LANGUAGE="ar")
    page = reader.get(f"/ar/barlamane/{blinken.pk}").content.decode()
    switch = re.search(r'<a href="([^"]+)" hreflang="fr" lang="fr" dir="ltr" rel="nofollow">Français</a>', page).group(1)
    assert switch == f"/langue/fr/?suivant=%2Far%2Fbarlamane%2F{blinken.pk}".replace("&", "&amp;")
    answer = reader.get(switch)
    assert answer.status_code == 302 and answer["Location"] == f"/barlamane/{blinken.pk}"
    assert answer.cookies["revue_langue"].value == "fr" and answer.cookies["revue_langue"]["httponly"]
    assert "no-store" in answer["Cache-Control"]
    # back at the front page, the choice wins over the browser's Arabic, in a private answer
    front = reader.get("/")
    assert front.status_code == 200 and html_tag(front.content.decode()) == '<html lang="fr" dir="ltr">'
    assert "private" in front["Cache-Control"]
    reader.get("/langue/es/?suivant=/")
    assert reader.get("/")["Location"] == "/es/"


@pytest.mark.django_db
def test_the_switch_goes_nowhere_but_this_site(db):
    client = Client()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        answer = client.get("/langue/ar/", {"suivant": target})
        assert answer.status_code == 302 and answer["Location"] == "/ar/", target
    assert client.get("/langue/de/?suivant=/").status_code == 404
    assert client.get("/langue/ar/?suivant=/es/categorie/monde/?page=2")["Location"] == "/ar/categorie/monde/?page=2"


@pytest.mark.django_db
def test_the_stable_portal_urls_answer_unprefixed_in_french(client, blinken):
    story = Story.objects.create(title=blinken.title, lead=blinken, article_count=1, outlet_count=1, languages="fr")
    Article.objects.filter(pk=blinken.pk).update(story=story)
    day = "/archives/2022/05/20/"
    for path in ("/", f"/barlamane/{blinken.pk}", "/barlamane/", "/categorie/monde/", f"/histoire/{story.pk}/",
                 "/recherche?q=migration", day, "/archives/2022/05/", "/api/docs", "/robots.txt", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        if path != "/api/docs" and response["Content-Type"].startswith("text/html"):
            assert html_tag(response.content.decode()) == '<html lang="fr" dir="ltr">', path
    assert "Archives du 20 mai 2022" in client.get(day).content.decode()
    assert "Archivo del 20 de mayo de 2022" in client.get("/es" + day).content.decode()


@pytest.mark.django_db
def test_a_kept_pages_edition_links_carry_no_stray_parameter(client, blinken):
    html = client.get("/barlamane/?utm_source=x&page=1").content.decode()
    assert 'hreflang="ar" href="http://testserver/ar/barlamane/?page=1"' in html and "utm_source" not in html


@pytest.mark.django_db
def test_an_outlet_can_never_take_an_editions_prefix():
    from revue.sources.models import reserved_slugs

    assert {"ar", "es", "en", "fr", "langue"} <= reserved_slugs()


def test_a_plural_translation_missing_a_form_stops_the_build(tmp_path):
    po = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\\n"\n\n'
                  'msgid "%(n)s source"\nmsgid_plural "%(n)s sources"\nmsgstr[0] "%(n)s fuente"\nmsgstr[1] "%(n)s fuentes"\n',
                  encoding="utf-8")
    with pytest.raises(CatalogueError, match="3 plural forms"):
        compile_all(tmp_path)


def test_a_translation_with_a_placeholder_its_msgid_lacks_stops_the_build(tmp_path):
    po = tmp_path / "ar" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Site de %(outlet)s"\nmsgstr "موقع %(source)s"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="source"):
        compile_all(tmp_path)
    po.write_text(po.read_text(encoding="utf-8").replace("%(source)s", "%(outlet)s"), encoding="utf-8")
    assert compile_all(tmp_path) == [po] and po.with_suffix(".mo").exists()
    assert compile_all(tmp_path) == []  # up to date: not compiled again
