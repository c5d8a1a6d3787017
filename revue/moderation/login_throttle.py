"""The admin's door: failed logins counted per account and per address, then refused for a while.

The admin (and the moderators' desk inside it) is the only place anyone logs in. Its login form
is ``ThrottledLoginForm`` (set on Django's admin site by this app's config). Every failed
attempt counts once for the account named (its user name, folded) and once for the address it
came from (read as image reports read it: ``identity.client_address``, an IPv6 /64 as one
address). When either reaches ``REVUE_LOGIN_MAX_FAILURES`` failures within
``REVUE_LOGIN_FAILURE_WINDOW`` seconds, that account or that address is locked for
``REVUE_LOGIN_LOCKOUT_SECONDS``: every attempt is refused with a message saying so and how long
to wait, even with the right password, and the password is not even checked. A successful login
clears its account's count (not its address's).

Counts and locks live in Django's cache (``add`` then ``incr``, atomic on the in-memory cache and
on Redis), so every web server sharing a Redis cache shares them; keys are keyed hashes (HMAC
with the secret key), never a user name or an address. Nothing is stored in the database.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.timesince import timeuntil

from revue.moderation.identity import address_key, client_address

logger = logging.getLogger(__name__)

KEY_SALT = "revue.moderation.login"


@dataclass(frozen=True)
class Door:
    """The two things one login attempt is counted against (opaque cache keys)."""

    account: str
    address: str

    def keys(self) -> tuple[str, str]:
        return (self.account, self.address)


def door(request, username: str) -> Door:
    """The account and address keys of an attempt to log in as ``username`` from ``request``."""
    account = salted_hmac(KEY_SALT, "account:" + (username or "").strip().casefold()).hexdigest()[:32]
    address = salted_hmac(KEY_SALT, "address:" + address_key(client_address(request))).hexdigest()[:32]
    return Door(account=f"account:{account}", address=f"address:{address}")


def _lock_key(key: str) -> str:
    return f"login:lock:{key}"


def _failures_key(key: str) -> str:
    return f"login:failures:{key}"


def locked_for(attempt: Door, now: float | None = None) -> int:
    """Seconds until the account or the address of ``attempt`` may try again (0: not locked)."""
    now = time.time() if now is None else now
    ends = [cache.get(_lock_key(key)) for key in attempt.keys()]
    return max((int(end - now) + 1 for end in ends if end and end > now), default=0)


def record_failure(attempt: Door, now: float | None = None) -> int:
    """Count one failed attempt; lock what reached the limit. Returns the wait now due (0: none)."""
    now = time.time() if now is None else now
    window = max(1, settings.REVUE_LOGIN_FAILURE_WINDOW)
    lockout = max(1, settings.REVUE_LOGIN_LOCKOUT_SECONDS)
    for key in attempt.keys():
        counter = _failures_key(key)
        cache.add(counter, 0, window)
        try:
            failures = cache.incr(counter)
        except ValueError:  # expired between add() and incr(): this failure opens a new count
            cache.add(counter, 1, window)
            failures = 1
        if failures >= settings.REVUE_LOGIN_MAX_FAILURES:
            cache.set(_lock_key(key), now + lockout, lockout)
            cache.delete(counter)
            logger.warning("%s locked for %ss after %s failed logins", key.split(":")[0], lockout, failures,
                           extra={"stage": "login", "outcome": "locked"})
    return locked_for(attempt, now)


def record_success(attempt: Door) -> None:
    cache.delete(_failures_key(attempt.account))


def locked_message(wait_seconds: int) -> str:
    wait = timeuntil(timezone.now() + timedelta(minutes=max(1, math.ceil(wait_seconds / 60)), seconds=1))
    return (
        "Trop de tentatives de connexion manquées pour ce compte ou depuis cette adresse : "
        f"les connexions sont suspendues. Réessayez dans {wait}."
    )


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a locked account or address before checking anything."""

    error_messages = {**AdminAuthenticationForm.error_messages, "locked": "%(message)s"}

    def clean(self):
        attempt = door(self.request, self.cleaned_data.get("username", ""))
        wait = locked_for(attempt)
        if wait:
            raise self._locked(wait)
        try:
            cleaned = super().clean()
        except ValidationError:
            wait = record_failure(attempt)
            if wait:
                raise self._locked(wait) from None
            raise
        record_success(attempt)
        return cleaned

    def _locked(self, wait: int) -> ValidationError:
        return ValidationError(self.error_messages["locked"], code="locked", params={"message": locked_message(wait)})
