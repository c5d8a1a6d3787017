"""The demo outlets' web pages: article pages in four site layouts, homepages, the press index.

An article page is a full document with the boilerplate a crawler must see past: a cookie banner,
a navigation menu, share buttons (with inline `onclick`), ads, a "read also" block, readers'
comments, a footer and scripts. The `<head>` carries `<title>Title - Outlet</title>`, Open Graph
tags, `article:published_time` and a canonical link without tracking parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from .content import DemoArticle, DemoOutlet, DemoPress
from .lexicon import CATEGORY_SLUGS, Lexicon, lexicon_for

FEED_LINK_TYPES = {"rss2": "application/rss+xml", "rss1": "application/rss+xml",
                   "atom": "application/atom+xml", "jsonfeed": "application/feed+json"}
SHARE_TARGETS = (("Facebook", "https://www.facebook.com/sharer/sharer.php?u="),
                 ("X", "https://x.com/intent/post?url="),
                 ("WhatsApp", "https://wa.me/?text="),
                 ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url="))
SCRIPTS = ("<script>window.dataLayer = window.dataLayer || []; "
           "dataLayer.push({'event': 'pageview'});</script>\n"
           "<script>function acceptCookies() { document.getElementById('cookie-banner').remove(); }"
           "</script>")


@dataclass(frozen=True)
class Page:
    """What every fragment of one outlet's page needs."""

    outlet: DemoOutlet
    lexicon: Lexicon
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def label(self, key: str) -> str:
        return escape(self.lexicon.labels[key])

    def category(self, slug: str) -> str:
        return escape(self.lexicon.category_names[slug])

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(timezone(timedelta(hours=self.outlet.utc_offset)))


def page_for(outlet: DemoOutlet, base_url: str) -> Page:
    return Page(outlet, lexicon_for(outlet.language), base_url)


# -- fragments ---------------------------------------------------------------------------------

def head(page: Page, title: str, description: str, canonical: str, extra: str = "") -> str:
    outlet = page.outlet
    feeds = "\n".join(
        f'<link rel="alternate" type="{FEED_LINK_TYPES[feed.format]}" title="{feed_label(page, feed)}" '
        f'href="{escape(page.url(feed.path))}">' for feed in outlet.feeds)
    return (f'<head>\n<meta charset="{outlet.encoding}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n"
            f'<meta name="description" content="{escape(description)}">\n'
            f'<link rel="canonical" href="{escape(canonical)}">\n{feeds}\n{extra}'
            "<style>body{font-family:sans-serif;margin:0} .ad{background:#eee}</style>\n</head>")


def feed_label(page: Page, feed) -> str:
    name = escape(page.outlet.name)
    return f"{name} - {page.category(feed.category_hint)}" if feed.category_hint else name


def brand(page: Page, css: str, rel: str = "") -> str:
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a class="{css}" href="{page.outlet.home_path}"{rel_attr}>{escape(page.outlet.name)}</a>'


def category_link(page: Page, article: DemoArticle, css: str, rel: str = "") -> str:
    rel_attr = f' rel="{rel}"' if rel else ""
    href = f"{page.outlet.home_path}rubrique/{article.category}/"
    return f'<a class="{css}" href="{href}"{rel_attr}>{page.category(article.category)}</a>'


def article_meta(page: Page, article: DemoArticle) -> str:
    published = page.local(article.published_at).isoformat()
    tags = [("og:type", "article"), ("og:title", article.title), ("og:description", article.summary),
            ("og:url", page.url(article.url_path)), ("og:image", page.url(article.lead_image_path)),
            ("og:site_name", page.outlet.name), ("article:published_time", published),
            ("article:section", page.lexicon.category_names[article.category])]
    lines = [f'<meta property="{name}" content="{escape(value)}">' for name, value in tags]
    lines.append(f'<meta name="author" content="{escape(article.author)}">')
    return "\n".join(lines) + "\n"


def json_ld(page: Page, article: DemoArticle) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
            "datePublished": page.local(article.published_at).isoformat(),
            "image": [page.url(article.lead_image_path)],
            "author": [{"@type": "Person", "name": article.author}],
            "publisher": {"@type": "Organization", "name": page.outlet.name}}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def cookie_banner(page: Page, css: str) -> str:
    return (f'<div id="cookie-banner" class="{css}"><p>{page.label("cookie")}</p>'
            f'<button type="button" onclick="acceptCookies()">{page.label("accept")}</button></div>')


def navigation(page: Page, css: str) -> str:
    home = page.outlet.home_path
    entries = [(home, page.label("home"))]
    entries += [(f"{home}rubrique/{slug}/", page.category(slug)) for slug in CATEGORY_SLUGS]
    entries += [(f"{home}#{key}", page.label(key)) for key in ("videos", "newsletter", "about", "contact")]
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in entries)
    search = (f'<form class="search" action="{home}" method="get"><input type="search" name="s" '
              f'placeholder="{page.label("search")}"></form>')
    return f'<nav class="{css}"><ul>{items}</ul>{search}</nav>'


def share_bar(page: Page, article: DemoArticle, css: str) -> str:
    target = escape(page.url(article.url_path))
    links = "".join(
        f'<a class="share-{name.lower()}" href="{prefix}{target}" '
        f"onclick=\"window.open(this.href, 'share', 'width=600,height=400'); return false;\">"
        f'{page.label("share")} {name}</a> ' for name, prefix in SHARE_TARGETS)
    return f'<div class="{css}">{links}</div>'


def ad_slot(page: Page, css: str, number: int) -> str:
    return (f'<div class="ad {css}" data-ad-slot="demo-{number}"><span class="ad-label">'
            f'{page.label("ad")}</span><div class="ad-unit" style="min-height:250px"></div></div>')


def article_links(page: Page, articles, css: str, heading_key: str) -> str:
    items = "".join(f'<li><a href="{a.url_path}">{escape(a.title)}</a></li>' for a in articles)
    return f'<section class="{css}"><h3>{page.label(heading_key)}</h3><ul>{items}</ul></section>'


def related_articles(outlet: DemoOutlet, article: DemoArticle, count: int = 4) -> list[DemoArticle]:
    """The nearest base articles by number, so the block never changes when an edition adds some."""
    base = [a for a in outlet.articles if a.index <= outlet.feed_size and a.index != article.index]
    return sorted(base, key=lambda a: (abs(a.index - article.index), a.index))[:count]


def most_read(outlet: DemoOutlet) -> list[DemoArticle]:
    by_index = {a.index: a for a in outlet.articles}
    return [by_index[i] for i in (2, 5, 9, 13, 17) if i in by_index]


def comments_block(page: Page, article: DemoArticle, css: str) -> str:
    items = "".join(f'<li class="comment"><span class="comment-author">{escape(reader)}</span>'
                    f'<p>{escape(text)}</p><a href="#respond" class="comment-reply-link">'
                    f'{page.label("reply")}</a></li>' for reader, text in article.comments)
    return (f'<section id="comments" class="{css}"><h3>{page.label("comments")} '
            f'({len(article.comments)})</h3><ol class="comment-list">{items}</ol>'
            '<form id="respond" method="post"><textarea name="comment"></textarea>'
            '<button type="submit">OK</button></form></section>')


def site_footer(page: Page, css: str) -> str:
    home = page.outlet.home_path
    links = "".join(f'<a href="{home}#{key}">{page.label(key)}</a> ' for key in ("about", "contact"))
    return (f'<footer class="{css}"><div>{links}</div><p>© {page.outlet.articles[0].published_at.year} '
            f'{escape(page.outlet.name)}. {page.label("rights")}.</p></footer>')


def byline(page: Page, article: DemoArticle, author_css: str, time_css: str) -> str:
    moment = page.local(article.published_at)
    return (f'{page.label("by")} <span class="{author_css}">{escape(article.author)}</span> · '
            f'{page.label("published")} <time class="{time_css}" datetime="{moment.isoformat()}">'
            f"{escape(page.lexicon.display_date(moment))}</time>")


def lead_image(page: Page, article: DemoArticle, css: str) -> str:
    return (f'<img class="{css}" src="{article.lead_image_path}" alt="{escape(article.title)}" '
            'width="160" height="90">')


# -- article layouts ---------------------------------------------------------------------------

def _semantic(page: Page, article: DemoArticle) -> str:
    outlet = page.outlet
    return f"""<body class="single-article">
{cookie_banner(page, "cookie-consent")}
<header class="site-header"><div class="brand">{brand(page, "logo")}
<p class="tagline">{escape(outlet.tagline)}</p></div>{navigation(page, "main-nav")}</header>
{ad_slot(page, "ad-leaderboard", 1)}
<main class="layout">
<article class="story">
<header class="story-header">{category_link(page, article, "kicker")}
<h1 class="headline">{escape(article.title)}</h1>
<p class="byline">{byline(page, article, "author", "published")}</p></header>
<figure class="lead-image">{lead_image(page, article, "lead")}</figure>
{share_bar(page, article, "share-tools")}
<div class="story-body">
{article.body_html}
</div>
{share_bar(page, article, "share-tools share-bottom")}
</article>
{comments_block(page, article, "comments")}
</main>
<aside class="sidebar">{article_links(page, related_articles(outlet, article), "read-also", "read_also")}
{ad_slot(page, "ad-box", 2)}{article_links(page, most_read(outlet), "most-read", "most_read")}</aside>
{site_footer(page, "site-footer")}
{SCRIPTS}
</body>"""


def _wordpress(page: Page, article: DemoArticle) -> str:
    outlet, n = page.outlet, article.index
    return f"""<body class="post-template-default single single-post postid-{n}">
<div id="page" class="site">
{cookie_banner(page, "cmplz-cookiebanner")}
<header id="masthead" class="site-header"><div class="site-branding">
<p class="site-title">{brand(page, "home-link", "home")}</p>
<p class="site-description">{escape(outlet.tagline)}</p></div>
{navigation(page, "main-navigation")}</header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-{n}" class="post-{n} post type-post status-publish format-standard has-post-thumbnail">
<header class="entry-header"><span class="cat-links">{category_link(page, article, "cat", "category tag")}</span>
<h1 class="entry-title">{escape(article.title)}</h1>
<div class="entry-meta">{byline(page, article, "author vcard", "entry-date published")}</div></header>
<div class="post-thumbnail">{lead_image(page, article, "attachment-post-thumbnail wp-post-image")}</div>
<div class="entry-content">
{article.body_html}
</div>
<footer class="entry-footer">{share_bar(page, article, "sharedaddy sd-sharing-enabled")}</footer>
</article>
{article_links(page, related_articles(outlet, article), "jp-relatedposts", "read_also")}
{comments_block(page, article, "comments-area")}
</main></div>
<aside id="secondary" class="widget-area">{ad_slot(page, "widget widget_text", 1)}
{article_links(page, most_read(outlet), "widget widget_popular_posts", "most_read")}</aside></div>
{site_footer(page, "site-footer")}
</div>
{SCRIPTS}
</body>"""


def _div_soup(page: Page, article: DemoArticle) -> str:
    outlet = page.outlet
    return f"""<body>
<div id="wrap">
{cookie_banner(page, "cc-window cc-banner")}
<div class="hdr"><div class="hdr-in"><div class="lg">{brand(page, "lg-a")}</div>
{navigation(page, "menu-top")}</div></div>
<div class="mw"><div class="c1">
<div class="bc"><a href="{outlet.home_path}">{page.label("home")}</a> &gt; {category_link(page, article, "bc-cat")}</div>
<div class="hl"><h1 class="ttl">{escape(article.title)}</h1></div>
<div class="inf">{byline(page, article, "aut", "dt")}</div>
{share_bar(page, article, "shr")}
<div class="img-main">{lead_image(page, article, "im")}</div>
<div id="texte" class="zn-body__read-all">
{article.body_html}
</div>
{ad_slot(page, "pub-in", 2)}
{article_links(page, related_articles(outlet, article), "rel-box", "read_also")}
{comments_block(page, article, "cmts")}
</div>
<div class="c2">{ad_slot(page, "pub-side", 1)}
{article_links(page, most_read(outlet), "top-lus", "most_read")}</div></div>
{site_footer(page, "ftr")}
</div>
{SCRIPTS}
</body>"""


def _nested(page: Page, article: DemoArticle) -> str:
    outlet = page.outlet
    return f"""<body class="page-article">
{cookie_banner(page, "consent-bar fixed-bottom")}
<header class="navbar"><div class="container">{brand(page, "navbar-brand")}
{navigation(page, "navbar-nav")}</div></header>
<div class="container"><div class="row">
<div class="col-md-8"><div class="story">
<div class="story__header"><div class="story__category">{page.category(article.category)}</div>
<h1 class="story__title">{escape(article.title)}</h1>
<div class="story__meta">{byline(page, article, "story__author", "story__date")}</div></div>
<div class="story__media">{lead_image(page, article, "img-fluid")}</div>
<div class="story__body">
{article.body_html}
</div>
<div class="story__share">{share_bar(page, article, "share-buttons")}</div></div>
{article_links(page, related_articles(outlet, article), "story__related", "read_also")}
{comments_block(page, article, "story__comments")}</div>
<div class="col-md-4"><div class="sidebar"><div class="sidebar__inner">{ad_slot(page, "sidebar__ad", 1)}
{article_links(page, most_read(outlet), "sidebar__popular", "most_read")}</div></div></div>
</div></div>
{site_footer(page, "footer")}
{SCRIPTS}
</body>"""


LAYOUT_BODIES = {"article": _semantic, "entry": _wordpress, "divsoup": _div_soup, "nested": _nested}


def document(page: Page, head_html: str, body_html: str) -> str:
    lexicon = page.lexicon
    return (f'<!DOCTYPE html>\n<html lang="{lexicon.language}" dir="{lexicon.direction}">\n'
            f"{head_html}\n{body_html}\n</html>\n")


def render_article_page(outlet: DemoOutlet, article: DemoArticle, base_url: str) -> str:
    """The article's page in its outlet's layout."""
    page = page_for(outlet, base_url)
    extra = article_meta(page, article)
    if outlet.layout in ("article", "entry"):
        extra += json_ld(page, article)
    head_html = head(page, f"{article.title} - {outlet.name}", article.summary,
                     page.url(article.url_path), extra)
    return document(page, head_html, LAYOUT_BODIES[outlet.layout](page, article))


# -- listings ----------------------------------------------------------------------------------

def render_home_page(outlet: DemoOutlet, base_url: str, category: str = "") -> str:
    """An outlet's homepage (or a category's page): latest articles, feed discovery links."""
    page = page_for(outlet, base_url)
    listed = [a for a in outlet.articles if not category or a.category == category][:outlet.feed_size]
    path = outlet.home_path + (f"rubrique/{category}/" if category else "")
    heading = page.category(category) if category else page.label("latest")
    items = "".join(f'<li><a href="{a.url_path}">{escape(a.title)}</a><p>{escape(a.summary)}</p></li>'
                    for a in listed)
    body = (f'<body class="home">\n{cookie_banner(page, "cookie-consent")}\n'
            f"<header><h1>{escape(outlet.name)}</h1><p>{escape(outlet.tagline)}</p>"
            f'{navigation(page, "main-nav")}</header>\n<main><h2>{heading}</h2><ul class="latest">'
            f"{items}</ul></main>\n{site_footer(page, 'site-footer')}\n{SCRIPTS}\n</body>")
    return document(page, head(page, outlet.name, outlet.tagline, page.url(path)), body)


def render_press_index(press: DemoPress, base_url: str) -> str:
    """The press root: every outlet with its homepage and feeds."""
    rows = "".join(
        f'<li><a href="{o.home_path}">{escape(o.name)}</a> ({o.language}, {o.country}) '
        + " ".join(f'<a href="{f.path}">{f.format}{" " + f.category_hint if f.category_hint else ""}</a>'
                   for f in o.feeds) + "</li>\n" for o in press.outlets)
    return ('<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>Demo press</title>'
            f"</head>\n<body><h1>Demo press</h1><ul>\n{rows}</ul></body>\n</html>\n")
