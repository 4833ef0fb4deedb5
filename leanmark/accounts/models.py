from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower


def normalise_email(address: str) -> str:
    """The one spelling of an address that is stored and looked up: e-mail ignores case."""
    return address.strip().lower()


class UserManager(DjangoUserManager):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """Used by ``create_user`` and ``createsuperuser``: the whole address, lower-case."""
        return normalise_email(super().normalize_email(email))

    def get_by_natural_key(self, username: str) -> "User":
        """Sign-in (ModelBackend) finds people here: ``Alice@Example.com`` is alice@example.com."""
        return self.get(username=normalise_email(username))


class User(AbstractUser):
    """People log in with their e-mail address, which is also their username."""

    display_name = models.CharField(max_length=100, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        # Addresses are stored lower-case (normalise_email); these make a second account that
        # differs only in case impossible however it is written.
        constraints = [
            models.UniqueConstraint(Lower("username"), name="one_user_per_username_in_any_case"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="one_user_per_email_in_any_case"
            ),
        ]

    @classmethod
    def normalize_username(cls, username: str) -> str:
        """Also used by ``createsuperuser`` and model forms: usernames are e-mail addresses."""
        return normalise_email(super().normalize_username(username))

    @property
    def label(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.OWNER: 2}


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Card numbers (#123) are unique in a workspace, across its boards: links and mentions use them.
    card_counter = models.PositiveIntegerField(default=0)
    # Whether an active webhook listens (kept by leanmark.integrations.services in the same
    # transaction as the webhook's change): lib.notify skips the webhook subscriber, and its
    # lookup, for a card event of a workspace without one.
    has_webhooks = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_workspace(self, workspace: Workspace) -> "MembershipQuerySet":
        return self.filter(workspace=workspace)


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace_id", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation to {self.workspace_id} as {self.role}"


class ApiToken(models.Model):
    """A personal token; only its SHA-256 is kept, so it is shown once when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.name} ({self.prefix}…)"


class AuditEntry(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=50)
    detail = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.detail
