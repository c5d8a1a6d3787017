"""The public site: the headline ticker and front page, article, outlet and category pages.

Reads only: every page is built from ``Article.objects.published()`` / ``for_list()`` through
``revue.portal.queries``; short-lived caches live in ``revue.portal.cache``, whose
``invalidate_portal()`` other apps call when what readers may see changes (a blocked image).
"""
