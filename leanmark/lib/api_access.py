"""Role checks for API operations: outsiders get 404, too-low roles get 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from leanmark.accounts.models import Membership, Role
from leanmark.accounts.queries import membership_or_404


def api_membership(request: HttpRequest, slug: str, need: str = Role.VIEWER) -> Membership:
    membership = membership_or_404(request.user, slug)  # type: ignore[arg-type]
    require(membership, need)
    return membership


def require(membership: Membership | None, need: str) -> None:
    if membership is not None and not membership.allows(need):
        raise PermissionDenied(f"your role ({membership.role}) cannot do this; it needs {need}")


def roles_by_workspace(request: HttpRequest) -> dict[int, str]:
    """workspace id → role, for the user behind the request (cached on the request)."""
    cached = getattr(request, "_roles", None)
    if cached is None:
        rows = Membership.objects.filter(user=request.user).order_by()  # no join for the ordering
        cached = dict(rows.values_list("workspace_id", "role"))
        request._roles = cached  # type: ignore[attr-defined]
    return cached


def require_role(role: str | None, need: str) -> None:
    """``role`` (None: not a member, 404) allows ``need``, or 403."""
    if role is None:
        raise Http404("not found")
    require(Membership(role=role), need)


def require_role_in(request: HttpRequest, workspace_id: int, need: str) -> None:
    require_role(roles_by_workspace(request).get(workspace_id), need)
