"""Property tests (hypothesis) over what outlets control: any text, any markup, any URL, any date.

* the sanitizer's output is never executable (only allowed elements and attributes, no event
  handler, no script URL) and sanitizing twice changes nothing;
* URL canonicalisation never raises anything but ``ValueError`` with a message, is idempotent,
  and keeps the scheme and the host;
* date parsing never raises and answers an aware UTC datetime or None;
* the HTML → text helpers, the draft merge and the story features never raise, whatever the
  input (an entry that still did would cost only itself: see test_poisoned_entries.py).

Pure functions: no database, no network. Each failure hypothesis finds is kept as an explicit
example (``@example``) so the normal suite runs it again.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlsplit

import lxml.html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from revue.crawl import clean
from revue.crawl.clean import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    absolutize,
    canonical_url,
    content_hash,
    html_to_text,
    https_hosts,
    sanitize_html,
    secure_url,
    tidy_title,
    upgrade_to_https,
)
from revue.crawl.drafts import FeedContext, build_draft, needs_page
from revue.crawl.extract import detect_language, first_content_image, parse_datetime
from revue.crawl.feeds import Entry, FeedParseError, parse
from revue.crawl.feeds.mapping import _struct_datetime, _text_datetime
from revue.news.stories.features import analyse

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- hostile markup --------------------------------------------------------------------------------

TAGS = [
    "p", "a", "img", "b", "div", "span", "table", "tr", "td", "pre", "h1", "li", "ul", "figure", "br",
    "script", "style", "iframe", "svg", "math", "html", "head", "body", "title", "form", "object", "embed",
    "xmp", "noscript", "template", "textarea", "base", "meta", "link", "frameset", "plaintext", "select",
    "option", "noembed", "video", "source", "annotation-xml", "foreignObject", "animate", "set", "details",
]  # fmt: skip
ATTRIBUTES = [
    "href", "src", "onclick", "onerror", "onbeforeactivate", "onload", "style", "srcset", "xlink:href",
    "formaction", "action", "data", "width", "height", "colspan", "id", "class", "tabindex", "title", "alt",
    "background", "poster", "rel", "target", "loading", "xmlns", "values", "attributeName", "to",
]  # fmt: skip
VALUES = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "jav\tascript:alert(1)", " javascript:x", "&#106;avascript:x",
    "java&#x09;script:x", "&#x6A;&#x61;&#x76;&#x61;script:x", "data:text/html,<script>alert(1)</script>",
    "vbscript:x", "//evil.example/x", "/relative/path", "../up", "http://ok.example/a", "https://ok.example/b?x=1&y=2",
    "mailto:a@b.example", "x", "", "100", "1e9", "alert(1)", "expression(alert(1))", "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)", "https://ok.example/\u0000x", "http://[::1]/", "https://xn--caf-dma.example/é",
]  # fmt: skip
FRAGMENTS = [
    "<!--", "-->", "<![CDATA[", "]]>", "</", "<", ">", "&", "&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;lt;",
    "<!DOCTYPE html>", "<?xml version='1.0'?>", "&#0;", "&#xD800;", "\x00", "\ud800", "\u2028", "\u2029",
    "<html><head></head></html>", "<html id=x tabindex=1 onbeforeactivate=alert(1)></html>", "<html></html>",
    "<svg><script>alert(1)</script></svg>", "<math><mi><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<a href='javascript:alert(1)'>x</a>",
    "<img src=x onerror=alert(1)>", "<scr<script>ipt>alert(1)</script>", "<p>", "</p>", "<br/>",
]  # fmt: skip

attribute = st.tuples(st.sampled_from(ATTRIBUTES), st.one_of(st.sampled_from(VALUES), st.text(max_size=12)))
quote = st.sampled_from(['"', "'", ""])


def _render_attribute(name: str, value: str, q: str) -> str:
    return f" {name}={q}{value}{q}" if q or (value and " " not in value) else f" {name}"


@st.composite
def element(draw, children) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = "".join(_render_attribute(n, v, draw(quote)) for n, v in draw(st.lists(attribute, max_size=3)))
    inner = "".join(draw(st.lists(children, max_size=4)))
    closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()}>", f"</{tag} >"]))
    return f"<{tag}{attrs}>{inner}{closing}"


leaf = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20), st.sampled_from(["Le Maroc", " ", "\n", "é"]))
markup = st.recursive(leaf, lambda children: element(children), max_leaves=25)
html_input = st.one_of(markup, st.lists(markup, max_size=5).map("".join), st.text())
base_urls = st.sampled_from([
    "", "https://site.example/a/b.html", "http://site.example", "http://[::1]:80/", "https://xn--caf-dma.example/",
    "http://a.example:99999/", "javascript:alert(1)", "https://user:pw@site.example/", "http://exa mple.com/",
])  # fmt: skip

URL_ATTRIBUTES = {"href", "src"}
GENERIC_ATTRIBUTES = {"title", "lang"}  # ammonia's, on any element: plain text, never run
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def _elements(html: str):
    """Every element of the sanitized output, as a browser's parser would build them."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [el for el in root.iter() if el is not root]


def assert_not_executable(html: str) -> None:
    assert not re.search(r"<\s*(script|style|iframe|object|embed|svg|math|form|base|meta|link)\b", html, re.I)
    for el in _elements(html):
        assert isinstance(el.tag, str) and el.tag in ALLOWED_TAGS, el.tag
        allowed = ALLOWED_ATTRIBUTES.get(el.tag, set()) | GENERIC_ATTRIBUTES | ({"rel"} if el.tag == "a" else set())
        for name, value in el.attrib.items():
            assert name in allowed and not name.startswith("on"), (el.tag, name)
            if name in URL_ATTRIBUTES:
                scheme = urlsplit(_CONTROL_OR_SPACE.sub("", value)).scheme.lower()
                assert scheme in ({"http", "https", "mailto"} if el.tag == "a" else {"http", "https"}), value


@FAST
@given(html=html_input, base=base_urls)
@example(html="<html><head></head></html>", base="")
@example(html="<a href='jav&#x09;ascript:alert(1)'>x</a><img src=x onerror=alert(1)>", base="https://site.example/")
def test_sanitized_html_is_never_executable_and_sanitizing_twice_changes_nothing(html, base):
    once = sanitize_html(html, base)
    assert_not_executable(once)
    assert sanitize_html(once, base) == once
    # what the drafts do next keeps both properties
    secure = upgrade_to_https(once, https_hosts(base, "https://site.example/"))
    assert_not_executable(secure)


@FAST
@given(html=html_input)
@example(html="<html><head></head></html>")
@example(html="<html id=x tabindex=1 onbeforeactivate=alert(1)></html>")
@example(html="<!DOCTYPE html><html></html>")
@example(html="\x08")  # a control character XML forbids: lxml refused to set it as text
@example(html="<p>a\x1bb</p>")
def test_html_to_text_and_the_text_helpers_never_raise(html):
    text = html_to_text(html)  # plain text (escaped wherever it is shown): "<" may be a letter of it
    assert isinstance(text, str) and "\x00" not in text
    assert isinstance(html_to_text(text), str)
    assert isinstance(tidy_title(html, "Barlamane"), str)
    assert len(content_hash(html)) == 64
    assert isinstance(first_content_image(html), str)
    assert detect_language(text) in {"", "ar", "fr", "es", "en"}
    assert isinstance(clean.scrub_text(html), str)


@SLOW
@given(title=html_input, text=html_input, language=st.sampled_from(["fr", "ar", "es", "en", "", "zz", "FR-fr"]))
def test_story_features_of_any_feed_markup_never_raise(title, text, language):
    features = analyse(tidy_title(title), html_to_text(text), language)
    assert all(weight >= 0 for weight in features.words.values())


# --- URLs ------------------------------------------------------------------------------------------

label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
ascii_host = st.lists(label, min_size=1, max_size=4).map(".".join).filter(lambda h: not h.replace(".", "").isdigit())
idn_host = st.lists(st.text(alphabet="abcdeéèçàüñاملمغرب", min_size=1, max_size=10), min_size=1, max_size=3).map(".".join)
ip_host = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)
path_piece = st.one_of(
    st.sampled_from(["a", "..", ".", "%2F", "%41", "%zz", "%", " ", "é", "%C3%A9", "a b", "~x", "(1)", ";p=1", "", "//"]),
    st.text(max_size=8).filter(lambda s: "?" not in s and "#" not in s),
)
query_name = st.sampled_from(["id", "utm_source", "UTM_Medium", "fbclid", "xtor", "page", "q", "%75tm_source", "a b", ""])
query_value = st.one_of(st.sampled_from(["1", "", "x y", "é", "%26", "a=b"]), st.text(max_size=6))


@st.composite
def http_urls(draw) -> tuple[str, str, str]:
    """(url, its scheme, the host as canonical_url must keep it)."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    kind = draw(st.sampled_from(["ascii", "idn", "ip"]))
    host = draw({"ascii": ascii_host, "idn": idn_host, "ip": ip_host}[kind])
    port = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=65535)))
    path = "/".join(draw(st.lists(path_piece, max_size=5)))
    params = draw(st.lists(st.tuples(query_name, query_value), max_size=4))
    query = "&".join(f"{n}={v}".replace("#", "%23") for n, v in params)
    fragment = draw(st.text(max_size=5))
    url = f"{scheme}://{host}{':' + str(port) if port else ''}/{path.lstrip('/')}{'?' + query if query else ''}#{fragment}"
    return url, scheme.lower(), host


def _expected_host(host: str) -> str:
    if host.startswith("["):
        return host.strip("[]").lower()
    return host.encode("idna").decode("ascii").lower()


def _idna_ok(host: str) -> bool:
    try:
        _expected_host(host)
    except UnicodeError:
        return False
    return True


@FAST
@given(http_urls())
@example(("http://Example.COM/a/./b/../c?utm_source=x&id=1#frag", "http", "Example.COM"))
def test_canonical_urls_are_idempotent_and_keep_scheme_and_host(case):
    url, scheme, host = case
    if not _idna_ok(host):  # a label IDNA refuses (too long, a bidi mix): a ValueError with a message
        try:
            canonical_url(url)
        except ValueError as error:
            assert str(error)
        return
    canonical = canonical_url(url)
    parts = urlsplit(canonical)
    assert parts.scheme == scheme
    assert parts.hostname == _expected_host(host)
    assert canonical_url(canonical) == canonical
    assert not parts.fragment
    assert not any(p.split("=")[0].lower().startswith("utm_") for p in parts.query.split("&"))


@FAST
@given(st.one_of(st.text(), http_urls().map(lambda case: case[0]), st.sampled_from(VALUES)))
@example("http://[::1")
@example("http://exa mple.com/")
@example("https://a..b/")
def test_canonical_url_raises_only_value_error_and_its_answers_are_fixed_points(url):
    try:
        canonical = canonical_url(url)
    except ValueError as error:
        assert str(error)
        return
    assert urlsplit(canonical).scheme in {"http", "https"}
    assert canonical_url(canonical) == canonical


@FAST
@given(url=st.one_of(st.text(), st.sampled_from(VALUES)), base=base_urls)
@example(url="0", base="http://a.example:99999/")  # a port out of range, read lazily by urllib
@example(url="http://img.example:99999/a.jpg", base="https://img.example/")
def test_absolutize_and_secure_url_never_raise_and_never_answer_another_scheme(url, base):
    absolute = absolutize(url, base)
    assert absolute == "" or urlsplit(absolute).scheme.lower() in {"http", "https"}
    assert isinstance(secure_url(absolute, https_hosts(base)), str)


# --- dates ----------------------------------------------------------------------------------------

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
extreme_datetimes = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=offsets)
date_strings = st.one_of(
    extreme_datetimes.map(lambda d: d.isoformat()),
    extreme_datetimes.map(format_datetime),
    extreme_datetimes.map(lambda d: d.replace(tzinfo=None).isoformat()),
    st.from_regex(r"[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?([+-][0-9]{2}:?[0-9]{2}|Z)?", fullmatch=True),
    st.text(max_size=40),
)


def assert_utc_or_none(value) -> None:
    assert value is None or (isinstance(value, datetime) and value.utcoffset() == timedelta(0)), value


@FAST
@given(date_strings)
@example("0001-01-01T00:00:00+01:00")
@example("9999-12-31T23:59:59-01:00")
@example("Fri, 31 Dec 9999 23:59:59 -1200")
def test_date_parsing_never_raises_and_answers_aware_utc_or_none(value):
    assert_utc_or_none(parse_datetime(value))
    assert_utc_or_none(_text_datetime(value))


@FAST
@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=9).map(tuple))
def test_struct_dates_never_raise(value):
    assert_utc_or_none(_struct_datetime(value))


@SLOW
@given(published=date_strings, updated=date_strings, summary=html_input)
@example(published="Fri, 31 Dec 9999 23:59:59 -1200", updated="0001-01-01T00:00:00+01:00",
         summary="<html><head></head></html>")
def test_any_feed_dates_give_aware_utc_entries(published, updated, summary):
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace("]]>", "")

    rss = (f"<rss version='2.0'><channel><title>t</title><item><title>Un</title><link>https://a.example/1</link>"
           f"<pubDate>{esc(published)}</pubDate><description>{esc(summary)}</description></item>"
           f"<item><title>Deux</title><link>https://a.example/2</link></item></channel></rss>")
    atom = (f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><title>Un</title>"
            f"<link href='https://a.example/1'/><id>urn:1</id><published>{esc(published)}</published>"
            f"<updated>{esc(updated)}</updated><summary type='html'>{esc(summary)}</summary></entry></feed>")
    for document in (rss, atom):
        try:
            feed = parse(document.encode("utf-8", "replace"), "https://a.example/feed")
        except FeedParseError:
            continue
        for entry in feed.entries:
            assert_utc_or_none(entry.published_at)
            assert_utc_or_none(entry.updated_at)


# --- drafts ---------------------------------------------------------------------------------------

NOW = datetime(2025, 12, 8, 12, 0, tzinfo=timezone.utc)
utc_dates = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                               timezones=st.just(timezone.utc)))
entries = st.builds(
    Entry,
    guid=st.text(max_size=20),
    link=st.one_of(st.sampled_from(VALUES), http_urls().map(lambda case: case[0]), st.text(max_size=20)),
    title=html_input,
    published_at=utc_dates,
    updated_at=utc_dates,
    summary=html_input,
    content=st.one_of(st.just(""), html_input),
    author=st.text(max_size=20),
    categories=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    image_url=st.one_of(st.just(""), st.sampled_from(VALUES)),
    enclosures=st.just(()),
)


@SLOW
@given(entry=entries, language=st.sampled_from(["fr", "ar", "", "zz"]))
@example(entry=Entry(guid="g", link="https://a.example/1", title="", published_at=None, updated_at=None,
                     summary="<html><head></head></html>", content="", author="", categories=(), image_url="",
                     enclosures=()), language="fr")
@example(entry=Entry(guid="g\x00\ud800", link="https://a.example/1", title="t", published_at=None, updated_at=None,
                     summary="", content="<p>\x1b</p>", author="", categories=(),
                     image_url="http://a.example:99999/a.jpg", enclosures=()), language="fr")
def test_needs_page_and_build_draft_never_raise(entry, language):
    ctx = FeedContext(outlet_name="Barlamane", outlet_language="fr", feed_language=language, category_hint="",
                      fetched_at=NOW)
    assert needs_page(entry, 600) in (True, False)
    draft = build_draft(entry, None, ctx)
    if draft is not None:
        assert_not_executable(draft.content_html)
        for value in (draft.url, draft.guid, draft.title, draft.summary, draft.content_html, draft.text, draft.author,
                      draft.language, draft.image_url, *draft.inline_image_urls):
            assert "\x00" not in value and isinstance(value.encode("utf-8"), bytes)  # nothing a database refuses
        assert draft.published_at <= NOW + timedelta(minutes=10)
        assert canonical_url(draft.url) == draft.url


# --- whole stages, as the fuzz targets check them ----------------------------------------------------


@SLOW
@given(page=st.lists(markup, max_size=8).map("".join))
@example(page="<html><head></head></html>")
@example(page="<html><head><meta property='article:published_time' content='9999-12-31T23:59:59-01:00'></head>"
              "<body><article><p>Un texte.</p></article></body></html>")
def test_extraction_of_any_markup_never_fails_a_step(page):
    from fuzz.targets import extraction

    extraction(f"<html><body><article>{page}</article></body></html>".encode("utf-8", "surrogatepass"))
