"""The portal shows images only through the proxy: what a reader's page actually contains.

An article page and the cards of the home page are rendered by the real views; their ``<img>``
tags are read back. The outlet's own image URLs never reach the reader; a blocked image has no
address at all; the lead image comes first, inline images are lazy, and both carry their size once the
proxy knows it; an Arabic
article reads right to left.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from revue.news.image_links import unsign
from revue.news.models import Article, Category, Image
from revue.sources.models import Source

pytestmark = pytest.mark.django_db
IMG = re.compile(r"<img\b[^>]*>")
LEAD = "https://cdn.outlet.test/lead.jpg"
INLINE = "https://cdn.outlet.test/inline.jpg"
BLOCKED = "https://cdn.outlet.test/blocked.jpg"
UNKNOWN = "https://tracker.test/pixel.jpg"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(db):
    source = Source.objects.create(name="Le Courrier", slug="le-courrier", homepage="https://outlet.test/", language="fr")
    lead = Image.objects.create(url=LEAD, width=1600, height=900)
    inline = Image.objects.create(url=INLINE)
    blocked = Image.objects.create(url=BLOCKED, state=Image.State.BLOCKED)
    body = (
        "<p>Premier paragraphe de l'article.</p>\n"
        f'<figure><img src="{INLINE}" alt="La place" loading="lazy"><figcaption>La place rénovée.</figcaption></figure>\n'
        f'<p>Deuxième paragraphe.</p>\n<p><img src="{BLOCKED}" alt="retirée"></p>\n<p><img src="{UNKNOWN}" alt=""></p>'
    )
    article = Article.objects.create(
        source=source,
        url="https://outlet.test/article-1",
        title="La place rénovée",
        content_html=body,
        text="Premier paragraphe de l'article.",
        language="fr",
        image=lead,
        category=Category.objects.first(),
    )
    article.images.set([lead, inline, blocked])
    return article


def images_of(html: str) -> list[str]:
    return IMG.findall(html)


def test_no_outlet_image_url_reaches_the_readers_browser(client, article):
    tags = images_of(client.get(article.get_absolute_url()).content.decode())
    assert tags and all('src="/img/' in tag for tag in tags)
    for url in (LEAD, INLINE, BLOCKED, UNKNOWN):
        assert not any(url in tag for tag in tags)


def test_the_lead_image_is_served_by_the_proxy_with_its_size_at_once(client, article):
    """The article's own picture, the largest thing its page paints, is asked for at once and
    first (no ``loading="lazy"``, ``fetchpriority="high"``); inline and list images stay lazy."""
    page = client.get(article.get_absolute_url()).content.decode()
    lead = next(tag for tag in images_of(page) if 'width="1600"' in tag)
    src = re.search(r'src="/img/([^/"]+)/(\d+)"', lead)
    assert unsign(src[1]) == article.image_id and src[2] == "1024"
    assert 'height="900"' in lead and 'loading="lazy"' not in lead and 'fetchpriority="high"' in lead
    assert "320w" in lead and "640w" in lead and "1024w" in lead  # srcset of the proxy's widths


def test_inline_images_point_at_the_proxy_and_get_their_size_once_known(client, article):
    inline = Image.objects.get(url=INLINE)
    page = client.get(article.get_absolute_url()).content.decode()
    tag = next(tag for tag in images_of(page) if 'alt="La place"' in tag)
    assert unsign(re.search(r'src="/img/([^/"]+)/640"', tag)[1]) == inline.pk
    assert 'loading="lazy"' in tag and "width=" not in tag  # size not known yet
    assert f'data-image-id="{inline.pk}"' in tag  # the moderation filter's mark survives the proxying
    assert re.search(rf'data-image-id="{inline.pk}" name="jeton" value="[^"]+" lang="fr" dir="ltr">Signaler cette image</button>', page)
    Image.objects.filter(pk=inline.pk).update(width=1200, height=800)
    cache.clear()
    tag = next(tag for tag in images_of(client.get(article.get_absolute_url()).content.decode()) if 'alt="La place"' in tag)
    assert 'width="1200" height="800"' in tag
    assert "<figcaption>La place rénovée.</figcaption>" in client.get(article.get_absolute_url()).content.decode()


def test_a_blocked_inline_image_has_no_address_only_the_placeholder(client, article):
    blocked = Image.objects.get(url=BLOCKED)
    page = client.get(article.get_absolute_url()).content.decode()
    tokens = [unsign(token) for token in re.findall(r'/img/([^/"\s]+)', page)]
    assert blocked.pk not in tokens
    assert "Image retirée" in page


def test_an_image_revue_does_not_know_is_left_out_not_hot_linked(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert "tracker.test" not in page
    assert len([tag for tag in images_of(page) if 'alt=""' in tag and "/img/" in tag]) == 0


def test_blocking_the_lead_image_takes_it_off_the_page_and_the_cards(client, article):
    Image.objects.filter(pk=article.image_id).update(state=Image.State.BLOCKED)
    cache.clear()
    token_ids = lambda html: {unsign(t) for t in re.findall(r'/img/([^/"\s]+)', html)}  # noqa: E731
    assert article.image_id not in token_ids(client.get(article.get_absolute_url()).content.decode())
    assert article.image_id not in token_ids(client.get("/").content.decode())


def test_cards_use_the_small_width(client, article):
    home = client.get("/").content.decode()
    card = next(tag for tag in images_of(home) if "/img/" in tag)
    assert re.search(r'src="/img/[^/"]+/320"', card)
    assert 'loading="lazy"' in card


def test_an_arabic_article_reads_right_to_left(client, article):
    article.language = "ar"
    article.title = "افتتاح سوق أسبوعي جديد في مكناس"
    article.content_html = "<p>افتتحت جماعة مكناس صباح يوم الأحد سوقا أسبوعيا جديدا.</p>"
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'<article class="article"[^>]*lang="ar" dir="rtl"', page)
    assert 'lang="fr" dir="ltr">Publié dans' in page  # the portal's own French line stays left to right
