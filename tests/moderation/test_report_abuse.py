"""One person with many addresses cannot block an image (issue #15, item 2).

Through ``POST /signaler/image/<id>/`` as browsers send it, on the real database: reports count by
network (IPv4 /24, IPv6 /48) as well as by address; a report needs the token that only a page
showing the image hands out; reports are rate-limited per network; and a block called for by a
burst, or by too few networks, waits for a moderator on the desk instead of happening at once.
"""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.test import Client

from revue.moderation.models import BlockHold, ImageReport, ModerationEvent
from revue.moderation.tokens import TOKEN_SALT, token_for
from revue.news.models import Image

from .conftest import THANKS, Reader, inline_of, lead_of

pytestmark = pytest.mark.django_db

HOLDS = "/admin/moderation/blockhold/"
DESK = "/admin/moderation/reportedimage/"
NO_TOKEN = "Ce signalement n'a pas été reconnu"


def state_of(image: Image) -> str:
    image.refresh_from_db()
    return image.state


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").split())


# --- counting networks, not only addresses --------------------------------------------------------


def test_three_addresses_in_one_network_do_not_block_and_wait_for_a_moderator(article):
    image = lead_of(article)
    for n in (1, 2, 3):  # one person, three addresses of one /24, three browsers
        assert Reader(address=f"198.51.100.{n}").report(image).json() == {"message": THANKS}

    assert state_of(image) == Image.State.VISIBLE
    assert ImageReport.objects.filter(image=image, counted=True).count() == 3
    hold = BlockHold.objects.get(image=image)
    assert hold.reason == BlockHold.Reason.FEW_NETWORKS and (hold.address_count, hold.network_count) == (3, 1)
    assert ModerationEvent.objects.filter(image=image, action=ModerationEvent.Action.HOLD).count() == 1


def test_three_ipv6_connections_in_one_48_do_not_block(article):
    image = lead_of(article)
    for n in (1, 2, 3):  # three /64s, one /48
        Reader(address=f"2001:db8:77:{n}::1").report(image)
    assert state_of(image) == Image.State.VISIBLE
    assert BlockHold.objects.get(image=image).network_count == 1


def test_a_hold_for_too_few_networks_becomes_a_block_when_enough_networks_report(article):
    image = lead_of(article)
    Reader(address="198.51.100.1").report(image)
    Reader(address="198.51.100.2").report(image)
    Reader(address="203.0.113.9").report(image)
    assert state_of(image) == Image.State.VISIBLE and BlockHold.objects.filter(image=image).exists()

    Reader(address="192.0.2.33").report(image)  # a third network

    assert state_of(image) == Image.State.BLOCKED
    assert not BlockHold.objects.filter(image=image).exists()
    assert ModerationEvent.objects.filter(image=image, action=ModerationEvent.Action.AUTO_BLOCK).exists()


# --- the token a page showing the image hands out -------------------------------------------------


@pytest.mark.parametrize("token", ["", "12:1abcde:forged-signature", "n'importe quoi", "x" * 5000])
def test_a_report_without_a_valid_token_is_refused_with_a_clear_403(article, reader, token):
    image = lead_of(article)

    script = reader(1).report(image, token=token)
    form = reader(2).report(image, token=token, json=False, next_path=article.get_absolute_url())

    assert script.status_code == 403 and script.json()["message"].startswith(NO_TOKEN)
    assert form.status_code == 403 and NO_TOKEN in text(form) and "Rien n'a été enregistré" in text(form)
    assert not ImageReport.objects.exists()


def test_the_token_of_one_image_does_not_report_another(make_article, reader):
    shown = lead_of(make_article())
    never_shown = lead_of(make_article(lead="https://img.example/never-shown.jpg", inline=()))
    response = reader(1).report(never_shown, token=token_for(shown.pk))
    assert response.status_code == 403 and not ImageReport.objects.exists()


def test_a_token_signed_for_something_else_is_refused(article, reader):
    image = lead_of(article)
    other_purpose = signing.TimestampSigner(salt="revue.something-else").sign(str(image.pk))
    assert reader(1).report(image, token=other_purpose).status_code == 403


def test_an_old_token_asks_the_reader_to_reload_the_page(article, reader, settings):
    image = lead_of(article)
    made_at = int(time.time()) - settings.REVUE_REPORT_TOKEN_MAX_AGE - 60
    old = signing.Signer(salt=TOKEN_SALT).sign(f"{image.pk}:{signing.b62_encode(made_at)}")

    response = reader(1).report(image, token=old)

    assert response.status_code == 403
    assert response.json()["message"].startswith("Cette page est ouverte depuis trop longtemps : rechargez-la")
    assert not ImageReport.objects.exists()


def test_only_a_page_showing_an_image_hands_out_its_token(client, make_article, reader, django_capture_on_commit_callbacks):
    article = make_article()
    lead, inline = lead_of(article), inline_of(article)
    page = client.get(article.get_absolute_url()).content.decode()
    tokens = dict(re.findall(r'formaction="/signaler/image/(\d+)/"[^>]*\sname="jeton" value="([^"]+)"', page))
    assert set(tokens) == {str(lead.pk), str(inline.pk)}
    assert "jeton" not in client.get("/").content.decode(), "list pages show no report buttons"
    assert reader(1).report(lead, token=tokens[str(lead.pk)]).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # the block renews the cached pages on commit
        for n in (2, 3):
            reader(n).report(lead)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'formaction="/signaler/image/{lead.pk}/"' not in page, "a blocked image hands out no token"


def test_the_token_is_checked_before_anything_else_is_done(article):
    """A forged report costs nothing: no cookie, no rate-limit slot, no row."""
    image = lead_of(article)
    response = Client().post(f"/signaler/image/{image.pk}/", {"jeton": "forged"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and "revue_lecteur" not in response.cookies


# --- rate limits per network ----------------------------------------------------------------------


def test_reports_are_rate_limited_per_network(make_article, settings):
    settings.REVUE_REPORT_RATE_LIMIT = 20
    settings.REVUE_REPORT_NETWORK_RATE_LIMIT = 3
    images = [lead_of(make_article(lead=f"https://img.example/net-{n}.jpg", inline=())) for n in range(5)]
    answers = [Reader(address=f"198.51.100.{n + 1}").report(images[n]).status_code for n in range(4)]

    assert answers == [200, 200, 200, 429], "a fourth address of the same /24 shares its network's limit"
    assert not ImageReport.objects.filter(image=images[3]).exists()
    assert Reader(address="203.0.113.1").report(images[4]).status_code == 200, "another network is not limited"


# --- bursts wait for a moderator ------------------------------------------------------------------


def test_a_block_called_for_by_a_burst_waits_for_a_moderator(make_article, settings, admin_client):
    settings.REVUE_REPORT_BURST_SIZE = 4
    target = lead_of(make_article(lead="https://img.example/target.jpg", inline=()))
    others = [lead_of(make_article(lead=f"https://img.example/other-{n}.jpg", inline=())) for n in range(3)]
    campaign = Reader(address="198.51.100.50")  # one network reporting many images in a few seconds
    for image in others:
        campaign.report(image)

    campaign.report(target)
    Reader(address="203.0.113.50").report(target)
    Reader(address="192.0.2.50").report(target)  # three networks: would block, but a burst is behind it
    Reader(address="100.64.9.50").report(target)  # a burst hold waits for a moderator whatever comes after

    assert state_of(target) == Image.State.VISIBLE
    assert BlockHold.objects.get(image=target).reason == BlockHold.Reason.BURST
    desk = text(admin_client.get(DESK))
    assert "1 blocage en attente" in desk and "Rafale de signalements" in desk
    holds = text(admin_client.get(HOLDS))
    assert "https://img.example/target.jpg" in holds and "rafale de signalements" in holds

    hold = BlockHold.objects.get(image=target)
    done = admin_client.post(HOLDS, {"action": "block_now", "_selected_action": [hold.pk]}, follow=True)

    assert "1 image(s) bloquée(s)" in text(done)
    assert state_of(target) == Image.State.BLOCKED and not BlockHold.objects.exists()
    block = ModerationEvent.objects.get(image=target, action=ModerationEvent.Action.BLOCK)
    assert block.moderator_name == "admin"


def test_a_hold_for_too_few_networks_stays_held_when_a_burst_comes_behind_it(make_article, settings):
    settings.REVUE_REPORT_BURST_SIZE = 4
    target = lead_of(make_article(lead="https://img.example/target.jpg", inline=()))
    others = [lead_of(make_article(lead=f"https://img.example/other-{n}.jpg", inline=())) for n in range(2)]
    for address in ("198.51.100.1", "198.51.100.2", "203.0.113.1"):
        Reader(address=address).report(target)
    assert BlockHold.objects.get(image=target).reason == BlockHold.Reason.FEW_NETWORKS
    for n, image in enumerate(others):  # the first network now reports everything: a burst
        Reader(address=f"198.51.100.{10 + n}").report(image)

    Reader(address="192.0.2.1").report(target)  # a third network: enough, but a burst is behind it

    assert state_of(target) == Image.State.VISIBLE
    assert BlockHold.objects.get(image=target).reason == BlockHold.Reason.BURST
    holds = ModerationEvent.objects.filter(image=target, action=ModerationEvent.Action.HOLD).order_by("id")
    assert [event.note for event in holds] == ["trop peu de réseaux", "rafale de signalements"]


def test_a_moderator_keeps_a_held_image_visible_and_fresh_reports_are_needed(article, admin_client, settings):
    image = lead_of(article)
    for n in (1, 2, 3):
        Reader(address=f"198.51.100.{n}").report(image)
    hold = BlockHold.objects.get(image=image)

    admin_client.post(HOLDS, {"action": "restore", "_selected_action": [hold.pk]})

    assert state_of(image) == Image.State.RESTORED and not BlockHold.objects.exists()
    assert ModerationEvent.objects.filter(image=image, action=ModerationEvent.Action.RESTORE).count() == 1
    for network in ("203.0.113.1", "192.0.2.1", "100.64.1.1"):  # three more networks: below the restored threshold
        Reader(address=network).report(image)
    assert state_of(image) == Image.State.RESTORED
    assert "0 blocage" not in text(admin_client.get(DESK))


def test_a_moderator_of_reported_images_decides_on_held_blocks_too(client, article):
    moderator = get_user_model().objects.create_user("nadia", password="x", is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="change_reportedimage"))
    client.force_login(moderator)
    image = lead_of(article)
    for n in (1, 2, 3):
        Reader(address=f"198.51.100.{n}").report(image)

    assert "https://img.example/photos/lead.jpg" in text(client.get(HOLDS))
    client.post(HOLDS, {"action": "block_now", "_selected_action": [BlockHold.objects.get().pk]})

    assert state_of(image) == Image.State.BLOCKED
    assert ModerationEvent.objects.get(image=image, action=ModerationEvent.Action.BLOCK).moderator_name == "nadia"
