"""Archives by day and month, linked from each article's date."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db
CASABLANCA = ZoneInfo("Africa/Casablanca")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def december(barlamane, make_article):
    return [
        make_article(barlamane, "Le 8 au matin", published_at=datetime(2025, 12, 8, 0, 30, tzinfo=CASABLANCA)),
        make_article(barlamane, "Le 8 au soir", published_at=datetime(2025, 12, 8, 23, 30, tzinfo=CASABLANCA)),
        make_article(barlamane, "Le 9", published_at=datetime(2025, 12, 9, 9, 0, tzinfo=CASABLANCA)),
        make_article(barlamane, "Le 20", published_at=datetime(2025, 12, 20, 9, 0, tzinfo=CASABLANCA)),
    ]


def test_a_day_lists_its_articles_on_the_portal_clock(client, december):
    html = client.get("/archives/2025/12/08/").content.decode()
    assert "Archives du 8 décembre 2025" in html
    assert "Le 8 au soir" in html and "Le 8 au matin" in html and "Le 9" not in html
    assert html.index("Le 8 au soir") < html.index("Le 8 au matin")  # newest first
    assert 'href="/archives/2025/12/07/"' in html and 'href="/archives/2025/12/09/"' in html
    assert 'href="/archives/2025/12/"' in html


def test_a_month_lists_its_days_that_have_articles(client, december):
    html = client.get("/archives/2025/12/").content.decode()
    assert "Archives de décembre 2025" in html
    days = re.findall(r'href="/archives/2025/12/(\d\d)/"', html)
    assert days == ["08", "09", "20"]
    assert 'href="/archives/2025/11/"' in html and 'href="/archives/2026/01/"' in html


def test_the_article_date_links_to_its_day(client, december):
    html = client.get(f"/barlamane/{december[1].pk}").content.decode()
    assert 'href="/archives/2025/12/08/">08 - 12 - 2025</a>' in html
    assert "Publié dans Barlamane le 08 - 12 - 2025" in text_of(html)


@pytest.mark.parametrize("url", ["/archives/2025/02/30/", "/archives/2025/13/", "/archives/2999/01/01/", "/archives/0000/01/"])
def test_dates_that_do_not_exist_or_are_to_come_are_404(client, db, url):
    assert client.get(url).status_code == 404


def test_archives_goes_to_this_month(client, db):
    response = client.get("/archives/")
    assert response.status_code == 302 and re.fullmatch(r"/archives/\d{4}/\d{2}/", response["Location"])
