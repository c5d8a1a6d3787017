"""Security headers through the real server (issue #15, item 6): ``revue serve`` as an operator
starts it, read with httpx. Every page carries the Content-Security-Policy and the
Permissions-Policy; with ``REVUE_HTTPS`` plain HTTP is sent to HTTPS, and a reader who came over
HTTPS through the trusted proxy gets HSTS and Secure cookies; ``revue check --deploy`` has
nothing to say about such a configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_reports_behind_a_proxy import ROOT, reader, revue_serve

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db(transaction=True)
def test_every_page_carries_the_content_security_policy_and_the_permissions_policy():
    article = publish("http://127.0.0.1:9")
    paths = [
        "/", article.get_absolute_url(), "/recherche?q=migration", f"/{article.source.slug}/", "/flux/rss/",
        "/api/articles", "/api/docs", "/admin/login/", "/nulle-part/",
    ]  # fmt: skip
    with revue_serve() as base:
        answers = {path: httpx.get(base + path, timeout=20) for path in paths}

    for path, answer in answers.items():
        policy = directives(answer.headers.get("Content-Security-Policy", ""))
        assert policy.get("script-src") == ["'self'"], path  # no inline script, nothing from elsewhere
        assert policy.get("img-src") == ["'self'"], path  # images only through the proxy
        assert policy.get("default-src") == ["'self'"] and policy.get("object-src") == ["'none'"], path
        assert policy.get("base-uri") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"], path
        features = answer.headers.get("Permissions-Policy", "")
        assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(features.split(", ")), path


@pytest.mark.django_db(transaction=True)
def test_over_https_the_reader_is_sent_to_https_and_gets_hsts_and_secure_cookies():
    with revue_serve(REVUE_HTTPS="true", REVUE_TRUSTED_PROXIES="127.0.0.1") as base:
        plain = httpx.get(f"{base}/admin/login/", timeout=20)
        with reader(base, "127.0.0.1") as proxy:
            proxied = proxy.get("/admin/login/", headers={"X-Forwarded-Proto": "https"})
        with reader(base, "127.0.0.2") as direct:  # not our proxy: its X-Forwarded-Proto is not believed
            claimed = direct.get("/admin/login/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301 and plain.headers["Location"] == f"{base.replace('http:', 'https:')}/admin/login/"
    assert claimed.status_code == 301
    assert proxied.status_code == 200
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf_cookie = next(value for name, value in proxied.headers.multi_items() if name == "set-cookie" and "csrftoken" in value)
    assert "; Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie


def test_the_deploy_check_is_clean_over_https(tmp_path):
    env = {
        **os.environ, "REVUE_DATA_DIR": str(tmp_path), "REVUE_HTTPS": "true", "REVUE_ALLOWED_HOSTS": "revue.example",
        "REVUE_SECRET_KEY": "k" * 20 + "-deploy-check-" + "9f3Q" * 10,
    }  # fmt: skip
    env.pop("REVUE_DEBUG", None)
    check = subprocess.run(
        [sys.executable, "-m", "revue", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
