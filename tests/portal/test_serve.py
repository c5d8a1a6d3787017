"""``revue serve``'s guard: proxy headers reach the portal only from a trusted proxy.

The whole server, behind a proxy, is tested in ``tests/e2e/test_reports_behind_a_proxy.py``.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from revue.moderation.identity import proxy_headers_from_trusted_proxies_only
from revue.portal.management.commands.serve import proxy_notes


def test_proxy_headers_reach_the_portal_only_from_a_trusted_proxy(settings):
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    settings.REVUE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    seen = []
    guarded = proxy_headers_from_trusted_proxies_only(lambda environ, start_response: seen.append(dict(environ)))
    headers = {"HTTP_X_FORWARDED_FOR": "198.51.100.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_REAL_IP": "198.51.100.1"}

    guarded({"REMOTE_ADDR": "192.0.2.1", "HTTP_ACCEPT": "text/html", **headers}, None)
    guarded({"REMOTE_ADDR": "10.2.3.4", **headers}, None)

    direct, proxied = seen
    assert direct["HTTP_ACCEPT"] == "text/html" and not set(headers) & set(direct)
    assert set(headers) <= set(proxied)


def test_a_wrong_trusted_proxy_stops_the_server_with_a_clear_message(settings):
    settings.REVUE_TRUSTED_PROXIES = ["127.0.0.1", "mon-proxy"]
    with pytest.raises(CommandError, match="REVUE_TRUSTED_PROXIES: 'mon-proxy' is neither an address nor a network"):
        call_command("serve", "--no-migrate", "--port", "1")


def test_the_server_says_when_the_address_header_can_never_be_read(settings, monkeypatch):
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXIES = []
    monkeypatch.setenv("REVUE_TRUSTED_PROXY_COUNT", "2")  # an operator's environment from before
    notes = " ".join(proxy_notes())
    assert "REVUE_TRUSTED_PROXIES, qui est vide" in notes
    assert "REVUE_TRUSTED_PROXY_COUNT n'existe plus" in notes
    settings.REVUE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    monkeypatch.delenv("REVUE_TRUSTED_PROXY_COUNT")
    assert proxy_notes() == ["Proxys de confiance : 10.0.0.0/8 (adresse du lecteur : X-Forwarded-For)"]


@pytest.mark.parametrize("peer, trusted, redirected", [("203.0.113.9", "127.0.0.1", True),
                                                       ("127.0.0.1", "127.0.0.1", False)])
def test_any_wsgi_server_believes_x_forwarded_proto_only_from_a_trusted_proxy(tmp_path, peer, trusted, redirected):
    """revue/wsgi.py, as gunicorn or uWSGI would load it, with REVUE_HTTPS on: a direct client
    claiming HTTPS is still sent to HTTPS; the trusted proxy's word is taken."""
    import subprocess
    import sys
    from pathlib import Path

    code = f"""
import io
from revue.wsgi import application
status = []
environ = {{"REQUEST_METHOD": "GET", "PATH_INFO": "/robots.txt", "SERVER_NAME": "revue.example", "SERVER_PORT": "80",
           "HTTP_HOST": "revue.example", "REMOTE_ADDR": "{peer}", "HTTP_X_FORWARDED_PROTO": "https",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}}
b"".join(application(environ, lambda s, h, *a: status.append(s)))
print(status[0])
"""
    env = {"PATH": "/usr/bin:/bin", "REVUE_DATA_DIR": str(tmp_path), "REVUE_HTTPS": "1",
           "REVUE_TRUSTED_PROXIES": trusted, "REVUE_ALLOWED_HOSTS": "revue.example", "REVUE_SECRET_KEY": "x" * 50}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith("301") is redirected, done.stdout
