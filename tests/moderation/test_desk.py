"""The moderators' desk in the admin: lists, actions, audit log, and the burst indicator."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from revue.moderation.identity import Reporter
from revue.moderation.models import ModerationEvent
from revue.moderation.services import block_image, report_image
from revue.news.models import Image

from .conftest import lead_of

pytestmark = pytest.mark.django_db

DESK = "/admin/moderation/reportedimage/"
BLOCKED = "/admin/moderation/blockedimage/"
REPORTS = "/admin/moderation/imagereport/"
LOG = "/admin/moderation/moderationevent/"


def reporter(n: int, network: str | None = None) -> Reporter:
    return Reporter(f"cookie-{n}", f"addr-{n}", network or f"net-{n}")


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def two_images(make_article):
    """One image with two reports, one with one report."""
    busy = lead_of(make_article(lead="https://img.example/busy.jpg", inline=()))
    quiet = lead_of(make_article(lead="https://img.example/quiet.jpg", inline=()))
    report_image(busy.pk, reporter(1))
    report_image(busy.pk, reporter(2))
    report_image(quiet.pk, reporter(3))
    return busy, quiet


def test_the_desk_is_for_staff_only(client, two_images):
    assert client.get(DESK).status_code == 302
    reader = get_user_model().objects.create_user("lecteur", password="x")
    client.force_login(reader)
    assert client.get(DESK).status_code == 302


def test_images_are_listed_by_report_count(admin_client, two_images):
    busy, quiet = two_images
    html = admin_client.get(DESK).content.decode()
    assert html.index("https://img.example/busy.jpg") < html.index("https://img.example/quiet.jpg")
    page = text(admin_client.get(DESK))
    assert "2 / 3" in page and "1 / 3" in page


def test_restore_from_the_desk_is_logged_with_the_moderator(admin_client, admin_user, two_images):
    busy, _ = two_images
    block_image(busy)
    response = admin_client.post(BLOCKED, {"action": "restore", "_selected_action": [busy.pk]}, follow=True)
    assert response.status_code == 200 and "1 image(s) rétablie(s)" in text(response)
    busy.refresh_from_db()
    assert busy.state == Image.State.RESTORED
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.RESTORE)
    assert event.moderator == admin_user and event.image == busy
    assert "6 / 6" not in text(admin_client.get(DESK)) and "0 / 6" in text(admin_client.get(DESK))


def test_block_now_from_the_desk(admin_client, two_images):
    _, quiet = two_images
    admin_client.post(DESK, {"action": "block_now", "_selected_action": [quiet.pk]})
    quiet.refresh_from_db()
    assert quiet.is_blocked
    blocked = text(admin_client.get(BLOCKED))
    assert "https://img.example/quiet.jpg" in blocked and "admin" in blocked


def test_blocking_a_host_asks_for_confirmation_first(admin_client, two_images, make_article):
    busy, _ = two_images
    make_article(lead="https://img.example/other.jpg", inline=("https://elsewhere.example/ok.jpg",))

    confirm = admin_client.post(DESK, {"action": "block_hosts", "_selected_action": [busy.pk]})

    assert confirm.status_code == 200
    assert "img.example : 3 images encore visibles" in text(confirm)
    assert not Image.objects.filter(state=Image.State.BLOCKED).exists()

    admin_client.post(DESK, {"action": "block_hosts", "_selected_action": [busy.pk], "confirm": "oui"})

    blocked = set(Image.objects.filter(state=Image.State.BLOCKED).values_list("url", flat=True))
    assert blocked == {"https://img.example/busy.jpg", "https://img.example/quiet.jpg", "https://img.example/other.jpg"}
    log = text(admin_client.get(LOG))
    assert "hôte bloqué" in log and "img.example" in log


def test_automatic_blocks_appear_in_the_audit_log_and_blocked_list(admin_client, two_images):
    busy, _ = two_images
    report_image(busy.pk, reporter(4))
    log = text(admin_client.get(LOG))
    assert "bloquée par les lecteurs" in log and "https://img.example/busy.jpg" in log
    assert "les lecteurs" in text(admin_client.get(BLOCKED))


def test_a_burst_from_one_network_is_flagged_on_the_desk(admin_client, make_article, settings):
    settings.REVUE_REPORT_BURST_SIZE = 4
    images = [lead_of(make_article(lead=f"https://img.example/{n}.jpg", inline=())) for n in range(4)]
    calm = lead_of(make_article(lead="https://img.example/calm.jpg", inline=()))
    for n, image in enumerate(images):
        report_image(image.pk, reporter(10 + n, network="net-office"))
    report_image(calm.pk, reporter(99))

    desk = admin_client.get(DESK)
    page = text(desk)

    assert "Rafale de signalements" in page
    assert "4 signalements sur 4 images" in page
    rows = {m.group(1): m.group(2) for m in re.finditer(r'(https://img\.example/[^<"]+)</a>.*?(icon-(?:yes|no)\.svg)', desk.content.decode(), re.S)}
    assert rows["https://img.example/0.jpg"] == "icon-yes.svg"
    assert rows["https://img.example/calm.jpg"] == "icon-no.svg"
    assert "Rafale de signalements" in text(admin_client.get(REPORTS))


def test_no_burst_box_when_reports_are_spread(admin_client, two_images):
    assert "Rafale de signalements" not in text(admin_client.get(DESK))


def test_the_audit_log_is_read_only(admin_client, two_images):
    busy, _ = two_images
    block_image(busy)
    event = ModerationEvent.objects.get()
    assert admin_client.get(f"{LOG}add/").status_code == 403
    assert admin_client.post(f"{LOG}{event.pk}/delete/").status_code == 403
    assert admin_client.get(f"{LOG}{event.pk}/change/").status_code == 200  # view only
