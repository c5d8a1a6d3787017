"""Patterns met in real feeds (tests/crawl/feeds/test_real_feeds.py), each on a small document.

Items that share one link without a guid (NixOS' news feed), an Atom feed inside an XHTML
page, a document cut short, and markup nested or broken inside items.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from revue.crawl.feeds import FeedParseError, parse

URL = "https://www.example.ma/feed"


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Flux</title><link>https://www.example.ma/</link>{items}</channel></rss>\n"
    ).encode("utf-8")


def item(title: str, link: str = "https://www.example.ma/news.html", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def day(number: int) -> str:
    return f"<pubDate>Mon, {number:02d} May 2022 10:00:00 +0000</pubDate>"


# ----------------------------------------------------------------- one link, many items


def test_items_sharing_one_link_without_guid_are_distinct_entries():
    data = rss(item("NixOS 18.09 released", extra=day(2)) + item("Nix 2.1 released", extra=day(1)))
    first, second = parse(data, URL).entries
    assert [first.title, second.title] == ["NixOS 18.09 released", "Nix 2.1 released"]
    assert first.link == second.link == "https://www.example.ma/news.html"
    assert first.guid != second.guid
    assert first.guid.startswith("https://www.example.ma/news.html#")


def test_shared_link_guids_are_stable_and_do_not_depend_on_position():
    older = item("Nix 2.1 released", extra=day(1))
    before = parse(rss(item("NixOS 18.09 released", extra=day(2)) + older), URL).entries
    after = parse(rss(item("NixCon 2018", extra=day(3)) + item("NixOS 18.09 released", extra=day(2)) + older), URL).entries
    assert [entry.guid for entry in after[1:]] == [entry.guid for entry in before]


def test_the_same_item_repeated_is_one_entry():
    (entry,) = parse(rss(item("Une brève", extra=day(2)) * 2), URL).entries
    assert entry.title == "Une brève"


def test_a_link_only_one_item_has_stays_its_guid():
    """What the archive already knows these entries by does not change."""
    entries = parse(rss(item("A", "https://www.example.ma/a") + item("B", "https://www.example.ma/b")), URL).entries
    assert [entry.guid for entry in entries] == ["https://www.example.ma/a", "https://www.example.ma/b"]


def test_items_with_one_guid_are_one_entry_even_with_different_titles():
    guid = '<guid isPermaLink="false">article-7</guid>'
    (entry,) = parse(rss(item("Titre", extra=guid) + item("Titre corrigé", extra=guid)), URL).entries
    assert (entry.guid, entry.title) == ("article-7", "Titre")


# ----------------------------------------------------------------- a feed inside a page


ATOM_ENTRIES = (
    "<entry><title>Premier</title><link href='https://www.example.ma/1'/><id>tag:example.ma,2022:1</id>"
    "<updated>2022-05-20T10:00:00Z</updated></entry>"
    "<entry><title>Second</title><link href='/2'/><id>tag:example.ma,2022:2</id>"
    "<updated>2022-05-20T11:00:00Z</updated></entry>"
)


def test_an_atom_feed_inside_an_xhtml_page_is_read():
    data = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Flux</title></head><body><h1>Nos articles</h1>'
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Médina Info</title>'
        f'<link href="https://www.example.ma/"/>{ATOM_ENTRIES}</feed></body></html>'
    ).encode("utf-8")
    feed = parse(data, URL)
    assert (feed.format, feed.title) == ("atom", "Médina Info")
    assert [(entry.title, entry.link) for entry in feed.entries] == [
        ("Premier", "https://www.example.ma/1"),
        ("Second", "https://www.example.ma/2"),
    ]
    assert feed.entries[1].published_at == datetime(2022, 5, 20, 11, 0, tzinfo=timezone.utc)


def test_an_atom_feed_with_a_prefix_declared_on_the_page_is_read():
    data = (
        b'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:atom="http://www.w3.org/2005/Atom"><body>'
        b"<atom:feed><atom:title>Flux</atom:title><atom:entry><atom:title>Premier</atom:title>"
        b"<atom:link href='https://www.example.ma/1'/><atom:id>1</atom:id></atom:entry></atom:feed></body></html>"
    )
    assert [entry.title for entry in parse(data, URL).entries] == ["Premier"]


def test_an_atom_feed_inside_a_page_that_is_not_well_formed_is_read_whole():
    data = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Flux</title></head><body>"
        "<p>Bienvenue&nbsp;!<br>"
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>Médina Info</title>"
        "<entry><title>Thé &amp; menthe &eacute;t&eacute;</title><link href='https://www.example.ma/1'/>"
        "<id>1</id></entry></feed></body></html>"
    ).encode("utf-8")
    (entry,) = parse(data, URL).entries
    assert (entry.title, entry.link) == ("Thé & menthe été", "https://www.example.ma/1")


def test_an_html_page_without_a_feed_is_still_refused():
    with pytest.raises(FeedParseError, match="^not a feed: the document is an HTML page$"):
        parse(b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Bonjour</p></body></html>', URL)


# ----------------------------------------------------------------- a document cut short


def test_a_truncated_rss_keeps_the_items_before_the_cut():
    whole = rss(item("Un", "https://www.example.ma/1") + item("Deux", "https://www.example.ma/2"))
    cut = whole[: whole.index(b"Deux") + 2]
    assert [entry.title for entry in parse(cut, URL).entries] == ["Un"]


def test_a_truncated_atom_keeps_the_entries_before_the_cut():
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Flux</title>{ATOM_ENTRIES}<entry><title>Tro'.encode()
    feed = parse(data, URL)
    assert (feed.title, [entry.title for entry in feed.entries]) == ("Flux", ["Premier", "Second"])


def test_a_document_cut_before_its_first_item_ends_is_refused():
    with pytest.raises(FeedParseError, match="^not a feed: XML is truncated at line 2"):
        parse(rss(item("Un"))[:-40], URL)


# ----------------------------------------------------------------- markup inside items


def test_raw_html_in_a_description_is_kept_whole():
    data = rss(item("A", extra='<description>Lire <a href="/x">la suite</a> <b>ici</b>.</description>'))
    (entry,) = parse(data, URL).entries
    assert entry.summary == 'Lire <a href="/x">la suite</a> <b>ici</b>.'
    assert entry.content == ""


def test_raw_html_in_a_title_becomes_plain_text():
    (entry,) = parse(rss(item("Le <em>grand</em> soir")), URL).entries
    assert entry.title == "Le grand soir"


@pytest.mark.parametrize(
    "description",
    ["ligne<br>deux<p>paragraphe", "texte</div></p> fin", "un < deux"],
    ids=["unclosed tags", "stray end tags", "bare less-than"],
)
def test_broken_markup_in_one_item_loses_neither_it_nor_the_next(description):
    data = rss(
        item("A", "https://www.example.ma/a", f"<description>{description}</description>{day(2)}")
        + item("B", "https://www.example.ma/b", day(1))
    )
    first, second = parse(data, URL).entries
    assert (first.title, first.link, second.title, second.link) == (
        "A", "https://www.example.ma/a", "B", "https://www.example.ma/b"
    )
    assert first.summary.startswith(description.split("<")[0].strip())
    assert second.published_at == datetime(2022, 5, 1, 10, 0, tzinfo=timezone.utc)


def test_a_damaged_document_keeps_its_escaped_characters():
    """After the first error (here a misspelt end tag in the channel), libxml2's recovery
    used to drop every &amp; &lt; &gt;: links lost their query separators."""
    data = rss(
        "<image><url>https://www.example.ma/logo.png</url></imag>"
        + item("Thé &amp; menthe &lt;3", "https://www.example.ma/a?id=1&amp;page=2")
        + item("B", "https://www.example.ma/b", "<description><![CDATA[x &amp; y]]></description>")
    )
    first, second = parse(data, URL).entries
    assert (first.title, first.link) == ("Thé & menthe <3", "https://www.example.ma/a?id=1&page=2")
    assert second.summary == "x &amp; y"  # CDATA is left as the feed wrote it


def test_a_bare_less_than_in_a_title_is_kept():
    first, _ = parse(rss(item("A < B", "https://www.example.ma/a") + item("B", "https://www.example.ma/b")), URL).entries
    assert first.title == "A < B"


def test_an_empty_item_nested_in_an_item_is_not_an_entry():
    data = rss(item("A", "https://www.example.ma/a", "<item />") + item("B", "https://www.example.ma/b"))
    assert [entry.title for entry in parse(data, URL).entries] == ["A", "B"]


def test_an_item_never_closed_loses_neither_it_nor_the_next():
    data = rss("<item><title>A</title><link>https://www.example.ma/a</link>" + item("B", "https://www.example.ma/b"))
    assert [entry.title for entry in parse(data, URL).entries] == ["A", "B"]
