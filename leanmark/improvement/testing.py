"""Builders for this app's tests and permission walk (no test framework imports)."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.board import queries as board_queries

from .models import Improvement, Outcome, Phase, PhaseChange


def cycle(
    workspace: Workspace,
    *,
    actor: User | None = None,
    phase: str = Phase.PLAN,
    number: int | None = None,
    **fields: Any,
) -> Improvement:
    """A cycle as it would stand in ``phase``, written directly (tests need any state at once)."""
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "Shorter review queue",
        "problem": "Posts wait 3 days for review on average",
        "metric": "cycle_time",
        "countermeasures": [{"text": "Review slots twice a day", "pros": "", "cons": ""}],
    }
    if phase in (Phase.CHECK, Phase.ACT, Phase.CLOSED):
        defaults["change_date"] = now.date() - timedelta(days=30)
    if phase == Phase.CLOSED:
        defaults |= {"outcome": Outcome.ABANDON, "outcome_reason": "no effect", "closed_at": now}
    top = Improvement.objects.filter(workspace=workspace).order_by("-number").first()
    improvement = Improvement.objects.create(
        workspace=workspace,
        number=number or (top.number + 1 if top else 1),
        board=min(board_queries.boards_of(workspace), key=lambda b: b.pk, default=None),
        phase=phase,
        created_by=actor,
        created_at=now,
        **(defaults | fields),
    )
    PhaseChange.objects.create(improvement=improvement, to_phase=Phase.PLAN, actor=actor, at=now)
    return improvement


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)
