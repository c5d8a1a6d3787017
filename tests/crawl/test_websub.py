"""WebSub's pure parts: the hub and topic a fetched feed advertises, and the push signature."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from revue.crawl.websub.discovery import Advertised, advertised
from revue.crawl.websub.subscriptions import signature_valid

URL = "https://outlet.example/feed"


def test_an_rss_channel_names_its_hub_and_self_before_its_items():
    rss = (b'<?xml version="1.0"?><rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
           b'<atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/rss.xml"/>'
           b'<item><atom:link rel="hub" href="https://not-this.example/"/></item></channel></rss>')
    assert advertised(rss, {}, URL) == Advertised(hub="https://hub.example/", topic="https://outlet.example/rss.xml")


def test_an_atom_feed_without_self_is_its_own_topic():
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link rel="alternate" href="/"/>'
            b'<link href="https://pubsubhubbub.appspot.com/" rel="hub"/><entry><title>e</title></entry></feed>')
    assert advertised(atom, {}, URL) == Advertised(hub="https://pubsubhubbub.appspot.com/", topic=URL)


def test_the_link_header_names_the_hub_first():
    headers = {"link": '<https://hub.example/>; rel="hub", <https://outlet.example/self>; title="a, b"; rel=self'}
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><link rel="hub" href="https://other.example/"/></feed>'
    assert advertised(body, headers, URL) == Advertised(hub="https://hub.example/", topic="https://outlet.example/self")


def test_a_json_feed_names_its_websub_hub():
    body = b'{"version": "https://jsonfeed.org/version/1.1", "feed_url": "https://outlet.example/f.json", ' \
           b'"hubs": [{"type": "rssCloud", "url": "https://cloud.example/"}, {"type": "WebSub", "url": "https://hub.example/"}]}'
    assert advertised(body, {}, URL) == Advertised(hub="https://hub.example/", topic="https://outlet.example/f.json")


@pytest.mark.parametrize("body", [
    b"<rss><channel><title>no hub</title><item><title>hub</title></item></channel></rss>",
    b'<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link rel="hub" href="javascript:alert(1)"/></channel></rss>',
    b'<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link rel="hub" href="ftp://hub.example/"/></channel></rss>',
    b'<rss><channel><item><link rel="hub" href="https://late.example/"/></item></channel></rss>',
    b'{"hubs": "https://hub.example/"}',
    b"\x00\xff garbage rel=hub",
])
def test_no_usable_hub_is_none(body):
    assert advertised(body, {}, URL) is None


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_a_push_signed_with_the_secret_is_valid(method):
    body = b"<rss/>"
    digest = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
    assert signature_valid("s3cret", body, f"{method}={digest}")
    assert signature_valid("s3cret", body, f"{method.upper()}={digest.upper()}")
    assert not signature_valid("other", body, f"{method}={digest}")
    assert not signature_valid("s3cret", body + b" ", f"{method}={digest}")


@pytest.mark.parametrize("header", ["", "sha256", "sha256=", "md5=" + hashlib.md5(b"<rss/>").hexdigest(), "=abc"])
def test_a_missing_or_unknown_signature_is_invalid(header):
    assert not signature_valid("s3cret", b"<rss/>", header)


@pytest.mark.django_db
def test_operators_see_subscriptions_but_never_their_secret(admin_client):
    from revue.sources.models import Feed, Source, Subscription

    source = Source.objects.create(name="Le Pousseur")
    feed = Feed.objects.create(source=source, url="https://outlet.example/feed")
    Subscription.objects.create(feed=feed, hub="https://hub.example/", topic=feed.url, state="subscribed",
                                callback="https://revue.example/websub/jeton-secret/", token="jeton-secret",
                                secret="tres-secret-hmac", pushes=3)
    listing = admin_client.get("/admin/sources/subscription/")
    assert listing.status_code == 200
    assert "https://hub.example/" in listing.text and "abonné" in listing.text
    page = admin_client.get(f"/admin/sources/subscription/{Subscription.objects.get().id}/change/")
    assert page.status_code == 200 and feed.url in page.text
    for text in (listing.text, page.text):
        assert "tres-secret-hmac" not in text and "jeton-secret" not in text
    assert admin_client.get("/admin/sources/subscription/add/").status_code == 403
