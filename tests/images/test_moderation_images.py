"""The image proxy's desk address, ``/img/<signed id>[/<width>]/moderation``: the moderators' desk
shows pictures through it (never from the outlet), blocked ones too, and only to moderators."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from revue.images.pictures import placeholder_png
from revue.news.image_links import moderation_path, proxy_path
from revue.news.models import Image

from .conftest import picture
from .test_proxy import size_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocked(outlet, stored):
    return stored(outlet.serve("/interdite.jpg", picture("JPEG", (1600, 900))), state=Image.State.BLOCKED)


def test_moderators_see_a_blocked_picture_through_the_proxy_and_readers_never(admin_client, client, outlet, blocked):
    assert client.get(proxy_path(blocked.pk, 320)).status_code == 410  # readers: the placeholder

    response = admin_client.get(moderation_path(blocked.pk, 320))

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert size_of(response.content) == (320, 180)
    assert response["Cache-Control"] == "private, no-store"  # never kept by a shared cache
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert admin_client.get(moderation_path(blocked.pk)).status_code == 200
    assert outlet.hits["/interdite.jpg"] == 1  # fetched by Revue, once


def test_the_desk_address_is_for_moderators_only(client, outlet, blocked):
    users = get_user_model().objects
    assert client.get(moderation_path(blocked.pk)).status_code == 404
    client.force_login(users.create_user("lecteur", password="x"))
    assert client.get(moderation_path(blocked.pk)).status_code == 404
    staff = users.create_user("redacteur", password="x", is_staff=True)  # staff, not a moderator
    client.force_login(staff)
    assert client.get(moderation_path(blocked.pk)).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_blockedimage"))
    client.force_login(get_user_model().objects.get(pk=staff.pk))
    assert client.get(moderation_path(blocked.pk, 320)).status_code == 200
    assert outlet.hits["/interdite.jpg"] == 1


def test_a_forged_desk_address_is_refused(admin_client, blocked):
    forged = moderation_path(blocked.pk).replace(f"/img/{blocked.pk}:", f"/img/{blocked.pk + 1}:")
    assert admin_client.get(forged).status_code == 404
    assert admin_client.get(moderation_path(blocked.pk, 320)).content != placeholder_png()
