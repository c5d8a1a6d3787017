"""A list of other articles' headlines that trafilatura kept under the article ("more news": each
item a link, a heading and a date) is not the article's text; a list of the article's own points,
each a heading and a sentence, is. The bodies below have the shape trafilatura gave two real pages
(a car-news site's box, ``auto-presse.de`` in trafilatura's evaluation pages, where fast mode
gathered the page's paragraphs; Mozilla's feature cards, ``mozilla-2`` in Readability's); on the
real pages themselves ``test_quality`` holds them (auto-presse is no longer a loser)."""

from __future__ import annotations

import pytest

from revue.crawl.extract.body import _article_html
from revue.crawl.extract.values import NO_STRUCTURE, PageReading

pytestmark = pytest.mark.nodb
URL = "https://www.auto-revue.test/news/yaris-cross.html"
ARTICLE = (
    "<p>Mit dem Yaris Cross will der Hersteller im boomenden Segment der kleinen SUV mitmischen, und nur "
    "wenige Wochen nach seinem Marktstart hat sich das Modell bereits mehr als 5.000 Mal verkauft.</p>"
)


def _html(body: str) -> str:
    return _article_html(body, PageReading({}, "", NO_STRUCTURE), "Japanisches Mini-SUV auf dem Vormarsch", URL)


def test_a_list_of_other_articles_headlines_is_dropped():
    items = "".join(
        f'<li>\n<a href="https://www.auto-revue.test/news/{n}.html"/>\n<h4>{headline}</h4>{day}. November 2021</li>'
        for n, (headline, day) in enumerate((("Mazda fertigt flexibler", 4), ("Kia Sportage läuft vom Band", 3)))
    )
    undated = '<li>\n<a href="https://www.auto-revue.test/news/9.html"/>\n3. November 2021</li>'  # a teaser without its heading
    html = _html(f"{ARTICLE}<ul>{items}{undated}</ul>")
    assert "Marktstart" in html
    assert "Mazda" not in html and "Kia" not in html and "November" not in html


def test_a_list_of_the_articles_own_points_stays():
    items = "".join(
        f'<li>\n<a href="https://video.test/{n}"/>\n<h2>{head}</h2><p>{text}</p></li>'
        for n, (head, text) in enumerate(
            (
                ("WebIDE", "Develop, deploy and debug Firefox OS apps directly in your browser."),
                ("Valence", "Develop and debug your apps across multiple browsers and devices."),
            )
        )
    )
    html = _html(f"{ARTICLE}<ul>{items}</ul>")
    assert "<h2>WebIDE</h2>" in html and "directly in your browser" in html and "multiple browsers" in html


def test_a_list_of_links_without_headings_stays():
    items = "".join(f'<li><a href="https://www.auto-revue.test/{n}">Quelle {n}</a></li>' for n in range(3))
    assert "Quelle 2" in _html(f"{ARTICLE}<ul>{items}</ul>")
