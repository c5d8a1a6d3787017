"""The search terms made with a draft in a CPU process give the settle the very index entry it
would make itself, and are made again when the article no longer reads as they were made from."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone as tz

from revue.crawl import pipeline
from revue.crawl.drafts import FeedContext
from revue.crawl.feeds import parse
from revue.crawl.store import search_entry, settle_articles, settle_inputs, store_drafts
from revue.news import search
from revue.news.search.words import index_entry
from revue.news.stories import StoryParams
from revue.sources.models import Feed, Source

ITEMS = [
    ("fr", "Les pêcheurs d'Agadir reprennent la mer", "Après trois semaines d'arrêt, les chalutiers quittent le port."),
    ("ar", "افتتاح معرض الكتاب بالرباط", "افتتح صباح اليوم المعرض الدولي للنشر والكتاب بمشاركة واسعة."),
    ("en", "Rains return to the Atlas", "Farmers welcomed heavy rains over the weekend in the Middle Atlas."),
]


def stored():
    params = StoryParams.from_settings()
    ids, carried = [], {}
    for n, (language, title, text) in enumerate(ITEMS):
        source = Source.objects.create(name=f"Outlet {n}", slug=f"outlet-{n}", language=language)
        feed = Feed.objects.create(source=source, url=f"https://outlet{n}.example/rss")
        rss = (f"<rss version='2.0'><channel><title>o</title><item><title>{title}</title>"
               f"<link>https://outlet{n}.example/a/{n}</link><guid>g-{n}</guid>"
               f"<pubDate>Mon, 08 Dec 2025 10:0{n}:00 GMT</pubDate><description>{text}</description></item>"
               "</channel></rss>")
        ctx = FeedContext(outlet_name=source.name, outlet_language=language, feed_language=language,
                          category_hint="", fetched_at=datetime(2025, 12, 8, 11, tzinfo=tz.utc), source_id=source.pk)
        drafts = pipeline.make_drafts(list(parse(rss.encode(), feed.url).entries), {}, ctx, params).drafts
        result = store_drafts(source.pk, feed.pk, drafts)
        ids += result.created
        carried.update(result.features)
    return ids, carried


def test_the_terms_made_with_the_draft_give_the_entry_the_settle_would_make(db):
    ids, carried = stored()
    options = search.entry_options()
    _items, rows = settle_inputs(ids)
    assert len(rows) == len(ITEMS)
    for row in rows:
        terms = pickle.loads(carried[row["id"]])[1]
        assert terms is not None and terms[1]  # made in the CPU process, title words included
        assert search_entry(row, options, terms) == index_entry(row, **options)


def test_an_article_edited_since_or_cut_for_the_index_is_indexed_as_it_now_reads(db):
    ids, carried = stored()
    options = search.entry_options()
    _items, rows = settle_inputs(ids)
    row = rows[0]
    terms = pickle.loads(carried[row["id"]])[1]
    edited = {**row, "title": row["title"] + " (mis à jour)"}
    assert search_entry(edited, options, terms) == index_entry(edited, **options)
    assert search_entry(edited, options, terms).title != search_entry(row, options, terms).title
    cut = dict(options, max_chars=10)  # only the first 10 characters indexed: not the terms of the whole body
    assert search_entry(row, cut, terms) == index_entry(row, **cut)
    assert search_entry({**row, "language": ""}, options, terms) == index_entry({**row, "language": ""}, **options)


def test_settled_articles_are_found_by_their_words(db):
    ids, carried = stored()
    settle_articles(ids, None, None, carried)
    assert [hit.article.id for hit in search.search("chalutiers").hits] == [ids[0]]
