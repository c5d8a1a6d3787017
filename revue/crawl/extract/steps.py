"""One extraction step at a time: a bug or a pathological page in a step costs that step only
(it is logged, with the step's name and the page's URL, and its default stands in)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

LOGGER = logging.getLogger(__name__)  # a child of revue.crawl.extract: handlers there see its records

T = TypeVar("T")


def _guarded(step: Callable[[], T], default: T, what: str, url: str) -> T:
    """Run one extraction step; a bug or a pathological page in it costs that step only."""
    try:
        return step()
    except Exception:  # noqa: BLE001 — outside pages are arbitrary; log and degrade
        LOGGER.warning("extract step failed", extra={"stage": "extract", "step": what, "url": url, "outcome": "error"},
                       exc_info=True)
        return default
