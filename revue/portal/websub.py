"""The WebSub callback, ``/websub/<token>/``: a hub's verification of intent (GET) and its
pushes (POST) for the subscription named by the token (``revue.crawl.websub``).

* GET ``hub.mode``, ``hub.topic``, ``hub.challenge`` (``hub.lease_seconds``): the challenge is
  echoed only for a request we made, on the topic we asked; else 404.
* POST: the body (at most ``REVUE_WEBSUB_MAX_BYTES``, else 413) must carry a valid
  ``X-Hub-Signature`` made with the subscription's secret (else 403, and nothing is read
  further); it is then taken in as a polled fetch is (parse, entries, store, settle) before
  the answer (204). An unknown or ended subscription answers 410 Gone (the hub may drop it).

No CSRF token (a hub has none: the signature is the proof), no cache, no cookie. The crawl's
stages are loaded by a server process's first push (its libraries and the language model: a
few seconds once), not with the portal's pages.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from revue.crawl.websub.subscriptions import pushed, push_target, signature_valid, verify_intent

logger = logging.getLogger(__name__)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return _verify(request, token)
    return _push(request, token)


def _verify(request: HttpRequest, token: str) -> HttpResponse:
    mode, topic = request.GET.get("hub.mode", ""), request.GET.get("hub.topic", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode not in ("subscribe", "unsubscribe", "denied") or not topic or (mode != "denied" and not challenge):
        return _text("hub.mode, hub.topic and hub.challenge are required", 400)
    if not verify_intent(token, mode, topic, request.GET.get("hub.lease_seconds", ""), request.GET.get("hub.reason", "")):
        logger.warning("verification refused: no such request", extra={"stage": "websub", "url": topic,
                                                                        "outcome": "refused", "mode": mode})
        return _text("no such subscription request", 404)
    return _text(challenge if mode != "denied" else "ok", 200)


def _push(request: HttpRequest, token: str) -> HttpResponse:
    limit = settings.REVUE_WEBSUB_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _text("bad Content-Length", 400)
    if declared > limit:
        return _text(f"push larger than {limit} bytes (REVUE_WEBSUB_MAX_BYTES)", 413)
    subscription = push_target(token)
    if subscription is None:
        return _text("no such subscription", 410)
    body = request.read(limit + 1)
    if len(body) > limit:
        return _text(f"push larger than {limit} bytes (REVUE_WEBSUB_MAX_BYTES)", 413)
    if not signature_valid(subscription.secret, body, request.headers.get("X-Hub-Signature", "")):
        logger.warning("push refused: bad or missing X-Hub-Signature",
                       extra={"stage": "websub", "feed_id": subscription.feed_id, "outcome": "refused"})
        return _text("bad or missing X-Hub-Signature", 403)
    from revue.crawl.websub.push import ingest_push  # the crawl's stages: loaded by the first push, not by every page

    outcome = ingest_push(subscription.feed_id, body, request.META.get("CONTENT_TYPE", ""))
    if outcome.error:
        return _text(f"push not taken in: {outcome.error}", 400)
    pushed(subscription.id)
    logger.info("push taken in", extra={"stage": "websub", "feed_id": subscription.feed_id, "outcome": "ok",
                                        "new": outcome.new_articles})
    return HttpResponse(status=204)


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
