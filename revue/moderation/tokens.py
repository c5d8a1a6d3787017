"""Report tokens: a report is taken only from a page that showed the image.

Every « Signaler cette image » button carries a token (``name="jeton"``): the image's id signed
with the secret key, a salt of its own and the time it was made (Django's ``TimestampSigner``).
``/signaler/image/<id>/`` refuses a report whose token is missing, made for another image, forged,
or older than ``REVUE_REPORT_TOKEN_MAX_AGE`` seconds, so an image cannot be targeted by walking
the sequential ids: it has to be shown first. Only ``body.report_button_html`` hands tokens out,
and only for images that are shown (a blocked image has no button).
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.core import signing

TOKEN_FIELD = "jeton"
TOKEN_SALT = "revue.moderation.report-token"
MAX_TOKEN_CHARS = 200  # a real token is about 50 characters; longer input is not even read


class TokenCheck(enum.Enum):
    """What a report's token says."""

    VALID = "valid"
    MISSING = "missing"  # no token, or one that was not made here for this image
    EXPIRED = "expired"  # made here for this image, but too long ago: the page is stale


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def token_for(image_id: int) -> str:
    """A fresh token for image ``image_id`` (for a page that shows it)."""
    return _signer().sign(str(image_id))


def check_token(token: str, image_id: int) -> TokenCheck:
    """Whether ``token`` lets a reader report image ``image_id`` now."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return TokenCheck.MISSING
    try:
        value = _signer().unsign(token, max_age=max(1, settings.REVUE_REPORT_TOKEN_MAX_AGE))
    except signing.SignatureExpired:
        return TokenCheck.EXPIRED if token.split(":", 1)[0] == str(image_id) else TokenCheck.MISSING
    except signing.BadSignature:
        return TokenCheck.MISSING
    return TokenCheck.VALID if value == str(image_id) else TokenCheck.MISSING
