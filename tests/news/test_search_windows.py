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


def partitions() -> set[int] | None:
    """The numbers of the search table's partitions (None: one table)."""
    from revue.news.search.backends import Tsvector
    from revue.news.search.pgschema import table_partitions

    with connection.cursor() as cursor:
        return table_partitions(Tsvector(connection), cursor)


def partition_ranges() -> dict[str, tuple[int, int]]:
    """Each partition's name and the lowest and highest article ids it holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, min(article_id), max(article_id) FROM news_article_search GROUP BY 1")
        return {name: (low, high) for name, low, high in cursor.fetchall()}


def test_the_index_is_cut_into_ranges_of_ids_as_the_ids_come(archive):
    """PostgreSQL (news.0010): the index's writer attached one partition for each range of
    ``SEARCH_PARTITION_IDS`` ids that articles reached, and each holds its range's entries alone."""
    from revue.news.search.backends import SEARCH_PARTITION_IDS

    if connection.vendor != "postgresql":
        pytest.skip("the FTS5 index is one table")
    ids = list(Article.objects.values_list("id", flat=True))
    assert partitions() == {pk // SEARCH_PARTITION_IDS for pk in ids}
    assert len(partitions()) >= 8
    for name, (low, high) in partition_ranges().items():
        number = int(name.rsplit("_p", 1)[1])
        assert low // SEARCH_PARTITION_IDS == high // SEARCH_PARTITION_IDS == number, name


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_entries_into_partitions_and_back():
    """news.0010 on an archive indexed before it, back, and forward again: the same matches each
    time, and what is indexed meanwhile is found after."""
    from django.core.management import call_command

    from revue.news.search.backends import SEARCH_PARTITION_IDS
    from revue.news.search.engine import candidates

    if connection.vendor != "postgresql":
        pytest.skip("the FTS5 index is one table")
    words = spread_archive()

    def newest() -> dict[str, list[int]]:
        return {word: [c.article_id for c in candidates(parse_query(word), SearchFilters(), 1001)] for word in words}

    before = newest()
    assert before == words
    try:
        call_command("migrate", "news", "0009", verbosity=0)
        assert partitions() is None
        assert newest() == before
        late = Article.objects.create(id=TOP + 3 * SEARCH_PARTITION_IDS, source=Source.objects.get(), title="panais tardif",
                                      url="https://potager.example/tard", url_hash=url_hash("https://potager.example/tard"),
                                      language="fr", published_at=timezone.now())
        search.index_pending()  # written in the one table
    finally:
        call_command("migrate", "news", verbosity=0)
    assert partitions() == set(range(late.pk // SEARCH_PARTITION_IDS + 1))  # every range up to the newest id
    after = newest()
    assert after["panais"] == [late.pk] + before["panais"]
    assert {word: found for word, found in after.items() if word != "panais"} == {
        word: found for word, found in before.items() if word != "panais"}
