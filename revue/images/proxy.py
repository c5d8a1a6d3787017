"""The proxy's work for one image: the checked original from cache or from the outlet, and its
resized copies.

``original(image)`` returns the cached bytes, or fetches them once through the guarded fetcher
(``revue.net.fetch``: the outbound address guard, size cap ``REVUE_IMAGE_MAX_BYTES``, timeout
``REVUE_IMAGE_FETCH_TIMEOUT``), checks they are a real picture (``pictures.inspect``), keeps
them, and records the picture's width and height on the ``Image`` row for the portal's
``<img width height>``. A failure is remembered for ``REVUE_IMAGE_RETRY_SECONDS`` so a dead
image does not cost a fetch per reader. ``variant(...)`` returns the copy at one of
``REVUE_IMAGE_WIDTHS``, made on first request; never an enlargement, never a still of an
animation (the original is served then).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from revue.net.fetch import FetchError, FetchLimits, fetch_sync
from revue.images import pictures
from revue.images.store import ImageStore
from revue.news.models import Image

logger = logging.getLogger(__name__)

IMAGE_ACCEPT = "image/webp,image/png,image/jpeg,image/gif;q=0.9,image/*;q=0.5"
ORIGINAL = "original"


class Unavailable(Exception):
    """The outlet's image cannot be served now; ``str()`` says why (for logs and headers)."""


@dataclass(frozen=True)
class Served:
    """Bytes to send and what they are."""

    data: bytes
    picture: pictures.Picture
    name: str  # "original" or "w640"


def image_store() -> ImageStore:
    return ImageStore(root=settings.REVUE_IMAGE_CACHE_DIR, max_bytes=settings.REVUE_IMAGE_CACHE_MAX_BYTES)


def fetch_limits() -> FetchLimits:
    base = FetchLimits.from_settings()
    timeout = float(settings.REVUE_IMAGE_FETCH_TIMEOUT)
    return dataclasses.replace(
        base,
        max_bytes=int(settings.REVUE_IMAGE_MAX_BYTES),
        total_timeout=timeout,
        read_timeout=min(base.read_timeout, timeout),
        connect_timeout=min(base.connect_timeout, timeout),
    )


# one fetch per image at a time in this process: the second reader waits for the first's bytes
_fetching: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def original(image: Image, store: ImageStore) -> Served:
    """The image's checked original bytes (see the module docstring); ``Unavailable`` if none."""
    cached = _cached(store, image.url_hash, ORIGINAL)
    if cached is not None:
        return cached
    with _fetching[image.url_hash]:
        cached = _cached(store, image.url_hash, ORIGINAL)
        if cached is not None:
            return cached
        reason = store.failure(image.url_hash, settings.REVUE_IMAGE_RETRY_SECONDS)
        if reason:
            raise Unavailable(reason)
        served = _fetch(image, store)
    _remember_size(image, served.picture)
    return served


def _cached(store: ImageStore, url_hash: str, name: str) -> Served | None:
    data = store.read(url_hash, name)
    if data is None:
        return None
    try:
        picture = pictures.inspect(data, settings.REVUE_IMAGE_MAX_PIXELS, decode=False)
    except pictures.NotAPicture:  # damaged on disk: fetch or resize again
        return None
    return Served(data, picture, name)


def _fetch(image: Image, store: ImageStore) -> Served:
    try:
        result = fetch_sync(image.url, fetch_limits(), accept=IMAGE_ACCEPT)
        if result.not_modified or not result.content:
            raise Unavailable("réponse vide de la source")
        picture = pictures.inspect(result.content, settings.REVUE_IMAGE_MAX_PIXELS)
    except (FetchError, pictures.NotAPicture, Unavailable) as error:
        reason = f"{type(error).__name__}: {error}"
        logger.info("image refused: %s", reason, extra={"stage": "image", "url": image.url, "image_id": image.pk,
                                                        "outcome": "refused"})
        store.record_failure(image.url_hash, reason)
        raise Unavailable(reason) from None
    store.write(image.url_hash, ORIGINAL, result.content)
    store.clear_failure(image.url_hash)
    return Served(result.content, picture, ORIGINAL)


def _remember_size(image: Image, picture: pictures.Picture) -> None:
    if (image.width, image.height) != (picture.width, picture.height):
        Image.objects.filter(pk=image.pk).update(width=picture.width, height=picture.height)
        image.width, image.height = picture.width, picture.height


def variant(image: Image, source: Served, width: int, store: ImageStore) -> Served:
    """The copy ``width`` pixels wide, or the original when it is not wider or is animated."""
    if source.picture.animated or source.picture.width <= width:
        return source
    name = f"w{width}"
    cached = _cached(store, image.url_hash, name)
    if cached is not None:
        return cached
    data = pictures.resize(source.data, width)
    store.write(image.url_hash, name, data)
    return Served(data, pictures.inspect(data, settings.REVUE_IMAGE_MAX_PIXELS, decode=False), name)
