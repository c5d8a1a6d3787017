"""The report rules at the model level: distinct people, thresholds, restore, host blocks, audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from revue.moderation.identity import Reporter
from revue.moderation.models import ImageReport, ModerationEvent
from revue.moderation.services import block_host, block_image, report_image, restore_image, threshold_for
from revue.news.cache import reader_generation
from revue.news.models import Image

from .conftest import INLINE_URL, lead_of

pytestmark = pytest.mark.django_db


def person(n: int, *, address: int | None = None, cookie: str | None = None) -> Reporter:
    """Reader ``n``: their own cookie id and address hash unless told otherwise."""
    a = n if address is None else address
    return Reporter(reporter_id=cookie or f"cookie-{n:04d}", address_hash=f"addr-{a}", network_hash=f"net-{a}")


def state_of(image: Image) -> str:
    image.refresh_from_db()
    return image.state


def test_three_distinct_people_block_an_image(article):
    image = lead_of(article)
    assert threshold_for(image) == 3

    assert report_image(image.pk, person(1)).blocked is False
    assert report_image(image.pk, person(2)).blocked is False
    assert state_of(image) == Image.State.VISIBLE

    outcome = report_image(image.pk, person(3))

    assert outcome.counted and outcome.blocked
    assert state_of(image) == Image.State.BLOCKED and image.blocked_at is not None
    assert not Image.objects.visible().filter(pk=image.pk).exists()
    event = ModerationEvent.objects.get(image=image)
    assert event.action == ModerationEvent.Action.AUTO_BLOCK and event.report_count == 3 and event.moderator is None


def test_the_threshold_is_a_setting(article, settings):
    settings.REVUE_REPORT_THRESHOLD = 5
    image = lead_of(article)
    for n in range(1, 5):
        report_image(image.pk, person(n))
    assert state_of(image) == Image.State.VISIBLE
    report_image(image.pk, person(5))
    assert state_of(image) == Image.State.BLOCKED


def test_one_person_never_blocks_alone_even_with_a_threshold_of_one(article, settings):
    settings.REVUE_REPORT_THRESHOLD = 1
    image = lead_of(article)
    report_image(image.pk, person(1))
    assert state_of(image) == Image.State.VISIBLE
    report_image(image.pk, person(2))
    assert state_of(image) == Image.State.BLOCKED


def test_the_same_cookie_counts_once_even_from_other_addresses(article):
    image = lead_of(article)
    for address in (1, 2, 3, 4):
        report_image(image.pk, person(1, address=address))
    assert state_of(image) == Image.State.VISIBLE
    assert ImageReport.objects.filter(image=image).count() == 1


def test_new_cookies_on_one_connection_do_not_count_again(article):
    image = lead_of(article)
    outcomes = [report_image(image.pk, person(n, address=7)) for n in (1, 2, 3, 4)]

    assert [o.counted for o in outcomes] == [True, False, False, False]
    assert state_of(image) == Image.State.VISIBLE
    # kept for the burst indicator, but not counted
    assert ImageReport.objects.filter(image=image, counted=False).count() == 3


def test_a_cookie_already_seen_from_a_counted_address_does_not_count_elsewhere(article):
    image = lead_of(article)
    report_image(image.pk, person(1, address=9))
    report_image(image.pk, person(2, address=9))  # same connection, new browser: not counted
    report_image(image.pk, person(2, address=10))  # that browser on another network: already reported
    report_image(image.pk, person(3))
    assert state_of(image) == Image.State.VISIBLE


def test_reporting_a_blocked_image_is_accepted_quietly(article):
    image = lead_of(article)
    block_image(image)
    outcome = report_image(image.pk, person(1))
    assert outcome.counted is False and outcome.blocked is False
    assert not ImageReport.objects.filter(image=image).exists()
    assert state_of(image) == Image.State.BLOCKED


def test_an_unknown_image_cannot_be_reported(db):
    with pytest.raises(Image.DoesNotExist):
        report_image(999_999, person(1))


def test_blocking_reaches_every_article_showing_the_image(make_article):
    first, second = make_article(), make_article()
    assert first.image_id == second.image_id  # one row per image URL, shared
    for n in (1, 2, 3):
        report_image(first.image_id, person(n))
    second.refresh_from_db()
    assert second.image.is_blocked


def test_blocking_renews_the_reader_caches(article, django_capture_on_commit_callbacks):
    image = lead_of(article)
    before = reader_generation()
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            report_image(image.pk, person(n))
    assert reader_generation() == before, "no change for readers yet"
    with django_capture_on_commit_callbacks(execute=True):
        report_image(image.pk, person(3))
    assert reader_generation() != before


def test_a_restored_image_needs_more_fresh_reports(article, settings):
    settings.REVUE_REPORT_THRESHOLD_RESTORED = 5
    moderator = get_user_model().objects.create_user("amina", is_staff=True)
    image = lead_of(article)
    for n in (1, 2, 3):
        report_image(image.pk, person(n))
    assert state_of(image) == Image.State.BLOCKED

    assert restore_image(image, moderator=moderator)

    assert state_of(image) == Image.State.RESTORED and image.blocked_at is None
    assert Image.objects.visible().filter(pk=image.pk).exists()
    assert threshold_for(image) == 5
    for n in (4, 5, 6, 7):  # four new people: not enough, the three before the restore no longer count
        report_image(image.pk, person(n))
    assert state_of(image) == Image.State.RESTORED
    report_image(image.pk, person(8))
    assert state_of(image) == Image.State.BLOCKED
    restore = ModerationEvent.objects.get(action=ModerationEvent.Action.RESTORE)
    assert restore.moderator == moderator and restore.moderator_name == "amina"


def test_the_restored_threshold_is_always_above_the_first(article, settings):
    settings.REVUE_REPORT_THRESHOLD_RESTORED = 2
    image = lead_of(article)
    restore_image(image)
    assert threshold_for(image) == 4


def test_block_every_image_of_one_host(make_article):
    make_article(lead="https://bad.example/a.jpg", inline=("https://bad.example:8443/b.png", INLINE_URL))
    make_article(lead="https://BAD.example/c.jpg", inline=("https://notbad.example/bad.example/d.jpg",))
    moderator = get_user_model().objects.create_user("karim", is_staff=True)

    assert block_host("bad.example", moderator=moderator) == 3

    blocked = set(Image.objects.filter(state=Image.State.BLOCKED).values_list("url", flat=True))
    assert blocked == {"https://bad.example/a.jpg", "https://bad.example:8443/b.png", "https://BAD.example/c.jpg"}
    log = ModerationEvent.objects.filter(moderator_name="karim")
    assert log.filter(action=ModerationEvent.Action.BLOCK_HOST, host="bad.example").count() == 1
    assert log.filter(action=ModerationEvent.Action.BLOCK).count() == 3


def test_a_moderator_block_is_logged_once(article):
    image = lead_of(article)
    assert block_image(image, note="choquante") is True
    assert block_image(image) is False
    assert ModerationEvent.objects.filter(image=image, action=ModerationEvent.Action.BLOCK).count() == 1
