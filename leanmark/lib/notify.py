"""Domain events for side effects (webhooks, live updates): ``publish`` from a service, inside its
transaction; ``subscribe`` once at start-up (an app's ``AppConfig.ready``).

Subscribers are called at once, inside the publishing transaction, so they can write rows (an
outbox) that commit or roll back with the change. Anything that leaves the process (an HTTP call,
a message) must be deferred with ``transaction.on_commit`` or done by the background worker, never
in the user's request. This carries no business rules: a service decides what happened, and the
subscribers decide what to tell whom.

Event names are ``<thing>.<past tense>``: ``card.moved``, ``card.blocked``, ``idea.accepted``,
``experiment.decided``, ``improvement.standardised`` … The payload is JSON-serialisable.
"""

from collections.abc import Callable
from typing import Any

Subscriber = Callable[[int, str, dict[str, Any]], None]
_subscribers: list[Subscriber] = []
_only_if: dict[Subscriber, str] = {}


def subscribe(subscriber: Subscriber, *, only_if: str | None = None) -> None:
    """Call ``subscriber(workspace_id, event, payload)`` for every published event.

    ``only_if`` names a flag of the workspace (e.g. ``has_webhooks``) that its owner keeps true
    whenever the subscriber has anything to do there: a publisher that hands over the workspace
    (read in its transaction) then skips the call, and the subscriber's lookups, when the flag
    is false."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    if only_if:
        _only_if[subscriber] = only_if


def publish(
    workspace_id: int, event: str, payload: dict[str, Any], *, workspace: Any = None
) -> None:
    for subscriber in tuple(_subscribers):
        flag = _only_if.get(subscriber)
        if flag and workspace is not None and not getattr(workspace, flag):
            continue
        subscriber(workspace_id, event, payload)
