"""Image reports through the real server behind a proxy (issue #15, item 3).

``revue serve`` runs as an operator starts it (a subprocess on a free loopback port, on the test
database) with ``REVUE_CLIENT_ADDRESS_HEADER=X-Forwarded-For`` and ``REVUE_TRUSTED_PROXIES``.
Readers are httpx clients, each with its own cookies, that read the article page (the image's
report token), ask for their CSRF token as the page's script does, and press « Signaler cette image » as the plain form does. Linux
routes all of 127.0.0.0/8 to loopback, so a client bound to 127.0.0.1 and one bound to 127.0.0.2
are two different peers of the one server: one is the trusted proxy, the other a reader who
connects directly and writes X-Forwarded-For himself.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from revue.moderation.models import ImageReport
from revue.news.models import Image
from tests.crawl.test_workers import database_url
from tests.e2e.test_image_reports_browser import THANKS, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def revue_serve(**settings: str):
    """``revue serve`` on a free port of 127.0.0.1, on the test database; yields its base URL."""
    port = free_port()
    env = {**os.environ, "REVUE_DATABASE_URL": database_url(), "REVUE_LOG_LEVEL": "WARNING", **settings}
    server = subprocess.Popen(
        [sys.executable, "-m", "revue", "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "2", "--no-migrate"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/robots.txt", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"revue serve did not start:\n{server.communicate()[0] if server.poll() is not None else ''}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def reader(base: str, peer: str, forwarded_for: str | None = None) -> httpx.Client:
    """A browser (its own cookies) connecting from ``peer``, with an X-Forwarded-For if given."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.Client(base_url=base, headers=headers, transport=httpx.HTTPTransport(local_address=peer), timeout=20)


def report_the_lead_image(browser: httpx.Client, article_path: str, image_id: int) -> None:
    """Read the article page, then press the lead image's « Signaler cette image » button."""
    page = browser.get(article_path)
    assert page.status_code == 200
    csrf = browser.get("/signaler/csrf/", headers={"Accept": "application/json"}).json()["csrf"]  # as the page's script asks
    token = re.search(rf'formaction="/signaler/image/{image_id}/"[^>]*\sname="jeton" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        f"/signaler/image/{image_id}/",
        data={"csrfmiddlewaretoken": csrf, "jeton": token, "next": article_path},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json() == {"message": THANKS}, answer.text
    browser.close()


def state_of(image: Image) -> str:
    image.refresh_from_db()
    return image.state


@pytest.fixture
def article():
    return publish("http://127.0.0.1:9")  # its images are never fetched: httpx reads no <img>


def test_three_readers_behind_the_trusted_proxy_get_the_image_blocked(article):
    image, path = article.image, article.get_absolute_url()
    with revue_serve(REVUE_CLIENT_ADDRESS_HEADER="X-Forwarded-For", REVUE_TRUSTED_PROXIES="127.0.0.1") as base:
        # two readers behind the proxy (the left entry is what a client claimed, the right one what
        # the proxy saw), and one who connects directly without any header
        for peer, forwarded_for in [("127.0.0.1", "6.6.6.6, 203.0.113.5"), ("127.0.0.1", "198.51.100.5"), ("127.0.0.2", None)]:
            assert state_of(image) == Image.State.VISIBLE
            report_the_lead_image(reader(base, peer, forwarded_for), path, image.pk)

        assert state_of(image) == Image.State.BLOCKED
        fresh = reader(base, "127.0.0.1", forwarded_for="100.64.0.9").get(path).text
        assert 'aria-label="Image retirée"' in fresh and f'formaction="/signaler/image/{image.pk}/"' not in fresh


@pytest.mark.parametrize("proxy, direct", [("127.0.0.1", "127.0.0.2"), ("127.0.0.2", "127.0.0.1")])
def test_a_direct_client_forging_x_forwarded_for_is_one_reader(article, proxy, direct):
    image, path = article.image, article.get_absolute_url()
    with revue_serve(REVUE_CLIENT_ADDRESS_HEADER="X-Forwarded-For", REVUE_TRUSTED_PROXIES=proxy) as base:
        for network in ("203.0.113.7", "198.51.100.7", "192.0.2.7"):  # three browsers, three claimed networks
            report_the_lead_image(reader(base, direct, forwarded_for=network), path, image.pk)

        assert state_of(image) == Image.State.VISIBLE
        assert ImageReport.objects.filter(image=image, counted=True).count() == 1, "one connection, one reader"

        # two readers behind the proxy, in two more networks: with the forger's own, three networks
        for network in ("203.0.113.8", "198.51.100.8"):
            report_the_lead_image(reader(base, proxy, forwarded_for=network), path, image.pk)
        assert state_of(image) == Image.State.BLOCKED
