"""API operations of an experiment fed by the marketing data (experiments/feed.py): what the
table holds to link to, the link, and the pull with its dry run. A router of its own, added to
the one NinjaAPI by leanmark/api.py beside the app's ``api.router``."""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from leanmark.accounts.models import Role
from leanmark.lib.api_access import object_for
from leanmark.lib.api_input import Strict
from leanmark.lib.schemas import ERRORS

from . import feed, queries
from .models import Experiment

router = Router(tags=["experiments"])

TrialMeasure = Literal["impressions", "clicks", "sessions"]
SuccessMeasure = Literal["clicks", "conversions", "new_customers"]


class RowSetOut(Schema):
    source: str
    channel: str
    campaign: str
    ad_set: str
    first_day: date
    last_day: date
    rows: int


class VariantLinkOut(Schema):
    variant: str
    source: str
    campaign: str
    ad_set: str
    linked: bool


class DataLinkOut(Schema):
    trials: str = Field(description="the measure counted as trials, '' until linked")
    successes: str = Field(description="the measure counted as successes, '' until linked")
    variants: list[VariantLinkOut]
    options_note: str
    options: list[RowSetOut] = Field(
        description="the campaigns (every ad set together) and ad sets the marketing data holds, "
        "of the experiment's channel when it has rows of it"
    )


class VariantLinkIn(Strict):
    variant: str = Field(description="variant name")
    campaign: str = Field("", max_length=200, description="as the marketing data spells it")
    ad_set: str = Field("", max_length=200, description="as the marketing data spells it")
    source: str = Field(
        "", max_length=12, description="the tool (google_ads, meta_ads, ga4, …) when needed"
    )


class DataLinkIn(Strict):
    trials: TrialMeasure | None = Field(None, description="kept when left out")
    successes: SuccessMeasure | None = Field(None, description="kept when left out")
    variants: list[VariantLinkIn] = Field(
        default_factory=list,
        max_length=6,
        description="variants left out keep their link; campaign and ad_set both empty unlink",
    )


class DataPullIn(Strict):
    dry_run: bool = Field(False, description="answer what would be written, write nothing")
    replace_entered: bool = Field(
        False, description="remove the observations entered another way (form, CSV, API, CLI)"
    )


class PullDayOut(Schema):
    variant: str
    date: date
    trials: int = Field(description="that day's trials")
    successes: float = Field(description="that day's successes (conversions may be fractional)")
    total_trials: int = Field(description="the observation: trials so far")
    total_successes: int = Field(description="the observation: successes so far, rounded")
    change: Literal["new", "changed", "same"]
    before_trials: int | None
    before_successes: int | None


class RemovedObservationOut(Schema):
    variant: str
    date: date


class VariantTotalOut(Schema):
    variant: str
    trials: int
    successes: int


class DataPullOut(Schema):
    dry_run: bool
    summary: str
    start: date
    end: date
    trials: str
    successes: str
    days_added: int
    days_changed: int
    days_unchanged: int
    days_removed: int
    observations_new: int
    observations_changed: int
    observations_unchanged: int
    removed: list[RemovedObservationOut]
    entered_replaced: int
    totals: list[VariantTotalOut]
    notes: list[str]
    days: list[PullDayOut]


def link_out(experiment: Experiment) -> DataLinkOut:
    fresh = queries.experiment_for(experiment.workspace, experiment.pk)
    found = feed.options(fresh)
    return DataLinkOut(
        trials=fresh.data_trials,
        successes=fresh.data_successes,
        variants=[
            VariantLinkOut(
                variant=v.name,
                source=v.data_source,
                campaign=v.data_campaign,
                ad_set=v.data_ad_set,
                linked=feed.link_of(v) is not None,
            )
            for v in queries.variants_of(fresh)
        ],
        options_note=found.note,
        options=[RowSetOut(**r.__dict__) for r in found.rows],
    )


def pull_out(plan: feed.FeedPlan) -> DataPullOut:
    days = plan.day_counts()
    return DataPullOut(
        dry_run=not plan.written,
        summary=plan.summary,
        start=plan.start,
        end=plan.end,
        trials=plan.trials,
        successes=plan.successes,
        days_added=days["added"],
        days_changed=days["changed"],
        days_unchanged=days["unchanged"],
        days_removed=days["removed"],
        observations_new=plan.added,
        observations_changed=plan.changed,
        observations_unchanged=plan.unchanged,
        removed=[RemovedObservationOut(variant=name, date=day) for name, day in plan.removed],
        entered_replaced=plan.entered,
        totals=[VariantTotalOut(variant=n, trials=t, successes=s) for n, t, s in plan.totals],
        notes=plan.notes,
        days=[
            PullDayOut(
                variant=d.variant,
                date=d.day,
                trials=d.trials,
                successes=float(d.successes),
                total_trials=d.total_trials,
                total_successes=d.total_successes,
                change=d.kind,  # type: ignore[arg-type]
                before_trials=d.before[0] if d.before else None,
                before_successes=d.before[1] if d.before else None,
            )
            for d in plan.days
        ],
    )


@router.get(
    "/experiments/{experiment_id}/data-link",
    response={200: DataLinkOut, **ERRORS},
    summary="Which marketing-data rows each variant reads, and the campaigns and ad sets to "
    "choose from",
)
def get_data_link(request: HttpRequest, experiment_id: int):
    return link_out(object_for(request, queries.experiment_by_id, experiment_id))


@router.put(
    "/experiments/{experiment_id}/data-link",
    response={200: DataLinkOut, **ERRORS},
    summary="Link variants to a campaign and/or ad set of the marketing data, and choose the "
    "measures counted as trials and successes",
)
def put_data_link(request: HttpRequest, experiment_id: int, payload: DataLinkIn):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    feed.link_data(
        experiment,
        trials=payload.trials,
        successes=payload.successes,
        links=[feed.LinkIn(**v.dict()) for v in payload.variants],
        actor=request.user,  # type: ignore[arg-type]
    )
    return link_out(experiment)


@router.post(
    "/experiments/{experiment_id}/data-pull",
    response={200: DataPullOut, **ERRORS},
    summary="Read the linked counts into observations (source channel), day by day from the "
    "start date; dry_run answers the change without writing",
)
def post_data_pull(request: HttpRequest, experiment_id: int, payload: DataPullIn):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    plan = feed.pull_data(
        experiment,
        actor=request.user,  # type: ignore[arg-type]
        dry_run=payload.dry_run,
        replace_entered=payload.replace_entered,
    )
    return pull_out(plan)
