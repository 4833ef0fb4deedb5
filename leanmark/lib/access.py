"""Role checks for views: every workspace page goes through ``workspace_view``.

- anonymous users are sent to the login page;
- anyone who is not a member of the workspace gets 404 (the workspace's existence is not leaked);
- safe methods need the ``read`` role (viewer by default), others the ``write`` role (member by
  default); a member below it gets 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from leanmark.accounts.models import Membership, Role
from leanmark.accounts.queries import membership_or_404
from leanmark.lib import formats

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class RoleTooLow(PermissionDenied):
    """A member of the workspace whose role is below the one the request needs: the 403 page
    (lib/errorpages.py) names both and the workspace."""

    def __init__(self, membership: Membership, needed: str) -> None:
        super().__init__(f"your role ({membership.role}) cannot do this; it needs {needed}")
        self.membership = membership
        self.needed = needed


def workspace_view(*, read: str = Role.VIEWER, write: str = Role.MEMBER) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, ws: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_or_404(request.user, ws)  # type: ignore[arg-type]
            needed = read if request.method in SAFE_METHODS else write
            if not membership.allows(needed):
                raise RoleTooLow(membership, needed)
            request.membership = membership  # type: ignore[attr-defined]
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            with formats.currency_of(membership.workspace):  # the page's money is in its currency
                return view(request, *args, **kwargs)

        return wrapper

    return decorator
