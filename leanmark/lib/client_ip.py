"""The address a request came from, also behind reverse proxies.

Behind N trusted proxies (``LEANMARK_PROXY_COUNT``), the client is the N-th address from the
right of ``X-Forwarded-For`` (each proxy appends the address it saw); any earlier entries were
sent by the client and are not trusted. With no proxy, it is ``REMOTE_ADDR``. Sign-in lockouts
and the audit trail use it, so one attacker cannot lock out everybody behind the proxy.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """None when the request has no address (a request built in code, e.g. force_login)."""
    proxies = settings.LEANMARK_PROXY_COUNT
    if proxies > 0:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR") or None
