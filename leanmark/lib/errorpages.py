"""The product's own 403 pages: a role too low for a form (``handler403``) and a refused form
token (``CSRF_FAILURE_VIEW``). Pages in the app's layout say why and link back; an HTMX request
gets a one-line fragment (app.js shows its text); anything under /api/ keeps the JSON envelope."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from leanmark.accounts.models import Role
from leanmark.lib.access import RoleTooLow
from leanmark.lib.api_errors import PREFIX, envelope


def _back(request: HttpRequest, fallback: str) -> str:
    """The page the form was on (the Referer, if it is this site), else ``fallback``."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and safe else fallback


def _answer(
    request: HttpRequest, title: str, reason: str, back: str, **context: object
) -> HttpResponse:
    template = "403_fragment.html" if getattr(request, "htmx", False) else "403.html"
    page = {"title": title, "reason": reason, "back": _back(request, back), **context}
    return render(request, template, page, status=403)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: which role the request needs and which the person has, in the workspace."""
    if request.path.startswith(PREFIX):
        return envelope(403, "forbidden", str(exception or "") or "your role does not allow this")
    if not isinstance(exception, RoleTooLow):
        return _answer(request, "Not allowed", "You cannot do this here.", reverse("home"))
    membership = exception.membership
    # The page is drawn in the workspace's layout (its menu, the viewer notice).
    request.workspace = membership.workspace  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    needed, has = Role(exception.needed), Role(membership.role)
    action = "Changing things here" if needed == Role.MEMBER else "This"
    reason = (
        f"{action} needs the {needed.label.lower()} role; you are "
        f"{'an' if has == Role.OWNER else 'a'} {has.label.lower()} in {membership.workspace.name}."
    )
    home = reverse("workspace", kwargs={"ws": membership.workspace.slug})
    return _answer(request, "Your role does not allow this", reason, home, needed=needed, has=has)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form's token was missing or stale; nothing was saved."""
    if request.path.startswith(PREFIX):
        return envelope(403, "forbidden", "the request's CSRF token is missing or wrong")
    why = (
        "Nothing was saved: the form's security token was missing or out of date (the page was "
        "open from before you last logged in, or your browser blocks this site's cookies). "
        "Reload the page and send it again."
    )
    return _answer(request, "The form could not be sent", why, reverse("home"), csrf=True)
