"""WebSub push (issue #18), end to end: a publisher and its hub on loopback, the real crawler,
and the real ``revue serve`` as the callback.

The hub is a small real one (a thread server): it answers a subscription request 202, then
verifies the subscriber's intent with a GET carrying a challenge, as a hub does, and later
POSTs signed content to the callback. The crawler finds the hub in the feed, subscribes through
``revue.net``; a pushed entry is on the portal's front page within seconds with no poll of the
feed; a forged or missing signature, or a push past the size limit, stores nothing; a
verification for a topic we never asked for is refused; the lease is renewed; a parked feed is
unsubscribed (the hub verifies that too), and its callback is then gone.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from django.utils import timezone

from revue.crawl.worker import Crawler
from revue.news.models import Article
from revue.sources.models import Feed, Subscription
from revue.sources.services import FeedSpec, follow
from tests.e2e.test_reports_behind_a_proxy import revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SUBJECTS = ["Le conseil municipal a voté le budget de la ville après un long débat sur les transports.",
            "La sélection nationale de football prépare son match amical contre le Sénégal à Tanger.",
            "Une exposition de peinture contemporaine ouvre ses portes au musée de Rabat ce week-end.",
            "Les pêcheurs de la côte atlantique réclament une révision des quotas de la sardine.",
            "Un nouveau vaccin contre la grippe saisonnière sera distribué dans les pharmacies."]


def text(n: int) -> str:
    return " ".join([SUBJECTS[n % len(SUBJECTS)]] * 10)


def rss(base: str, titles: list[str]) -> bytes:
    items = "".join(f"<item><title>{title}</title><link>{base}/articles/{n}</link><guid>{base}/articles/{n}</guid>"
                    f"<pubDate>Sun, 06 Dec 2026 08:0{n % 10}:00 GMT</pubDate><description>{text(n)} {title}</description></item>"
                    for n, title in enumerate(titles))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f'<channel><title>Le Pousseur</title><link>{base}/</link><language>fr</language>'
            f'<atom:link rel="hub" href="{base}/hub"/><atom:link rel="self" href="{base}/feed.xml"/>'
            f"{items}</channel></rss>").encode()


class Hub(ThreadingHTTPServer):
    """The publisher's site (``/feed.xml``) and its hub (``/hub``)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), HubHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.titles = ["Premier article du Pousseur", "Deuxième article du Pousseur"]
        self.feed_hits = 0
        self.requests: list[dict] = []  # subscription requests received (hub.* fields)
        self.verified: list[tuple[str, int, bool]] = []  # (mode, status, challenge echoed)
        self.subscription: dict = {}

    def feed(self) -> bytes:
        return rss(self.base, self.titles)

    def verify(self, form: dict) -> None:
        """The hub's verification of intent, as a hub makes it after accepting the request."""
        challenge = hashlib.sha1(str(time.time()).encode()).hexdigest()
        query = {"hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"], "hub.challenge": challenge,
                 "hub.lease_seconds": "600"}
        try:
            answer = httpx.get(form["hub.callback"], params=query, timeout=20)
        except httpx.TransportError:  # no subscriber there
            self.verified.append((form["hub.mode"], 0, False))
            return
        self.verified.append((form["hub.mode"], answer.status_code, answer.text == challenge))
        if answer.status_code == 200 and answer.text == challenge and form["hub.mode"] == "subscribe":
            self.subscription = form

    def publish(self, body: bytes, secret: str | None = None, method: str = "sha256") -> httpx.Response:
        """Push ``body`` to the subscriber, signed with ``secret`` (the subscription's by default)."""
        key = self.subscription["hub.secret"] if secret is None else secret
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if key:
            headers["X-Hub-Signature"] = f"{method}=" + hmac.new(key.encode(), body, getattr(hashlib, method)).hexdigest()
        return httpx.post(self.subscription["hub.callback"], content=body, headers=headers, timeout=60)

    def wait_for(self, count: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while len(self.verified) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.verified) >= count, (self.requests, self.verified)


class HubHandler(BaseHTTPRequestHandler):
    server: Hub

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/feed.xml":
            self.send_error(404)
            return
        self.server.feed_hits += 1
        body = self.server.feed()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        form = {key: values[0] for key, values in
                parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        if self.path != "/hub" or self.headers["Content-Type"] != "application/x-www-form-urlencoded":
            self.send_error(400)
            return
        self.server.requests.append(form)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        threading.Thread(target=self.server.verify, args=(form,), daemon=True).start()


@pytest.fixture
def hub():
    server = Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def on_front_page(base: str, title: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if title in httpx.get(f"{base}/", timeout=20).text:
            return True
        time.sleep(0.2)
    return False


def test_a_hub_on_loopback_subscribes_us_and_its_pushes_reach_the_portal_in_seconds(hub, allow_loopback, settings):
    with revue_serve(REVUE_FETCH_ALLOW="127.0.0.1", REVUE_FETCH_PAGES="false", REVUE_SERVE_WORKERS="1",
                     REVUE_WEBSUB_MAX_BYTES="100000") as portal:
        settings.REVUE_WEBSUB_BASE_URL = portal
        settings.REVUE_FETCH_PAGES = False
        feed = follow(FeedSpec(feed_url=f"{hub.base}/feed.xml", outlet_name="Le Pousseur", language="fr")).feed
        summary = Crawler(processes=0).run_once(feed_ids=[feed.id])
        assert summary.new_articles == 2 and not summary.failures
        # the crawler found the hub, asked it through revue.net, and the hub verified our intent
        hub.wait_for(1)
        (request,) = hub.requests
        assert request["hub.mode"] == "subscribe" and request["hub.topic"] == f"{hub.base}/feed.xml"
        assert request["hub.callback"].startswith(f"{portal}/websub/") and len(request["hub.secret"]) >= 32
        assert hub.verified == [("subscribe", 200, True)]
        subscription = Subscription.objects.get()
        assert subscription.state == Subscription.State.SUBSCRIBED and subscription.feed_id == feed.id
        assert timedelta(seconds=590) < subscription.expires_at - timezone.now() <= timedelta(seconds=600)

        # a push: on the front page within seconds, the feed never polled meanwhile
        hits = hub.feed_hits
        hub.titles.append("Troisième article, poussé par le hub")
        started = time.monotonic()
        assert hub.publish(hub.feed()).status_code == 204
        answered = time.monotonic() - started
        # (the server process's first push loads the crawl's libraries and language model)
        assert on_front_page(portal, "Troisième article, poussé par le hub", seconds=15)
        print(f"\nfirst push answered in {answered:.2f} s, on the front page {time.monotonic() - started:.2f} s after it")
        hub.titles.append("Quatrième article, poussé lui aussi")
        started = time.monotonic()
        assert hub.publish(hub.feed()).status_code == 204
        assert on_front_page(portal, "Quatrième article, poussé lui aussi", seconds=3)
        print(f"next push on the front page {time.monotonic() - started:.2f} s after it")
        assert Article.objects.filter(feed=feed).count() == 4 and hub.feed_hits == hits
        assert Subscription.objects.get().pushes == 2

        # forged, missing or unknown signatures: refused, nothing stored
        hub.titles.append("Article contrefait")
        assert hub.publish(hub.feed(), secret="not-the-secret").status_code == 403
        assert hub.publish(hub.feed(), secret="").status_code == 403
        assert hub.publish(hub.feed(), method="md5").status_code == 403
        assert not Article.objects.filter(title__contains="contrefait").exists()
        hub.titles[-1] = "Article trop long " + "x" * 100_000  # past REVUE_WEBSUB_MAX_BYTES, well signed
        answer = hub.publish(hub.feed())
        assert answer.status_code == 413 and "REVUE_WEBSUB_MAX_BYTES" in answer.text
        assert Article.objects.count() == 4
        hub.titles.pop()  # (the publisher never published them)

        # a verification for a topic we never asked for, or on no subscription of ours: refused
        for url, topic in ((request["hub.callback"], "http://127.0.0.1:9/autre.xml"),
                           (f"{portal}/websub/inconnu/", request["hub.topic"])):
            answer = httpx.get(url, params={"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": "défi"})
            assert answer.status_code == 404 and "défi" not in answer.text
        answer = httpx.get(request["hub.callback"], params={"hub.mode": "unsubscribe", "hub.topic": topic,
                                                            "hub.challenge": "défi"})
        assert answer.status_code == 404  # an unsubscription we did not ask for

        # polling goes on as a slow safety net: the next poll is REVUE_WEBSUB_POLL_INTERVAL away
        Crawler(processes=0).run_once(feed_ids=[feed.id])
        feed.refresh_from_db()
        assert feed.push_poll_seconds == 3 * 60 * 60
        assert feed.next_fetch_at - timezone.now() > timedelta(seconds=0.95 * 3 * 60 * 60 - 60)

        # the lease is renewed before it ends: the hub is asked again, verifies, the lease moves on
        now = timezone.now()  # a lease of 600 s granted 500 s ago
        Subscription.objects.update(requested_at=now - timedelta(seconds=501), verified_at=now - timedelta(seconds=500),
                                    expires_at=now + timedelta(seconds=100))
        Crawler(processes=0).run_once()  # nothing due: the WebSub requests alone
        hub.wait_for(2)
        assert hub.verified[1] == ("subscribe", 200, True) and hub.requests[1]["hub.callback"] == request["hub.callback"]
        assert Subscription.objects.get().expires_at > timezone.now() + timedelta(seconds=590)

        # a parked feed is unsubscribed: the hub verifies, the subscription is gone, its callback too
        Feed.objects.filter(id=feed.id).update(state=Feed.State.PARKED)
        Crawler(processes=0).run_once()  # nothing due: the WebSub requests alone
        hub.wait_for(3)
        assert hub.requests[2]["hub.mode"] == "unsubscribe" and hub.verified[2] == ("unsubscribe", 200, True)
        assert not Subscription.objects.exists()
        assert Feed.objects.get(id=feed.id).push_poll_seconds == 0
        assert hub.publish(hub.feed(), secret=request["hub.secret"]).status_code == 410
        assert Article.objects.count() == 4


def test_no_subscription_without_the_portals_public_address(hub, allow_loopback, settings):
    settings.REVUE_WEBSUB_BASE_URL = ""
    settings.REVUE_FETCH_PAGES = False
    feed = follow(FeedSpec(feed_url=f"{hub.base}/feed.xml", outlet_name="Le Pousseur", language="fr")).feed
    assert Crawler(processes=0).run_once(feed_ids=[feed.id]).new_articles == 2
    feed.refresh_from_db()
    assert (feed.hub_url, feed.topic_url) == (f"{hub.base}/hub", f"{hub.base}/feed.xml")  # noted all the same
    assert hub.requests == [] and not Subscription.objects.exists()


def test_a_deleted_feed_is_unsubscribed(hub, allow_loopback, settings):
    """The subscription outlives its deleted feed until the hub has confirmed the unsubscription
    (a callback answered by this test: no portal needed to see the request made)."""
    settings.REVUE_WEBSUB_BASE_URL = "http://127.0.0.1:9"  # nothing answers there: the hub's GET fails
    settings.REVUE_FETCH_PAGES = False
    feed = follow(FeedSpec(feed_url=f"{hub.base}/feed.xml", outlet_name="Le Pousseur", language="fr")).feed
    Crawler(processes=0).run_once(feed_ids=[feed.id])
    assert [r["hub.mode"] for r in hub.requests] == ["subscribe"]
    Subscription.objects.update(state=Subscription.State.SUBSCRIBED)
    feed.delete()
    assert Subscription.objects.get().feed_id is None
    Crawler(processes=0).run_once()  # nothing due: the WebSub requests alone
    assert [r["hub.mode"] for r in hub.requests] == ["subscribe", "unsubscribe"]
    assert Subscription.objects.get().state == Subscription.State.UNSUBSCRIBING
