"""Reads about people and workspaces; the one place that answers 'may this user see that?'."""

from django.http import Http404

from .models import Membership, User, Workspace


def membership_or_404(user: User, workspace_slug: str) -> Membership:
    """The user's membership of the workspace; 404 for anyone outside it (never 403: no leak)."""
    if not user.is_authenticated:
        raise Http404("no such workspace")
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(user=user, workspace__slug=workspace_slug)
        .first()
    )
    if membership is None:
        raise Http404("no such workspace")
    return membership


def workspaces_of(user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def members_of(workspace: Workspace) -> list[Membership]:
    return list(
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    )
