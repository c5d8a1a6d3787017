"""The public site: the headline ticker and front page, article, outlet and category pages.

Reads only: every page is built from ``Article.objects.published()`` / ``for_list()`` through
``revue.portal.queries``; short-lived caches live in ``revue.portal.cache``, keyed by the reader
generation of ``revue.news.cache``, which moderation renews when an image gets blocked.
"""
