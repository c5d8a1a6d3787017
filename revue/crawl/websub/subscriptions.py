"""WebSub subscriptions in the database: which requests to send to hubs, the hub's verification
of our intent, and the target of a push.

``claim_requests`` finds what each hub must be asked, and claims each request with a
conditional ``UPDATE`` (on ``requested_at``) so that of many workers only one sends it:

* a subscription for every active feed that advertises a hub and has no live one (only when
  ``REVUE_WEBSUB_BASE_URL`` names the portal's public address, for the callback);
* a renewal for a subscription whose lease ends within ``REVUE_WEBSUB_RENEW_BEFORE`` (or half
  the lease the hub granted, if that is shorter);
* an unsubscription for a subscription whose feed was deleted, parked or disabled (or its
  outlet), or which now advertises another hub or topic;
* the same request again for one the hub has not verified after ``REVUE_WEBSUB_RETRY_SECONDS``
  (an unsubscription given up after ``UNSUBSCRIBE_ATTEMPTS``: the hub's lease ends anyway).

``verify_intent`` answers the hub's GET: only a request we made (the callback's token, the
mode we asked, the same topic) is confirmed. A confirmed subscription sets the feed's polling
floor (``Feed.push_poll_seconds``, ``REVUE_WEBSUB_POLL_INTERVAL``): polling goes on as a slow
safety net; a lease that lapses unrenewed puts the floor back to 0.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from revue.sources.models import Feed, Subscription

UNSUBSCRIBE_ATTEMPTS = 3  # unsubscription requests left unverified before the row is dropped
SIGNATURE_METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
                     "sha512": hashlib.sha512}
LIVE = (Subscription.State.SUBSCRIBING, Subscription.State.SUBSCRIBED)


@dataclass(frozen=True)
class HubRequest:
    """One request to send to a hub (``form``: the ``hub.*`` fields)."""

    subscription_id: int
    hub: str
    form: dict


def claim_requests(now: datetime | None = None) -> list[HubRequest]:
    """Every request due now, each claimed for this caller alone; see the module docstring."""
    now = now or timezone.now()
    requests = _unsubscriptions(now) + _new_subscriptions(now) + _retries_and_renewals(now)
    return [request for request in requests if request is not None]


def _new_subscriptions(now: datetime) -> list[HubRequest | None]:
    base = settings.REVUE_WEBSUB_BASE_URL
    if not base:
        return []
    feeds = (Feed.objects.active().exclude(hub_url="").exclude(subscriptions__state__in=LIVE)
             .values_list("id", "hub_url", "topic_url", "url"))
    made = []
    for feed_id, hub, topic, url in feeds:
        token = secrets.token_urlsafe(24)
        try:
            with transaction.atomic():  # another worker may create the same one: the constraint says who
                subscription = Subscription.objects.create(
                    feed_id=feed_id, hub=hub, topic=topic or url, callback=f"{base}/websub/{token}/", token=token,
                    secret=secrets.token_hex(32), requested_at=now, attempts=1)
        except IntegrityError:
            continue
        made.append(_request(subscription, "subscribe"))
    return made


def _unsubscriptions(now: datetime) -> list[HubRequest | None]:
    """Live subscriptions whose feed is gone, parked, disabled, or moved to another hub or topic."""
    unwanted = Subscription.objects.filter(state__in=LIVE).filter(
        Q(feed__isnull=True) | ~Q(feed__state=Feed.State.ACTIVE) | Q(feed__source__is_active=False)
        | ~Q(feed__hub_url=F("hub")) | ~(Q(feed__topic_url=F("topic")) | Q(feed__topic_url="", feed__url=F("topic"))))
    claimed = []
    for subscription in unwanted:
        if _claim(subscription, now, state=Subscription.State.UNSUBSCRIBING, attempts=1):
            if subscription.feed_id:
                Feed.objects.filter(id=subscription.feed_id).update(push_poll_seconds=0)
            claimed.append(_request(subscription, "unsubscribe"))
    return claimed


def _retries_and_renewals(now: datetime) -> list[HubRequest | None]:
    unanswered = Q(requested_at__lt=now - timedelta(seconds=settings.REVUE_WEBSUB_RETRY_SECONDS))
    lapsed = Q(state=Subscription.State.SUBSCRIBED, expires_at__lt=now)
    renew = Q(state=Subscription.State.SUBSCRIBED,
              expires_at__lt=now + timedelta(seconds=settings.REVUE_WEBSUB_RENEW_BEFORE)) & (
        Q(requested_at__isnull=True) | Q(requested_at__lt=F("verified_at")) | unanswered)
    retry = Q(state__in=(Subscription.State.SUBSCRIBING, Subscription.State.UNSUBSCRIBING)) & unanswered
    claimed = []
    for subscription in Subscription.objects.filter(lapsed | renew | retry):
        if not _due(subscription, now):
            continue
        if subscription.state == Subscription.State.UNSUBSCRIBING and subscription.attempts >= UNSUBSCRIBE_ATTEMPTS:
            Subscription.objects.filter(id=subscription.id, requested_at=subscription.requested_at).delete()
            continue
        if subscription.expires_at and subscription.expires_at < now and subscription.state == Subscription.State.SUBSCRIBED:
            subscription.state = Subscription.State.SUBSCRIBING  # lapsed: polled as any feed until verified again
            Feed.objects.filter(id=subscription.feed_id).update(push_poll_seconds=0)
        if _claim(subscription, now, state=subscription.state, attempts=F("attempts") + 1):
            mode = "unsubscribe" if subscription.state == Subscription.State.UNSUBSCRIBING else "subscribe"
            claimed.append(_request(subscription, mode))
    return claimed


def _due(subscription: Subscription, now: datetime) -> bool:
    """A lease is renewed once ``REVUE_WEBSUB_RENEW_BEFORE`` or half of it is left, whichever
    is shorter (a hub may grant a short one); other requests the query found are due."""
    if subscription.state != Subscription.State.SUBSCRIBED or subscription.expires_at is None:
        return True
    granted = subscription.expires_at - (subscription.verified_at or subscription.expires_at)
    return subscription.expires_at - now < min(timedelta(seconds=settings.REVUE_WEBSUB_RENEW_BEFORE), granted / 2)


def _claim(subscription: Subscription, now: datetime, **fields) -> bool:
    """Take the request on ``subscription`` unless another worker took it since it was read."""
    claim = Subscription.objects.filter(id=subscription.id, requested_at=subscription.requested_at)
    return bool(claim.update(requested_at=now, **fields))


def _request(subscription: Subscription, mode: str) -> HubRequest:
    form = {"hub.mode": mode, "hub.topic": subscription.topic, "hub.callback": subscription.callback}
    if mode == "subscribe":
        form.update({"hub.lease_seconds": str(settings.REVUE_WEBSUB_LEASE_SECONDS), "hub.secret": subscription.secret})
    return HubRequest(subscription_id=subscription.id, hub=subscription.hub, form=form)


def record_sent(subscription_id: int, error: str) -> None:
    """What the hub answered a request (``error``: "" for a 2xx)."""
    Subscription.objects.filter(id=subscription_id).update(last_error=error[:2000])


def verify_intent(token: str, mode: str, topic: str, lease_seconds: str, reason: str = "") -> bool:
    """The hub asks whether we asked for ``mode`` on ``topic``: True (and the subscription
    updated) only for a request we made; ``denied``: the hub refused, noted, retried later."""
    subscription = Subscription.objects.filter(token=token).first()
    if subscription is None or not hmac.compare_digest(subscription.topic.encode(), topic.encode()):
        return False
    now = timezone.now()
    if mode == "subscribe" and subscription.state in LIVE and subscription.feed_id is not None:
        lease = _lease(lease_seconds)
        with transaction.atomic():
            Subscription.objects.filter(id=subscription.id).update(
                state=Subscription.State.SUBSCRIBED, expires_at=now + timedelta(seconds=lease), verified_at=now,
                attempts=0, last_error="")
            Feed.objects.filter(id=subscription.feed_id).update(push_poll_seconds=settings.REVUE_WEBSUB_POLL_INTERVAL)
        return True
    if mode == "unsubscribe" and subscription.state == Subscription.State.UNSUBSCRIBING:
        subscription.delete()
        return True
    if mode == "denied" and subscription.state in LIVE:
        Subscription.objects.filter(id=subscription.id).update(last_error=f"refused by the hub: {reason}"[:2000])
        return True
    return False


def _lease(value: str) -> int:
    """The lease the hub granted (seconds), else the one we asked for."""
    try:
        lease = int(value)
    except ValueError:
        return settings.REVUE_WEBSUB_LEASE_SECONDS
    return lease if lease > 0 else settings.REVUE_WEBSUB_LEASE_SECONDS


def push_target(token: str) -> Subscription | None:
    """The live subscription a push to ``/websub/<token>/`` is for (with its feed), or None."""
    return (Subscription.objects.filter(token=token, state__in=LIVE, feed__isnull=False,
                                        feed__state=Feed.State.ACTIVE).select_related("feed").first())


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Whether ``X-Hub-Signature`` (``method=hexdigest``, method sha1, sha256, sha384 or sha512)
    is the HMAC of ``body`` with ``secret``."""
    method, _, digest = header.strip().partition("=")
    algorithm = SIGNATURE_METHODS.get(method.strip().lower())
    if algorithm is None or not digest:
        return False
    expected = hmac.new(secret.encode(), body, algorithm).hexdigest()
    return hmac.compare_digest(expected, digest.strip().lower())


def pushed(subscription_id: int) -> None:
    """Count a push that was stored."""
    Subscription.objects.filter(id=subscription_id).update(pushes=F("pushes") + 1, last_push_at=timezone.now())
