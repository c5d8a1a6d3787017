"""The admin's login through the real server: failed attempts locked out per account and per
address (issue #15, item 7), and a login lands on the admin.

``revue serve`` runs as an operator starts it (a subprocess on a free loopback port, on the test
database); each attempt is an httpx client of its own that reads the login page (its CSRF cookie
and token) and posts the form, as a browser does. Clients bound to 127.0.0.x are distinct peers
of the one server (Linux routes all of 127.0.0.0/8 to loopback), so attempts come from as many
addresses as a test needs.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tests.e2e.test_reports_behind_a_proxy import reader, revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.cache]
PASSWORD = "cèdre-atlas-2026"
LOCKED = "Trop de tentatives de connexion manquées"


@pytest.fixture
def moderators():
    """Two staff accounts; the cache (the server's too, when it is Redis) starts empty."""
    cache.clear()
    users = get_user_model().objects
    yield users.create_superuser("moderatrice", password=PASSWORD), users.create_superuser("veilleur", password=PASSWORD)
    cache.clear()


def log_in(base: str, peer: str, username: str, password: str, **extra: str) -> httpx.Response:
    """One attempt from ``peer``: read the login page, post the form (redirects not followed)."""
    with reader(base, peer) as browser:
        page = browser.get("/admin/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        data = {"csrfmiddlewaretoken": csrf, "username": username, "password": password, **extra}
        return browser.post("/admin/login/", data=data)


def logged_in(answer: httpx.Response) -> bool:
    return answer.status_code == 302 and "sessionid" in answer.cookies


def refused(answer: httpx.Response) -> bool:
    return answer.status_code == 200 and LOCKED in answer.text and "sessionid" not in answer.cookies


def test_an_account_is_locked_after_five_failures_whatever_their_addresses(moderators):
    with revue_serve() as base:
        for n in range(1, 6):
            answer = log_in(base, f"127.0.0.{10 + n}", "moderatrice", f"essai-{n}")
            assert answer.status_code == 200 and not logged_in(answer)

        assert refused(log_in(base, "127.0.0.20", "moderatrice", PASSWORD))  # the right password, refused
        assert refused(log_in(base, "127.0.0.21", "Moderatrice ", PASSWORD))  # however the name is written
        assert logged_in(log_in(base, "127.0.0.20", "veilleur", PASSWORD))  # another account still gets in


def test_an_address_is_locked_after_five_failures_whatever_the_accounts(moderators):
    with revue_serve() as base:
        for n in range(1, 6):
            assert not logged_in(log_in(base, "127.0.0.30", f"inconnu-{n}", "123456"))

        assert refused(log_in(base, "127.0.0.30", "moderatrice", PASSWORD))
        assert logged_in(log_in(base, "127.0.0.31", "moderatrice", PASSWORD))  # from elsewhere: in


def test_the_lock_lasts_for_a_while_then_the_right_password_works(moderators):
    with revue_serve(REVUE_LOGIN_LOCKOUT_SECONDS="2") as base:
        for n in range(5):
            log_in(base, "127.0.0.40", "veilleur", f"faux-{n}")
        assert refused(log_in(base, "127.0.0.40", "veilleur", PASSWORD))
        time.sleep(2.5)
        assert logged_in(log_in(base, "127.0.0.40", "veilleur", PASSWORD))


def test_a_login_lands_on_the_admin(moderators):
    with revue_serve() as base:
        answer = log_in(base, "127.0.0.50", "moderatrice", PASSWORD)  # a form posted without ?next=
        assert logged_in(answer) and answer.headers["Location"] == "/admin/"
