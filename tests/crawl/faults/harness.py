"""The real crawler, as the commands build it."""

from __future__ import annotations

from revue.crawl.worker import Crawler


def warm_crawler() -> Crawler:
    """A ``Crawler`` with the settings in force (it starts its CPU pool off the event loop)."""
    return Crawler()
