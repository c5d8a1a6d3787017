"""https_hosts, secure_url, upgrade_to_https: http made https only where the outlet serves it."""

from __future__ import annotations

import pytest

from revue.crawl.clean import https_hosts, sanitize_html, secure_url, upgrade_to_https

pytestmark = pytest.mark.nodb
HOSTS = https_hosts("https://www.le-phare.test/eco/1")


def test_hosts_of_https_urls_with_their_www_twin():
    assert HOSTS == {"le-phare.test", "www.le-phare.test"}
    assert https_hosts("http://www.le-phare.test/", "", "not a url", "https://[::1") == frozenset()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.le-phare.test/a.jpg", "https://www.le-phare.test/a.jpg"),
        ("http://le-phare.test/a.jpg?x=1", "https://le-phare.test/a.jpg?x=1"),
        ("http://le-phare.test:8080/a.jpg", "http://le-phare.test:8080/a.jpg"),
        ("http://cdn.le-phare.test/a.jpg", "http://cdn.le-phare.test/a.jpg"),
        ("https://le-phare.test/a.jpg", "https://le-phare.test/a.jpg"),
        ("", ""),
    ],
)
def test_secure_url(url, expected):
    assert secure_url(url, HOSTS) == expected


def test_upgrade_keeps_html_sanitized_and_touches_only_src_and_href():
    html = sanitize_html(
        '<p>Voir http://www.le-phare.test/texte <a href="http://www.le-phare.test/a">lien</a>'
        '<img src="http://le-phare.test/i.jpg" alt="http://le-phare.test/alt"></p>',
        "https://www.le-phare.test/",
    )
    upgraded = upgrade_to_https(html, HOSTS)
    assert 'href="https://www.le-phare.test/a"' in upgraded and 'src="https://le-phare.test/i.jpg"' in upgraded
    assert "Voir http://www.le-phare.test/texte" in upgraded and 'alt="http://le-phare.test/alt"' in upgraded
    assert sanitize_html(upgraded, "https://www.le-phare.test/") == upgraded
    assert upgrade_to_https(html, frozenset()) == html
