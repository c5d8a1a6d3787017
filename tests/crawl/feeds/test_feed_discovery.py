"""revue.crawl.feeds.discover_feed_urls: the feeds a page advertises."""

from __future__ import annotations

from pathlib import Path

from revue.crawl.feeds import discover_feed_urls

DATA = Path(__file__).parent / "data"


def test_link_tags_first_then_feed_like_anchors():
    page = (DATA / "html_page.html").read_bytes()
    assert discover_feed_urls(page, "https://www.quotidien-atlas.ma/economie/") == [
        # <link rel="alternate">, in document order, against <base href>, duplicates dropped
        "https://www.quotidien-atlas.ma/feed/",
        "https://www.quotidien-atlas.ma/atom.xml",
        "https://www.quotidien-atlas.ma/feed.json",
        "https://www.quotidien-atlas.ma/sport/feed/",
        # then <a href> ending in /feed, /rss, .rss or .xml (not the sitemap, not mailto:)
        "https://www.quotidien-atlas.ma/regions/feed",
        "https://www.quotidien-atlas.ma/culture.rss",
        "https://www.quotidien-atlas.ma/export/podcast.xml",
    ]


def test_relative_to_the_page_url_without_a_base_tag():
    page = """<html><head>
      <link rel="alternate" type="application/rss+xml" href="rss.xml">
      <link rel="Alternate" type="Application/Atom+XML; charset=utf-8" href="/atom">
      <link rel="alternate" type="text/html" href="/fr/">
      <link rel="stylesheet" type="application/rss+xml" href="/not-alternate.xml">
    </head><body><a href="/blog/rss">RSS</a><a href="/blog/">Blog</a></body></html>"""
    assert discover_feed_urls(page, "https://www.example.ma/blog/post") == [
        "https://www.example.ma/blog/rss.xml",
        "https://www.example.ma/atom",
        "https://www.example.ma/blog/rss",
    ]


def test_json_feed_link():
    page = '<link rel="alternate" type="application/feed+json" href="https://example.ma/feed.json">'
    assert discover_feed_urls(page, "https://example.ma/") == ["https://example.ma/feed.json"]


def test_text_with_an_xml_declaration_and_empty_pages():
    page = '<?xml version="1.0" encoding="utf-8"?><html><head><link rel="alternate" type="application/atom+xml" href="a.xml"/></head></html>'
    assert discover_feed_urls(page, "https://example.ma/x/") == ["https://example.ma/x/a.xml"]
    assert discover_feed_urls("", "https://example.ma/") == []
    assert discover_feed_urls(b"", "https://example.ma/") == []
    assert discover_feed_urls("<html><body>Rien</body></html>", "https://example.ma/") == []
