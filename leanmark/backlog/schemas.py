from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from leanmark.board.services import MAX_TAGS
from leanmark.domain.value import Model, Score
from leanmark.lib.api_input import Filled
from leanmark.lib.schemas import Id, StageName, Strict

from .models import Idea, IdeaEvent

ModelName = Literal["ice", "rice", "cd3"]
StatusName = Literal["new", "evaluated", "accepted", "parked", "rejected"]
ProfileName = Literal["standard", "fixed_date", "intangible", "expedite"]


class IdeaIn(Strict):
    workspace: str | None = Field(
        None, description="Workspace slug; may be left out when you belong to only one"
    )
    title: Filled
    description: str = Field("", max_length=20000, description="Markdown")
    source: str = Field("", max_length=200)
    stage: StageName = ""
    channel: str = Field("", max_length=60)
    tags: list[str] = Field([], max_length=MAX_TAGS)
    hypothesis: str = Field("", max_length=5000)


class IdeaPatch(Strict):
    version: int | None = Field(None, description="If given, a stale version answers 409")
    title: Filled = None  # type: ignore[assignment]  (optional, not nullable)
    description: str | None = Field(None, max_length=20000)
    source: str | None = Field(None, max_length=200)
    stage: StageName | None = None
    channel: str | None = Field(None, max_length=60)
    tags: list[str] | None = Field(None, max_length=MAX_TAGS)
    hypothesis: str | None = Field(None, max_length=5000)


class ScoreIn(Strict):
    model: ModelName
    impact: float | None = Field(None, description="ICE 1-10; RICE 3, 2, 1, 0.5 or 0.25")
    confidence: float | None = Field(None, description="ICE 1-10; RICE 100, 80 or 50 (%)")
    ease: float | None = Field(None, description="ICE 1-10")
    reach: float | None = Field(None, description="RICE: people or events per period")
    effort: float | None = Field(None, description="RICE: person-months, at least 0.5")
    profile: ProfileName = "standard"
    value_rate: float | None = Field(None, description="CD3: value per week once delivered")
    value_unit: Literal["money", "points"] = "money"
    duration_weeks: float | None = Field(None, description="CD3: weeks of work, more than 0")
    deadline: date | None = Field(None, description="CD3 fixed date: must be done by")
    penalty: float | None = Field(None, description="CD3 fixed date: cost per week once missed")
    horizon: date | None = Field(None, description="CD3 intangible: full value from this date")
    version: int | None = Field(None, description="If given, a stale version answers 409")


class TriageIn(Strict):
    status: StatusName = Field(description="'new' reopens a parked or rejected idea")
    reason: str = Field("", max_length=300, description="Required to park or reject")


class BulkTriageIn(TriageIn):
    workspace: str | None = None
    ids: list[Id] = Field(min_length=1, max_length=500)


class BulkOut(Schema):
    changed: int


class StartIn(Strict):
    board_id: Id | None = Field(None, description="Default: the workspace's first board")
    reason: str = Field("", max_length=300, description="Needed to go over a full soft limit")


class StartOut(Schema):
    idea_id: int
    card_id: int
    card_number: int
    column: str
    lane: str


class SettingsIn(Strict):
    default_model: ModelName


class SettingsOut(Schema):
    default_model: ModelName


class ScoreOut(Schema):
    model: str
    value: float
    explanation: str
    expedite: bool
    deadline_at_risk: bool

    @staticmethod
    def of(score: Score | None) -> "ScoreOut | None":
        if score is None:
            return None
        return ScoreOut(
            model=score.model.value,
            value=score.value,
            explanation=score.explanation,
            expedite=score.expedite,
            deadline_at_risk=score.deadline_at_risk,
        )


class Inputs(Schema):
    ice_impact: int | None
    ice_confidence: int | None
    ice_ease: int | None
    rice_reach: Decimal | None
    rice_impact: Decimal | None
    rice_confidence: int | None
    rice_effort: Decimal | None
    cod_profile: str
    value_rate: Decimal | None
    value_unit: str
    duration_weeks: Decimal | None
    deadline: date | None
    penalty: Decimal | None
    horizon: date | None


class IdeaOut(Schema):
    id: int
    workspace: str
    title: str
    description: str
    source: str
    stage: str
    channel: str
    tags: list[str]
    hypothesis: str
    status: str
    status_reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    inputs: Inputs
    scores: dict[str, ScoreOut | None]
    rank: int | None = Field(None, description="Position in the ranked list (list answers only)")
    evidence_changed: bool
    evidence_source: str
    card_id: int | None
    card_number: int | None

    @staticmethod
    def of(idea: Idea, scores: dict[Model, Score | None], rank: int | None = None) -> "IdeaOut":
        return IdeaOut(
            id=idea.pk,
            workspace=idea.workspace.slug,
            title=idea.title,
            description=idea.description,
            source=idea.source,
            stage=idea.stage,
            channel=idea.channel,
            tags=list(idea.tags),
            hypothesis=idea.hypothesis,
            status=idea.status,
            status_reason=idea.status_reason,
            version=idea.version,
            created_at=idea.created_at,
            updated_at=idea.updated_at,
            inputs=Inputs(**{name: getattr(idea, name) for name in Inputs.model_fields}),
            scores={m.value: ScoreOut.of(s) for m, s in scores.items()},
            rank=rank,
            evidence_changed=idea.evidence_changed_at is not None,
            evidence_source=idea.evidence_source,
            card_id=idea.card_id,
            card_number=idea.card.number if idea.card_id else None,
        )


class IdeaList(Schema):
    model: ModelName
    on: date
    items: list[IdeaOut]


class IdeaEventOut(Schema):
    id: int
    kind: str
    at: datetime
    actor_id: int | None
    reason: str
    data: dict[str, object]

    @staticmethod
    def of(event: IdeaEvent) -> "IdeaEventOut":
        return IdeaEventOut(
            id=event.pk,
            kind=event.kind,
            at=event.at,
            actor_id=event.actor_id,
            reason=event.reason,
            data=event.data,
        )
