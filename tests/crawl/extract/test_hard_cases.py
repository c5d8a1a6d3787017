"""extract on the hard cases of the benchmark corpus: what a reader must find, and must not.

Each page in ``bench/data/extraction/hard/`` was written for one difficulty (a long live blog, a
photo gallery, a paywalled teaser, an Arabic page, a body only in JSON-LD, lazy-loaded images,
newsletter and "Related" boxes); its expected text sits beside it and the benchmark scores
against it. Here each page is checked on the text kept and the text dropped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.crawl.extract import ExtractedArticle, extract

HARD = Path(__file__).resolve().parents[3] / "bench" / "data" / "extraction" / "hard"
URLS = {
    "liveblog_fr": "https://www.quotidien-sud.test/direct/seisme-al-haouz-secours",
    "gallery_en": "https://www.eastcoast.test/pictures/nador-west-med-first-ship",
    "paywall_fr": "https://www.eco-detroit.test/eau/dessalement-casablanca-pari",
    "arabic_ar": "https://www.sawt-maghrib.test/iqtisad/barnamaj-sakan-mudun-sughra",
    "jsonld_body_es": "https://www.faro-estrecho.test/ceuta/tarajal-horario-verano",
    "lazy_images_fr": "https://www.medina-info.test/patrimoine/tanneries-chouara",
    "newsletter_en": "https://www.maghreb-courier.test/energy/noor-midelt-grid",
}


def hard(name: str) -> ExtractedArticle:
    return extract((HARD / f"{name}.html").read_text(encoding="utf-8"), URLS[name])


def expected_paragraphs(name: str) -> list[str]:
    return (HARD / f"{name}.txt").read_text(encoding="utf-8").strip().split("\n\n")


@pytest.mark.parametrize("name", sorted(URLS))
def test_every_expected_paragraph_is_kept_in_order(name):
    """Captions of pictures within the text are under their pictures in the HTML, not in the
    article's text (on real pages they are credits and picture descriptions, not the article);
    on a picture page (the gallery) they are the text."""
    article = hard(name)
    paragraphs = article.text.split("\n\n")
    expected = [p for p in expected_paragraphs(name) if name == "gallery_en" or f"<figcaption>{p}</figcaption>" not in article.html]
    assert [p for p in paragraphs if p in expected] == expected


def test_captions_of_pictures_in_the_text_are_in_the_html_not_the_text():
    article = hard("lazy_images_fr")
    assert "<figcaption>Les cuves de teinture, refaites à l'identique.</figcaption>" in article.html
    assert "refaites à l'identique." not in article.text.replace("Les cuves de teinture ont été refaites", "")


# --- a long live blog ---------------------------------------------------------------------------


def test_live_blog_keeps_all_48_posts_with_their_times():
    article = hard("liveblog_fr")
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Un séisme de magnitude 6,8 a frappé vendredi soir")
    assert paragraphs[2] == "23h55"  # each post's time is its own paragraph, above its title
    assert article.html.count("<h3>") == 48
    assert "<p>23h55</p>\n<h3>" in article.html


@pytest.mark.parametrize(
    "dropped",
    ["EN DIRECT", "Rafraîchir", "Mis à jour en continu", "Partager ce post", "nouveaux messages",
     "Charger les messages précédents", "Lire aussi", "Reconstruction : le plan", "Réactions (214)",
     "Courage à toutes les familles", "Tous nos directs", "Mentions légales", "cookies"],
)
def test_live_blog_drops_the_live_page_furniture(dropped):
    article = hard("liveblog_fr")
    assert dropped not in article.text


def test_live_blog_metadata():
    article = hard("liveblog_fr")
    assert article.title == "DIRECT. Séisme dans Al Haouz : les secours heure par heure"
    assert article.language == "fr"


# --- a photo gallery ----------------------------------------------------------------------------


def test_gallery_keeps_every_photo_with_its_caption():
    article = hard("gallery_en")
    for number in range(1, 9):
        assert f'src="https://cdn.eastcoast.test/galleries/nador/port-{number}.jpg"' in article.html
    assert (
        "<figcaption>Dockers unload the first container ship to berth at the new terminal on Monday morning. "
        "Photo: Amine Idrissi</figcaption>"
    ) in article.html
    assert article.html.count("<figure>") == 8


@pytest.mark.parametrize("dropped", ["1 / 8", "8 / 8", "Previous", "Next", "View full screen", "thumb-port", "More galleries", "Tangier marathon"])
def test_gallery_drops_slideshow_controls_and_thumbnails(dropped):
    article = hard("gallery_en")
    assert dropped not in article.text
    assert dropped not in article.html


# --- a paywalled teaser -------------------------------------------------------------------------


def test_paywalled_teaser_keeps_the_standfirst_first_and_the_free_paragraph():
    article = hard("paywall_fr")
    assert article.text.split("\n\n") == expected_paragraphs("paywall_fr")


@pytest.mark.parametrize(
    "dropped",
    ["réservé aux abonnés", "Abonnez-vous", "Je m'abonne", "Déjà abonné", "Se connecter", "résiliable",
     "Il vous reste 85 %", "Xvbn qsd", "Abonnés", "Les plus lus"],
)
def test_paywalled_teaser_drops_the_subscription_prompt_and_blurred_text(dropped):
    assert dropped not in hard("paywall_fr").text


def test_a_page_for_subscribers_never_gets_its_json_ld_body_republished():
    text = hard("paywall_fr").text
    assert "prix de revient du mètre cube" not in text  # only in the locked JSON-LD articleBody
    assert "garantie d'achat" not in text


# --- an Arabic page -----------------------------------------------------------------------------


def test_arabic_page_keeps_its_text_subheading_and_quote():
    article = hard("arabic_ar")
    assert article.language == "ar"
    assert article.title == "الحكومة تعلن عن برنامج جديد لدعم السكن في المدن الصغرى"  # " - صوت المغرب" dropped
    assert "<h2>شروط الاستفادة</h2>" in article.html
    assert "<blockquote>" in article.html
    assert article.author == "مريم العلوي"


@pytest.mark.parametrize(
    "dropped",
    ["اقرأ أيضا", "أسعار العقار تواصل", "الرئيسية", "عاجل", "واتساب", "إعلان", "الوسوم", "مقالات ذات صلة",
     "برنامج جيد لكن", "جميع الحقوق محفوظة", "Version française"],
)
def test_arabic_page_drops_its_furniture(dropped):
    assert dropped not in hard("arabic_ar").text


# --- a body only in JSON-LD ---------------------------------------------------------------------


def test_body_only_in_json_ld_is_taken_from_article_body_as_paragraphs():
    article = hard("jsonld_body_es")
    assert article.text.split("\n\n") == expected_paragraphs("jsonld_body_es")
    assert article.html.count("<p>") == 5
    assert article.language == "es"
    assert article.author == "Lucía Benítez"


@pytest.mark.parametrize("dropped", ["Cargando noticia", "activar JavaScript", "Aviso legal", "Melilla"])
def test_body_only_in_json_ld_drops_the_app_shell(dropped):
    assert dropped not in hard("jsonld_body_es").text


# --- lazy-loaded images -------------------------------------------------------------------------


def test_lazy_images_get_their_real_address_and_caption():
    article = hard("lazy_images_fr")
    assert '<img src="http://www.medina-info.test/uploads/2024/04/chouara-cuves.jpg"' in article.html
    assert 'src="https://www.medina-info.test/uploads/2024/04/chouara-terrasse.jpg"' in article.html  # relative data-src
    assert "data:image" not in article.html
    assert "<figcaption>Depuis la terrasse panoramique, les visiteurs dominent les cuves.</figcaption>" in article.html
    assert article.html.count("<img") == 2  # the <noscript> copy is not a third image


def test_without_og_image_the_lead_is_the_first_content_picture_not_the_logo_or_pixel():
    assert hard("lazy_images_fr").image_url == "http://www.medina-info.test/uploads/2024/04/chouara-cuves.jpg"


# --- newsletter and "Related" boxes -------------------------------------------------------------


@pytest.mark.parametrize(
    "dropped",
    ["Sign up", "The Energy Brief", "Your email address", "privacy policy", "Related:", "green hydrogen",
     "Advertisement", "previously worked for a wire agency", "Most popular", "Budget airline", "Cookie settings"],
)
def test_boxes_inside_the_article_are_dropped(dropped):
    article = hard("newsletter_en")
    assert dropped not in article.text


def test_boxes_page_metadata():
    article = hard("newsletter_en")
    assert article.title == "Morocco's solar plant at Noor Midelt starts feeding the grid"
    assert article.image_url == "https://img.maghreb-courier.test/2025/02/noor-midelt.jpg"  # twitter:image
    assert article.canonical_url == "https://www.maghreb-courier.test/energy/noor-midelt-grid"  # utm_* dropped
    assert article.language == "en"
