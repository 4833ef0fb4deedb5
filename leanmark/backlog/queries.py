"""Reads of the backlog: ideas turned into the domain's inputs, scored and ranked for a date."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from leanmark.accounts.models import Workspace
from leanmark.domain import value
from leanmark.domain.value import CostOfDelay, Model, Profile, Score
from leanmark.experiments import queries as experiments_queries
from leanmark.lib import zones

from .models import OPEN_STATUSES, BacklogSettings, Idea, IdeaEvent, Status, ValueUnit

MAX_ID = 2**63 - 1


def idea_for(workspace: Workspace, idea_id: int) -> Idea:
    """One idea of the workspace; another workspace's idea (or none) is a 404."""
    if not 0 < int(idea_id) <= MAX_ID:
        raise Http404("no such idea")
    idea = (
        Idea.objects.select_related("workspace", "card", "created_by")
        .filter(workspace=workspace, pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404("no such idea")
    return idea


def idea_by_id(workspace_ids: Any, idea_id: int) -> Idea:
    """An idea in any of these workspaces (the API, which learns the workspace from the idea)."""
    if not 0 < int(idea_id) <= MAX_ID:
        raise Http404("no such idea")
    idea = (
        Idea.objects.select_related("workspace", "card", "created_by")
        .filter(workspace_id__in=workspace_ids, pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404("no such idea")
    return idea


def history(idea: Idea) -> list[IdeaEvent]:
    return list(idea.events.select_related("actor").order_by("at", "id"))


def today(workspace: Workspace) -> date:
    """Today's date in the workspace's time zone: the date a ranking is computed for."""
    return zones.today(workspace)


def default_model(workspace: Workspace) -> Model:
    chosen = (
        BacklogSettings.objects.filter(workspace=workspace)
        .values_list("default_model", flat=True)
        .first()
    )
    return Model(chosen or Model.CD3)


# ---- scores -------------------------------------------------------------------------------------


def cost_of_delay(idea: Idea) -> CostOfDelay | None:
    if not idea.has_cod:
        return None
    return CostOfDelay(
        profile=Profile(idea.cod_profile),
        value_rate=float(idea.value_rate or 0),
        duration_weeks=float(idea.duration_weeks or 0),
        deadline=idea.deadline,
        penalty=None if idea.penalty is None else float(idea.penalty),
        horizon=idea.horizon,
        points=idea.value_unit == ValueUnit.POINTS,
    )


def score_of(idea: Idea, model: Model, on: date) -> Score | None:
    """The idea's score with this model on this date; None when it has not been scored so."""
    if model is Model.ICE and idea.has_ice:
        return value.ice(idea.ice_impact, idea.ice_confidence, idea.ice_ease)  # type: ignore[arg-type]
    if model is Model.RICE and idea.has_rice:
        return value.rice(
            float(idea.rice_reach),  # type: ignore[arg-type]
            float(idea.rice_impact),  # type: ignore[arg-type]
            idea.rice_confidence,  # type: ignore[arg-type]
            float(idea.rice_effort),  # type: ignore[arg-type]
        )
    cod = cost_of_delay(idea) if model is Model.CD3 else None
    if cod is not None:
        return value.cd3(cod, on)
    return None


def scores_of(idea: Idea, on: date) -> dict[Model, Score | None]:
    return {model: score_of(idea, model, on) for model in Model}


# ---- the ranked backlog -------------------------------------------------------------------------

STATUS_FILTERS = ("open", "all", *Status.values)


@dataclass(frozen=True)
class IdeaFilters:
    status: str = "open"
    stage: str = ""
    channel: str = ""
    tag: str = ""
    text: str = ""
    evidence: bool = False

    @classmethod
    def from_query(cls, query: Any) -> "IdeaFilters":
        status = query.get("status") or "open"
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            stage=(query.get("stage") or "")[:8],
            channel=(query.get("channel") or "").strip()[:60],
            tag=(query.get("tag") or "").strip().lower()[:30],
            text=(query.get("q") or "").strip()[:100],
            evidence=(query.get("evidence") or "") in ("1", "true", "on"),
        )

    @property
    def active(self) -> bool:
        return self != IdeaFilters()

    def apply(self, ideas: QuerySet[Idea]) -> QuerySet[Idea]:
        if self.status == "open":
            ideas = ideas.filter(status__in=OPEN_STATUSES, card__isnull=True)
        elif self.status != "all":
            ideas = ideas.filter(status=self.status)
        if self.stage:
            ideas = ideas.filter(stage=self.stage)
        if self.channel:
            ideas = ideas.filter(channel__iexact=self.channel)
        if self.tag:
            ideas = ideas.filter(tags__icontains=f'"{self.tag}"')
        if self.text:
            ideas = ideas.filter(
                Q(title__icontains=self.text)
                | Q(description__icontains=self.text)
                | Q(source__icontains=self.text)
            )
        if self.evidence:
            ideas = ideas.filter(evidence_changed_at__isnull=False)
        return ideas


@dataclass
class RankedIdea:
    idea: Idea
    score: Score | None  # with the chosen model, on the chosen date
    rank: int | None  # 1-based among the scored ideas; None when not scored with this model
    scores: dict[Model, Score | None] = field(default_factory=dict)

    @property
    def cod(self) -> CostOfDelay | None:
        return cost_of_delay(self.idea)


def ranked_ideas(
    workspace: Workspace, *, model: Model, on: date, filters: IdeaFilters | None = None
) -> list[RankedIdea]:
    """The backlog sorted by the model's score for the date: expedite first, unscored last.
    Recomputed from the stored inputs on every call (Cost of Delay depends on the date)."""
    filters = filters or IdeaFilters()
    ideas = filters.apply(Idea.objects.filter(workspace=workspace))
    rows = []
    for idea in ideas.select_related("card").order_by("created_at", "id"):
        idea.workspace = workspace  # known already: no join, no thousand copies
        scores = scores_of(idea, on)
        rows.append(RankedIdea(idea, scores[model], None, scores))
    ordered = [row for row, _ in value.ranked((row, row.score) for row in rows)]
    for position, row in enumerate(ordered, start=1):
        if row.score is not None:
            row.rank = position
    return ordered


def triage_queue(workspace: Workspace) -> list[Idea]:
    """Undecided ideas in the order triage walks them: new ones oldest first, then the evaluated
    ones not yet accepted, parked or rejected."""
    undecided = Idea.objects.filter(
        workspace=workspace, status__in=(Status.NEW, Status.EVALUATED), card__isnull=True
    )
    return sorted(undecided, key=lambda i: (i.status != Status.NEW, i.created_at, i.pk))


def channels_of(workspace: Workspace) -> list[str]:
    rows = (
        Idea.objects.filter(workspace=workspace)
        .exclude(channel="")
        .values_list("channel", flat=True)
    )
    return sorted({c.strip() for c in rows}, key=str.lower)


def status_counts(workspace: Workspace) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    rows = Idea.objects.filter(workspace=workspace).values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows.order_by()})
    return counts


# ---- calibration: how the team's confidence scores fared in experiments -----------------------


@dataclass(frozen=True)
class ConfidenceBand:
    label: str  # "8 to 10"
    tested: int  # ideas in the band whose experiment was decided
    won: int  # of which the treatment won

    @property
    def win_rate(self) -> float | None:
        return self.won / self.tested if self.tested else None


ICE_BANDS = (("8 to 10", 8, 10), ("5 to 7", 5, 7), ("1 to 4", 1, 4))
RICE_BANDS = (("100 %", 100, 100), ("80 %", 80, 99), ("50 % or less", 0, 79))


def calibration(workspace: Workspace, model: str) -> list[ConfidenceBand]:
    """For ideas tested by a decided experiment, how often the change won per band of the
    confidence the team gave them (ICE 1 to 10, RICE %): "ideas scored 8+ won 30 % of the
    time". Empty when no scored idea has been tested."""
    outcomes = experiments_queries.outcomes_by_idea(workspace)
    if model not in (Model.ICE, Model.RICE) or not outcomes:
        return []
    field_name, bands = (
        ("ice_confidence", ICE_BANDS) if model == Model.ICE else ("rice_confidence", RICE_BANDS)
    )
    scored = Idea.objects.for_workspace(workspace).filter(
        pk__in=outcomes, **{f"{field_name}__isnull": False}
    )
    given = dict(scored.values_list("pk", field_name))
    if not given:
        return []
    found = []
    for label, low, high in bands:
        ideas = [pk for pk, value in given.items() if low <= value <= high]
        found.append(ConfidenceBand(label, len(ideas), sum(1 for pk in ideas if outcomes[pk])))
    return found
