"""Merge what the feed said and what the article page said into one ``ArticleDraft``.

Pure: plain values in, a frozen dataclass out, no ORM and no network. The rules:

* URL: the entry's link, canonicalized (tracking parameters stripped); the page's own
  ``<link rel=canonical>`` wins when it stays on the same host.
* Text: the feed's full content when it has enough of it, else the extracted page, else
  whatever the feed had — a page that fails never loses the entry.
* Date: the feed's, else the page's, else the fetch time; a date in the future is clamped to
  the fetch time (a typo at the outlet must not pin an article on top of the portal).
* Language: the page's (already checked against the page's text), else the feed's, each only
  when plausible for the stored text (detection does not say another language); else
  detection on the text, else the outlet's.
* Lead image: the feed's media/enclosure, else the page's og:image / twitter:image (or its first
  content image of sensible size), else the first such image of the stored body.
* https: when the article URL is https, the outlet's own links and images (body, lead image)
  are upgraded from http, so nothing is fetched or linked in clear where it need not be.
* Nothing a database refuses: no NUL, no lone surrogate in any text of the draft, no image URL
  longer than ``URL_CHARS`` (the picture is dropped; ``pipeline.make_drafts`` leaves out, and
  records, an entry whose own URL is longer). No input
  makes ``needs_page`` or ``build_draft`` raise (property tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from revue.crawl.clean import (
    absolutize,
    canonical_url,
    content_hash,
    html_to_text,
    https_hosts,
    sanitize_html,
    scrub_text,
    secure_url,
    tidy_title,
    upgrade_to_https,
)
from revue.crawl.extract import ExtractedArticle, first_content_image
from revue.crawl.feeds import Entry
from revue.html.images import image_sources
from revue.text.categories import category_for
from revue.text.language import DETECTABLE, detect, language_code

SUMMARY_CHARS = 400
TITLE_CHARS = 1000  # the archive keeps this much of a title (``store`` cuts it there)
URL_CHARS = 2000  # the longest article or image URL the archive holds (PostgreSQL refuses a longer one)
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class ArticleDraft:
    """Everything the pipeline learnt about one new entry, cleaned and ready to store."""

    url: str  # canonical
    guid: str
    title: str
    summary: str  # plain text
    content_html: str  # sanitized
    text: str
    author: str
    language: str
    published_at: datetime
    image_url: str = ""
    category_slug: str = ""
    content_hash: str = ""
    inline_image_urls: tuple[str, ...] = ()
    # its story features (a pickled ``revue.news.stories.Prepared``: 5 kB, where the object takes
    # 20 kB, and the crawler only passes them on), when made with the draft in a CPU process:
    # stored articles' are handed to the settle, which checks they still apply
    features: bytes = field(default=b"", compare=False, repr=False)


@dataclass(frozen=True)
class FeedContext:
    """What the orchestrator knows about the feed an entry came from."""

    outlet_name: str
    outlet_language: str
    feed_language: str
    category_hint: str
    fetched_at: datetime
    full_content_min_chars: int = 600
    source_id: int | None = None  # the outlet's id, for story features made with the drafts


def entry_url(entry: Entry) -> str:
    """The canonical URL for an entry, or "" when it has nothing that looks like a web link."""
    link = entry.link or (entry.guid if entry.guid.startswith(("http://", "https://")) else "")
    if not link:
        return ""
    try:
        return canonical_url(link)
    except ValueError:
        return ""


_TRUNCATED = re.compile(r"(\[(…|\.\.\.)\]|…|\.\.\.|lire la suite|read more|leer más|اقرأ المزيد)\W*$", re.IGNORECASE)


def needs_page(entry: Entry, min_chars: int) -> bool:
    """True when the feed carries too little text to show the article without its page.

    Long enough text is enough; shorter full content counts too when it is more than the
    summary and does not end like a teaser ("…", "[...]", "Lire la suite").
    """
    text = html_to_text(entry.content or entry.summary)
    if len(text) >= min_chars:
        return False
    if entry.content and not _TRUNCATED.search(text):
        return len(text) <= len(html_to_text(entry.summary)) + 100
    return True


def _same_host(a: str, b: str) -> bool:
    return (urlsplit(a).hostname or "").removeprefix("www.") == (urlsplit(b).hostname or "").removeprefix("www.")


def _choose_url(url: str, page: ExtractedArticle | None) -> str:
    if page and page.canonical_url and len(page.canonical_url) <= URL_CHARS and _same_host(page.canonical_url, url):
        try:
            return canonical_url(page.canonical_url)
        except ValueError:
            return url
    return url


def _choose_body(entry: Entry, page: ExtractedArticle | None, url: str, ctx: FeedContext) -> str:
    feed_html = entry.content or entry.summary
    feed_clean = sanitize_html(feed_html, url) if feed_html else ""
    feed_text_len = len(html_to_text(feed_clean))
    if feed_text_len >= ctx.full_content_min_chars:
        return feed_clean
    if page and page.html and len(page.text) > feed_text_len:
        return page.html
    return feed_clean


def _choose_date(entry: Entry, page: ExtractedArticle | None, fetched_at: datetime) -> datetime:
    date = entry.published_at or entry.updated_at or (page.published_at if page else None) or fetched_at
    if date > fetched_at + FUTURE_TOLERANCE:
        return fetched_at
    return date


def _summary(entry: Entry, text: str) -> str:
    summary = html_to_text(entry.summary) if entry.summary else ""
    if not summary or len(summary) > 4 * SUMMARY_CHARS:
        summary = text
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    return summary


def plausible_language(code: str, text: str) -> bool:
    """A declared language is plausible unless it is one Revue detects and the text clearly
    reads as another (a French outlet's feed declared ``en`` by its CMS)."""
    code = language_code(code)
    if not code:
        return False
    if code not in DETECTABLE:
        return True
    return detect(text) in ("", code)


def _choose_language(page: ExtractedArticle | None, ctx: FeedContext, text: str) -> str:
    for declared in ((page.language if page else ""), ctx.feed_language):
        if plausible_language(declared, text):
            return declared
    return detect(text) or ctx.outlet_language


def build_draft(entry: Entry, page: ExtractedArticle | None, ctx: FeedContext) -> ArticleDraft | None:
    """The draft for one entry, or None when the entry cannot become an article (no link)."""
    url = entry_url(entry)
    if not url:
        return None
    url = _choose_url(url, page)
    secure_hosts = https_hosts(url)
    content_html = upgrade_to_https(_choose_body(entry, page, url, ctx), secure_hosts)
    text = html_to_text(content_html)
    title = tidy_title(entry.title or (page.title if page else ""), ctx.outlet_name)
    if not title:
        title = text[:120].rsplit(" ", 1)[0] if text else ""
    image_url = entry.image_url or (page.image_url if page else "") or first_content_image(content_html)
    image_url = secure_url(absolutize(image_url, url), secure_hosts) if image_url else ""
    if len(image_url) > URL_CHARS:  # no picture rather than no article
        image_url = ""
    language = _choose_language(page, ctx, text)
    return ArticleDraft(
        url=url,
        guid=scrub_text(entry.guid),
        title=title,
        summary=_summary(entry, text),
        content_html=content_html,
        text=text,
        author=scrub_text(entry.author or (page.author if page else "")),
        language=language.lower()[:8],
        published_at=_choose_date(entry, page, ctx.fetched_at),
        image_url=image_url,
        category_slug=category_for(entry.categories, ctx.category_hint),
        content_hash=content_hash(text) if text else "",
        inline_image_urls=tuple(dict.fromkeys(
            src for src in image_sources(content_html) if len(src) <= URL_CHARS)),
    )
