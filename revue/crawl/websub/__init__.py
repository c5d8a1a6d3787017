"""WebSub push ingestion: feeds that advertise a hub are subscribed, and what the hub pushes is
stored through the same pipeline as a polled fetch, polling kept as a slow safety net.

* ``discovery`` — the hub and topic a fetched feed advertises (``Link`` header, ``<link
  rel="hub">``, JSON Feed ``hubs``); the crawler notes them on the feed's row (``Feed.hub_url``,
  ``Feed.topic_url``) with its outcome;
* ``subscriptions`` — the ``Subscription`` rows: which requests are due (subscribe, renew
  before the lease ends, unsubscribe a deleted or parked feed, retry), the hub's verification
  of intent, the push's target and its ``X-Hub-Signature`` (HMAC with the subscription's own
  secret);
* ``hub`` — ``maintain``: the due requests sent to the hubs through ``revue.net`` (the crawler
  calls it after every run);
* ``push`` — ``ingest_push``: a pushed document parsed, stored and settled as a fetch is;
* ``admin`` — the operators' read-only list of subscriptions (never their secret).

The callback, ``/websub/<token>/``, is the portal's (``revue.portal.websub``); its public
address is ``REVUE_WEBSUB_BASE_URL``, without which nothing is subscribed.
"""
