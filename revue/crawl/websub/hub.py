"""The requests a subscriber sends to hubs: ``maintain`` sends every request due (new
subscriptions, renewals, unsubscriptions, retries: ``subscriptions.claim_requests``) through the
crawl's guarded fetcher (``revue.net``) and the host's politeness slot, and notes each answer.
The crawler calls it at the end of every run."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from urllib.parse import urlsplit

from revue.crawl.crawler.run import on_db
from revue.crawl.politeness import HostGate
from revue.crawl.websub.subscriptions import claim_requests, record_sent
from revue.net.fetch import Fetcher, FetchError

logger = logging.getLogger(__name__)


async def maintain(fetcher: Fetcher, hosts: HostGate | None = None) -> int:
    """Send every hub request due now; the number sent. A hub that fails costs its request
    only (sent again after ``REVUE_WEBSUB_RETRY_SECONDS``)."""
    requests = await on_db(claim_requests)()
    for request in requests:
        keys = {"stage": "websub", "url": request.form["hub.topic"], "mode": request.form["hub.mode"]}
        try:
            async with hosts.slot(urlsplit(request.hub).hostname or "") if hosts else nullcontext():
                await fetcher.post_form(request.hub, request.form)
            error = ""
            logger.info("hub asked to %s", request.form["hub.mode"], extra={**keys, "outcome": "sent"})
        except FetchError as exc:
            error = str(exc)
            logger.warning("hub request failed: %s", error, extra={**keys, "outcome": "error"})
        await on_db(record_sent)(request.subscription_id, error)
    return len(requests)
