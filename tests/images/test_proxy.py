"""The image proxy as a reader's browser meets it: ``/img/<signed id>[/<width>]``.

The outlet is a real HTTP server on loopback; the proxy reaches it through the guarded fetcher
(the tests allow loopback, as the demo does). What is checked is what a reader, an operator or
an attacker would see: status, content type, bytes, cache headers, and how often the outlet was
asked.
"""

from __future__ import annotations

import io

import pytest
from django.core import signing
from PIL import Image as PILImage

from revue.images.pictures import placeholder_png
from revue.news.image_links import moderation_path, proxy_path, sign, unsign
from revue.images.store import ImageStore
from revue.news.models import Image
from tests.images.conftest import animated_gif, picture

pytestmark = pytest.mark.django_db


def size_of(data: bytes) -> tuple[int, int]:
    return PILImage.open(io.BytesIO(data)).size


def get(client, image: Image, width: int | None = None, **headers):
    path = f"/img/{sign(image.pk)}" + (f"/{width}" if width else "")
    return client.get(path, headers=headers)


# --- serving ------------------------------------------------------------------------------------


def test_the_original_is_served_with_its_real_type_and_long_cache(client, outlet, stored):
    photo = picture("JPEG", (1600, 900))
    image = stored(outlet.serve("/photo.jpg", photo, "application/octet-stream"))  # the header lies
    response = get(client, image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == photo
    assert "max-age=2592000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_first_decode_records_width_and_height_on_the_image(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (1600, 900))))
    assert (image.width, image.height) == (None, None)
    get(client, image, 320)
    image.refresh_from_db()
    assert (image.width, image.height) == (1600, 900)


@pytest.mark.parametrize("width", [320, 640, 1024])
def test_each_offered_width_is_a_resized_copy(client, outlet, stored, width):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (1600, 900))))
    response = get(client, image, width)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert size_of(response.content) == (width, round(900 * width / 1600))


def test_the_outlet_is_asked_once_then_the_disk_cache_answers(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (1600, 900))))
    for width in (None, 640, 640, 320, None):
        assert get(client, image, width).status_code == 200
    assert outlet.hits["/photo.jpg"] == 1
    outlet.server.clear_all_handlers()  # the outlet forgets it: the cached copy still serves
    assert get(client, image, 1024).status_code == 200
    assert outlet.hits["/photo.jpg"] == 1


def test_a_picture_narrower_than_the_width_asked_is_never_enlarged(client, outlet, stored):
    small = picture("PNG", (300, 200))
    image = stored(outlet.serve("/small.png", small, "image/png"))
    response = get(client, image, 1024)
    assert response["Content-Type"] == "image/png"
    assert response.content == small


@pytest.mark.parametrize(("format", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_other_formats_keep_their_type(client, outlet, stored, format, content_type):
    image = stored(outlet.serve(f"/p.{format.lower()}", picture(format, (800, 400)), content_type))
    assert get(client, image)["Content-Type"] == content_type


def test_an_animation_is_served_whole_at_every_width(client, outlet, stored):
    animation = animated_gif((800, 600))
    image = stored(outlet.serve("/anim.gif", animation, "image/gif"))
    response = get(client, image, 320)
    assert response.content == animation
    assert PILImage.open(io.BytesIO(response.content)).n_frames == 3


def test_etag_gives_304(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    first = get(client, image, 320)
    again = get(client, image, 320, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "image/svg+xml"),
        (b"<html><body><script>alert(1)</script></body></html>", "image/jpeg"),
        (picture("JPEG", (800, 600))[:500], "image/jpeg"),
        (picture("BMP", (50, 50)), "image/bmp"),
    ],
    ids=["svg", "html-called-jpeg", "truncated", "bmp"],
)
def test_what_is_not_a_real_picture_gets_the_placeholder_never_the_bytes(client, outlet, stored, body, content_type):
    image = stored(outlet.serve("/x", body, content_type))
    response = get(client, image)
    assert response.status_code == 502
    assert response["Content-Type"] == "image/png"
    assert response.content == placeholder_png()
    assert body not in response.content


def test_a_failure_is_remembered_instead_of_asking_the_outlet_for_every_reader(client, outlet, stored):
    image = stored(outlet.serve("/gone.jpg", b"", "image/jpeg", status=404))
    assert get(client, image).status_code == 502
    assert get(client, image, 640).status_code == 502
    assert outlet.hits["/gone.jpg"] == 1


def test_size_caps(client, outlet, stored, settings):
    settings.REVUE_IMAGE_MAX_BYTES = 10_000
    big = stored(outlet.serve("/big.jpg", picture("JPEG", (2000, 2000), color=(1, 2, 3), quality=100) + b"\0" * 20_000))
    assert get(client, big).status_code == 502
    settings.REVUE_IMAGE_MAX_BYTES = 10_000_000
    settings.REVUE_IMAGE_MAX_PIXELS = 1_000_000
    huge = stored(outlet.serve("/huge.png", picture("PNG", (2000, 1000)), "image/png"))
    assert get(client, huge).status_code == 502


def test_the_outbound_guard_applies(client, outlet, stored, settings):
    settings.REVUE_FETCH_ALLOW = []  # loopback is a private address: refused before connecting
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    assert get(client, image).status_code == 502
    assert outlet.hits["/photo.jpg"] == 0


def test_ids_cannot_be_guessed_or_forged(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    other = stored(outlet.serve("/other.jpg", picture("JPEG", (800, 600))))
    forged = sign(image.pk).replace(f"{image.pk}:", f"{other.pk}:", 1)
    for path in (f"/img/{image.pk}", f"/img/{forged}", "/img/abc", f"/img/{signing.Signer(salt='autre').sign(str(image.pk))}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Image inconnue" in response.content.decode()
    assert unsign(sign(image.pk)) == image.pk
    assert sum(outlet.hits.values()) == 0


def test_an_image_no_longer_in_the_archive_is_404(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    token = sign(image.pk)
    image.delete()
    assert client.get(f"/img/{token}").status_code == 404


def test_a_width_not_offered_is_a_clear_400(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    response = get(client, image, 333)
    assert response.status_code == 400
    assert "320, 640, 1024" in response.content.decode()
    assert outlet.hits["/photo.jpg"] == 0


def test_only_get_and_head(client, outlet, stored):
    image = stored(outlet.serve("/photo.jpg", picture("JPEG", (800, 600))))
    assert client.post(f"/img/{sign(image.pk)}").status_code == 405


# --- blocked images -----------------------------------------------------------------------------


def test_a_blocked_image_is_gone_at_once_even_when_cached(client, outlet, stored):
    photo = picture("JPEG", (1600, 900))
    image = stored(outlet.serve("/photo.jpg", photo))
    assert get(client, image, 640).status_code == 200  # cached now
    Image.objects.filter(pk=image.pk).update(state=Image.State.BLOCKED)
    for width in (None, 320, 640):
        response = get(client, image, width)
        assert response.status_code == 410
        assert response.content == placeholder_png()
        assert response["Cache-Control"] == "no-store"
    Image.objects.filter(pk=image.pk).update(state=Image.State.RESTORED)
    assert get(client, image).content == photo
    assert outlet.hits["/photo.jpg"] == 1


# --- the cache's size ---------------------------------------------------------------------------


def test_the_cache_evicts_the_least_recently_served_images_past_its_size(tmp_path):
    store = ImageStore(root=tmp_path, max_bytes=1_000_000)
    hashes = [f"{n:064x}" for n in range(30)]
    picture = b"x" * 40_000
    for url_hash in hashes[:20]:
        store.write(url_hash, "original", picture)
    assert store.read(hashes[0], "original") == picture  # served now: the oldest becomes the newest
    for url_hash in hashes[20:]:
        store.write(url_hash, "original", picture)
    kept = [url_hash for url_hash in hashes if store.read(url_hash, "original") is not None]
    assert hashes[0] in kept and hashes[-1] in kept
    assert hashes[1] not in kept and len(kept) < len(hashes)
    assert store.cache.volume() <= 1_000_000


def test_a_failed_fetch_is_remembered_for_its_window_only(tmp_path):
    store = ImageStore(root=tmp_path, max_bytes=10**7)
    url_hash = "ab" * 32
    store.record_failure(url_hash, "HTTPStatusError: 404")
    assert store.failure(url_hash, within_seconds=60) == "HTTPStatusError: 404"
    assert store.failure(url_hash, within_seconds=0) == ""
    store.clear_failure(url_hash)
    assert store.failure(url_hash, within_seconds=60) == ""
    with pytest.raises(ValueError):
        store.read("../../etc/passwd", "original")


def test_a_kept_address_follows_a_new_secret_key_or_salt(settings):
    """Image addresses are kept by each process (a front page names hundreds): a new secret key
    or salt gives new addresses at once, which the proxy reads, and the old ones no longer are."""
    before = proxy_path(42, 300)
    assert proxy_path(42, 300) == before and unsign(before.split("/")[2]) == 42
    settings.REVUE_IMAGE_URL_SALT = "un autre sel"
    salted = proxy_path(42, 300)
    assert salted != before and unsign(salted.split("/")[2]) == 42 and unsign(before.split("/")[2]) is None
    settings.SECRET_KEY = "une autre clé " * 4
    rekeyed = moderation_path(42, 300)
    assert rekeyed.endswith("/320/moderation") and rekeyed.split("/")[2] != salted.split("/")[2]
    assert unsign(rekeyed.split("/")[2]) == 42
