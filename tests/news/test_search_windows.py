"""The newest matches of a word, however its matches are spread over the archive's ids: on
PostgreSQL they are sought window of ids by window, newest first, each window up to four times
wider than the last, narrower when the last one's matches say the missing ones lie close (news.0007,
news.0008, ``revue.news.search.backends.newest_function``); a search must find the
newest ``REVUE_SEARCH_MAX_RESULTS`` matches whether they sit in the first window, across several,
or only in the oldest. Runs on SQLite (one FTS5 statement) too: the same answers expected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from revue.news import search
from revue.news.models import Article, url_hash
from revue.news.search.backends import SEARCH_FIRST_WINDOW
from revue.news.search.query import SearchFilters, parse_query
from revue.sources.models import Source

TOP = 40 * SEARCH_FIRST_WINDOW  # the newest id: windows 1, 4, 16 wide… reach the oldest in four steps


def spread_archive() -> dict[str, list[int]]:
    """Articles at ids spread from 1 to ``TOP``, the ids of each word's matches, newest first:
    « fenouil » every third article, all through; « panais » in the newest window alone;
    « topinambour » in the two oldest articles alone; « rutabaga » in one article per window."""
    source = Source.objects.create(name="Le Potager", language="fr")
    now = timezone.now()
    ids = sorted({TOP - (TOP - 1) * n * n // 59 ** 2 for n in range(60)} | {TOP - 7, TOP - 3}, reverse=True)
    words: dict[str, list[int]] = {"fenouil": [], "panais": [], "topinambour": [], "rutabaga": []}
    articles = []
    window, top, seen = SEARCH_FIRST_WINDOW, TOP, set()
    for n, pk in enumerate(ids):
        while pk <= top - window:
            top, window = top - window, window * 4
        title = ["Chronique du jardin"]
        if n % 3 == 0:
            title.append("fenouil")
        if pk > TOP - SEARCH_FIRST_WINDOW:
            title.append("panais")
        if pk in ids[-2:]:
            title.append("topinambour")
        if top not in seen:
            seen.add(top)
            title.append("rutabaga")
        for word in words:
            if word in title:
                words[word].append(pk)
        url = f"https://potager.example/{pk}"
        articles.append(Article(id=pk, source=source, url=url, url_hash=url_hash(url), title=" ".join(title),
                                text="Semis et récoltes.", language="fr", published_at=now - timedelta(minutes=n)))
    Article.objects.bulk_create(articles)
    search.index_pending()
    return words


@pytest.fixture
def archive(db):
    return spread_archive()


@pytest.mark.parametrize("cap", [3, 8, 1000])
def test_the_newest_matches_are_found_across_windows_of_ids(archive, settings, cap):
    """The engine ranks the newest ``cap`` + 1 matches (newest first, as the index gives them) and
    shows the best ``cap``: every word's come from wherever its matches are."""
    from revue.news.search.engine import candidates

    settings.REVUE_SEARCH_MAX_RESULTS = cap
    assert len(archive["fenouil"]) > 9 and len(archive["rutabaga"]) >= 4
    for word, ids in archive.items():
        assert [c.article_id for c in candidates(parse_query(word), SearchFilters(), cap + 1)] == ids[: cap + 1], word
        results = search.search(word, size=1000)
        assert len(results.hits) == min(cap, len(ids)) and results.capped == (len(ids) > cap), word
        assert {hit.article.pk for hit in results.hits} <= set(ids[: cap + 1]), word


def test_a_word_found_only_in_the_oldest_articles_and_a_word_found_nowhere(archive):
    assert {hit.article.pk for hit in search.search("topinambour").hits} == set(archive["topinambour"])
    assert search.search("salsifis").hits == []


def test_filters_hold_in_every_window(archive):
    from revue.news.search.params import search_filters

    assert search.search("fenouil", search_filters(lang="es")).hits == []
    found = search.search("rutabaga OR topinambour", search_filters(lang="fr"), size=1000)
    assert sorted((hit.article.pk for hit in found.hits), reverse=True) == sorted(
        set(archive["rutabaga"]) | set(archive["topinambour"]), reverse=True)


def test_an_empty_index_finds_nothing(db):
    assert search.search("fenouil").hits == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM news_article_search_newest('fenouil', 'fenouil', 0.1, 10)")
            assert cursor.fetchone() == (0,)
