from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.lib.access import workspace_view
from leanmark.lib.paging import paged

from . import devices, queries, services
from .models import ApiToken, AuditEntry, Invitation, Membership, Role, User, normalise_email

T = TypeVar("T")


def _signup_fields(request: HttpRequest) -> dict[str, str]:
    data = request.POST
    return {
        "email": data.get("email", ""),
        "password": data.get("password", ""),
        "display_name": data.get("name", ""),
    }


def _sign_up(
    action: Callable[..., T], request: HttpRequest, **kwargs: Any
) -> tuple[T | None, list[str]]:
    """Run a sign-up service with the form's fields: its result, or the reasons it refused."""
    if request.POST.get("password", "") != request.POST.get("password2", ""):
        return None, ["The two passwords differ."]
    try:
        return action(**_signup_fields(request), **kwargs), []
    except ValidationError as error:
        return None, list(error.messages)
    except services.AccountError as error:
        return None, [error.message]


def _signed_in(request: HttpRequest, user: User, response: HttpResponse) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    devices.remember(response, user)
    return response


class SignInView(auth_views.LoginView):
    """Django's sign-in; a successful one also marks the browser as a known device."""

    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        devices.remember(response, form.get_user())
        return response


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Sign-up of the first owner (or of anyone, when LEANMARK_OPEN_SIGNUP is on)."""
    if User.objects.exists() and not settings.LEANMARK_OPEN_SIGNUP:
        raise Http404("sign-up is by invitation")
    errors: list[str] = []
    if request.method == "POST":
        workspace_name = request.POST.get("workspace", "").strip()
        if not workspace_name:
            errors = ["Name your team's workspace."]
        else:
            owner, errors = _sign_up(services.sign_up_owner, request, workspace_name=workspace_name)
            if owner:
                response = redirect("workspace", ws=owner.workspace.slug)
                return _signed_in(request, owner.user, response)
    return render(
        request,
        "accounts/setup.html",
        {"errors": errors, "posted": request.POST},
        status=422 if errors else 200,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not User.objects.exists():
        return redirect("setup")
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = queries.workspaces_of(request.user)
    if len(memberships) == 1:
        return redirect("workspace", ws=memberships[0].workspace.slug)
    return redirect("workspaces")


@login_required
@require_http_methods(["GET", "POST"])
def workspaces(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            workspace = services.create_workspace(
                name=request.POST.get("name", ""), owner=request.user
            )
        except services.AccountError as exc:
            error = exc.message
        else:
            messages.success(request, f"Workspace {workspace.name} created; you are its owner.")
            return redirect("workspace", ws=workspace.slug)
    return render(
        request,
        "accounts/workspaces.html",
        {"memberships": queries.workspaces_of(request.user), "error": error},
        status=422 if error else 200,
    )


@require_GET
@workspace_view()
def members(request: HttpRequest) -> HttpResponse:
    invitations = []
    if request.membership.allows(Role.OWNER):
        invitations = list(
            Invitation.objects.filter(
                workspace=request.workspace, accepted_at__isnull=True, revoked_at__isnull=True
            )
        )
    return render(
        request,
        "accounts/members.html",
        {
            "members": queries.members_of(request.workspace),
            "invitations": invitations,
            "roles": Role.choices,
            "is_owner": request.membership.allows(Role.OWNER),
            "new_link": request.session.pop("new_invitation_link", None),
        },
    )


@require_POST
@workspace_view(write=Role.OWNER)
def invitation_create(request: HttpRequest) -> HttpResponse:
    try:
        new = services.invite(
            workspace=request.workspace, role=request.POST.get("role", ""), actor=request.user
        )
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        request.session["new_invitation_link"] = f"{settings.LEANMARK_BASE_URL}/invite/{new.token}/"
    return redirect("members", ws=request.workspace.slug)


@require_POST
@workspace_view(write=Role.OWNER)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = Invitation.objects.filter(workspace=request.workspace, pk=invitation_id).first()
    if invitation is None:
        raise Http404("no such invitation")
    services.revoke_invitation(invitation, request.user)
    messages.success(request, "Invitation revoked; its link no longer works.")
    return redirect("members", ws=request.workspace.slug)


@require_POST
@workspace_view(write=Role.OWNER)
def member_update(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = (
        Membership.objects.filter(workspace=request.workspace, pk=membership_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("no such member")
    try:
        if request.POST.get("remove"):
            services.remove_member(membership, actor=request.user)
            messages.success(request, f"{membership.user.label} removed.")
        else:
            services.change_role(membership, request.POST.get("role", ""), actor=request.user)
            messages.success(request, f"{membership.user.label} is now {membership.role}.")
    except services.AccountError as error:
        messages.error(request, error.message)
    return redirect("members", ws=request.workspace.slug)


@require_GET
@workspace_view(read=Role.OWNER)
def audit(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.filter(workspace=request.workspace).select_related("actor")
    return render(request, "accounts/audit.html", {"paging": paged(request, entries)})


def _invitation_taken(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return render(request, "accounts/invitation_taken.html", {"invitation": invitation}, status=409)


def _join(request: HttpRequest, invitation: Invitation) -> tuple[Membership | None, list[str]]:
    if request.user.is_authenticated:
        try:
            return services.accept_invitation(invitation, request.user), []
        except services.AccountError as error:
            return None, [error.message]
    return _sign_up(services.sign_up_by_invitation, request, invitation=invitation)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None and request.method == "POST":
        # A double submit, or the loser of a race with oneself: told to sign in. Anybody else
        # finds that the link does not work, as for a revoked or expired one.
        email = request.POST.get("email", "")
        taken = services.accepted_by_this_person(token, email=email, user=request.user)
        if taken is not None:
            return _invitation_taken(request, taken)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    errors: list[str] = []
    if request.method == "POST":
        try:
            membership, errors = _join(request, invitation)
        except services.InvitationTaken:  # someone accepted it while this request waited
            return _invitation_taken(request, invitation)
        if membership is not None:
            messages.success(request, f"Welcome to {invitation.workspace.name}.")
            response = redirect("workspace", ws=invitation.workspace.slug)
            if request.user.is_authenticated:
                return response
            return _signed_in(request, membership.user, response)
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "errors": errors, "posted": request.POST},
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    secret, error = None, ""
    if request.method == "POST":
        try:
            secret = services.create_token(request.user, request.POST.get("name", "")).secret
        except services.AccountError as exc:
            error = exc.message
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "secret": secret,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404("no such token")
    services.revoke_token(token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("tokens")


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer to a sign-in while locked out: 429, and what to do about it."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "username": username,
        "known_device": devices.device_of(request, normalise_email(username)) is not None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
