"""Device cookies (OWASP): a browser someone signed in from keeps a lockout count of its own.

Wrong passwords are counted per e-mail and client address (settings.AXES_*). Where everyone has
one address (a proxy without LEANMARK_PROXY_COUNT, an office NAT), a stranger who types five
wrong passwords for the owner's e-mail would lock the owner out. So a successful sign-in gives the
browser a signed, HttpOnly cookie for that e-mail, and a sign-in that presents it is counted in a
bucket of its own, the e-mail and the cookie's random id at any address: the stranger's failures
do not lock the owner's browser, and the owner signing in does not reset the stranger's count.
A cookie for another e-mail counts for nothing; a stolen cookie buys at most AXES_FAILURE_LIMIT
tries per cool-off, like any other bucket.
"""

import secrets
from datetime import timedelta
from typing import Any

from axes.models import AccessBase
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import User

COOKIE = "leanmark_device"
MAX_AGE = timedelta(days=365)
DEVICE = " device:"  # cannot be typed into the username: lockout_username drops whitespace


def _signer(username: str) -> signing.TimestampSigner:
    # The e-mail is in the salt, not in the cookie: the cookie names its user without showing it.
    return signing.TimestampSigner(salt=f"leanmark.accounts.device:{username}")


def remember(response: HttpResponse, user: User) -> None:
    """Mark the browser as one `user` signed in from (after a successful sign-in)."""
    response.set_cookie(
        COOKIE,
        _signer(user.username).sign(secrets.token_urlsafe(16)),
        max_age=int(MAX_AGE.total_seconds()),
        path=reverse("login"),  # only the sign-in form needs it
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def device_of(request: HttpRequest, username: str | None) -> str | None:
    """The id of the request's device cookie if it was given for `username`, else None."""
    value = request.COOKIES.get(COOKIE)
    if not value or not username:
        return None
    try:
        return _signer(username).unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:  # forged, expired, or another person's
        return None


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail as stored, so Alice@x and alice@x share one count;
    followed by the device id when the request presents that e-mail's device cookie."""
    raw = credentials.get("username") if credentials else request.POST.get("username")
    if raw is None:
        return None
    username = "".join(str(raw).split()).lower()
    device = device_of(request, username)
    return f"{username}{DEVICE}{device}" if device else username


def lockout_parameters(
    request_or_attempt: HttpRequest | AccessBase, credentials: dict[str, Any] | None
) -> list[list[str]]:
    """AXES_LOCKOUT_PARAMETERS: e-mail and address; for a known device, e-mail and device only."""
    if isinstance(request_or_attempt, AccessBase):
        username = request_or_attempt.username
    else:
        username = lockout_username(request_or_attempt, credentials)
    if username and DEVICE in username:
        return [["username"]]
    return [["username", "ip_address"]]
