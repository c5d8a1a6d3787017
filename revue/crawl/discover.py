"""Find the feed behind a URL: a feed URL, or a site whose page links to its feed.

``resolve_feed`` serves ``revue sources add`` (a URL a person typed; it goes through the same
guarded fetcher as the crawl). ``advertised_feeds`` is the step both it and the crawler's
refresh take when an address answers with an HTML page instead of a feed: the feeds that page
advertises (the crawler follows the first once and remembers it).
"""

from __future__ import annotations

from dataclasses import dataclass

from revue.crawl.feeds import FeedParseError, ParsedFeed, discover_feed_urls, looks_like_html, parse
from revue.net.fetch import FetchLimits, fetch_sync


@dataclass(frozen=True)
class DiscoveredFeed:
    feed_url: str
    feed: ParsedFeed
    site_url: str


class DiscoveryError(ValueError):
    """No feed could be found at that address; the message says what was tried."""


def advertised_feeds(content: bytes, url: str) -> list[str] | None:
    """The feed URLs a document that is no feed advertises, when it is an HTML page (``url``:
    where it came from, for relative links); None when it is not one (its parse error stands)."""
    if not looks_like_html(content):
        return None
    return discover_feed_urls(content, url)


def resolve_feed(url: str, limits: FetchLimits) -> DiscoveredFeed:
    result = fetch_sync(url, limits)
    try:
        parsed = parse(result.content, result.final_url)
        return DiscoveredFeed(feed_url=result.final_url, feed=parsed, site_url=parsed.link)
    except FeedParseError as error:
        candidates = advertised_feeds(result.content, result.final_url)
        if candidates is None:
            raise DiscoveryError(f"{url} n'est pas un flux lisible : {error}") from None
    if not candidates:
        raise DiscoveryError(f"{url} est une page HTML qui n'annonce aucun flux (<link rel=\"alternate\">)")
    problems = []
    for candidate in candidates[:5]:
        try:
            feed_result = fetch_sync(candidate, limits)
            parsed = parse(feed_result.content, feed_result.final_url)
            return DiscoveredFeed(feed_url=feed_result.final_url, feed=parsed, site_url=result.final_url)
        except Exception as error:  # each candidate may fail its own way; report them all
            problems.append(f"{candidate}: {error}")
    raise DiscoveryError("aucun des flux annoncés n'est lisible : " + "; ".join(problems))
