"""The address a request came from, also behind reverse proxies.

Behind N trusted proxies (``LEANMARK_PROXY_COUNT``), the client is the N-th address from the
right of ``X-Forwarded-For`` (each proxy appends the address it saw); any earlier entries were
sent by the client and are not trusted. With no proxy, it is ``REMOTE_ADDR``. Sign-in lockouts
and the audit trail use it, so one attacker cannot lock out everybody behind the proxy.

A proxy that is not counted makes every client look like the proxy; the first sign-in that shows
it (X-Forwarded-For while the count is 0, or fewer entries than the count) logs a warning, once
per server process.
"""

import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)
_warned: set[str] = set()


def client_ip(request: HttpRequest) -> str | None:
    """None when the request has no address (a request built in code, e.g. force_login)."""
    proxies = settings.LEANMARK_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = request.META.get("REMOTE_ADDR") or None
    if proxies > 0:
        chain = [a for a in (a.strip() for a in forwarded.split(",")) if a]
        if len(chain) >= proxies:
            return chain[-proxies]
        _warn_once(
            "short",
            "LEANMARK_PROXY_COUNT is %d but a request came with %d X-Forwarded-For entries; "
            "using the connection's address %s. Check that every proxy appends the header "
            "(docs/deploy.md) and that the count is right.",
            proxies,
            len(chain),
            address,
        )
    elif forwarded:
        _warn_once(
            "unset",
            "A request came through a proxy (it carries X-Forwarded-For) but LEANMARK_PROXY_COUNT "
            "is 0, so every client looks like %s: sign-in lockouts and the audit trail cannot "
            "tell people apart, and a stranger can keep anyone's sign-in locked. Set "
            "LEANMARK_PROXY_COUNT to the number of proxies in front of Leanmark (docs/deploy.md). "
            "No proxy? Then a client sent the header itself; this warning can be ignored.",
            address,
        )
    return address


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)
