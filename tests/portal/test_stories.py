"""Stories in the portal: the story page, "À la une", other outlets' coverage under an article,
one ticker headline per story and republished copies left out of lists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from revue.news.models import Article, Story
from revue.news.stories.store import assign_stories
from revue.sources.models import Source
from tests.news.samples import CAFTAN

pytestmark = pytest.mark.django_db

SEISME = (  # another event, two outlets (written for these tests)
    ("Séisme de magnitude 5,2 au large d'Al Hoceima, aucune victime signalée",
     "Un séisme de magnitude 5,2 a été enregistré jeudi à 04h17 au large d'Al Hoceima, selon l'Institut national "
     "de géophysique, qui situe l'épicentre à 38 kilomètres de la côte. Aucune victime n'est signalée, a indiqué "
     "Driss Sebti, responsable de la protection civile."),
    ("Al Hoceima : une secousse de 5,2 ressentie dans la nuit",
     "La secousse de magnitude 5,2 ressentie jeudi à 04h17 à Al Hoceima n'a fait aucune victime, selon Driss "
     "Sebti. L'épicentre se trouve à 38 kilomètres au large, précise l'Institut national de géophysique."),
)


@pytest.fixture
def outlets(db):
    def outlet(slug: str, language: str) -> Source:
        return Source.objects.create(name=slug.replace("-", " ").title(), slug=slug, language=language,
                                     homepage=f"https://{slug}.example/")
    return {slug: outlet(slug, language) for slug, language, *_ in CAFTAN} | {
        "rif-info": outlet("rif-info", "fr"), "nord-soir": outlet("nord-soir", "fr")}


@pytest.fixture
def caftan(outlets, make_article, category):
    """The caftan story: four outlets, three languages, an hour ago and later; returns its articles."""
    start = timezone.now() - timedelta(hours=3)
    articles = [make_article(outlets[slug], title, text=text, language=language, category=category("culture"),
                             published_at=start + timedelta(minutes=minutes))
                for slug, language, minutes, title, text in CAFTAN]
    assign_stories(a.pk for a in articles)
    return [Article.objects.get(pk=a.pk) for a in articles]


@pytest.fixture
def seisme(outlets, make_article, category):
    start = timezone.now() - timedelta(hours=20)
    articles = [make_article(outlets[slug], title, text=text, language="fr", category=category("maroc"),
                             published_at=start + timedelta(minutes=10 * n))
                for n, (slug, (title, text)) in enumerate(zip(("rif-info", "nord-soir"), SEISME))]
    assign_stories(a.pk for a in articles)
    return [Article.objects.get(pk=a.pk) for a in articles]


def test_the_story_page_lists_every_outlets_article_with_language_and_time(client, caftan):
    story = caftan[0].story
    response = client.get(f"/histoire/{story.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Couvert par 4 sources" in html and "en français, arabe, espagnol" in html
    items = re.findall(r'<li class="story__article card">(.*?)</li>', html, re.S)
    assert len(items) == 4
    for article, item in zip(caftan, items):  # first published first
        assert f'href="/{article.source.slug}/{article.pk}"' in item
        assert f'datetime="{timezone.localtime(article.published_at).isoformat()}"' in item
    assert "arabe" in items[3] and 'lang="ar"' in items[3] and "espagnol" in items[2]
    assert story.title == caftan[0].title or story.title == caftan[1].title, "a French title"


def test_unknown_or_hidden_stories_are_404(client, caftan):
    assert client.get("/histoire/999999/").status_code == 404
    Source.objects.update(is_active=False)
    assert client.get(f"/histoire/{caftan[0].story_id}/").status_code == 404


def test_home_ranks_stories_by_outlets_and_recency(client, caftan, seisme, make_article, outlets):
    lonely = make_article(outlets["rif-info"], "Une brève sans autre source")
    assign_stories([lonely.pk])

    html = client.get("/").content.decode()
    block = re.search(r'<section class="section top-stories".*?</section>', html, re.S).group()

    links = re.findall(r'href="/histoire/(\d+)/"><?', block)
    assert [int(n) for n in dict.fromkeys(links)] == [caftan[0].story_id, seisme[0].story_id]
    assert "Couvert par 4 sources" in block and "Couvert par 2 sources" in block
    assert "Une brève sans autre source" not in block


def test_the_ticker_shows_one_headline_per_story(client, caftan, seisme):
    html = client.get("/").content.decode()
    ticker = re.search(r'<ol class="ticker__list"[^>]*>(.*?)</ol>', html, re.S).group(1)
    shown = [int(pk) for pk in re.findall(r'href="/[-\w]+/(\d+)"', ticker)]
    assert len(shown) == 2
    assert {Article.objects.get(pk=pk).story_id for pk in shown} == {caftan[0].story_id, seisme[0].story_id}


def test_a_republished_copy_leaves_category_lists_but_not_its_outlet(client, caftan, outlets, make_article, category):
    original = caftan[0]
    copy = make_article(outlets["nord-soir"], original.title + " [INTEGRAL]", text="Par la rédaction\n\n" + original.text,
                        language="fr", category=category("culture"), published_at=original.published_at + timedelta(minutes=5))
    assign_stories([copy.pk])
    copy.refresh_from_db()
    assert copy.duplicate_of_id == original.pk and copy.story_id == original.story_id

    assert "[INTEGRAL]" not in client.get("/categorie/culture/").content.decode()
    assert "[INTEGRAL]" in client.get("/nord-soir/").content.decode()
    assert "[INTEGRAL]" in client.get(f"/histoire/{original.story_id}/").content.decode()


def test_an_article_links_to_the_other_outlets_coverage(client, caftan):
    article = caftan[0]
    html = client.get(f"/{article.source.slug}/{article.pk}").content.decode()
    block = re.search(r'<section class="section coverage".*?</section>', html, re.S).group()

    assert "Aussi couvert par" in block and f'href="/histoire/{article.story_id}/"' in block
    for other in caftan[1:]:
        assert f'href="/{other.source.slug}/{other.pk}"' in block
    assert f'href="/{article.source.slug}/{article.pk}"' not in block


def test_an_article_alone_in_its_story_has_no_coverage_block(client, outlets, make_article):
    alone = make_article(outlets["rif-info"], "Une brève")
    assign_stories([alone.pk])
    assert "Aussi couvert par" not in client.get(f"/rif-info/{alone.pk}").content.decode()


def test_story_pages_and_home_cost_a_bounded_number_of_queries(client, caftan, seisme, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the story and its lead, its articles, the navigation, the footer
        assert client.get(f"/histoire/{caftan[0].story_id}/").status_code == 200
    with django_assert_max_num_queries(Story.objects.count() + 12):
        assert client.get("/").status_code == 200
