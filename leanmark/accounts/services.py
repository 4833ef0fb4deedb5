"""Every write to workspaces, memberships, invitations and tokens goes through here."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from leanmark.lib.errors import InvalidInput

from .models import (
    ApiToken,
    AuditEntry,
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
    normalise_email,
)

TOKEN_PREFIX = "lm_"  # noqa: S105 (a public prefix, not a secret)
INVITATION_DAYS = 14


class AccountError(InvalidInput):
    """A refused account change (422): the API, the pages and the CLI report it like any other."""

    code = "account_error"


class LastOwner(AccountError):
    code = "last_owner"


class InvitationTaken(Exception):
    """Someone accepted the invitation while this request waited for it."""


INVITATION_TAKEN = "this invitation has just been accepted; sign in instead"


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


def _new_user(*, email: str, password: str | None, display_name: str, validate: bool) -> User:
    """A user ready to save: address checked, password validated and hashed. Hashing is slow
    (PBKDF2), so it happens here, before any transaction takes a lock."""
    email = normalise_email(User.objects.normalize_email(email))
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(f"{email[:100]!r} is not an e-mail address", field="email") from None
    user = User(username=email, email=email, display_name=display_name.strip()[:100])
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    return user


def _save_new_user(user: User) -> User:
    taken = AccountError(f"a user with e-mail {user.email} already exists", field="email")
    if User.objects.filter(username=user.username).exists():
        raise taken
    try:
        with transaction.atomic():  # two sign-ups at once: the unique index refuses the second
            user.save()
    except IntegrityError:
        raise taken from None
    return user


@transaction.atomic
def create_user(
    *, email: str, password: str | None, display_name: str = "", validate: bool = True
) -> User:
    """A new account; the address is stored lower-case, so Alice@x and alice@x are one person."""
    new = _new_user(email=email, password=password, display_name=display_name, validate=validate)
    return _save_new_user(new)


def sign_up_owner(
    *, email: str, password: str, display_name: str, workspace_name: str
) -> Membership:
    """The first owner (or anyone, with open sign-up): the user and their workspace, or neither."""
    _check_workspace_name(workspace_name)
    new = _new_user(email=email, password=password, display_name=display_name, validate=True)
    with transaction.atomic():
        return _create_workspace(workspace_name, _save_new_user(new))


@transaction.atomic
def set_password(user: User, password: str, *, validate: bool = True) -> None:
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def _check_workspace_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise AccountError("the workspace needs a name", field="name")
    if len(name) > 100:
        raise AccountError("a workspace name has at most 100 characters", field="name")
    return name


@transaction.atomic
def create_workspace(*, name: str, owner: User, time_zone: str = "UTC") -> Workspace:
    return _create_workspace(name, owner, time_zone).workspace


def _create_workspace(name: str, owner: User, time_zone: str = "UTC") -> Membership:
    name = _check_workspace_name(name)
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name), time_zone=time_zone)
    membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit(workspace, owner, "workspace.created", f"{owner.label} created workspace {name}")
    return membership


def next_card_number(workspace: Workspace) -> int:
    """The next card number of the workspace; call inside the transaction that creates the card."""
    table = connection.ops.quote_name(Workspace._meta.db_table)
    with connection.cursor() as cursor:  # one round trip: the ORM's update returns no values
        cursor.execute(
            f"UPDATE {table} SET card_counter = card_counter + 1 WHERE id = %s "  # noqa: S608 (fixed names)
            "RETURNING card_counter",
            [workspace.pk],
        )
        return int(cursor.fetchone()[0])


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
    """The invitation of a link while it can be accepted: not used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=hash_secret(token)).first()
    )
    if invitation is None or _closed(invitation):
        return None
    return invitation


def _closed(invitation: Invitation) -> str:
    """Why the invitation cannot be accepted, or "" when it can."""
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    return "expired" if invitation.expires_at <= timezone.now() else ""


def accepted_by_this_person(token: str, *, email: str, user: User) -> Invitation | None:
    """The link's invitation if this person accepted it (the signed-in user, or the address typed
    into the form): a double submit, or the loser of a race with themselves."""
    invitation = (
        Invitation.objects.select_related("workspace", "accepted_by")
        .filter(token_hash=hash_secret(token), accepted_at__isnull=False, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.accepted_by is None:
        return None
    person = user.username if user.is_authenticated else normalise_email(email)
    return invitation if invitation.accepted_by.username == person else None


def _lock_open_invitation(invitation: Invitation) -> Invitation:
    """The invitation's row, locked until the transaction ends: of two people accepting it at
    once, the second waits here and then finds it taken (SQLite: BEGIN IMMEDIATE serialises)."""
    invitation = (
        Invitation.objects.select_for_update(no_key=True)
        .select_related("workspace")
        .get(pk=invitation.pk)
    )
    reason = _closed(invitation)
    if reason == "accepted":
        raise InvitationTaken(INVITATION_TAKEN)
    if reason:
        raise AccountError(f"this invitation was {reason}; ask the workspace owner for a new one")
    return invitation


def _join(invitation: Invitation, user: User) -> Membership:
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
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """An existing user joins; raises InvitationTaken when someone was quicker."""
    return _join(_lock_open_invitation(invitation), user)


def sign_up_by_invitation(
    invitation: Invitation, *, email: str, password: str, display_name: str = ""
) -> Membership:
    """A new account and its membership, in one transaction: both or nothing. The invitation is
    locked before the account is written, so the loser of a race writes nothing."""
    new = _new_user(email=email, password=password, display_name=display_name, validate=True)
    with transaction.atomic():
        invitation = _lock_open_invitation(invitation)
        return _join(invitation, _save_new_user(new))


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
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .order_by()[:1]  # one row by a unique key: no ORDER BY
    )
    token = next(iter(found), None)
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
