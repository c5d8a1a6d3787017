"""The crawler's parts, cut as Miniflux cuts a refresh; ``revue.crawl.worker.Crawler`` puts
them together and is what commands, tests and benchmarks run.

* ``loop`` — the lease loop: lease due feeds, keep requests in flight, write outcomes in
  batches, settle new articles beside the crawl;
* ``refresh`` — one feed: fetch → parse (or follow an HTML page's feed link) → new entries →
  pages → drafts → store → outcome;
* ``pools`` — the CPU processes and the settle process: start, replace, stop;
* ``outcomes`` — each feed's next state written with its lease given back;
* ``run`` — what one run holds (``CrawlRun``), and the way to the database thread;
* ``values`` — ``FeedJob``, ``FeedOutcome``, ``Release``, ``CrawlSummary``.
"""
