"""extract: what a reader would check on the article Revue shows from a page.

The pages in ``pages/`` are written for these tests (no real site copied); each imitates a kind
of markup the crawler meets: a WordPress theme with every sort of boilerplate, an Arabic
right-to-left page, a page that declares no language, a captioned figure, a table, an empty page.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from revue.crawl.clean import sanitize_html
from revue.crawl.extract import ExtractedArticle, detect_language, extract

PAGES = Path(__file__).parent / "pages"
FR_URL = "https://www.courrier-detroit.test/societe/tanger-mediatheque-minuit/?utm_source=rss"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fr() -> ExtractedArticle:
    return extract(page("fr_wordpress.html"), FR_URL)


# --- a French WordPress article -----------------------------------------------------------------


def test_french_article_keeps_every_paragraph(fr):
    for sentence in (
        "La ville de Tanger a inauguré jeudi soir une médiathèque municipale",
        "accueille désormais quarante mille ouvrages",
        "« Nous voulions un lieu où les lycéens puissent travailler le soir",
        "Un budget de 38 millions de dirhams",
        "financés à parts égales par la commune",
        "du lundi au vendredi, de 10 heures à minuit",
        "« Une ville qui lit tard est une ville qui rêve grand »",
        "étendu aux autres arrondissements de la ville.",
    ):
        assert sentence in fr.text
        assert sentence in fr.html


def test_french_article_paragraphs_are_separated_by_blank_lines(fr):
    paragraphs = fr.text.split("\n\n")
    assert paragraphs[0].startswith("La ville de Tanger a inauguré")
    assert paragraphs[0].endswith("un équipement public de cette taille.")
    assert "Un budget de 38 millions de dirhams" in paragraphs


@pytest.mark.parametrize(
    "boilerplate",
    [
        "cookies",  # cookie banner
        "J'accepte",
        "Contactez la rédaction",  # navigation
        "Rubrique",
        "Dernière minute",  # ticker
        "Partager",  # share bar
        "WhatsApp",
        "Lire aussi",  # cross-links, as a block and as an inline paragraph
        "festival du livre de Tétouan",
        "Le budget de la culture en hausse",
        "PUBLICITÉ",  # ads
        "Publicité",
        "crédit immobilier",
        "abonnement premium",
        "commentaire",  # comments and the comment form
        "Enfin un endroit pour réviser",
        "parking pour les vélos",
        "Articles récents",  # sidebar
        "Tanger Med",
        "Newsletter",
        "Mots-clés",  # tags
        "Article précédent",  # post navigation
        "Tous droits réservés",  # footer
        "dataLayer",  # scripts and styles
        "background:",
    ],
)
def test_french_article_drops_boilerplate(fr, boilerplate):
    assert boilerplate not in fr.text
    assert boilerplate not in fr.html


def test_french_article_html_is_sanitized_article_markup(fr):
    assert sanitize_html(fr.html, FR_URL) == fr.html
    for absent in ("<script", "<style", "class=", "id=", "style=", "<div", "<span", "<h1"):
        assert absent not in fr.html
    assert "<h2>Un budget de 38 millions de dirhams</h2>" in fr.html
    assert "<ul>" in fr.html and "<li>le samedi, de 14 heures à minuit.</li>" in fr.html
    assert "<blockquote>" in fr.html
    link = (
        '<a href="https://www.courrier-detroit.test/economie/fonds-cooperation-culturelle/"'
        ' rel="noopener noreferrer nofollow">fonds de coopération culturelle</a>'
    )
    assert link in fr.html


def test_french_article_metadata(fr):
    assert fr.title == "Tanger inaugure une médiathèque ouverte jusqu'à minuit"
    assert fr.published_at == datetime(2024, 3, 14, 17, 45, tzinfo=UTC)  # 18:45 at +01:00
    assert fr.published_at.utcoffset().total_seconds() == 0
    assert fr.image_url == "https://www.courrier-detroit.test/wp-content/uploads/2024/03/mediatheque-facade.jpg"
    assert fr.language == "fr"
    assert fr.author == "Salma Bennani"
    assert fr.canonical_url == "https://www.courrier-detroit.test/societe/tanger-mediatheque-minuit/"


def test_title_is_not_repeated_at_the_top_of_the_body(fr):
    assert not fr.text.startswith("Tanger inaugure")


# --- other languages ----------------------------------------------------------------------------


def test_arabic_article():
    article = extract(page("ar_article.html"), "https://www.alwadi.test/ar/economie/2024/06/souk-meknes?ref=home")
    assert article.language == "ar"
    assert article.title == "افتتاح سوق أسبوعي جديد للمنتجات الفلاحية في مكناس"  # " | جريدة الوادي" dropped
    assert article.text.startswith("افتتحت جماعة مكناس صباح يوم الأحد سوقا أسبوعيا جديدا")
    assert "وأوضح رئيس الجماعة" in article.text
    assert "الرئيسية" not in article.text  # navigation
    assert "شارك المقال" not in article.text  # share bar
    assert "جميع الحقوق محفوظة" not in article.text  # footer
    assert article.text.count("\n\n") == 2
    assert article.published_at == datetime(2024, 6, 2, 9, 30, tzinfo=UTC)
    assert article.canonical_url == "https://www.alwadi.test/ar/economie/2024/06/souk-meknes"  # relative made absolute


def test_bytes_are_read_as_the_crawler_reads_pages():
    """Bytes given to extract are decoded by revue.text.decode: an Arabic page in windows-1256
    whose <meta> names its charset comes out as Arabic, not mojibake."""
    html = page("ar_article.html").replace('charset="utf-8"', 'charset="windows-1256"')
    assert 'charset="windows-1256"' in html
    article = extract(html.encode("cp1256"), "https://www.alwadi.test/ar/economie/2024/06/souk-meknes")
    assert article.text.startswith("افتتحت جماعة مكناس صباح يوم الأحد سوقا أسبوعيا جديدا")


def test_spanish_article_without_any_language_declaration_is_detected():
    html = page("es_nolang.html")
    assert "lang=" not in html and "locale" not in html
    article = extract(html, "https://www.diario-estrecho.test/local/puerto-algeciras-pasajeros")
    assert article.language == "es"
    assert article.title == "El puerto de Algeciras recupera el tráfico de pasajeros"
    assert "más de seiscientos mil viajeros" in article.text
    assert "Portada" not in article.text and "Aviso legal" not in article.text
    assert "<h2>El puerto de Algeciras" not in article.html  # the title is shown by the portal
    assert article.published_at == datetime(2024, 7, 21, tzinfo=UTC)  # a date without time: midnight UTC
    assert article.canonical_url == ""


def test_a_wrong_language_declaration_is_corrected_by_the_text():
    html = page("fr_wordpress.html").replace('lang="fr-FR"', 'lang="en-US"').replace("fr_FR", "en_US")
    assert extract(html, FR_URL).language == "fr"


def test_a_language_revue_cannot_detect_is_trusted():
    html = page("fr_wordpress.html").replace('lang="fr-FR"', 'lang="de-DE"')
    assert extract(html, FR_URL).language == "de"


# --- figures, images, tables --------------------------------------------------------------------


def test_figure_with_caption_is_kept_and_og_image_is_the_lead_image():
    article = extract(page("figure.html"), "https://www.eau-info.test/actualites/barrage-ouergha-remplissage")
    assert "<figure><img" in article.html
    assert 'src="https://www.eau-info.test/images/2024/02/barrage-vanne.jpg"' in article.html
    assert 'alt="Les vannes du barrage ouvertes"' in article.html
    assert 'loading="lazy"' in article.html
    assert "<figcaption>Les vannes de fond ont été ouvertes mardi pour la première fois depuis 2019.</figcaption></figure>" in article.html
    assert "onload" not in article.html and "style" not in article.html
    assert article.image_url == "https://cdn.eau-info.test/images/2024/02/barrage-og.jpg"  # og:image before twitter:image
    assert article.canonical_url == "https://www.eau-info.test/actualites/barrage-ouergha-remplissage"  # og:url, utm dropped
    assert "partiellement les vannes" in article.text


def test_without_og_image_the_first_content_image_leads():
    html = page("figure.html").replace('<meta property="og:image"', '<meta property="og:nothing"')
    html = html.replace('<meta name="twitter:image"', '<meta name="twitter:nothing"')
    article = extract(html, "https://www.eau-info.test/actualites/barrage-ouergha-remplissage")
    assert article.image_url == "https://www.eau-info.test/images/2024/02/barrage-vanne.jpg"


def test_table_is_kept_as_a_table():
    article = extract(page("table.html"), "https://www.education.test/bac-resultats")
    assert "<table>" in article.html
    assert "<caption>Taux de réussite à la session ordinaire</caption>" in article.html
    assert "<th>Académie</th>" in article.html
    assert "<td>Fès-Meknès</td>" in article.html and "<td>68,9 %</td>" in article.html
    assert "<td></td>" not in article.html
    assert "Rabat-Salé-Kénitra 61 204 71,3 %" in article.text.split("\n\n")
    assert article.text.startswith("Le ministère de l’Éducation nationale a publié mercredi")
    assert article.text.endswith("selon le calendrier publié par le ministère.")


# --- pages with nothing to extract --------------------------------------------------------------


def test_page_with_only_a_title():
    article = extract(page("title_only.html"), "https://www.example.test/maintenance")
    assert article == ExtractedArticle(title="Page en maintenance")


def _binary_junk(size: int) -> str:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(size)).decode("latin-1")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\t ",
        None,
        42,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>",
        '{"status": "ok", "items": []}',
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Flux</title></channel></rss>',
        "<html>",
        "</p></div></body>",
        "<" * 10_000,
        "<div>" * 100_000,
        "\x00" * 1000,
        "<p>\ud800\udfff</p>",
        _binary_junk(200_000),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_garbage_never_raises_and_gives_empty_fields(garbage):
    article = extract(garbage, "https://www.example.test/x")
    assert isinstance(article, ExtractedArticle)
    assert article.text == article.html == article.image_url == article.canonical_url == ""
    assert article.published_at is None


def test_garbage_url_never_raises():
    html = page("figure.html")
    for url in ("", "not a url", "javascript:alert(1)", None):
        article = extract(html, url)  # type: ignore[arg-type]
        assert "barrage" in article.text
        assert "javascript" not in article.html


def test_huge_page_is_cut_not_choked_on():
    filler = "<div class='widget'><a href='/x'>lien de menu</a></div>" * 40_000  # ~2.3 MB of markup
    html = page("fr_wordpress.html").replace("</article>", "</article>" + filler)
    started = time.perf_counter()
    article = extract(html, FR_URL)
    assert time.perf_counter() - started < 30
    assert "La ville de Tanger a inauguré" in article.text


# --- the result ---------------------------------------------------------------------------------


def test_result_is_frozen_and_deterministic(fr):
    with pytest.raises(dataclasses.FrozenInstanceError):
        fr.title = "autre"  # type: ignore[misc]
    assert extract(page("fr_wordpress.html"), FR_URL) == fr


def test_typical_page_is_extracted_quickly():
    html = page("fr_wordpress.html")
    extract(html, FR_URL)  # warm-up: imports, compiled patterns
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        extract(html, FR_URL)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.25  # ~10 ms on a laptop; generous for loaded CI machines


# --- detect_language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le gouvernement a présenté mardi un projet de loi sur la protection des données, qui sera examiné par les députés.", "fr"),
        ("El Gobierno presentó el martes un proyecto de ley sobre la protección de los datos, que será examinado por los diputados.", "es"),
        ("The government presented a bill on data protection on Tuesday, which will be examined by the members of parliament.", "en"),
        ("قدمت الحكومة يوم الثلاثاء مشروع قانون يتعلق بحماية المعطيات الشخصية سيعرض على البرلمان.", "ar"),
        ("L’équipe de Raja l’a emporté face au Wydad dans un derby qu’on n’oubliera pas de sitôt.", "fr"),
        ("", ""),
        (None, ""),
        ("2024 — 12:30 — 3-1", ""),
        ("Casablanca", ""),
        ("Wydad Raja Derby", ""),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_detect_language_arabic_with_some_latin():
    text = "أعلنت شركة Renault عن افتتاح مصنع جديد في طنجة بطاقة إنتاجية تبلغ مائة ألف سيارة سنويا"
    assert detect_language(text) == "ar"


# --- pictures in the text -----------------------------------------------------------------------

PICTURES_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le port de Nador s'agrandit</title></head>
<body><header><img src="/static/masthead.jpg" width="600" height="120" alt="Le Courrier"></header>
<main><article><h1>Le port de Nador s'agrandit</h1>
<p>Le port de Nador West Med a accueilli son premier porte-conteneurs cette semaine, deux ans après la fin de la digue.</p>
<figure><img src="/photos/quai.jpg" width="1200" height="800" alt="Le quai"><figcaption>Le premier navire à quai lundi matin.</figcaption></figure>
<p>Le terminal doit traiter trois millions et demi de conteneurs par an une fois sa deuxième phase achevée.</p>
<figure><img src="/photos/grue.jpg" width="1200" height="800" alt=""><figcaption>Photo : AFP</figcaption></figure>
<p>Les grues, construites à Shanghai, soulèvent deux conteneurs à la fois et doublent la cadence de chaque équipe.</p>
</article>
<aside><h2>À lire</h2><ul><li><a href="/autre"><img src="/photos/teaser.jpg" width="300" height="200" alt="">Tanger Med bat son record</a></li></ul></aside>
</main></body></html>"""
PICTURES_URL = "https://www.courrier-nador.test/eco/port-nador"


def test_pictures_in_the_text_come_back_before_their_paragraph_with_their_caption_in_the_html_only():
    article = extract(PICTURES_PAGE, PICTURES_URL)
    quai = '<figure><img src="https://www.courrier-nador.test/photos/quai.jpg" alt="Le quai" loading="lazy"><figcaption>Le premier navire à quai lundi matin.</figcaption></figure>'
    assert quai in article.html
    assert article.html.index(quai) < article.html.index("Le terminal doit traiter")
    assert "Le premier navire à quai" not in article.text  # a caption is not the article's text …
    assert "Les grues, construites à Shanghai" in article.text


def test_a_credit_line_is_no_caption_and_pictures_outside_the_text_stay_out():
    article = extract(PICTURES_PAGE, PICTURES_URL)
    assert 'src="https://www.courrier-nador.test/photos/grue.jpg"' in article.html
    assert "AFP" not in article.html  # … and a credit line is not even a caption
    assert "masthead" not in article.html and "teaser" not in article.html


DESCRIBED_PICTURE_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Das neue Telefon ohne Kerbe</title></head>
<body><main><article class="article-body"><h1>Das neue Telefon ohne Kerbe</h1>
<p>Die ersten Bilder des neuen Telefons zeigen ein Display ganz ohne Kerbe am oberen Rand des Bildschirms.</p>
<div class="image"><picture><img src="/bilder/loch_620.jpg" width="620" height="310" alt="Eine kleine runde Aussparung für die Kamera im Display."></picture>
<div class="description"><a class="btn" href="//bilder.example.test/loch_original.jpg"><strong>Vergrößern</strong></a>
<strong class="title">Eine kleine runde Aussparung für die Kamera im Display.</strong></div></div>
<p>Nach einigen Gerüchten ersetzt der Hersteller die Kerbe durch ein rundes Loch für die Frontkamera.</p>
<p>Die Sensoren der Gesichtserkennung sollen hinter dem Glas des Displays liegen, so die Berichte.</p>
</article></main></body></html>"""


def test_a_caption_written_outside_figcaption_is_the_pictures_caption_not_the_text():
    """A description block that repeats the picture's alt text is its caption: under the
    picture in the HTML, out of the text; the lightbox's « Vergrößern » link goes."""
    article = extract(DESCRIBED_PICTURE_PAGE, "https://www.example.test/ratgeber/telefon-ohne-kerbe.html")
    assert "Aussparung" not in article.text
    assert "Vergrößern" not in article.text and "Vergrößern" not in article.html
    assert "<figcaption>Eine kleine runde Aussparung für die Kamera im Display.</figcaption>" in article.html
    assert "ersetzt der Hersteller die Kerbe" in article.text


def test_soft_hyphens_are_not_in_the_text_or_title():
    html = (
        "<html lang=de><head><title>Wehr\u00adan\u00adlage Hor\u00adka</title></head><body><article>"
        "<h1>Wehr\u00adan\u00adlage Hor\u00adka</h1>"
        + "<p>Auch in die&shy;sem Jahr wol\u00adlen wir Sie in die Zeit unse\u00adrer Groß\u00advä\u00adter ent\u00adfüh\u00adren.</p>" * 4
        + "</article></body></html>"
    )
    article = extract(html, "https://www.example.test/veranstaltung/887/")
    assert "Auch in diesem Jahr wollen wir Sie in die Zeit unserer Großväter entführen." in article.text
    assert "\u00ad" not in article.text and article.title == "Wehranlage Horka"


LOOSE_TEXT_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Colder Temperatures Forecast for Wednesday</title></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article><h1>Colder Temperatures Forecast for Wednesday</h1>
<div class="body_txt">
<div class="img_box top"><div class="photo"><img src="/images/cold.jpg" alt="Cold wave"></div><p class="cap">Photo : YONHAP News</p></div>
Anchor: After heavy downpours on Monday, Tuesday morning was met with strong, cold winds that brought early winter temperatures.<br />
<br />
Report: People out on the streets were seen wearing layers throughout the day as the temperatures felt as though winter had suddenly descended upon the nation.<br />
<br />
The very first cold wave alert of the season was in effect on Tuesday, with the inflow of cold air from the northwest of the peninsula.<br />
<br />
Cheorwon claimed the coldest temperature in the country at negative six-point-six degrees Celsius in the morning.<br />
</div></article><footer>Copyright</footer></body></html>"""


def test_text_written_loose_after_a_picture_box_is_kept():
    """The first paragraph follows the picture's box as loose text (no <p>): it is the
    article's, and stays first (plain trafilatura in fast mode loses it with the box)."""
    article = extract(LOOSE_TEXT_PAGE, "https://world.example.test/news/181595")
    anchor = "Anchor: After heavy downpours on Monday, Tuesday morning was met with strong, cold winds"
    assert anchor in article.text
    assert article.text.index(anchor) < article.text.index("Report: People out on the streets")
    assert "Cheorwon claimed the coldest temperature" in article.text
