"""The moderators' desk shows reported and blocked images through the image proxy: a moderator's
browser is never pointed at an outlet's URL (which would tell a hostile outlet the moderator's
address, or aim their browser at hosts inside our network)."""

from __future__ import annotations

import re

import pytest

from revue.moderation.models import ImageReport, ModerationEvent
from revue.news.image_links import unsign
from revue.news.models import Image

from .conftest import lead_of

pytestmark = pytest.mark.django_db

OUTLET_HOST = "img.example"
DESK_LISTS = ("/admin/moderation/reportedimage/", "/admin/moderation/blockedimage/")
THUMBNAIL = re.compile(r'<img src="/img/([^/"]+)/(\d+)/moderation"')


@pytest.fixture
def reported_and_blocked(make_article):
    reported = lead_of(make_article(lead=f"https://{OUTLET_HOST}/signalee.jpg", inline=()))
    blocked = lead_of(make_article(lead=f"http://{OUTLET_HOST}:8080/bloquee.jpg?x=1&y=2", inline=()))
    Image.objects.filter(pk=blocked.pk).update(state=Image.State.BLOCKED)
    for n, image in enumerate((reported, blocked)):
        ImageReport.objects.create(image=image, reporter_id=f"r{n}", address_hash=f"a{n}", network_hash=f"n{n}")
    return reported, blocked


def loaded_or_linked(html: str) -> list[str]:
    """Every address the page makes the browser load, or offers as a link."""
    return re.findall(r'\b(?:src|href|srcset|action|poster|data)="([^"]*)"', html)


@pytest.mark.parametrize("path", DESK_LISTS)
def test_thumbnails_come_through_the_proxy_never_from_the_outlet(admin_client, reported_and_blocked, path):
    reported, blocked = reported_and_blocked
    html = admin_client.get(path).content.decode()
    assert not [url for url in loaded_or_linked(html) if OUTLET_HOST in url]
    shown = {unsign(token) for token, _ in THUMBNAIL.findall(html)}
    expected = {reported.pk, blocked.pk} if path.endswith("reportedimage/") else {blocked.pk}
    assert shown == expected
    assert f"https://{OUTLET_HOST}/signalee.jpg" in html or path.endswith("blockedimage/")  # the address as text


@pytest.mark.parametrize("path", ("/admin/moderation/reportedimage/{}/change/", "/admin/moderation/blockedimage/{}/change/"))
def test_an_images_own_desk_page_shows_it_through_the_proxy_and_its_address_as_text(admin_client, reported_and_blocked, path):
    _, blocked = reported_and_blocked
    html = admin_client.get(path.format(blocked.pk)).content.decode()
    assert not [url for url in loaded_or_linked(html) if OUTLET_HOST in url]
    assert {unsign(token) for token, _ in THUMBNAIL.findall(html)} == {blocked.pk}
    assert f"http://{OUTLET_HOST}:8080/bloquee.jpg?x=1&amp;y=2" in html


def test_the_audit_log_writes_image_addresses_as_text(admin_client, reported_and_blocked):
    _, blocked = reported_and_blocked
    event = ModerationEvent.objects.create(action=ModerationEvent.Action.BLOCK, image=blocked, image_url=blocked.url)
    for path in ("/admin/moderation/moderationevent/", f"/admin/moderation/moderationevent/{event.pk}/change/"):
        html = admin_client.get(path).content.decode()
        assert not [url for url in loaded_or_linked(html) if OUTLET_HOST in url], path
        assert f"http://{OUTLET_HOST}:8080/bloquee.jpg?x=1&amp;y=2" in html, path
