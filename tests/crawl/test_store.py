"""Storing is idempotent: the same entry twice, or in two feeds of one outlet, is one article."""

from __future__ import annotations

from datetime import datetime, timezone as tz

import pytest

from revue.crawl.drafts import ArticleDraft
from revue.crawl.store import NEW_ENTRIES_CHUNK, new_entries, store_drafts, store_many
from revue.news.models import Article, Image
from revue.sources.models import Feed, Source


def draft(n: int, **kw) -> ArticleDraft:
    values = dict(
        url=f"https://quotidien.example/{n}",
        guid=f"guid-{n}",
        title=f"Titre {n}",
        summary="Résumé",
        content_html="<p>Texte</p>",
        text="Texte",
        author="Rédaction",
        language="fr",
        published_at=datetime(2025, 12, 8, 10, n, tzinfo=tz.utc),
        image_url="https://quotidien.example/img/shared.jpg",
        category_slug="economie",
    )
    values.update(kw)
    return ArticleDraft(**values)


@pytest.fixture
def outlet(db):
    source = Source.objects.create(name="Le Quotidien", language="fr")
    main = Feed.objects.create(source=source, url="https://quotidien.example/rss")
    sport = Feed.objects.create(source=source, url="https://quotidien.example/rss/sport")
    return source, main, sport


def test_storing_twice_changes_nothing(outlet):
    source, main, _ = outlet
    first = store_drafts(source.id, main.id, [draft(1), draft(2)])
    again = store_drafts(source.id, main.id, [draft(1), draft(2)])
    assert len(first.created) == 2 and first.existing == 0
    assert again.created == () and again.existing == 2
    assert Article.objects.count() == 2


def test_the_same_entry_in_two_feeds_of_one_outlet_is_one_article(outlet):
    source, main, sport = outlet
    store_drafts(source.id, main.id, [draft(1)])
    result = store_drafts(source.id, sport.id, [draft(1, url="https://quotidien.example/1?from=sport")])
    assert result.created == ()
    assert Article.objects.count() == 1


def test_an_entry_is_new_unless_its_url_or_its_guid_at_this_outlet_is_stored(outlet):
    """What the crawler asks before it makes drafts of a feed's entries."""
    source, main, _ = outlet
    other = Source.objects.create(name="L'Autre", language="fr")
    store_drafts(source.id, main.id, [draft(1), draft(2, guid="")])
    asked = [
        ("https://quotidien.example/1", "guid-1"),  # stored
        ("https://quotidien.example/1-modifie", "guid-1"),  # its URL changed, its guid did not
        ("https://quotidien.example/2", "autre-guid"),  # the same URL under another guid
        ("https://quotidien.example/3", ""),  # no guid, a URL never seen
        ("https://quotidien.example/4", "guid-4"),  # new
        ("https://quotidien.example/2-bis", ""),  # no guid: "" matches nothing
    ]
    assert new_entries(source.id, asked) == {3, 4, 5}
    # another outlet may well use the same guids: only the URL counts across outlets
    assert new_entries(other.id, asked) == {1, 3, 4, 5}
    assert new_entries(source.id, []) == set()


def test_a_long_feed_is_asked_about_in_several_statements(outlet):
    source, main, _ = outlet
    store_drafts(source.id, main.id, [draft(1)])
    asked = [("https://quotidien.example/1", "guid-1")] + [
        (f"https://quotidien.example/long/{n}", f"long-{n}") for n in range(NEW_ENTRIES_CHUNK + 5)
    ] + [("https://quotidien.example/1-encore", "guid-1")]
    assert new_entries(source.id, asked) == set(range(1, NEW_ENTRIES_CHUNK + 6))


def test_one_image_row_is_shared_by_every_article(outlet):
    source, main, _ = outlet
    store_drafts(source.id, main.id, [draft(1), draft(2, inline_image_urls=("https://quotidien.example/img/shared.jpg",))])
    assert Image.objects.count() == 1
    image = Image.objects.get()
    assert image.articles.count() == 2 and image.lead_of.count() == 2


def test_category_and_fields_are_stored(outlet):
    source, main, _ = outlet
    (article_id,) = store_drafts(source.id, main.id, [draft(3)]).created
    article = Article.objects.select_related("category").get(id=article_id)
    assert article.category.slug == "economie"
    assert article.title == "Titre 3" and article.feed_id == main.id


def test_a_draft_without_title_or_text_is_skipped_with_a_reason(outlet):
    source, main, _ = outlet
    result = store_drafts(source.id, main.id, [draft(4, title="", text="")])
    assert result.created == () and "no title" in result.skipped[0]


def test_many_feeds_stored_at_once_each_get_their_own_result(outlet):
    source, main, sport = outlet
    results = store_many([
        (source.id, main.id, [draft(1), draft(2)]),
        (source.id, sport.id, [draft(2), draft(3)]),  # 2 came with the first feed
    ])
    assert [r.created != () for r in results] == [True, True]
    assert [len(r.created) for r in results] == [2, 1] and results[1].existing == 1
    assert Article.objects.count() == 3


def test_one_feed_that_cannot_be_stored_does_not_spoil_the_others(transactional_db, outlet):
    """Committed for real: the foreign key is checked at the commit, as in the crawler."""
    source, main, _sport = outlet
    gone = Source.objects.create(name="Disparu", language="fr")
    gone_id = gone.id
    gone.delete()  # an outlet deleted while its feed was being crawled
    results = store_many([
        (source.id, main.id, [draft(1)]),
        (gone_id, None, [draft(2)]),
        (source.id, main.id, [draft(3)]),
    ])
    assert isinstance(results[1], Exception)
    assert [len(results[0].created), len(results[2].created)] == [1, 1]
    assert sorted(Article.objects.values_list("guid", flat=True)) == ["guid-1", "guid-3"]


def test_two_feeds_of_one_outlet_carrying_one_guid_store_it_once(outlet):
    """In one batch as one feed after the other: the second feed finds the first's entry."""
    source, main, sport = outlet
    results = store_many([
        (source.id, main.id, [draft(1)]),
        (source.id, sport.id, [draft(1, url="https://quotidien.example/sport/1")]),  # same guid, other URL
    ])
    assert [len(r.created) for r in results] == [1, 0] and results[1].existing == 1
    assert Article.objects.count() == 1


def test_a_feed_whose_rows_the_database_refuses_spoils_only_itself(outlet):
    """A row refused as it is written (here: no summary, where the column needs one) costs that
    feed alone; the feeds stored with it in the same batch are kept. PostgreSQL refuses the
    statement, and each feed is then stored in a savepoint of its own; SQLite's INSERT OR
    IGNORE, what ``ignore_conflicts`` writes there, skips the row alone."""
    from django.db import connection

    source, main, sport = outlet
    results = store_many([
        (source.id, main.id, [draft(1), draft(2)]),
        (source.id, sport.id, [draft(3, summary=None)]),
        (source.id, sport.id, [draft(4)]),
    ])
    if connection.vendor == "postgresql":
        assert isinstance(results[1], Exception)
    else:
        assert results[1].created == ()
    assert [len(results[0].created), len(results[2].created)] == [2, 1]
    assert sorted(Article.objects.values_list("guid", flat=True)) == ["guid-1", "guid-2", "guid-4"]


def test_a_batch_of_feeds_is_stored_in_a_few_statements_not_a_few_per_feed(outlet):
    """The crawler's one database thread waits on each statement (a round trip on PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source, main, _sport = outlet
    batch = [(source.id, main.id, [draft(n, url=f"https://quotidien.example/{f}/{n}", guid=f"{f}-{n}")
                                   for n in range(5)]) for f in range(20)]
    with CaptureQueriesContext(connection) as statements:
        results = store_many(batch)
    assert [len(r.created) for r in results] == [5] * 20
    assert Article.objects.count() == 100
    assert len(statements) <= 12, [q["sql"][:80] for q in statements]
