"""The portal's URLs. Outlet pages sit at the root (``/{outlet-slug}/``), so they come last,
after every fixed path; an outlet's slug can never be one of those words (``revue.sources.models.reserved_slugs``, read from this map)."""

from django.urls import path, re_path

from revue.portal import archives, search, sitemaps, syndication, views
from revue.portal.cache import ARTICLE, FRONT, SEARCH, page

# readers' pages: cached, conditional and compressed for everyone, private for staff (revue.portal.cache)
home = page(FRONT)(views.home)
article = page(ARTICLE)(views.article)
story = page(FRONT)(views.story)
outlet = page(FRONT)(views.outlet)
category = page(FRONT)(views.category)
archives_index = page(FRONT)(archives.archives_index)
archives_month = page(FRONT)(archives.archives_month)
archives_day = page(FRONT)(archives.archives_day)
search_page = page(SEARCH)(search.search_page)

app_name = "portal"
urlpatterns = [
    path("", home, name="home"),
    path("categorie/<slug:slug>/", category, name="category"),
    path("histoire/<int:pk>/", story, name="story"),
    path("recherche", search_page, name="search"),
    path("archives/", archives_index, name="archives"),
    re_path(r"^archives/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", archives_month, name="archives-month"),
    re_path(
        r"^archives/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        archives_day,
        name="archives-day",
    ),
    re_path(r"^flux/(?P<kind>rss|atom)/$", syndication.latest_feed, name="feed-latest"),
    re_path(r"^flux/source/(?P<slug>[-a-zA-Z0-9_]+)/(?P<kind>rss|atom)/$", syndication.outlet_feed, name="feed-outlet"),
    re_path(
        r"^flux/categorie/(?P<slug>[-a-zA-Z0-9_]+)/(?P<kind>rss|atom)/$", syndication.category_feed, name="feed-category"
    ),
    re_path(r"^flux/recherche/(?P<kind>rss|atom)/$", syndication.search_feed, name="feed-search"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap-index"),
    path("sitemap-actualites.xml", sitemaps.news_sitemap, name="sitemap-news"),
    re_path(r"^sitemap-(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})\.xml$", sitemaps.day_sitemap, name="sitemap-day"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    # keep these last: they match any first path segment
    path("<slug:slug>/<int:pk>", article, name="article"),
    path("<slug:slug>/<int:pk>/", article),  # redirects to the URL above
    path("<slug:slug>/", outlet, name="outlet"),
]
