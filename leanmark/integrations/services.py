"""Webhooks: owners register URLs; every matching domain event becomes a signed delivery.

A delivery row and its job are written inside the transaction of the change that caused them
(``notify`` subscribers run there), so a rolled-back change sends nothing, and the worker
(``leanmark worker``) sends only what was committed. A user's request never waits for a
webhook. Failed sends are retried with exponential backoff.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django_tasks import task

from leanmark.accounts.models import User, Workspace
from leanmark.accounts.services import audit

from .models import Delivery, Webhook

EVENT_GROUPS = [
    ("*", "Everything"),
    ("card.*", "Cards: created, moved, blocked, unblocked, edited, assigned, archived, restored"),
    ("idea.*", "Ideas: captured, accepted, started"),
    ("experiment.*", "Experiments: decided"),
    ("improvement.*", "Improvements: standardised and other phase changes"),
    ("impediment.*", "Impediments: raised, resolved"),
    ("standup.*", "Stand-up check-ins"),
    ("valuestream.*", "Value stream maps"),
]
KNOWN_PATTERNS = {pattern for pattern, _ in EVENT_GROUPS}
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)  # then 1, 2, 4 and 8 minutes
SIGNATURE_HEADER = "X-Leanmark-Signature"
# The same on every attempt of one delivery: a receiver that keeps the keys it has seen can
# ignore a repeat (a worker killed after sending, before recording it, sends again).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class WebhookError(Exception):
    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _own_addresses() -> set[tuple[str, int]]:
    """Where this app answers, as (host, port), from its public URL."""
    base = urlsplit(settings.LEANMARK_BASE_URL)
    default = 443 if base.scheme == "https" else 80
    return {((base.hostname or "").lower(), base.port or default)}


def clean_url(raw: object, *, app_host: str = "") -> str:
    """An http(s) URL that is not this app itself (a webhook calling us back would loop)."""
    url = str(raw or "").strip()
    if not url:
        raise WebhookError("give the URL to send events to")
    if len(url) > 500:
        raise WebhookError("the URL has more than 500 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise WebhookError(
            f"the URL must start with http:// or https://, not {parts.scheme or url[:10]!r}"
        )
    if not parts.hostname:
        raise WebhookError("the URL has no host name")
    if parts.username or parts.password:
        raise WebhookError(
            "put no user name or password in the URL; the secret signs each delivery"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookError("the URL's port is not a number between 1 and 65535") from None
    host = parts.hostname.lower()
    own = _own_addresses()
    if app_host:
        name, _, app_port = app_host.rpartition(":") if ":" in app_host else (app_host, "", "")
        own.add((name.lower().strip("[]"), int(app_port) if app_port.isdigit() else port))
    loopback = {"localhost", "127.0.0.1", "::1"}
    for own_host, own_port in own:
        same_host = host == own_host or (host in loopback and own_host in loopback)
        if same_host and port == own_port:
            raise WebhookError("the URL points at Leanmark itself; events would loop back")
    try:
        if ipaddress.ip_address(host).is_unspecified:
            raise WebhookError("0.0.0.0 is not an address a webhook can be sent to")
    except ValueError:
        pass  # a host name
    return url


def clean_events(raw: object) -> list[str]:
    events = sorted({str(e).strip() for e in (raw or []) if str(e).strip()})
    if not events:
        raise WebhookError("choose at least one kind of event", field="events")
    unknown = [e for e in events if e not in KNOWN_PATTERNS]
    if unknown:
        raise WebhookError(f"unknown event group: {', '.join(unknown)}", field="events")
    return ["*"] if "*" in events else events


def _listening(workspace_id: int) -> None:
    """Keep ``Workspace.has_webhooks`` true exactly while an active webhook exists (called in the
    transaction of every change to the workspace's webhooks): a card event's publisher reads the
    flag with the card, and ``notify`` skips on_event (and its lookup) when it is false."""
    active = Webhook.objects.filter(workspace_id=workspace_id, active=True)
    Workspace.objects.filter(pk=workspace_id).update(has_webhooks=Exists(active))


@transaction.atomic
def create_webhook(
    workspace: Workspace, *, url: object, events: object, actor: User, app_host: str = ""
) -> Webhook:
    hook = Webhook.objects.create(
        workspace=workspace,
        url=clean_url(url, app_host=app_host),
        events=clean_events(events),
        secret=secrets.token_hex(32),
        created_by=actor,
    )
    _listening(workspace.pk)
    audit(workspace, actor, "webhook.created", f"{hook.url} for {', '.join(hook.events)}")
    return hook


@transaction.atomic
def delete_webhook(hook: Webhook, *, actor: User) -> None:
    audit(hook.workspace, actor, "webhook.deleted", hook.url)
    hook.delete()
    _listening(hook.workspace_id)


@transaction.atomic
def set_active(hook: Webhook, active: bool, *, actor: User) -> Webhook:
    hook.active = active
    hook.save(update_fields=["active"])
    _listening(hook.workspace_id)
    audit(hook.workspace, actor, "webhook.enabled" if active else "webhook.paused", hook.url)
    return hook


def queue(hook: Webhook, event: str, payload: dict[str, object]) -> Delivery:
    """A delivery and its job, in the caller's transaction."""
    delivery = Delivery.objects.create(webhook=hook, event=event, payload=payload)
    send_delivery.enqueue(delivery.pk)
    return delivery


@transaction.atomic
def send_test(hook: Webhook, *, actor: User) -> Delivery:
    return queue(hook, "webhook.test", {"message": "a test from Leanmark", "by": actor.email})


def on_event(workspace_id: int, event: str, payload: dict[str, object]) -> None:
    """The ``notify`` subscriber: one delivery per active webhook that wants the event.
    Subscribed with ``only_if="has_webhooks"``: not called for a workspace without one."""
    for hook in Webhook.objects.filter(workspace_id=workspace_id, active=True):
        if hook.wants(event):
            queue(hook, event, payload)


def body_of(delivery: Delivery) -> bytes:
    document = {
        "id": delivery.pk,
        "event": delivery.event,
        "workspace": delivery.webhook.workspace.slug,
        "created_at": delivery.created_at.isoformat(),
        "payload": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """What the receiver recomputes: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    return FIRST_RETRY * (2 ** (attempts - 1))


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) checked)
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def attempt(delivery: Delivery, *, now: datetime | None = None) -> Delivery:
    """Send once and record the outcome; schedule the next try when it failed."""
    if delivery.status in (Delivery.Status.DELIVERED, Delivery.Status.FAILED):
        return delivery
    hook = delivery.webhook
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Leanmark-Webhook/1",
        "X-Leanmark-Event": delivery.event,
        "X-Leanmark-Delivery": str(delivery.pk),
        IDEMPOTENCY_HEADER: f"leanmark-delivery-{delivery.pk}",
        SIGNATURE_HEADER: signature(hook.secret, body),
    }
    status: int | None = None
    error = ""
    try:
        status = _post(hook.url, body, headers)
        if not 200 <= status < 300:
            error = f"the receiver answered {status}"
    except (OSError, ValueError) as exc:
        error = f"could not send: {str(getattr(exc, 'reason', exc))[:250]}"
    now = now or timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = status
    delivery.error = error
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Delivery.Status.DELIVERED,
            now,
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS or not hook.active:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save()
    if delivery.status == Delivery.Status.RETRYING:
        send_delivery.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return delivery


def abandoned_after() -> timedelta:
    """A delivery job RUNNING this long has lost its worker: one attempt takes at most the
    webhook timeout, so twice that and a margin means the worker was killed mid-delivery."""
    return timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 5)


def recover_abandoned_jobs(*, now: datetime | None = None) -> int:
    """Put delivery jobs whose worker died (still RUNNING after ``abandoned_after``) back in the
    queue; the queue (django-tasks-db) never does. Run by every worker as it starts. The retry
    carries the same Idempotency-Key, so a receiver that got the first attempt can ignore it."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stuck = DBTaskResult.objects.running().filter(
        task_path=send_delivery.module_path, started_at__lt=now - abandoned_after()
    )
    return stuck.update(status=TaskResultStatus.READY, started_at=None)


@task()
def send_delivery(delivery_id: int) -> str:
    """The background job: one attempt at one delivery."""
    delivery = Delivery.objects.select_related("webhook__workspace").filter(pk=delivery_id).first()
    if delivery is None:  # its webhook was deleted meanwhile
        return "gone"
    return attempt(delivery).status
