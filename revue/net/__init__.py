"""The base layer for outbound HTTP, below every app: the one way Revue fetches from outside.

* ``fetch`` — the guarded fetcher: ``Fetcher`` (one crawl's connection pool), ``fetch_sync``
  (one-off fetches from the CLI, the admin and the image proxy), ``FetchLimits``,
  ``FetchResult`` and ``FetchError``;
* ``transport`` — the guarded transport under ``Fetcher``: httpcore's connection pool given a
  network backend that resolves each host, vets every address and connects to a vetted one;
* ``guard`` — the outbound address policy (which IP addresses may be connected to), pure
  functions that ``transport`` applies to every connection after DNS resolution;
* ``bodies`` — response bodies read within the size cap, gzip/deflate decoded in bounded pieces;
* ``errors`` — ``FetchError`` and its kinds, and how HTTP statuses and transport errors become one;
* ``robots`` — robots.txt rules per host, read through the fetcher and kept in the cache.

The crawler and the image proxy both fetch through here. Nothing here imports an app of Revue
(only Django's settings and cache, when asked).
"""
