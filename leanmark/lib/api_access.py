"""Role checks for API operations: outsiders get 404, too-low roles get 403."""

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from leanmark.accounts.models import Membership, Role
from leanmark.accounts.queries import membership_or_404

T = TypeVar("T")
Loader = Callable[[Collection[int], int], T]  # (the caller's workspace ids, id) → object or 404


def _own_workspace(found: Any) -> int:
    return int(found.workspace_id)


def object_for(
    request: HttpRequest,
    loader: Loader[T],
    object_id: int,
    need: str = Role.VIEWER,
    *,
    workspace_of: Callable[[T], int] = _own_workspace,
) -> T:
    """The object ``loader`` finds by id among the caller's workspaces, once the caller's role
    there allows ``need``: another workspace's object is 404, like one that does not exist, and
    a role too low is 403. Every endpoint that takes an object's id reads it through here."""
    roles = roles_by_workspace(request)
    found = loader(roles.keys(), object_id)
    require_role(roles.get(workspace_of(found)), need)
    return found


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
