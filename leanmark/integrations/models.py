from django.conf import settings
from django.db import models

from leanmark.lib.models import WorkspaceOwned


class Webhook(WorkspaceOwned):
    """An owner's subscription: POST each matching event to ``url``, signed with ``secret``."""

    url = models.URLField(max_length=500)
    # event names or groups: "card.moved", "card.*", or "*" for everything
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} → {self.url}"

    def wants(self, event: str) -> bool:
        return any(
            pattern == "*"
            or pattern == event
            or (pattern.endswith(".*") and event.startswith(pattern[:-1]))
            for pattern in self.events
        )


class Delivery(models.Model):
    """One event for one webhook, and what happened when it was sent (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_hook_idx")]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id}: {self.status}"
