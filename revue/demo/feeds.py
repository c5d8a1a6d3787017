"""The demo outlets' feeds, rendered as bytes: RSS 2.0, Atom 1.0, JSON Feed 1.1 and RSS 1.0 (RDF).

Full-content outlets put the whole article body in the feed (`content:encoded`, Atom
`<content type="html">`, JSON `content_html`); the others give only a ~200-character summary, so a
crawler must fetch the page. Links carry the outlet's tracking parameters, if it uses any; the
feed's own encoding (windows-1252 for one outlet) is declared and really used.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .content import DemoArticle, DemoFeed, DemoOutlet
from .images import png_for
from .lexicon import lexicon_for

NAMESPACES_RSS2 = ('xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                   'xmlns:media="http://search.yahoo.com/mrss/" '
                   'xmlns:atom="http://www.w3.org/2005/Atom"')
NAMESPACES_RSS1 = ('xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                   'xmlns:content="http://purl.org/rss/1.0/modules/content/"')


def attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def local_time(outlet: DemoOutlet, moment: datetime) -> datetime:
    return moment.astimezone(timezone(timedelta(hours=outlet.utc_offset)))


def rfc822(outlet: DemoOutlet, moment: datetime) -> str:
    """"Mon, 08 Dec 2025 11:20:00 GMT", or with the outlet's "+0100" offset."""
    return format_datetime(local_time(outlet, moment), usegmt=outlet.utc_offset == 0)


def rfc3339(outlet: DemoOutlet, moment: datetime) -> str:
    return local_time(outlet, moment).isoformat()


def absolute_html(html: str, base_url: str) -> str:
    """Feed content carries absolute links and image sources."""
    return html.replace('href="/', f'href="{base_url}/').replace('src="/', f'src="{base_url}/')


def full_html(article: DemoArticle, base_url: str) -> str:
    lead = f'<p><img src="{base_url}{article.lead_image_path}" alt="{attr(article.title)}"></p>\n'
    return absolute_html(lead + article.body_html, base_url)


def feed_title(outlet: DemoOutlet, feed: DemoFeed) -> str:
    if not feed.category_hint:
        return outlet.name
    return f"{outlet.name} - {lexicon_for(outlet.language).category_names[feed.category_hint]}"


def newest(outlet: DemoOutlet, articles: tuple[DemoArticle, ...]) -> datetime:
    return max((a.published_at for a in articles), default=outlet.articles[-1].published_at)


def render_feed(outlet: DemoOutlet, feed: DemoFeed, base_url: str) -> bytes:
    """The bytes served at `feed.path`."""
    articles = outlet.feed_articles(feed)
    if feed.format == "jsonfeed":
        return _json_feed(outlet, feed, articles, base_url).encode("utf-8")
    render = {"rss2": _rss2, "atom": _atom, "rss1": _rss1}[feed.format]
    return render(outlet, feed, articles, base_url).encode(outlet.encoding, errors="xmlcharrefreplace")


def _xml_declaration(outlet: DemoOutlet) -> str:
    return f'<?xml version="1.0" encoding="{outlet.encoding}"?>\n'


def _rss2_item(outlet: DemoOutlet, article: DemoArticle, base_url: str) -> str:
    label = lexicon_for(outlet.language).category_names[article.category]
    image_url = base_url + article.lead_image_path
    lines = [f"<title>{escape(article.title)}</title>",
             f"<link>{escape(base_url + outlet.link_path(article))}</link>",
             f'<guid isPermaLink="false">{escape(article.guid)}</guid>',
             f"<pubDate>{rfc822(outlet, article.published_at)}</pubDate>",
             f"<category>{escape(label)}</category>"]
    if outlet.author_element == "rss":
        lines.append(f"<author>redaction@{outlet.slug}.example ({escape(article.author)})</author>")
    else:
        lines.append(f"<dc:creator>{escape(article.author)}</dc:creator>")
    lines.append(f"<description>{escape(article.summary)}</description>")
    if outlet.full_content:
        lines.append(f"<content:encoded><![CDATA[{full_html(article, base_url)}]]></content:encoded>")
    if outlet.image_element == "enclosure":
        size = len(png_for(article.lead_image_path))
        lines.append(f'<enclosure url="{attr(image_url)}" length="{size}" type="image/png"/>')
    else:
        lines.append(f'<media:content url="{attr(image_url)}" medium="image" type="image/png" '
                     'width="160" height="90"/>')
    return "<item>\n" + "\n".join(lines) + "\n</item>\n"


def _rss2(outlet: DemoOutlet, feed: DemoFeed, articles, base_url: str) -> str:
    items = "".join(_rss2_item(outlet, article, base_url) for article in articles)
    return (f"{_xml_declaration(outlet)}<rss version=\"2.0\" {NAMESPACES_RSS2}>\n<channel>\n"
            f"<title>{escape(feed_title(outlet, feed))}</title>\n"
            f"<link>{escape(base_url + outlet.home_path)}</link>\n"
            f"<description>{escape(outlet.tagline)}</description>\n"
            f"<language>{outlet.language}</language>\n"
            f"<lastBuildDate>{rfc822(outlet, newest(outlet, articles))}</lastBuildDate>\n"
            f'<atom:link href="{attr(base_url + feed.path)}" rel="self" type="application/rss+xml"/>\n'
            f"{items}</channel>\n</rss>\n")


def _atom_entry(outlet: DemoOutlet, article: DemoArticle, base_url: str) -> str:
    label = lexicon_for(outlet.language).category_names[article.category]
    stamp = rfc3339(outlet, article.published_at)
    lines = [f"<title>{escape(article.title)}</title>",
             f'<link rel="alternate" type="text/html" href="{attr(base_url + outlet.link_path(article))}"/>',
             f"<id>{escape(article.guid)}</id>",
             f"<published>{stamp}</published>", f"<updated>{stamp}</updated>",
             f"<author><name>{escape(article.author)}</name></author>",
             f'<category term="{attr(label)}"/>',
             f'<summary type="text">{escape(article.summary)}</summary>']
    if outlet.full_content:
        lines.append(f'<content type="html">{escape(full_html(article, base_url))}</content>')
    size = len(png_for(article.lead_image_path))
    lines.append(f'<link rel="enclosure" type="image/png" length="{size}" '
                 f'href="{attr(base_url + article.lead_image_path)}"/>')
    return "<entry>\n" + "\n".join(lines) + "\n</entry>\n"


def _atom(outlet: DemoOutlet, feed: DemoFeed, articles, base_url: str) -> str:
    entries = "".join(_atom_entry(outlet, article, base_url) for article in articles)
    return (f'{_xml_declaration(outlet)}<feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="{outlet.language}">\n'
            f"<title>{escape(feed_title(outlet, feed))}</title>\n"
            f"<subtitle>{escape(outlet.tagline)}</subtitle>\n"
            f"<id>tag:{outlet.slug}.demo,2025:feed{feed.path}</id>\n"
            f"<updated>{rfc3339(outlet, newest(outlet, articles))}</updated>\n"
            f'<link rel="alternate" type="text/html" href="{attr(base_url + outlet.home_path)}"/>\n'
            f'<link rel="self" type="application/atom+xml" href="{attr(base_url + feed.path)}"/>\n'
            f"{entries}</feed>\n")


def _rss1_item(outlet: DemoOutlet, article: DemoArticle, base_url: str) -> str:
    link = escape(base_url + outlet.link_path(article))
    label = lexicon_for(outlet.language).category_names[article.category]
    content = ""
    if outlet.full_content:
        content = f"\n<content:encoded><![CDATA[{full_html(article, base_url)}]]></content:encoded>"
    return (f'<item rdf:about="{link}">\n<title>{escape(article.title)}</title>\n<link>{link}</link>\n'
            f"<description>{escape(article.summary)}</description>\n"
            f"<dc:date>{rfc3339(outlet, article.published_at)}</dc:date>\n"
            f"<dc:creator>{escape(article.author)}</dc:creator>\n"
            f"<dc:subject>{escape(label)}</dc:subject>{content}\n</item>\n")


def _rss1(outlet: DemoOutlet, feed: DemoFeed, articles, base_url: str) -> str:
    listing = "".join(f'<rdf:li rdf:resource="{escape(base_url + outlet.link_path(a))}"/>\n'
                      for a in articles)
    items = "".join(_rss1_item(outlet, article, base_url) for article in articles)
    return (f"{_xml_declaration(outlet)}<rdf:RDF {NAMESPACES_RSS1}>\n"
            f'<channel rdf:about="{attr(base_url + feed.path)}">\n'
            f"<title>{escape(feed_title(outlet, feed))}</title>\n"
            f"<link>{escape(base_url + outlet.home_path)}</link>\n"
            f"<description>{escape(outlet.tagline)}</description>\n"
            f"<dc:language>{outlet.language}</dc:language>\n"
            f"<dc:date>{rfc3339(outlet, newest(outlet, articles))}</dc:date>\n"
            f"<items>\n<rdf:Seq>\n{listing}</rdf:Seq>\n</items>\n</channel>\n"
            f"{items}</rdf:RDF>\n")


def _json_item(outlet: DemoOutlet, article: DemoArticle, base_url: str) -> dict:
    item = {"id": article.guid, "url": base_url + outlet.link_path(article), "title": article.title,
            "summary": article.summary, "image": base_url + article.lead_image_path,
            "date_published": rfc3339(outlet, article.published_at),
            "authors": [{"name": article.author}],
            "tags": [lexicon_for(outlet.language).category_names[article.category]],
            "language": outlet.language}
    if outlet.full_content:
        item["content_html"] = full_html(article, base_url)
    else:
        item["content_text"] = article.summary
    return item


def _json_feed(outlet: DemoOutlet, feed: DemoFeed, articles, base_url: str) -> str:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": feed_title(outlet, feed),
                "home_page_url": base_url + outlet.home_path, "feed_url": base_url + feed.path,
                "description": outlet.tagline, "language": outlet.language,
                "items": [_json_item(outlet, article, base_url) for article in articles]}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
