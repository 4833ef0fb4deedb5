"""Every write of the dashboard app: metrics, targets (with their revisions), measurements
(idempotent upserts, all or nothing), the layout and the funnel. Each runs in one transaction."""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leanmark.accounts.models import User, Workspace
from leanmark.domain.hourglass import Stage
from leanmark.lib import clean
from leanmark.lib.numbers import unsigned_zero

from .errors import DuplicateMetric, ImportRejected, LineError, MetricError, UnknownMetric
from .models import (
    Aggregation,
    FunnelStep,
    Kind,
    Layout,
    Measurement,
    Metric,
    PeriodChoice,
    Target,
    TargetRevision,
)

NAME_MAX = 100
CHANNEL_MAX = 60
CAMPAIGN_MAX = 100
UNIT_MAX = 30
REASON_MAX = 300
MAX_ABS_VALUE = 1e15  # beyond any marketing figure; keeps sums exact enough in floats
MAX_TILES = 60
BATCH = 2000
ProgressCallback = Callable[[int, int], None]


# ---- validation ---------------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    return clean.text(value, field, limit=limit, required=required, error=MetricError)


def _choice(value: Any, field: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise MetricError(
            f"unknown {field} {value!r}; choose one of {', '.join(choices)}", field=field
        )
    return str(value)


def clean_value(value: object, field: str = "value") -> float:
    """A finite number (text such as "1,234.5" or "12 %" is not guessed at: it is refused)."""
    if isinstance(value, bool):
        raise MetricError(f"the {field} must be a number, not {value!r}", field=field)
    if isinstance(value, str):
        value = value.strip()
    try:
        number = float(value)
    except (TypeError, ValueError):
        hint = ""
        if (
            isinstance(value, str)
            and "," in value
            and value.replace(",", "").replace(".", "").isdigit()
        ):
            hint = " (write decimals with a dot and no thousands separators: 1234.5)"
        raise MetricError(
            f"the {field} {str(value)[:30]!r} is not a number{hint}", field=field
        ) from None
    if not math.isfinite(number):
        raise MetricError(f"the {field} must be a finite number, not {value!r}", field=field)
    if abs(number) > MAX_ABS_VALUE:
        raise MetricError(f"the {field} {number:g} is too large (at most 1e15)", field=field)
    return unsigned_zero(number)


def clean_money(value: object, field: str = "value_per_unit") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MetricError(f"the {field} {str(value)[:30]!r} is not a number", field=field) from None
    if not amount.is_finite() or not Decimal(0) <= amount < Decimal("1e10"):
        raise MetricError(f"the {field} must be between 0 and 9,999,999,999", field=field)
    return unsigned_zero(amount.quantize(Decimal("0.0001")))


def _period(value: Any) -> str:
    return _choice(value, "period", PeriodChoice.values)


# ---- metrics ------------------------------------------------------------------------------------


def _clean_metric(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            cleaned[name] = _text(value, "name", NAME_MAX, required=True)
        elif name == "key":
            key = slugify(str(value or ""))[:60]
            if not key:
                raise MetricError("the key needs letters or digits", field="key")
            cleaned[name] = key
        elif name == "kind":
            cleaned[name] = _choice(value, "kind", Kind.values)
        elif name == "stage":
            cleaned[name] = _choice(value, "stage", [s.value for s in Stage])
        elif name == "channel":
            cleaned[name] = _text(value, "channel", CHANNEL_MAX)
        elif name == "unit":
            cleaned[name] = _text(value, "unit", UNIT_MAX)
        elif name == "aggregation":
            cleaned[name] = _choice(value, "aggregation", Aggregation.values)
        elif name == "value_per_unit":
            cleaned[name] = clean_money(value)
        elif name in ("is_revenue", "higher_is_better"):
            cleaned[name] = bool(value)
        elif name == "description":
            cleaned[name] = _text(value, "description", 300)
        else:
            raise MetricError(f"unknown metric field {name!r}", field=name)
    return cleaned


def _unique(workspace: Workspace, values: dict[str, Any], metric: Metric | None = None) -> None:
    others = Metric.objects.filter(workspace=workspace)
    if metric is not None:
        others = others.exclude(pk=metric.pk)
    if "name" in values and others.filter(name__iexact=values["name"]).exists():
        raise DuplicateMetric(f"a metric named {values['name']!r} already exists", field="name")
    if "key" in values and others.filter(key=values["key"]).exists():
        raise DuplicateMetric(f"the key {values['key']!r} is taken by another metric", field="key")
    if "key" in values and values["key"].startswith(("flow-", "experiments-")):
        raise MetricError("keys starting with flow- or experiments- are built in", field="key")


@transaction.atomic
def create_metric(workspace: Workspace, **values: Any) -> Metric:
    """A typed metric. ``name``, ``kind`` and ``stage`` are required; ``key`` defaults to the
    name as a slug (the column name in a wide CSV and the name in the API and CLI)."""
    for required in ("name", "kind", "stage"):
        if values.get(required) in (None, ""):
            raise MetricError(f"the {required} is required", field=required)
    if not values.get("key"):
        values["key"] = slugify(str(values["name"]))[:60] or "metric"
    cleaned = _clean_metric(values)
    _unique(workspace, cleaned)
    return Metric.objects.create(workspace=workspace, **cleaned)


@transaction.atomic
def update_metric(metric: Metric, **changes: Any) -> Metric:
    cleaned = _clean_metric(changes)
    _unique(metric.workspace, cleaned, metric)
    for name, value in cleaned.items():
        setattr(metric, name, value)
    if cleaned:
        metric.save(update_fields=list(cleaned))
    return metric


@transaction.atomic
def delete_metric(metric: Metric) -> int:
    """Delete a metric with its measurements, targets and revisions; returns the measurements
    deleted. It also leaves the layout and the funnel."""
    count = metric.measurements.count()
    layout = (
        Layout.objects.select_for_update(no_key=True)
        .filter(workspace_id=metric.workspace_id)
        .first()
    )
    if layout is not None and metric.key in layout.tiles:
        layout.tiles = [t for t in layout.tiles if t != metric.key]
        layout.save(update_fields=["tiles"])
    metric.delete()
    return count


# ---- targets ------------------------------------------------------------------------------------


@transaction.atomic
def set_target(
    metric: Metric,
    *,
    period: object,
    value: object,
    reason: object = "",
    actor: User | None,
    at: datetime | None = None,
) -> TargetRevision | None:
    """Set, change or (value None/"") remove a metric's target for a kind of period, recording
    a revision (old, new, reason, who, when). Changing or removing a target needs a reason; an
    unchanged value records nothing and returns None."""
    period = _period(period)
    new = None if value in (None, "") else clean_value(value, "target")
    why = _text(reason, "reason", REASON_MAX)
    at = at or timezone.now()
    current = (
        Target.objects.select_for_update(no_key=True).filter(metric=metric, period=period).first()
    )
    old = current.value if current else None
    if old == new:
        return None
    if old is not None and not why:
        raise MetricError(
            "say why the target changes (plans change, and the record shows why)", field="reason"
        )
    if new is None:
        current.delete()  # type: ignore[union-attr] (old is not None, so current exists)
    elif current is None:
        Target.objects.create(metric=metric, period=period, value=new, updated_at=at)
    else:
        current.value, current.updated_at = new, at
        current.save(update_fields=["value", "updated_at"])
    return TargetRevision.objects.create(
        metric=metric, period=period, old_value=old, new_value=new, reason=why, actor=actor, at=at
    )


# ---- measurements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowIn:
    """One measurement to upsert; ``metric`` is a key or a name. ``line`` numbers errors."""

    line: int
    metric: str
    day: date
    value: float
    channel: str = ""
    campaign: str = ""


@dataclass(frozen=True)
class RowChange:
    line: int
    metric: str
    day: date
    channel: str
    campaign: str
    old: float | None  # None: a new measurement
    new: float


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    changes: list[RowChange] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"{self.created} new, {self.updated} changed, {self.unchanged} unchanged"
        return text + (" (dry run: nothing saved)" if self.dry_run else "")


def metric_lookup(workspace: Workspace) -> dict[str, Metric]:
    """key → metric and lower-cased name → metric, for resolving what people type."""
    found: dict[str, Metric] = {}
    for metric in Metric.objects.filter(workspace=workspace):
        found[metric.name.lower()] = metric
        found[metric.key] = metric
    return found


def resolve_metric(workspace: Workspace, ref: str | int) -> Metric:
    """A metric by id, key or name (case-insensitive); unknown ones answer 404."""
    metrics = Metric.objects.filter(workspace=workspace)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        found = metrics.filter(pk=int(ref)).first() if int(ref) < 2**63 else None
    else:
        found = metrics.filter(key=ref).first() or metrics.filter(name__iexact=ref).first()
    if found is None:
        raise UnknownMetric(f"no metric {str(ref)[:60]!r} in this workspace", field="metric")
    return found


def _checked_rows(
    workspace: Workspace, rows: Sequence[RowIn]
) -> list[tuple[RowIn, Metric, str, str]]:
    lookup = metric_lookup(workspace)
    errors: list[LineError] = []
    checked = []
    seen: dict[tuple[int, date, str, str], int] = {}
    for row in rows:
        metric = lookup.get(row.metric) or lookup.get(str(row.metric).strip().lower())
        if metric is None:
            errors.append(LineError(row.line, f"unknown metric {str(row.metric)[:60]!r}"))
            continue
        try:
            value = clean_value(row.value)
            channel = _text(row.channel, "channel", CHANNEL_MAX)
            campaign = _text(row.campaign, "campaign", CAMPAIGN_MAX)
        except MetricError as error:
            errors.append(LineError(row.line, error.message))
            continue
        key = (metric.pk, row.day, channel, campaign)
        if key in seen:
            errors.append(
                LineError(
                    row.line,
                    f"duplicate of line {seen[key]} ({metric.key} on {row.day.isoformat()}"
                    + (f", {channel}" if channel else "")
                    + (f", {campaign}" if campaign else "")
                    + ")",
                )
            )
            continue
        seen[key] = row.line
        checked.append((RowIn(row.line, row.metric, row.day, value), metric, channel, campaign))
    if errors:
        raise ImportRejected(errors)
    return checked


@transaction.atomic
def upsert_measurements(
    workspace: Workspace,
    rows: Sequence[RowIn],
    *,
    source: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    what: str = "the file",
) -> UpsertResult:
    """Insert or update measurements (unique per metric, day, channel, campaign), all or nothing.

    Any bad row (unknown metric, a value that is not a finite number, a duplicate inside the
    batch) rejects the whole batch with every problem and its line. Saving the same rows again
    changes nothing. With ``dry_run`` nothing is written and the result lists what would change.
    """
    if not rows:
        raise MetricError(f"{what} has no measurements", field="rows")
    _choice(source, "source", Measurement.Source.values)
    try:
        checked = _checked_rows(workspace, rows)
    except ImportRejected as error:
        raise ImportRejected(error.errors, what=what) from None
    metric_ids = {metric.pk for _row, metric, _c, _k in checked}
    days = [row.day for row, *_ in checked]
    existing = {
        (m.metric_id, m.day, m.channel, m.campaign): m
        for m in Measurement.objects.filter(
            metric_id__in=metric_ids, day__gte=min(days), day__lte=max(days)
        )
    }
    now = timezone.now()
    result = UpsertResult(dry_run=dry_run)
    new_rows: list[Measurement] = []
    changed: list[Measurement] = []
    for row, metric, channel, campaign in checked:
        current = existing.get((metric.pk, row.day, channel, campaign))
        if current is not None and current.value == row.value:
            result.unchanged += 1
            continue
        result.changes.append(
            RowChange(
                row.line,
                metric.key,
                row.day,
                channel,
                campaign,
                current.value if current else None,
                row.value,
            )
        )
        if current is None:
            result.created += 1
            new_rows.append(
                Measurement(
                    metric=metric,
                    day=row.day,
                    value=row.value,
                    channel=channel,
                    campaign=campaign,
                    source=source,
                    updated_at=now,
                )
            )
        else:
            result.updated += 1
            current.value, current.source, current.updated_at = row.value, source, now
            changed.append(current)
    if dry_run:
        return result
    total, done = len(new_rows) + len(changed), 0
    for start in range(0, len(new_rows), BATCH):
        Measurement.objects.bulk_create(new_rows[start : start + BATCH])
        done += len(new_rows[start : start + BATCH])
        if progress is not None:
            progress(done, total)
    for start in range(0, len(changed), BATCH):
        Measurement.objects.bulk_update(
            changed[start : start + BATCH], ["value", "source", "updated_at"]
        )
        done += len(changed[start : start + BATCH])
        if progress is not None:
            progress(done, total)
    return result


@transaction.atomic
def delete_measurement(metric: Metric, *, day: date, channel: str = "", campaign: str = "") -> bool:
    deleted, _ = Measurement.objects.filter(
        metric=metric, day=day, channel=channel, campaign=campaign
    ).delete()
    return deleted > 0


@transaction.atomic
def delete_measurements(cells: Sequence[tuple[Metric, date]]) -> int:
    """Clear grid cells: the plain (no channel, no campaign) measurement of each metric and day."""
    deleted = 0
    for metric, day in cells:
        deleted += Measurement.objects.filter(
            metric=metric, day=day, channel="", campaign=""
        ).delete()[0]
    return deleted


# ---- layout and funnel --------------------------------------------------------------------------


@transaction.atomic
def save_layout(workspace: Workspace, tiles: Sequence[str], *, known: set[str]) -> Layout:
    """The dashboard's tiles in order; ``known`` is every metric key the workspace can show."""
    if isinstance(tiles, str) or len(tiles) > MAX_TILES:
        raise MetricError(f"choose at most {MAX_TILES} tiles", field="tiles")
    unknown = [t for t in tiles if t not in known]
    if unknown:
        raise MetricError(f"unknown metric(s) {', '.join(map(str, unknown[:5]))}", field="tiles")
    ordered = list(dict.fromkeys(tiles))  # a tile shown once, where it first appears
    layout, _ = Layout.objects.update_or_create(
        workspace=workspace, defaults={"tiles": ordered, "updated_at": timezone.now()}
    )
    return layout


@transaction.atomic
def reset_layout(workspace: Workspace) -> None:
    Layout.objects.filter(workspace=workspace).delete()


@transaction.atomic
def set_funnel(workspace: Workspace, volumes: Mapping[str, object]) -> list[FunnelStep]:
    """Name each stage's volume metric (stage → metric id or key; empty clears the stage)."""
    stages = [s.value for s in Stage]
    for stage in volumes:
        _choice(stage, "stage", stages)
    for stage, ref in volumes.items():
        if ref in (None, ""):
            FunnelStep.objects.filter(workspace=workspace, stage=stage).delete()
            continue
        metric = resolve_metric(workspace, ref)
        FunnelStep.objects.update_or_create(
            workspace=workspace, stage=stage, defaults={"metric": metric}
        )
    return list(FunnelStep.objects.filter(workspace=workspace).select_related("metric"))
