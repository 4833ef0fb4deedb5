"""Every write to workspaces, memberships, invitations and tokens goes through here."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from .models import ApiToken, AuditEntry, Invitation, Membership, Role, User, Workspace

TOKEN_PREFIX = "lm_"  # noqa: S105 (a public prefix, not a secret)
INVITATION_DAYS = 14


class AccountError(Exception):
    code = "account_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class LastOwner(AccountError):
    code = "last_owner"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def audit(workspace: Workspace, actor: User | None, action: str, detail: str) -> None:
    AuditEntry.objects.create(workspace=workspace, actor=actor, action=action, detail=detail[:300])


def audit_for_user(user: User, action: str, detail: str) -> None:
    """A security event of a person (sign-in, tokens): in the trail of each of their workspaces,
    where the owners look."""
    workspaces = Membership.objects.filter(user=user).values_list("workspace_id", flat=True)
    AuditEntry.objects.bulk_create(
        AuditEntry(workspace_id=ws, actor=user, action=action, detail=detail[:300])
        for ws in workspaces
    )


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_user(
    *, email: str, password: str | None, display_name: str = "", validate: bool = True
) -> User:
    email = User.objects.normalize_email(email).lower().strip()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"{email[:100]!r} is not an e-mail address", field="email") from None
    if User.objects.filter(username=email).exists():
        raise AccountError(f"a user with e-mail {email} already exists", field="email")
    user = User(username=email, email=email, display_name=display_name.strip()[:100])
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    user.save()
    return user


@transaction.atomic
def set_password(user: User, password: str, *, validate: bool = True) -> None:
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def create_workspace(*, name: str, owner: User, time_zone: str = "UTC") -> Workspace:
    name = name.strip()
    if not name:
        raise AccountError("the workspace needs a name", field="name")
    if len(name) > 100:
        raise AccountError("a workspace name has at most 100 characters", field="name")
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name), time_zone=time_zone)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit(workspace, owner, "workspace.created", f"{owner.label} created workspace {name}")
    return workspace


def next_card_number(workspace: Workspace) -> int:
    """The next card number of the workspace; call inside the transaction that creates the card."""
    Workspace.objects.filter(pk=workspace.pk).update(card_counter=F("card_counter") + 1)
    return Workspace.objects.values_list("card_counter", flat=True).get(pk=workspace.pk)


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def invite(*, workspace: Workspace, role: str, actor: User) -> NewInvitation:
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; choose owner, member or viewer", field="role")
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        workspace=workspace,
        role=role,
        token_hash=hash_secret(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit(workspace, actor, "invitation.created", f"{actor.label} created an invitation as {role}")
    return NewInvitation(invitation, token)


def find_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=hash_secret(token)).first()
    )
    if invitation is None or invitation.revoked_at or invitation.accepted_at:
        return None
    if invitation.expires_at <= timezone.now():
        return None
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise AccountError("this invitation has already been used or was revoked")
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    if created:
        audit(
            invitation.workspace, user, "member.joined", f"{user.label} joined as {invitation.role}"
        )
    return membership


@transaction.atomic
def revoke_invitation(invitation: Invitation, actor: User) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(invitation.workspace, actor, "invitation.revoked", f"{actor.label} revoked an invitation")


def _ensure_another_owner(membership: Membership) -> None:
    # Lock the owners' rows: two owners demoting each other at once must not both succeed.
    owners = Membership.objects.select_for_update(no_key=True).filter(
        workspace=membership.workspace, role=Role.OWNER
    )
    if not [m for m in owners if m.pk != membership.pk]:
        raise LastOwner("a workspace needs at least one owner; make someone else owner first")


@transaction.atomic
def change_role(membership: Membership, role: str, *, actor: User) -> Membership:
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; choose owner, member or viewer", field="role")
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        membership.workspace,
        actor,
        "member.role_changed",
        f"{actor.label} changed {membership.user.label} from {old} to {role}",
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, actor: User) -> None:
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    audit(
        membership.workspace,
        actor,
        "member.removed",
        f"{actor.label} removed {membership.user.label}",
    )
    membership.delete()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


@transaction.atomic
def create_token(user: User, name: str) -> NewToken:
    name = name.strip()
    if not name:
        raise AccountError("give the token a name, e.g. 'reporting script'", field="name")
    if len(name) > 100:
        raise AccountError("a token name has at most 100 characters", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_secret(secret)
    )
    audit_for_user(
        user, "token.created", f"{user.label} created API token {name!r} ({token.prefix}…)"
    )
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_for_user(
        token.user, "token.revoked", f"{token.user.label} revoked API token {token.name!r}"
    )


def user_for_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
