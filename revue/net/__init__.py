"""The base layer for outbound HTTP, below every app: the one way Revue fetches from outside.

* ``fetch`` — the guarded fetcher: ``Fetcher`` (one crawl's connection pool), ``fetch_sync``
  (one-off fetches from the CLI, the admin and the image proxy), ``FetchLimits``,
  ``FetchResult`` and ``FetchError``;
* ``guard`` — the outbound address policy (which IP addresses may be connected to), pure
  functions that ``fetch`` applies to every connection after DNS resolution;
* ``robots`` — robots.txt rules per host, read through the fetcher and kept in the cache.

The crawler and the image proxy both fetch through here. Nothing here imports an app of Revue
(only Django's settings and cache, when asked).
"""
