"""Resource bounds: no query, page number, cursor or report burst makes a request take more than
a second or its memory grow with what the client asks (issue #15).

A real SQLite archive of 6,000 articles (six outlets, three categories, a hundred stories, all
indexed for search) is built once for the module by ``bulk_create``. Every hostile request of
the tables below goes through Django's whole stack (middleware, URL resolver, view, template
or API) and must answer within ``SECOND`` (or, on a machine so loaded that an ordinary page
takes more than a tenth of that, ten ordinary pages' time: ``allowed``) with a status of its
table — a 4xx that says what was wrong, or a bounded 200 — never a 500. Its memory is measured
too (``tracemalloc``, in a second pass so as not to slow the timing): the peak may not exceed
``MEMORY`` bytes, which is a few times what an ordinary page costs and far below what reading a
thousand-digit page number, a 100,000-character query or a limit of a billion rows would take. A burst of 300 reports
from one network is answered as quickly, turned away by the rate limit once it is reached
(``REVUE_REPORT_NETWORK_RATE_LIMIT``), and stores no more than that many reports.
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from revue.api import cursors
from revue.moderation.models import ImageReport
from revue.moderation.tokens import TOKEN_FIELD, token_for
from revue.news import search
from revue.news.models import Article, Category, Image, Story, url_hash
from revue.sources.models import Feed, Source

SECOND = 1.0
ORDINARY_PAGES = 10  # a hostile request may cost what ten ordinary pages cost, never more
MEMORY = 32 * 1024 * 1024
ARTICLES = 6000
OUTLETS = 6
WORDS = ("conseil municipal budget ville transports écoles quartiers médina port ferroviaire "
         "gouvernement parlement élections football championnat économie inflation banque "
         "agriculture sécheresse barrage tourisme festival cinéma musique santé hôpital").split()


def body(n: int) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(120))


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """6,000 articles committed for the module, then removed."""
    with django_db_blocker.unblock():
        now = timezone.now()
        sources = [Source.objects.create(name=f"Outlet {i}", slug=f"outlet-{i}", language="fr") for i in range(OUTLETS)]
        feeds = [Feed.objects.create(source=s, url=f"https://outlet-{i}.example/feed") for i, s in enumerate(sources)]
        categories = list(Category.objects.all()[:3])
        stories = Story.objects.bulk_create(Story(title=f"Histoire {i}", last_seen_at=now) for i in range(100))
        image = Image.objects.create(url="https://outlet-0.example/photo.jpg")
        articles = []
        for n in range(ARTICLES):
            url = f"https://outlet-{n % OUTLETS}.example/{n}"
            articles.append(Article(
                source=sources[n % OUTLETS], feed=feeds[n % OUTLETS], url=url, url_hash=url_hash(url),
                title=f"{WORDS[n % len(WORDS)].capitalize()} : l'article {n}", summary=body(n)[:300],
                content_html=f"<p>{body(n)}</p>", text=body(n), language="fr",
                published_at=now - timedelta(minutes=n), category=categories[n % len(categories)],
                story=stories[n % len(stories)], image=image if n < 50 else None,
            ))
        Article.objects.bulk_create(articles, batch_size=500)
        search.index_pending()
        yield {"image": image, "slug": "outlet-0", "category": categories[0].slug, "story": stories[0].pk}
        Article.objects.all().delete()
        Story.objects.all().delete()
        Image.objects.all().delete()
        Source.objects.all().delete()


def measure(client: Client, method: str, path: str, **kw):
    """(response, seconds) of one request through the whole stack."""
    started = time.perf_counter()
    response = getattr(client, method)(path, **kw)
    return response, time.perf_counter() - started


def allowed(slug: str) -> float:
    """``SECOND``, or ``ORDINARY_PAGES`` times an ordinary page (an outlet's first page, not kept
    by the page cache: the median of three) when the machine is so loaded that this is more: the
    bound is on what a client asks, not on what else the machine runs (the suites run side by side)."""
    client, times = Client(), []
    for _ in range(3):
        cache.clear()
        times.append(measure(client, "get", f"/{slug}/?page=1")[1])
    return max(SECOND, ORDINARY_PAGES * sorted(times)[1])


def peak_memory(client: Client, method: str, path: str, **kw) -> int:
    tracemalloc.start()
    try:
        getattr(client, method)(path, **kw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


HUGE = "9" * 5000
LONG_QUERY = " ".join(f"mot{i}" for i in range(20000))  # 128,000 characters, 20,000 words
MANY_TERMS = " OR ".join(WORDS * 20)
NASTY_SYNTAX = '"' * 3000 + "(" * 3000 + "*" * 3000 + " -" * 3000 + " NEAR(" * 500


def portal_cases(slug: str, category: str) -> list[tuple[str, tuple[int, ...]]]:
    """(path, the statuses it may answer) — every one a page a client can ask for."""
    lists = [f"/{slug}/", f"/categorie/{category}/"]
    cases = []
    for base in lists:
        cases += [
            (f"{base}?page=1", (200,)),
            (f"{base}?page=50", (200,)),  # the deepest page of an outlet's thousand articles
            (f"{base}?page=500", (404,)),  # REVUE_PORTAL_MAX_PAGE, past the end
            (f"{base}?page=501", (404,)),
            (f"{base}?page={HUGE}", (404,)),
            (f"{base}?page=-1", (400,)),
            (f"{base}?page=0", (400,)),
            (f"{base}?page=1e9", (400,)),
            (f"{base}?page=abc", (400,)),
            (f"{base}?page=%00", (400,)),
            (f"{base}?page=" + "0" * 5000 + "2", (200,)),
        ]
    cases += [
        ("/recherche?q=conseil", (200,)),  # matches every article: the engine reads at most REVUE_SEARCH_MAX_RESULTS
        ("/recherche?q=conseil&page=50", (200, 404)),
        (f"/recherche?q=conseil&page={HUGE}", (404,)),
        ("/recherche?q=conseil&page=-3", (400,)),
        (f"/recherche?q={LONG_QUERY}", (200,)),
        (f"/recherche?q={MANY_TERMS}", (200,)),
        (f"/recherche?q={NASTY_SYNTAX}", (200, 400)),
        ("/recherche?q=a*+b*+c*+d*+e*", (200,)),
        (f"/recherche?q=conseil&du={HUGE}", (400,)),
        ("/recherche?q=conseil&du=0001-01-01&au=9999-12-31", (400,)),
        (f"/recherche?q=conseil&source={HUGE}", (400,)),
        (f"/recherche?q=conseil&langue={HUGE}", (400,)),
        (f"/flux/recherche/rss/?q={LONG_QUERY}", (200,)),
        (f"/flux/recherche/atom/?q={MANY_TERMS}", (200,)),
        ("/flux/rss/", (200,)),
        (f"/histoire/{HUGE[:30]}/", (404,)),
        (f"/{slug}/{HUGE[:30]}", (404,)),
        ("/archives/9999/12/31/", (200, 404)),
        ("/archives/0000/00/00/", (404,)),
        ("/archives/2025/13/", (404,)),
        ("/sitemap-9999-12-31.xml", (200, 404)),
        ("/sitemap-0000-00-00.xml", (404,)),
        (f"/img/{HUGE}", (404,)),
        (f"/img/x/{HUGE[:30]}", (400, 404)),
    ]
    return cases


def api_cases(slug: str) -> list[tuple[str, tuple[int, ...]]]:
    forged_offset = cursors.encode("search", 10**9)  # as a client walking a search would be handed, only further
    return [
        ("/api/articles?limit=100", (200,)),
        ("/api/articles?limit=0", (400, 422)),
        ("/api/articles?limit=-1", (400, 422)),
        ("/api/articles?limit=101", (400, 422)),
        (f"/api/articles?limit={HUGE}", (400, 422)),
        ("/api/articles?limit=abc", (400, 422)),
        ("/api/articles?cursor=garbage", (400,)),
        (f"/api/articles?cursor={HUGE}", (400,)),
        (f"/api/articles?cursor={cursors.encode('stories', timezone.now().isoformat(), 1)}", (400,)),
        (f"/api/articles?cursor={cursors.encode('articles', 'not a date', 'x')}", (400,)),
        (f"/api/articles?cursor={cursors.encode('articles', '9999-12-31T23:59:59+00:00', 10**30)}", (200, 400)),
        (f"/api/articles/{HUGE[:30]}", (404, 422)),
        (f"/api/stories/{HUGE[:30]}", (404, 422)),
        (f"/api/outlets/{HUGE}", (404,)),
        (f"/api/outlets/{slug}/articles?limit=100", (200,)),
        ("/api/stories?limit=100", (200,)),
        ("/api/search?q=conseil&limit=100", (200,)),
        (f"/api/search?q=conseil&cursor={forged_offset}", (200, 400)),
        (f"/api/search?q={LONG_QUERY}&limit=100", (200,)),
        (f"/api/search?q={MANY_TERMS}&limit=100", (200,)),
        (f"/api/search?q={NASTY_SYNTAX}", (200, 400)),
        (f"/api/search?q=conseil&since={HUGE}", (400, 422)),
    ]


def check(client: Client, cases, slug: str) -> dict[str, str]:
    """Every case that is too slow, answers an unexpected status, or a 4xx without a message."""
    wrong, limit = {}, allowed(slug)
    for path, statuses in cases:
        response, seconds = measure(client, "get", path)
        label = path[:90]
        if response.status_code not in statuses:
            wrong[label] = f"status {response.status_code}, expected {statuses}"
        elif seconds > limit:
            wrong[label] = f"{seconds:.2f} s (allowed {limit:.2f} s)"
        elif 400 <= response.status_code < 500 and len(response.content.strip()) < 20:
            wrong[label] = "a 4xx without a message"
    return wrong


@pytest.mark.django_db
def test_portal_requests_are_bounded(archive):
    cache.clear()
    client = Client(raise_request_exception=False)
    cases = portal_cases(archive["slug"], archive["category"])
    assert len(cases) >= 40
    assert check(client, cases, archive["slug"]) == {}


@pytest.mark.django_db
def test_api_requests_are_bounded(archive):
    cache.clear()
    client = Client(raise_request_exception=False)
    assert check(client, api_cases(archive["slug"]), archive["slug"]) == {}


@pytest.mark.django_db
def test_walking_every_api_page_stays_fast(archive):
    """A client following ``next_cursor`` through all 6,000 articles: each page as fast as the first."""
    client = Client()
    path, pages, slowest = "/api/articles?limit=100", 0, 0.0
    while path:
        response, seconds = measure(client, "get", path)
        assert response.status_code == 200
        pages, slowest = pages + 1, max(slowest, seconds)
        cursor = response.json()["next_cursor"]
        path = f"/api/articles?limit=100&cursor={cursor}" if cursor else ""
    assert pages == ARTICLES // 100 and slowest < allowed(archive["slug"])


@pytest.mark.django_db
def test_memory_does_not_grow_with_what_is_asked(archive):
    """The peak memory of the heaviest hostile requests, each beside an ordinary one's."""
    cache.clear()
    client = Client(raise_request_exception=False)
    slug = archive["slug"]
    ordinary = peak_memory(client, "get", f"/{slug}/?page=1")
    hostile = {
        path: peak_memory(client, "get", path)
        for path in (f"/{slug}/?page={HUGE}", f"/{slug}/?page=" + "0" * 5000 + "2", f"/recherche?q={LONG_QUERY}",
                     f"/recherche?q={MANY_TERMS}", "/recherche?q=conseil", f"/api/articles?limit={HUGE}",
                     f"/api/search?q={LONG_QUERY}&limit=100", "/api/articles?limit=100")
    }
    assert ordinary < MEMORY
    assert {path[:60]: peak for path, peak in hostile.items() if peak > MEMORY} == {}


@pytest.mark.django_db
def test_a_burst_of_reports_is_bounded_and_turned_away(archive, settings):
    """300 reports from one network: each answered within a second, none a 500, the rate limit
    says no with a message once it is reached, and the image is not blocked by the burst."""
    cache.clear()
    image = archive["image"]
    token = token_for(image.pk)
    statuses, slowest = [], 0.0
    for n in range(300):
        client = Client(raise_request_exception=False)  # a fresh cookie each time: a new « reader »
        response, seconds = measure(client, "post", f"/signaler/image/{image.pk}/", data={TOKEN_FIELD: token},
                                    REMOTE_ADDR=f"198.18.7.{n % 250 + 1}", HTTP_ACCEPT="application/json")
        statuses.append(response.status_code)
        slowest = max(slowest, seconds)
        if response.status_code == 429:
            assert response.content.strip(), "a refusal without a message"
    limit = settings.REVUE_REPORT_NETWORK_RATE_LIMIT
    assert 500 not in statuses and slowest < allowed(archive["slug"])
    assert statuses[limit:] == [429] * (300 - limit)  # turned away once the network's limit is reached
    assert ImageReport.objects.filter(image=image).count() <= limit  # the archive grows no further
    image.refresh_from_db()
    assert not image.is_blocked  # one network is one person, however many addresses


@pytest.mark.django_db
def test_an_oversized_report_is_refused_before_it_is_read(archive):
    """A report whose body is 5 MB: refused by Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB)
    with a 400, quickly, never a 500, and nothing stored."""
    cache.clear()
    image = archive["image"]
    client = Client(raise_request_exception=False)
    body = f"{TOKEN_FIELD}={token_for(image.pk)}&x=" + "a" * (5 * 1024 * 1024)
    response, seconds = measure(client, "post", f"/signaler/image/{image.pk}/", data=body,
                                content_type="application/x-www-form-urlencoded", REMOTE_ADDR="198.18.9.9")
    assert response.status_code == 400 and seconds < allowed(archive["slug"])
    assert not ImageReport.objects.filter(image=image).exists()
