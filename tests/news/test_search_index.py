"""Search over the archive, on the real database: the index keeps in step, queries find, rank, filter.

Runs on SQLite (FTS5) and on PostgreSQL (tsvector + GIN) alike.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone as tz

import pytest
from django.utils import timezone

from revue.crawl.drafts import ArticleDraft
from revue.crawl.store import settle, settle_inputs, store_drafts
from revue.news import search
from revue.news.search.words import index_entry
from revue.news.stories import StoryParams, prepare_all
from revue.news.models import Article, Category
from revue.news.search.params import search_filters
from revue.news.search.query import TSQUERY_FACET_MARK
from revue.sources.models import Feed, Source

_serial = itertools.count(1)


@pytest.fixture
def outlet(db):
    def make(name: str, language: str = "fr") -> Source:
        return Source.objects.create(name=name, language=language)

    return make


@pytest.fixture
def article(outlet):
    default = {}

    def make(title: str, text: str = "", *, source: Source | None = None, **fields) -> Article:
        if source is None:
            source = default.setdefault("source", outlet("Le Quotidien"))
        n = next(_serial)
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=n))
        fields.setdefault("language", source.language)
        made = Article.objects.create(source=source, url=f"https://quotidien.example/{n}", title=title, text=text, **fields)
        search.index_articles([made.pk])  # as the crawler's settle does
        return made

    return make


def found(query: str, **filters) -> list[str]:
    """The titles a search finds once what is queued is indexed (as each crawl run ends: a
    search itself only reads the index)."""
    search.index_pending()
    results = search.search(query, search_filters(**filters) if filters else None)
    return [hit.article.title for hit in results.hits]


# --- the index keeps in step --------------------------------------------------------------------


def test_a_new_article_is_found(article):
    article("La résolution du Conseil de sécurité", "Un texte adopté à l'unanimité.")
    assert found("unanimité") == ["La résolution du Conseil de sécurité"]


def test_an_edited_article_is_found_as_it_now_reads(article):
    item = article("Le port de Tanger", "Un record de conteneurs.")
    item.title = "Le port de Nador"
    item.save()
    assert found("nador") == ["Le port de Nador"]
    assert found("tanger") == []


def test_an_update_through_a_queryset_is_seen_too(article):
    item = article("Le budget voté", "Les députés ont voté.")
    Article.objects.filter(pk=item.pk).update(text="Les sénateurs ont rejeté.")
    assert found("sénateurs") == ["Le budget voté"]
    assert found("députés") == []


def test_a_deleted_article_is_no_longer_found(article):
    item = article("Inondations à Safi", "Des pluies torrentielles.")
    assert found("torrentielles") == ["Inondations à Safi"]
    item.delete()
    assert found("torrentielles") == []


def test_deleting_an_outlet_removes_its_articles_from_the_index(article, outlet):
    source = outlet("Éphémère")
    article("Une brève éphémère", source=source)
    Source.objects.filter(pk=source.pk).delete()
    assert found("brève") == []


def three_drafts() -> list[ArticleDraft]:
    return [
        ArticleDraft(
            url=f"https://lematin.example/{n}", guid=str(n), title=f"Sécheresse et barrages {n}",
            summary="", content_html="", text="Le niveau des barrages baisse.", author="",
            language="fr", published_at=datetime(2025, 12, 8, 10, n, tzinfo=tz.utc),
        )
        for n in range(3)
    ]


def test_articles_stored_by_the_crawler_are_indexed_in_its_batch(outlet):
    source = outlet("Le Matin")
    feed = Feed.objects.create(source=source, url="https://lematin.example/rss")
    drafts = three_drafts()
    settle(store_drafts(source.id, feed.id, drafts).created)
    assert search.pending_ids() == []  # nothing left for the next search to do
    assert sorted(found("barrages")) == ["Sécheresse et barrages 0", "Sécheresse et barrages 1", "Sécheresse et barrages 2"]


def test_entries_made_before_the_write_are_used_unless_the_article_changed_meanwhile(outlet):
    """The crawler's settle process reads new articles once, makes their entries and story
    features, then writes: an article edited (or deleted) in between is indexed as it now reads."""
    source = outlet("Le Matin")
    feed = Feed.objects.create(source=source, url="https://lematin.example/rss")
    drafts = three_drafts()
    ids = list(store_drafts(source.id, feed.id, drafts).created)
    items, rows = settle_inputs(ids)
    prepared = prepare_all(items, StoryParams.from_settings())
    entries = {row["id"]: index_entry(row, **search.entry_options()) for row in rows}
    Article.objects.filter(id=ids[0]).update(title="Inondations à Tétouan", text="Les oueds débordent.")
    Article.objects.filter(id=ids[2]).delete()
    settle(ids, prepared, items, rows, entries)
    assert search.pending_ids() == []
    assert found("barrages") == ["Sécheresse et barrages 1"]
    assert found("oueds") == ["Inondations à Tétouan"]
    assert found("barrages", since="2025-12-08", until="2025-12-08") == ["Sécheresse et barrages 1"]  # day facets
    assert found("barrages", since="2025-12-09") == []
    assert found("barrages", lang="fr") == ["Sécheresse et barrages 1"]  # language facet
    assert Article.objects.filter(id=ids[1], story__isnull=False).exists()  # stories went on without the deleted one
    assert Article.objects.get(id=ids[0]).story_id is not None


# --- what a reader types ------------------------------------------------------------------------


def test_accents_and_case_do_not_matter(article):
    article("La RÉSOLUTION adoptée", "")
    assert found("resolution") == ["La RÉSOLUTION adoptée"]
    assert found("Résolution") == ["La RÉSOLUTION adoptée"]


def test_french_stemming_finds_other_forms(article):
    article("Les élections municipales", "")
    assert found("élection") == ["Les élections municipales"]


def test_arabic_is_found_whatever_its_hamza_tashkeel_or_tatweel(article, outlet):
    hespress = outlet("Hespress", "ar")
    article("أعلنت الحكومة عن إصلاح جديد", "وقال المسؤول إنّ الإصلاح سيبدأ", source=hespress)
    assert found("اعلنت") == ["أعلنت الحكومة عن إصلاح جديد"]
    assert found("اصلاح") == ["أعلنت الحكومة عن إصلاح جديد"]
    assert found("المسوول") == ["أعلنت الحكومة عن إصلاح جديد"]
    assert found("الحكـــومة") == ["أعلنت الحكومة عن إصلاح جديد"]


def test_phrases_match_words_side_by_side_only(article):
    article("Conseil de sécurité", "")
    article("La sécurité du conseil", "")
    assert found('"conseil de sécurité"') == ["Conseil de sécurité"]


def test_prefixes_match_the_start_of_words(article):
    article("Une résolution historique", "")
    article("Résoudre la crise", "")
    article("Le football", "")
    assert sorted(found("résol*")) == ["Une résolution historique"]
    assert sorted(found("réso*")) == ["Résoudre la crise", "Une résolution historique"]


def test_exclusions_and_or(article):
    article("Le Maroc et le Sahara", "")
    article("Le Maroc et l'Espagne", "")
    article("L'Algérie", "")
    assert found("maroc -sahara") == ["Le Maroc et l'Espagne"]
    assert sorted(found("sahara OR algérie")) == ["L'Algérie", "Le Maroc et le Sahara"]


@pytest.mark.parametrize(
    "query",
    ['"', 'maroc"', '"maroc', "AND", "maroc AND", "OR maroc", "NOT", "*", "maroc*", "-", "-maroc", "--maroc",
     "(maroc", "maroc)", ":", "title:maroc", "NEAR(maroc", "^maroc", "'", "maroc'", "%", "\\", "\x00", "{maroc}",
     "ma*roc", "***", "ماروك*", "x" * 10_000, "maroc " * 2_000],
)
def test_no_query_a_reader_can_type_breaks_the_engine(article, query):
    article("Le Maroc aujourd'hui", "")
    search.search(query)  # an answer, maybe empty: never an exception


# --- filters ------------------------------------------------------------------------------------


def test_filter_by_outlet_category_and_language(article, outlet):
    le360 = outlet("Le360")
    hespress = outlet("Hespress", "ar")
    sport = Category.objects.get(slug="sport")
    article("Le Raja gagne le match", source=le360, category=sport)
    article("Le Wydad gagne le match", category=sport)
    article("match الرجاء", source=hespress)
    assert found("match", outlet=le360.slug) == ["Le Raja gagne le match"]
    assert sorted(found("match", category="sport")) == ["Le Raja gagne le match", "Le Wydad gagne le match"]
    assert found("match", lang="ar") == ["match الرجاء"]


def test_filter_by_date_range_in_local_days(article):
    article("Tempête en décembre", published_at=datetime(2025, 12, 8, 12, tzinfo=tz.utc))
    article("Tempête en janvier", published_at=datetime(2026, 1, 15, 12, tzinfo=tz.utc))
    article("Tempête en mars", published_at=datetime(2026, 3, 1, 12, tzinfo=tz.utc))
    assert found("tempête", since="2025-12-08", until="2026-01-31") == ["Tempête en janvier", "Tempête en décembre"]
    assert found("tempête", since="2026-02-01") == ["Tempête en mars"]
    assert found("tempête", until="2025-12-07") == []


def test_a_word_spelt_like_a_facet_finds_only_the_word(article, outlet):
    """Filters are facet terms indexed with each article (the language facet of Spanish is
    ``les``, an outlet's ``s`` and its id, a day's ``d`` and its date): a reader's word, or prefix,
    never matches one, and a facet never matches a word."""
    elpais = outlet("El País", "es")
    spanish = article("El gobierno aprueba el presupuesto", "", source=elpais,
                      published_at=datetime(2025, 12, 8, 12, tzinfo=tz.utc))
    french = article("Les députés votent", "Le prix de la lessive est en débat.")
    assert found("les") == ["Les députés votent"]
    assert found("les*") == ["Les députés votent"]  # lessive
    assert found(f"s{elpais.pk}") == [] and found("d20251208") == [] and found("lfr") == []
    assert found("presupuesto", lang="es") == [spanish.title]
    assert found("les", lang="es") == []
    assert found("députés", lang="fr") == [french.title]


def test_entries_written_before_facets_were_marked_are_rewritten(article, outlet):
    """Migration ``news.0005`` on PostgreSQL: entries whose facets were bare words (weight D), in
    a table without ``title``, get them marked and their title's tsvector; words, filters and
    ranking find them as if indexed anew."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its facets in a column of their own")
    elpais = outlet("El País", "es")
    spanish = article("Les presupuestos del gobierno", "El gobierno aprueba el presupuesto.", source=elpais,
                      published_at=datetime(2025, 12, 8, 12, tzinfo=tz.utc))
    french = article("Les députés votent", "Le texte part au Sénat.")
    with connection.cursor() as cursor:  # as the round-2 backend wrote them, in its table
        cursor.execute("UPDATE news_article_search SET document = replace(document::text, %s, %s)::tsvector",
                       ["'" + TSQUERY_FACET_MARK, "'"])
        cursor.execute("ALTER TABLE news_article_search DROP COLUMN title")
        cursor.execute("DROP FUNCTION news_article_search_newest")
        cursor.execute("SELECT count(*) FROM news_article_search WHERE document @@ 'les:D'")
        assert cursor.fetchone() == (1,)  # the Spanish article's language facet, as a bare word
    search.backend().mark_facets()
    assert found("les") == [french.title, spanish.title]
    assert found("aprueba") == [spanish.title]  # in its body alone
    assert found("les", lang="es") == [spanish.title]
    assert found("presupuesto", since="2025-12-08", until="2025-12-08", lang="es") == [spanish.title]
    assert found(f"s{elpais.pk}") == [] and found("d20251208") == []
    search.backend().mark_facets()  # twice: the same
    assert found("presupuesto", lang="es", outlet=elpais.slug) == [spanish.title]


# --- ranking, highlighting, pages ---------------------------------------------------------------


def test_relevance_counts_a_title_match_above_a_passing_mention(article):
    article("Un article sur autre chose", "Il évoque le phosphate en passant, parmi bien d'autres sujets.")
    article("Le phosphate marocain", "Les exportations de phosphate progressent.")
    assert found("phosphate")[0] == "Le phosphate marocain"


def test_recency_decides_between_equally_relevant_articles(article):
    now = timezone.now()
    article("Séisme au large", "", published_at=now - timedelta(days=30))
    article("Séisme au large", "", published_at=now - timedelta(hours=1))
    hits = search.search("séisme").hits
    assert hits[0].article.published_at > hits[1].article.published_at


def test_matches_are_highlighted_and_everything_else_escaped(article):
    article("<b>Alerte</b> résolution", "Le texte dit : une résolution <script>alert(1)</script> adoptée.")
    hit = search.search("resolution").hits[0]
    assert "<mark>résolution</mark>" in hit.title_html and "&lt;b&gt;Alerte&lt;/b&gt;" in hit.title_html
    assert "<mark>résolution</mark>" in hit.snippet_html and "<script>" not in hit.snippet_html


def test_results_come_a_page_at_a_time(article):
    for n in range(5):
        article(f"Marché numéro {n}", "")
    first = search.search("marché", size=2)
    third = search.search("marché", offset=4, size=2)
    assert len(first.hits) == 2 and first.has_more and first.matches == 5
    assert len(third.hits) == 1 and not third.has_more
    everything = search.search("marché", size=10)
    assert {h.article.pk for h in everything.hits} == {h.article.pk for h in first.hits + search.search("marché", offset=2, size=2).hits + third.hits}


def test_triggers_dropped_by_a_table_rebuild_come_back_after_migrate(article):
    from django.db import connection

    from revue.news.apps import restore_search_index

    drops = [s for s in search.backend().dropped if "TRIGGER" in s]
    with connection.cursor() as cursor:
        for statement in drops:  # what SQLite does to a table's triggers when a migration rebuilds it
            cursor.execute(statement)
    restore_search_index(sender=None, using="default")
    item = article("Écrit après la migration", "")
    assert found("migration") == ["Écrit après la migration"]
    Article.objects.filter(pk=item.pk).update(title="Corrigé après la migration")
    assert found("corrigé") == ["Corrigé après la migration"]



def test_reindex_command_rebuilds_the_index(article):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    item = article("L'hydrogène vert à Guelmim", "Une usine pilote.")
    with connection.cursor() as cursor:  # lose the index, as a bad restore would
        cursor.execute("DELETE FROM news_article_fts" if connection.vendor == "sqlite" else "DELETE FROM news_article_search")
    out = StringIO()
    call_command("search", "reindex", stdout=out)
    assert "articles indexés" in out.getvalue()
    assert found("hydrogène") == [item.title]


# --- a time limit on every search ------------------------------------------------------------------


def test_a_search_past_its_time_limit_stops_with_search_timeout(db):
    """The mechanism on this database (SQLite's progress handler, PostgreSQL's statement_timeout):
    a statement that would run for seconds is stopped after the limit, and the connection still
    answers the next query."""
    import time

    from django.db import connection

    index = search.backend()
    slow = ("SELECT pg_sleep(5)" if connection.vendor == "postgresql" else
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) FROM n")
    started = time.monotonic()
    with pytest.raises(search.SearchTimeout):
        with index.time_limit(200):
            with connection.cursor() as cursor:
                cursor.execute(slow)
    assert time.monotonic() - started < 2.5
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_search_outside_any_transaction_leaves_the_connection_without_its_time_limit(transactional_db):
    """How a served page searches (no transaction around it; the limit set in one of its own, so
    that the transaction's end undoes it): the limit stops a slow statement inside, and a slower
    one than the limit runs in full after, on the same connection."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's limit is a progress handler, not a setting of the connection")
    index = search.backend()
    assert not connection.in_atomic_block
    with pytest.raises(search.SearchTimeout):
        with index.time_limit(200):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(3)")
    with index.time_limit(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert not connection.in_atomic_block
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.5)")
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)
    assert time.monotonic() - started >= 0.5


def test_a_reader_whose_search_takes_too_long_is_told_what_to_do(outlet, client, settings):
    """Through the portal and the API: 503 with a message and Retry-After, never a 500."""
    from revue.news.models import url_hash

    source, now = outlet("Le Quotidien"), timezone.now()
    Article.objects.bulk_create([
        Article(source=source, url=f"https://quotidien.example/derby/{n}", url_hash=url_hash(f"https://quotidien.example/derby/{n}"),
                title=f"Match {n} : le Raja et le Wydad à Casablanca", text="Un derby suivi par des milliers de supporters.",
                language="fr", published_at=now - timedelta(minutes=n))
        for n in range(3000)])
    search.index_pending()
    settings.REVUE_SEARCH_TIME_LIMIT_MS = 1
    settings.REVUE_SEARCH_MAX_RESULTS = 100_000
    page = client.get("/recherche", {"q": "derby OR supporters OR match OR raja OR wydad"})
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "pris trop de temps" in page.content.decode()
    api = client.get("/api/search", {"q": "derby OR supporters OR match OR raja OR wydad"})
    assert api.status_code == 503 and "pris trop de temps" in api.json()["message"]
    settings.REVUE_SEARCH_TIME_LIMIT_MS = 1000
    assert client.get("/recherche", {"q": "derby"}).status_code == 200
