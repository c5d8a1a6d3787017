"""The portal as a reader meets it: Debian's chromium (Playwright) on the real ``revue serve``.

One archive for each test (two outlets, French and Arabic articles with lead images served by a
loopback image server, a story of two outlets, the search index), one ``revue serve`` for the module, and:

* the live ticker: it shows the headlines, and a headline settled while the page is open (the
  crawler's ``settle_articles``) arrives without a reload, through the event stream and, in a
  browser without ``EventSource``, through the JSON poll; it pauses on hover, on keyboard focus
  and with its button, stands still with ``prefers-reduced-motion``, and scrolls the other way
  in the Arabic edition;
* a search typed in the header's field, the article reached from its results, and its source
  link pointing at the original;
* the layout at a phone's 320 px (no sideways scrolling) and on a desktop, screenshots of each
  kept in ``build/screenshots/`` (test artifacts), dark mode from the system setting, and no
  layout shift from a lead image;
* axe-core (npm, ``make browser`` installs it; injected into each page) over the home page, an
  article in French and in Arabic, a story, a search and an outlet page, in the French
  interface and the Arabic edition (``/ar/``), light and dark: no serious or critical violation;
* the page budget: each of those pages' HTML, CSS and JavaScript, as the server sends them to a
  browser that accepts gzip, under 100 kB together (images excepted).
"""

from __future__ import annotations

import gzip
import re
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from revue.crawl.store import settle_articles
from revue.news.cache import invalidate_reader_caches
from revue.news import search
from revue.news.models import Article, Category, Image, Story
from revue.sources.models import Feed, Source
from tests.e2e.test_image_reports_browser import chromium, image_server, publish
from tests.e2e.test_reports_behind_a_proxy import revue_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
BUDGET_BYTES = 100 * 1024
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
ARABIC_TITLE = "بلينكن: ميثاق مراكش للهجرة سيكون أساسا للعمل الدولي"
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    where: v.nodes.slice(0, 3).map((node) => node.target.join(" ")) }));
}"""


@dataclass
class Portal:
    base: str
    french: Article
    arabic: Article
    story: Story

    def pages(self) -> dict[str, str]:
        """Every kind of page the checks visit, by name."""
        return {
            "home": "/",
            "article-fr": self.french.get_absolute_url(),
            "article-ar": self.arabic.get_absolute_url(),
            "story": self.story.get_absolute_url(),
            "search": "/recherche?q=migration",
            "outlet": f"/{self.french.source.slug}/",
        }


def fill_the_front_page() -> None:
    """Older articles from eight more outlets in every section: a front page as full as a real one
    (a ticker of ``REVUE_TICKER_SIZE`` headlines, each section's cards), for the layout and the budget."""
    sections = list(Category.objects.order_by("position"))
    words = ("le gouvernement annonce un nouveau plan pour l'eau potable dans les régions du sud après "
             "trois années de sécheresse selon le ministère de l'équipement").split()  # fmt: skip
    for number in range(8):
        outlet = Source.objects.create(name=f"Le Quotidien {number}", slug=f"quotidien-{number}", language="fr")
        feed = Feed.objects.create(source=outlet, url=f"https://quotidien-{number}.example/feed")
        for serial in range(8):
            title = " ".join(words[(number + serial) % 7 :][:12]).capitalize() + f" ({number}-{serial})"
            Article.objects.create(
                source=outlet, feed=feed, url=f"https://quotidien-{number}.example/{serial}", title=title,
                content_html=f"<p>{' '.join(words)}.</p>", language="fr", category=sections[serial % len(sections)],
                published_at=timezone.now() - timedelta(hours=2 + number * 8 + serial),
            )  # fmt: skip


def archive(images_base: str) -> Portal:
    french = publish(images_base)  # Barlamane, with a lead image and an inline one, in « Monde »
    hespress = Source.objects.create(
        name="Hespress", slug="hespress", homepage="https://www.hespress.com/", language="ar"
    )
    feed = Feed.objects.create(source=hespress, url="https://www.hespress.com/feed")
    lead = Image.objects.create(url=f"{images_base}/photos/marrakech.png", caption="ميثاق مراكش")
    arabic = Article.objects.create(
        source=hespress, feed=feed, url="https://www.hespress.com/migration-blinken-123.html", title=ARABIC_TITLE,
        content_html="<p>قال وزير الخارجية الأمريكي أنتوني بلينكن إن ميثاق مراكش للهجرة سيكون أساسا للعمل الدولي.</p>",
        language="ar", category=Category.objects.get(slug="monde"), image=lead,
    )  # fmt: skip
    arabic.images.set([lead])
    story = Story.objects.create(title=french.title, lead=french, article_count=2, outlet_count=2, languages="fr,ar")
    Article.objects.filter(pk__in=[french.pk, arabic.pk]).update(story=story)
    search.index_articles([french.pk, arabic.pk])
    fill_the_front_page()
    return Portal(base="", french=french, arabic=arabic, story=story)


@pytest.fixture(scope="module")
def served(django_db_setup):
    """The outlet's image server and ``revue serve`` on the test database, for the whole module."""
    with (
        image_server() as images_base,
        revue_serve(
            REVUE_FETCH_ALLOW="127.0.0.1", REVUE_TICKER_CHECK_SECONDS="0.2", REVUE_TICKER_POLL_SECONDS="2"
        ) as base,
    ):
        yield images_base, base


@pytest.fixture
def portal(served):
    """Each test's archive (a transactional test empties the tables after it), renewed for the server."""
    images_base, base = served
    made = archive(images_base)
    invalidate_reader_caches()  # the server's kept pages were of the previous test's archive
    made.base = base
    return made


def in_another_thread(work) -> None:
    """Run ``work`` on the database from a thread of its own (Playwright's sync API runs an
    event loop in this one, where Django refuses to touch the database)."""
    failures = []

    def run():
        try:
            work()
        except Exception as exc:  # noqa: BLE001  (reported below, in the test's thread)
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failures, failures


def settle_a_new_headline(source: Source, title: str) -> None:
    article = Article.objects.create(
        source=source, feed=source.feeds.first(), url="https://www.barlamane.com/fr/direct-conseil/", title=title,
        content_html="<p>Le Conseil de sécurité a adopté jeudi la résolution.</p>", language="fr",
        published_at=timezone.now(),
    )  # fmt: skip
    settle_articles([article.pk])


def animation(page, selector: str) -> tuple[str, str]:
    found = page.eval_on_selector(
        selector, "(e) => [getComputedStyle(e).animationName, getComputedStyle(e).animationPlayState]"
    )
    return tuple(found)


def test_the_ticker_comes_alive_pauses_and_stands_still(portal):
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="fr-FR")
        page.goto(f"{portal.base}/")
        ticker = page.locator(".ticker__list")
        expect(ticker.locator("a", has_text=ARABIC_TITLE)).to_have_attribute("lang", "ar")  # the story's newest
        page.evaluate("window.__notReloaded = true")
        polling = browser.new_page(viewport=PHONE)  # a browser without EventSource polls the JSON instead
        polling.add_init_script("delete window.EventSource")
        asked = []
        polling.on(
            "request",
            lambda request: asked.append(request.url.rsplit("/", 1)[1]) if "/direct/" in request.url else None,
        )
        polling.goto(f"{portal.base}/")
        expect(polling.locator(".ticker__list a", has_text=ARABIC_TITLE)).to_have_count(1)

        title = "Le Conseil de sécurité adopte la résolution sur la migration"
        in_another_thread(lambda: settle_a_new_headline(portal.french.source, title))

        arrived = ticker.locator(".ticker__item").first
        expect(arrived).to_contain_text(title, timeout=15_000)
        assert page.evaluate("window.__notReloaded") is True, "the headline came without a reload"
        expect(page.get_by_role("status")).to_have_text("Un nouveau titre")
        expect(polling.locator(".ticker__item").first).to_contain_text(title, timeout=15_000)
        assert "titres.json" in asked and "flux" not in asked, asked

        arabic = browser.new_page(viewport=PHONE)  # the Arabic edition's ticker moves the other way
        arabic.goto(f"{portal.base}/ar/")
        assert animation(arabic, ".ticker__list")[0] == "ticker-scroll-rtl"

        assert animation(page, ".ticker__list") == ("ticker-scroll", "running")
        page.hover(".ticker__viewport")
        assert animation(page, ".ticker__list")[1] == "paused"
        page.mouse.move(0, DESKTOP["height"] - 1)
        pause = page.get_by_role("button", name="Pause")
        pause.click()
        expect(pause).to_have_attribute("aria-pressed", "true")
        assert animation(page, ".ticker__list")[1] == "paused"
        pause.click()

        page.focus("#site-search-q")  # then the keyboard: the next Tab stops on the first headline
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('.ticker__list') !== null"):
                break
        assert page.evaluate("document.activeElement.textContent") == title
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid", "a visible focus"
        assert animation(page, ".ticker__list")[0] == "none", "a keyboard reader's ticker stands still"

        still = browser.new_page(viewport=DESKTOP, reduced_motion="reduce")
        still.goto(f"{portal.base}/")
        assert animation(still, ".ticker__list")[0] == "none"
        assert still.locator(".ticker__pause").is_hidden()


def test_a_reader_searches_from_the_header_and_reaches_the_original(portal):
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE, locale="fr-FR")
        page.goto(f"{portal.base}/")
        page.get_by_role("searchbox", name="Rechercher").fill("migration Blinken")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/recherche\?q=migration\+Blinken"))

        page.get_by_role("link", name=portal.french.title).first.click()
        page.wait_for_url(f"{portal.base}{portal.french.get_absolute_url()}")
        source = page.get_by_role("link", name="Cliquez ici pour lire l'article depuis sa source.")
        assert source.get_attribute("href") == portal.french.url


def test_every_width_from_a_phone_to_a_desktop_and_dark_mode(portal):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflowing, shifts = {}, {}
    with chromium() as browser:
        for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = browser.new_page(viewport=viewport, locale="fr-FR")
            page.add_init_script(WATCH_LAYOUT_SHIFTS)
            for name, path in portal.pages().items():
                page.goto(f"{portal.base}{path}")
                page.wait_for_load_state("networkidle")
                wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if wide > 0:
                    overflowing[f"{name} at {width_name}"] = wide
                shifts[f"{name} at {width_name}"] = page.evaluate("[window.__layoutShift, window.__shifted]")
                page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", full_page=True)
            page.close()

        dark = browser.new_page(viewport=PHONE, color_scheme="dark")
        dark.goto(f"{portal.base}{portal.french.get_absolute_url()}")
        dark.screenshot(path=SCREENSHOTS / "article-fr-phone-dark.png", full_page=True)
        background = dark.evaluate("getComputedStyle(document.body).backgroundColor")

    assert overflowing == {}, "pages wider than the screen"
    assert {page: shift for page, shift in shifts.items() if shift[0] > 0.05} == {}, "layout shifts"
    assert luminance(background) < 0.1, background
    assert len(list(SCREENSHOTS.glob("*-phone.png"))) == len(portal.pages())


WATCH_LAYOUT_SHIFTS = """
window.__layoutShift = 0;
window.__shifted = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__layoutShift += entry.value;
    for (const source of entry.sources || []) {
      if (source.node && source.node.nodeType === 1) window.__shifted.push(source.node.outerHTML.slice(0, 80));
    }
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def luminance(css_color: str) -> float:
    red, green, blue = (int(value) / 255 for value in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def editions(portal: Portal) -> dict[str, str]:
    """Every page in the French interface, and in the Arabic edition's (``/ar/…``)."""
    pages = {f"{name} (fr)": path for name, path in portal.pages().items()}
    pages.update({f"{name} (ar)": f"/ar{path}" for name, path in portal.pages().items()})
    return pages


def test_axe_finds_no_serious_or_critical_violation(portal):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser` (npm ci installs it into node_modules/)")
    found = {}
    with chromium() as browser:
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport=DESKTOP, color_scheme=scheme, bypass_csp=True, reduced_motion="reduce"
            )
            page = context.new_page()
            for name, path in editions(portal).items():
                answer = page.goto(f"{portal.base}{path}")
                assert answer.status == 200, (path, answer.status)
                page.add_script_tag(path=str(AXE))
                serious = [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]
                if serious:
                    found[f"{name}, {scheme}"] = serious
            context.close()
    assert found == {}


def test_each_page_with_its_css_and_javascript_is_under_100_kb_compressed(portal):
    sizes = {}
    with httpx.Client(base_url=portal.base, headers={"Accept-Encoding": "gzip"}, timeout=20) as reader:
        for name, path in editions(portal).items():
            page = reader.get(path)
            assert page.status_code == 200, path
            assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
            assets += re.findall(r'<script src="([^"]+)"', page.text)
            assert assets, f"{path}: no stylesheet found"
            sizes[name] = sent_bytes(page) + sum(sent_bytes(reader.get(urljoin(path, asset))) for asset in assets)
    print({name: f"{size / 1024:.1f} kB" for name, size in sizes.items()})
    assert {name: size for name, size in sizes.items() if size > BUDGET_BYTES} == {}
    assert all(size > 3 * 1024 for size in sizes.values()), "every page has a body"


def sent_bytes(response: httpx.Response) -> int:
    """What the server sent: the compressed body when it compressed it, else the body gzipped
    (what any compressing proxy in front would send: the budget does not count on one)."""
    assert response.status_code == 200, response.url
    if response.headers.get("Content-Encoding") in ("gzip", "br"):
        return int(response.headers.get("Content-Length") or len(gzip.compress(response.content)))
    return len(gzip.compress(response.content))
