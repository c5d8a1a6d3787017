"""The crawler against a fault-injecting server: each broken feed gets a clear recorded error or
the right data, the crawl goes on for the others, and once the faults are fixed a second crawl
takes in what was missing — nothing else is lost.

All cases are crawled together, twice, by ``fault_runs`` (see conftest.py); the tests read its
snapshots. Expectations per case live in cases.py.
"""

from __future__ import annotations

import resource
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from revue.sources.models import Feed

from .documents import LONG

pytestmark = pytest.mark.django_db  # the crawl committed its rows; the tests read snapshots

NETWORK = ["refused", "connect-timeout", "stall", "stall-body", "drip", "reset", "reset-body", "dns"]
HTTP = ["http-404", "http-410", "http-500", "http-500-last-straw", "http-429-seconds", "http-429-date", "http-503-seconds", "http-503-date"]
REDIRECTS = ["redirect-loop", "redirect-to-private", "redirect-chain", "redirect-temporary"]
SIZES = ["gzip-bomb", "oversized-declared", "oversized-stream"]
DAMAGE = ["invalid-xml", "not-xml", "recoverable-xml", "truncated-xml"]
CHARSETS = [
    "cp1252-declared", "cp1252-undeclared", "cp1256-declared", "cp1256-http-only", "iso-8859-1",
    "utf8-bom", "utf16-bom", "utf16le-no-bom", "utf16be-no-bom",
    "declared-latin1-is-utf8", "declared-utf8-is-cp1252", "http-utf8-is-cp1256",
]
ENTRIES = ["html-instead", "html-no-link", "duplicate-guids", "shared-link", "dates", "no-links", "relative-links", "empty", "pages-fail"]
ALL = ["healthy", *NETWORK, *HTTP, *REDIRECTS, *SIZES, *DAMAGE, *CHARSETS, *ENTRIES]

UNFIXABLE = ["dns", "http-410", "http-500-last-straw"]  # still failing, or parked, after the fix
PARSE_ERRORS = ["invalid-xml", "not-xml", "html-no-link"]  # fetched fine (200), unreadable

def titles(articles) -> list[str]:
    return sorted(a.title for a in articles)


def delay(feed: Feed) -> float:
    return (feed.next_fetch_at - feed.last_fetched_at).total_seconds()


# --- the whole run ---------------------------------------------------------------------------


def test_every_case_is_checked(fault_runs):
    assert sorted(fault_runs.cases) == sorted(ALL)
    assert sorted(n for n, c in fault_runs.cases.items() if not c.fixable) == sorted(UNFIXABLE)


def test_the_healthy_feed_is_stored_whole_beside_all_the_faults(fault_runs):
    case, run = fault_runs.cases["healthy"], fault_runs.first
    feed, articles = run.feeds["healthy"], run.articles["healthy"]
    assert titles(articles) == sorted(case.titles) and len(articles) == 5
    assert (feed.last_status, feed.error_count, feed.last_error, feed.state) == (200, 0, "", Feed.State.ACTIVE)
    for article in articles:
        assert len(article.text) > 600 and "conseil municipal" in article.text
        assert article.url.startswith(fault_runs.server.base_url + "/healthy/a/")
        assert article.published_at == datetime(2025, 6, 10, 8, tzinfo=timezone.utc)


def test_the_first_summary_counts_each_fault(fault_runs):
    cases, summary = fault_runs.cases, fault_runs.first.summary
    failing = {name for name, case in cases.items() if case.outcome != "ok"}
    assert summary.feeds == len(cases)
    assert summary.errors == len(failing), [f.error for f in summary.failures]
    assert summary.parked == 2  # 410 at once, and the feed at its REVUE_FEED_MAX_ERRORS-th failure
    assert summary.fetched == len(cases) - len(failing)
    assert {f.feed_id for f in summary.failures} == {fault_runs.feed_ids[name] for name in failing}
    assert summary.new_articles == sum(len(case.titles) for case in cases.values())
    assert summary.pages_failed == 2


def test_the_run_is_bounded_by_the_slowest_fault_not_their_sum(fault_runs):
    """The three slow faults are in flight at once: each was asked for before the quickest of
    them (a read timeout) could have given up. Read off the server's clock, not the run's length,
    so that a loaded machine slows both sides alike."""
    slow = ["stall", "stall-body", "drip"]
    asked = [fault_runs.server.first_asked[urlsplit(fault_runs.cases[name].feed_url).path] for name in slow]
    assert max(asked) - min(asked) < settings.REVUE_FETCH_READ_TIMEOUT, asked


# --- each feed's recorded outcome after the faulty run ------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_first_run_outcome(fault_runs, name):
    case, feed = fault_runs.cases[name], fault_runs.first.feeds[name]
    stored = fault_runs.first.articles[name]
    assert feed.url == case.url_after
    assert feed.last_fetched_at is not None and feed.next_fetch_at > feed.last_fetched_at
    assert feed.lease_owner == ""
    if case.outcome == "ok":
        assert (feed.error_count, feed.last_error, feed.last_status) == (0, "", 200)
        assert feed.state == Feed.State.ACTIVE
        assert len(stored) == len({a.url for a in stored}) == len(case.titles)
    else:
        assert feed.error_count == case.prior_errors + 1
        if name not in PARSE_ERRORS:  # see test_a_parse_error_records_the_http_status
            assert feed.last_status == case.status
        assert feed.state == (Feed.State.PARKED if case.outcome == "parked" else Feed.State.ACTIVE)
        for words in case.error:
            assert words.lower() in feed.last_error.lower(), feed.last_error
        assert "Traceback" not in feed.last_error and len(feed.last_error) < 400
        assert stored == []


@pytest.mark.parametrize("name", PARSE_ERRORS)
def test_a_parse_error_records_the_http_status(fault_runs, name):
    assert fault_runs.first.feeds[name].last_status == 200


@pytest.mark.parametrize("name", ALL)
def test_stored_titles_after_the_first_run(fault_runs, name):
    case = fault_runs.cases[name]
    assert titles(fault_runs.first.articles[name]) == sorted(case.titles)


# --- network ---------------------------------------------------------------------------------


def test_a_drip_is_cut_by_the_total_deadline_and_a_stall_by_the_read_timeout(fault_runs):
    feeds = fault_runs.first.feeds
    assert "REVUE_FETCH_TOTAL_TIMEOUT" in feeds["drip"].last_error
    assert f"after {settings.REVUE_FETCH_TOTAL_TIMEOUT:g} s" in feeds["drip"].last_error
    for name in ("stall", "stall-body", "connect-timeout"):
        assert "timed out" in feeds[name].last_error
        assert fault_runs.cases[name].feed_url in feeds[name].last_error
    assert "connection refused" in feeds["refused"].last_error.lower()


@pytest.mark.parametrize(
    "name, setting",
    [("stall", "REVUE_FETCH_READ_TIMEOUT"), ("stall-body", "REVUE_FETCH_READ_TIMEOUT"),
     ("connect-timeout", "REVUE_FETCH_CONNECT_TIMEOUT")],
)
def test_a_timeout_names_the_limit_that_was_hit(fault_runs, name, setting):
    error = fault_runs.first.feeds[name].last_error
    assert setting in error and f"{getattr(settings, setting):g} s" in error


def test_a_dns_failure_names_the_host_and_is_never_fixed(fault_runs):
    first, second = fault_runs.first.feeds["dns"], fault_runs.second.feeds["dns"]
    assert "nonexistent.invalid" in first.last_error
    assert second.error_count == 2 and second.state == Feed.State.ACTIVE
    assert delay(second) > delay(first)  # backs off further


# --- HTTP --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["http-429-seconds", "http-429-date", "http-503-seconds", "http-503-date"])
def test_retry_after_sets_the_next_fetch(fault_runs, name):
    feed, case = fault_runs.first.feeds[name], fault_runs.cases[name]
    assert case.retry_after - 5 <= delay(feed) <= case.retry_after + 5


@pytest.mark.parametrize("name", ["http-404", "http-500", "refused", "reset", "invalid-xml", "gzip-bomb"])
def test_other_failures_back_off_from_the_minimum_interval(fault_runs, name):
    low = settings.REVUE_FEED_MIN_INTERVAL * 0.9
    assert low <= delay(fault_runs.first.feeds[name]) <= settings.REVUE_FEED_MAX_INTERVAL


@pytest.mark.parametrize("name", ["http-410", "http-500-last-straw"])
def test_a_parked_feed_is_not_fetched_again(fault_runs, name):
    assert fault_runs.first.feeds[name].state == Feed.State.PARKED
    assert fault_runs.second.feeds[name].state == Feed.State.PARKED
    assert fault_runs.server.hits[f"/{name}/feed.xml"] == 1


def test_410_parks_at_the_first_failure(fault_runs):
    assert fault_runs.first.feeds["http-410"].error_count == 1


# --- redirects -------------------------------------------------------------------------------


def test_a_permanent_redirect_chain_moves_the_feed(fault_runs):
    server = fault_runs.server
    assert fault_runs.first.feeds["redirect-chain"].url == server.url("/redirect-chain/final.xml")
    assert server.hits["/redirect-chain/feed.xml"] == 1  # the second crawl went to the new URL
    assert server.hits["/redirect-chain/final.xml"] == 2


def test_a_chain_with_a_temporary_hop_keeps_the_feed_url(fault_runs):
    assert fault_runs.first.feeds["redirect-temporary"].url == fault_runs.cases["redirect-temporary"].feed_url
    assert len(fault_runs.first.articles["redirect-temporary"]) == 3


def test_a_redirect_loop_is_named(fault_runs):
    error = fault_runs.first.feeds["redirect-loop"].last_error
    assert "redirect loop" in error and "/redirect-loop/b" in error


# --- sizes -------------------------------------------------------------------------------------


def test_a_gzip_bomb_is_cut_without_being_inflated(fault_runs):
    assert "decoded body exceeds the limit of 1000000 bytes" in fault_runs.first.feeds["gzip-bomb"].last_error
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_kib < 900 * 1024  # 1 GiB inflated in memory would show here


def test_an_oversized_body_is_refused(fault_runs):
    feeds = fault_runs.first.feeds
    assert "Content-Length 3000000" in feeds["oversized-declared"].last_error
    assert "the body on the wire exceeds" in feeds["oversized-stream"].last_error


# --- charsets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHARSETS)
def test_charsets_are_read_correctly(fault_runs, name):
    case, articles = fault_runs.cases[name], fault_runs.first.articles[name]
    assert titles(articles) == sorted(case.titles)
    by_title = {item.title: item for item in case.items}
    for article in articles:
        assert "\ufffd" not in article.title + article.text
        assert LONG[by_title[article.title].language].split(" ", 5)[4] in article.text  # the body too


# --- odd documents and entries -----------------------------------------------------------------


def test_an_html_page_leads_to_the_feed_it_links(fault_runs):
    server, feed = fault_runs.server, fault_runs.first.feeds["html-instead"]
    assert feed.url == server.url("/html-instead/rss.xml")
    assert len(fault_runs.first.articles["html-instead"]) == 3
    assert server.hits["/html-instead/"] == 1  # the second crawl used the feed's own URL
    assert server.hits["/html-instead/rss.xml"] == 2


def test_duplicate_guids_give_one_article_each(fault_runs):
    articles = fault_runs.first.articles["duplicate-guids"]
    assert {a.guid: a.title for a in articles} == {
        "same-guid": "duplicate-guids : premier",
        "other-guid": "duplicate-guids : autre",
    }


def test_items_sharing_one_link_are_one_article_whose_page_is_fetched_once(fault_runs):
    """Five items with no guid and one link (the parser keeps them as five entries): one article,
    its page requested once, and the second crawl (the feed read again) stores nothing new."""
    server, first, second = fault_runs.server, fault_runs.first, fault_runs.second
    assert server.hits["/shared-link/feed.xml"] == 2 and server.hits["/shared-link/news.html"] == 1
    assert [a.url for a in first.articles["shared-link"]] == [server.url("/shared-link/news.html")]
    assert [a.title for a in first.articles["shared-link"]] == ["shared-link : nouvelle 1"]
    feed = first.feeds["shared-link"]
    assert (feed.last_status, feed.error_count, feed.last_error, feed.state) == (200, 0, "", Feed.State.ACTIVE)
    assert [a.id for a in second.articles["shared-link"]] == [a.id for a in first.articles["shared-link"]]
    assert second.feeds["shared-link"].error_count == 0


def test_missing_unparsable_and_future_dates_become_the_fetch_time(fault_runs):
    run = fault_runs.first
    dated = {a.title.split(" : ")[1]: a.published_at for a in run.articles["dates"]}
    for kind in ("manquante", "illisible", "future"):
        assert run.started <= dated[kind] <= run.finished, kind
    assert dated["valide"] == datetime(2025, 6, 10, 7, tzinfo=timezone.utc)


def test_entries_without_links_are_skipped_without_failing_the_feed(fault_runs):
    server, feed = fault_runs.server, fault_runs.first.feeds["no-links"]
    articles = fault_runs.first.articles["no-links"]
    assert feed.error_count == 0 and feed.last_error == ""
    assert sorted(a.url for a in articles) == [server.url("/no-links/a/2.html"), server.url("/no-links/a/3.html")]


def test_relative_links_are_made_absolute(fault_runs):
    server = fault_runs.server
    urls = sorted(a.url for a in fault_runs.first.articles["relative-links"])
    assert urls == [server.url(f"/relative-links/a/{i}.html") for i in (1, 2, 3)]


def test_an_empty_feed_is_fine(fault_runs):
    feed = fault_runs.first.feeds["empty"]
    assert (feed.last_status, feed.error_count, feed.last_error) == (200, 0, "")
    assert fault_runs.first.articles["empty"] == []
    assert feed.title == "Flux empty"


def test_failing_article_pages_keep_the_feed_text(fault_runs):
    server, articles = fault_runs.server, fault_runs.first.articles["pages-fail"]
    assert len(articles) == 2
    for article in articles:
        assert "le résumé tient en une ligne" in article.text
    assert server.hits["/pages-fail/a/1.html"] >= 1 and server.hits["/pages-fail/a/2.html"] >= 1
    assert fault_runs.first.feeds["pages-fail"].error_count == 0  # a page is not the feed


# --- the second crawl, faults fixed: nothing else is lost --------------------------------------


@pytest.mark.parametrize("name", [n for n in ALL if n not in UNFIXABLE])
def test_second_run_recovers(fault_runs, name):
    case, feed = fault_runs.cases[name], fault_runs.second.feeds[name]
    assert (feed.error_count, feed.last_error, feed.state) == (0, "", Feed.State.ACTIVE)
    assert titles(fault_runs.second.articles[name]) == sorted(case.titles_after_fix)


def test_the_second_summary_takes_in_exactly_what_was_missing(fault_runs):
    cases, summary = fault_runs.cases, fault_runs.second.summary
    missing = sum(len(c.titles_after_fix) - len(c.titles) for c in cases.values())
    assert summary.feeds == len(cases) - 2  # the parked feeds are not fetched
    assert [f.feed_id for f in summary.failures] == [fault_runs.feed_ids["dns"]]
    assert summary.new_articles == missing


def test_articles_of_the_first_run_are_kept_untouched(fault_runs):
    for name in ALL:
        before = {a.id: (a.url, a.title, a.published_at) for a in fault_runs.first.articles[name]}
        after = {a.id: (a.url, a.title, a.published_at) for a in fault_runs.second.articles[name]}
        assert before.items() <= after.items(), name
