"""Damage real feeds carry, and the promise that parse() raises nothing but FeedParseError."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from revue.crawl.feeds import FeedParseError, ParsedFeed, looks_like_html, parse

DATA = Path(__file__).parent / "data"
URL = "https://www.example.ma/feed"


def rss(items: str, channel: str = "<title>Flux</title><link>https://www.example.ma/</link>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0"><channel>{channel}{items}</channel></rss>\n'
    ).encode("utf-8")


def test_html_entities_and_bare_ampersands_do_not_cut_text():
    feed = parse(
        rss(
            "<item><title>Prix&nbsp;Nobel : l&rsquo;&eacute;t&eacute; &amp; AT&T</title>"
            "<link>https://www.example.ma/a?id=1&page=2</link>"
            "<description>Caf&eacute; <![CDATA[ & &eacute; ]]></description></item>"
        ),
        URL,
    )
    assert feed.parser == "fastfeedparser"
    (entry,) = feed.entries
    assert entry.title == "Prix Nobel : l’été & AT&T"  # the no-break space collapses too
    assert entry.link == "https://www.example.ma/a?id=1&page=2"
    assert entry.summary == "Café  & &eacute;"  # CDATA left as it is


def test_control_characters_are_dropped():
    (entry,) = parse(rss("<item><title>Bonne\x0b nouvelle\x01</title><link>https://x.ma/1</link></item>"), URL).entries
    assert entry.title == "Bonne nouvelle"


def test_php_warnings_before_the_document_are_skipped():
    data = b"<br />\n<b>Warning</b>: Undefined index in /var/www/feed.php on line 3<br />\n" + rss(
        "<item><title>A</title><link>https://www.example.ma/a</link></item>"
    )
    assert [entry.title for entry in parse(data, URL).entries] == ["A"]


def test_numeric_guid_is_not_read_as_a_date():
    feed = parse(
        rss(
            '<item><title>A</title><guid isPermaLink="false">2024</guid></item>'
            '<item><title>B</title><guid isPermaLink="false">1001</guid>'
            "<pubDate>Mon, 23 May 2022 10:00:00 +0000</pubDate></item>"
        ),
        URL,
    )
    assert [entry.published_at for entry in feed.entries] == [
        None,
        datetime(2022, 5, 23, 10, 0, tzinfo=timezone.utc),
    ]


def test_title_entities_double_escaped():
    (entry,) = parse(rss("<item><title>L&amp;#8217;été &amp;amp; l&amp;rsquo;hiver</title></item>"), URL).entries
    assert entry.title == "L’été & l’hiver"


def test_language_and_ttl_from_the_channel_only():
    feed = parse(
        rss(
            "<item><title>A</title><link>https://x.ma/a</link><language>en</language></item>",
            channel="<title>T</title><language>AR-ma</language><ttl> 15 </ttl>",
        ),
        URL,
    )
    assert (feed.language, feed.ttl_minutes) == ("ar", 15)


def test_non_http_links_are_dropped():
    (entry,) = parse(rss("<item><title>A</title><link>javascript:alert(1)</link></item>"), URL).entries
    assert entry.link == ""


def test_empty_root_element_is_an_empty_feed():
    assert parse(b"<rss/>", URL).entries == ()


def test_looks_like_html():
    assert looks_like_html((DATA / "html_page.html").read_bytes())
    assert looks_like_html(b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x">\n<html/>')
    assert looks_like_html(b"\n\n<HTML><BODY>503</BODY></HTML>")
    assert not looks_like_html((DATA / "rss20_full.xml").read_bytes())
    assert not looks_like_html((DATA / "jsonfeed11.json").read_bytes())
    assert not looks_like_html(b"")


FIXTURES = sorted(path for path in DATA.iterdir() if path.is_file())


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_every_cut_of_every_fixture_gives_a_feed_or_a_clear_error(path):
    data = path.read_bytes()
    for end in sorted({*range(0, len(data), max(1, len(data) // 40)), len(data) - 1}):
        outcome = _parse_or_error(data[:end])
        if isinstance(outcome, FeedParseError):
            assert str(outcome).startswith("not a feed: ")


def test_random_bytes_only_ever_raise_feed_parse_error():
    generator = random.Random(20220520)
    seeds = [path.read_bytes() for path in FIXTURES]
    for _ in range(300):
        data = bytearray(generator.choice(seeds))
        for _ in range(generator.randint(1, 8)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        _parse_or_error(bytes(data))


def _parse_or_error(data: bytes) -> ParsedFeed | FeedParseError:
    try:
        return parse(data, URL)
    except FeedParseError as error:
        return error
