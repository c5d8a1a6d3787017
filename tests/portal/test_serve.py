"""``revue serve``'s guard: proxy headers reach the portal only from a trusted proxy.

The whole server, behind a proxy, is tested in ``tests/e2e/test_reports_behind_a_proxy.py``.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from revue.portal.management.commands.serve import proxy_headers_from_trusted_proxies_only, proxy_notes


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
