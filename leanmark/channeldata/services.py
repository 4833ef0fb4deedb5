"""Every write of the marketing-data app: importing a tool's export, currency rates, the grouping.

An import is all or nothing. It replaces the rows of its source for the days the file covers
(ad platforms revise their last 7 to 28 days, so a newer export of the same days is the truth),
and records what it replaced. ``plan_import`` works out the same change without writing it: the
dry run the pages, the API and the CLI show before an import.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db import transaction

from leanmark.accounts.models import User, Workspace
from leanmark.accounts.services import audit
from leanmark.domain import channeldata as domain
from leanmark.domain.channeldata import grouping, mapped, tables
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib import clean
from leanmark.lib.errors import InvalidInput
from leanmark.roi import queries as roi_queries

from . import queries
from .models import ChannelDay, CurrencyRate, DataImport, Grouping, MappingPreset
from .queries import channel_key, rules_of

# canonical rows of one file: a year of 50 campaigns with 4 ad sets each is 73,000
MAX_ROWS = 200_000
MAX_RATE = Decimal("1000000")


@dataclass(frozen=True)
class DayChange:
    day: date
    kind: str  # new | changed | same
    before: dict[str, Decimal | None]
    after: dict[str, Decimal | None]


@dataclass
class ImportPlan:
    source: str
    file_name: str
    first_day: date
    last_day: date
    rows: list[domain.DayRow]
    replaced: int  # rows of earlier imports of this source on these days
    days: list[DayChange]
    notes: list[str] = field(default_factory=list)
    unassigned: list[tuple[str, str]] = field(default_factory=list)  # (utm_source, utm_medium)

    @property
    def source_name(self) -> str:
        return domain.SOURCES.get(self.source, self.source)

    @property
    def changed_days(self) -> int:
        return sum(1 for d in self.days if d.kind != "same")

    def totals(self) -> dict[str, list[Decimal | None]]:
        """measure → [before, after] over the file's days, for the measures the file gives."""
        out: dict[str, list[Decimal | None]] = {}
        for measure in domain.MEASURES:
            after = _sum(d.after.get(measure) for d in self.days)
            if after is None:
                continue
            out[measure] = [_sum(d.before.get(measure) for d in self.days), after]
        return out


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    given = [v for v in values if v is not None]
    return sum(given, Decimal(0)) if given else None


def _totals_by_day(rows: Iterable[dict[str, object]]) -> dict[date, dict[str, Decimal | None]]:
    found: dict[date, dict[str, Decimal | None]] = defaultdict(dict)
    for row in rows:
        totals = found[row["day"]]  # type: ignore[index]
        for measure in domain.MEASURES:
            value = row[measure]
            if value is not None:
                totals[measure] = (totals.get(measure) or Decimal(0)) + Decimal(str(value))
    return found


class NeedsMapping(InvalidInput):
    """No reader knows the file and no saved mapping fits it: map its columns."""

    code = "needs_mapping"


def headers_of(name: str, data: bytes) -> list[str]:
    """The first non-blank row of a file, for a column mapping ([] when it cannot be read)."""
    try:
        found = tables.table(name, data)
    except domain.FileRefused:
        return []
    return next((list(row.cells)[:200] for row in found.rows if not row.blank), [])


def _preset_for(workspace: Workspace, headers: Sequence[str]) -> MappingPreset | None:
    """The first saved mapping whose every column the file's header has."""
    have = {h.strip().lower() for h in headers}
    for preset in MappingPreset.objects.for_workspace(workspace):
        if all(str(h).strip().lower() in have for h in preset.mapping.values()):
            return preset
    return None


def _read(
    workspace: Workspace,
    name: str,
    data: bytes,
    *,
    day_first: bool | None,
    mapping: dict[str, str] | None,
) -> domain.Parsed:
    try:
        try:
            return domain.read(
                name, data, day_first=day_first, mapping=mapping, rules=rules_of(workspace)
            )
        except domain.UnknownFormat as unknown:
            preset = _preset_for(workspace, unknown.headers)
            if preset is None:
                raise NeedsMapping(
                    unknown.problems[0].message, field="file", headers=unknown.headers[:200]
                ) from None
            parsed = domain.read(
                name, data, day_first=day_first, mapping=preset.mapping, rules=rules_of(workspace)
            )
            parsed.notes.insert(0, f"Read with the saved column mapping '{preset.name}'.")
            return parsed
    except domain.FileRefused as refused:
        lines = [f"line {p.line}: {p.message}" if p.line else p.message for p in refused.problems]
        shown = "; ".join(lines[:20]) + (
            f" (and {len(lines) - 20} more)" if len(lines) > 20 else ""
        )
        raise InvalidInput(f"nothing was imported: {shown}", field="file", errors=lines) from None


def _keyed(rows: Sequence[domain.DayRow]) -> tuple[list[domain.DayRow], list[tuple[str, str]]]:
    """Rows with channel keys (paid_search) for their names; the utm pairs no rule matched."""
    unassigned: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        name = row.channel or grouping.UNASSIGNED  # read() grouped by the workspace's rules
        key = channel_key(name)
        if key == channel_key(grouping.UNASSIGNED):
            unassigned.add((row.utm_source, row.utm_medium))
        out.append(replace(row, channel=key))
    return out, sorted(unassigned)


def plan_import(
    workspace: Workspace,
    name: str,
    data: bytes,
    *,
    day_first: bool | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportPlan:
    """What importing this file would change, day by day; nothing is written."""
    parsed = _read(workspace, name, data, day_first=day_first, mapping=mapping)
    if not parsed.rows or parsed.first_day is None or parsed.last_day is None:
        raise InvalidInput("the file has no rows with a day and a figure to import", field="file")
    if len(parsed.rows) > MAX_ROWS:
        raise InvalidInput(
            f"the file gives {len(parsed.rows):,} rows after summing per day; at most "
            f"{MAX_ROWS:,} are read at once: export fewer days",
            field="file",
        )
    return plan_rows(
        workspace,
        parsed.source,
        name,
        parsed.rows,
        first_day=parsed.first_day,
        last_day=parsed.last_day,
        notes=parsed.notes,
    )


def plan_rows(
    workspace: Workspace,
    source: str,
    name: str,
    given: Sequence[domain.DayRow],
    *,
    first_day: date,
    last_day: date,
    notes: Sequence[str] = (),
) -> ImportPlan:
    """What writing these rows would change on ``first_day`` to ``last_day`` (the days they
    replace, also those without a row), day by day; nothing is written. A file's plan and a
    connector's pull (channeldata/connectors) both come here."""
    rows, unassigned = _keyed(given)
    existing = ChannelDay.objects.for_workspace(workspace).filter(
        source=source, day__range=(first_day, last_day)
    )
    held = list(existing.values("day", *domain.MEASURES))  # the rows the import would replace
    before = _totals_by_day(held)
    after = _totals_by_day(
        {"day": r.day, **{m: getattr(r, m) for m in domain.MEASURES}} for r in rows
    )
    days = []
    for day in sorted(set(before) | set(after)):
        b, a = before.get(day, {}), after.get(day, {})
        kind = "new" if day not in before else ("same" if b == a else "changed")
        days.append(DayChange(day, kind, b, a))
    notes = list(notes)
    currency = roi_queries.settings_of(workspace).currency
    rated = set(CurrencyRate.objects.for_workspace(workspace).values_list("currency", flat=True))
    missing = sorted({r.currency for r in rows if r.currency and r.currency != currency} - rated)
    if missing:
        notes.append(
            f"no exchange rate for {', '.join(missing)} into {currency}: those amounts are kept "
            "as given and left out of ROI until a rate is set (Marketing data → Currency rates)"
        )
    return ImportPlan(
        source=source,
        file_name=name[:200],
        first_day=first_day,
        last_day=last_day,
        rows=rows,
        replaced=len(held),
        days=days,
        notes=notes,
        unassigned=unassigned,
    )


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    data_import: DataImport | None  # None for a dry run


def import_file(
    workspace: Workspace,
    name: str,
    data: bytes,
    *,
    actor: User | None,
    dry_run: bool = False,
    day_first: bool | None = None,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a tool's export: the source's rows on the file's days are replaced, in one
    transaction, and the import is recorded with what it replaced."""
    plan = plan_import(workspace, name, data, day_first=day_first, mapping=mapping)
    if dry_run:
        return ImportResult(plan, None)
    return write_plan(workspace, plan, actor=actor, progress=progress)


def write_plan(
    workspace: Workspace,
    plan: ImportPlan,
    *,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a plan in one transaction: its source's rows on its days are replaced, and the
    import is recorded with what it replaced."""
    totals = {m: [_plain(b), _plain(a)] for m, (b, a) in plan.totals().items()}
    with transaction.atomic():
        record = DataImport.objects.create(
            workspace=workspace,
            source=plan.source,
            file_name=plan.file_name,
            first_day=plan.first_day,
            last_day=plan.last_day,
            rows=len(plan.rows),
            replaced=plan.replaced,
            changed_days=plan.changed_days,
            totals=totals,
            notes=plan.notes,
            created_by=actor,
        )
        ChannelDay.objects.for_workspace(workspace).filter(
            source=plan.source, day__range=(plan.first_day, plan.last_day)
        ).delete()
        batch = 2_000
        for start in range(0, len(plan.rows), batch):
            ChannelDay.objects.bulk_create(
                [_model(workspace, record, row) for row in plan.rows[start : start + batch]]
            )
            if progress:
                progress(min(start + batch, len(plan.rows)), len(plan.rows))
        audit(
            workspace,
            actor,
            "channeldata.import",
            f"{plan.source_name}: {plan.file_name}, {plan.first_day}..{plan.last_day}, "
            f"{len(plan.rows)} rows, {plan.replaced} replaced",
        )
    return ImportResult(plan, record)


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _model(workspace: Workspace, record: DataImport, row: domain.DayRow) -> ChannelDay:
    return ChannelDay(
        workspace=workspace,
        data_import=record,
        day=row.day,
        source=row.source,
        channel=row.channel[:60],
        campaign=row.campaign[:200],
        ad_set=row.ad_set[:200],
        utm_source=row.utm_source[:200],
        utm_medium=row.utm_medium[:200],
        currency=row.currency[:3].upper(),
        spend=row.spend,
        impressions=row.impressions,
        clicks=row.clicks,
        sessions=row.sessions,
        conversions=row.conversions,
        revenue=row.revenue,
        new_customers=row.new_customers,
    )


# ---- currency rates ---------------------------------------------------------------------------

CURRENCY = re.compile(r"^[A-Z]{3}$")


@transaction.atomic
def set_rate(
    workspace: Workspace, currency: object, rate: object, *, actor: User | None
) -> CurrencyRate | None:
    """1 ``currency`` = ``rate`` in the workspace's currency; an empty rate removes it."""
    code = clean.text(currency, "currency", label="the currency", limit=3, required=True).upper()
    if not CURRENCY.match(code):
        raise InvalidInput(
            f"{code!r} is not a currency code; use three letters, e.g. USD", field="currency"
        )
    if code == roi_queries.settings_of(workspace).currency:
        raise InvalidInput(
            f"{code} is the workspace's own currency: its rate is always 1", field="currency"
        )
    if rate in (None, ""):
        CurrencyRate.objects.for_workspace(workspace).filter(currency=code).delete()
        audit(workspace, actor, "channeldata.rate", f"{code} rate removed")
        return None
    value = clean.decimal(rate, "rate", label="the rate", places=8, maximum=MAX_RATE)
    if value <= 0:
        raise InvalidInput("the rate must be more than 0", field="rate")
    found, _ = CurrencyRate.objects.update_or_create(
        workspace=workspace, currency=code, defaults={"rate": value}
    )
    audit(workspace, actor, "channeldata.rate", f"1 {code} = {value}")
    return found


# ---- the channel grouping -----------------------------------------------------------------------


@transaction.atomic
def set_rules(
    workspace: Workspace, rules: Sequence[dict[str, object]] | None, *, actor: User | None
) -> list[grouping.Rule]:
    """Replace the workspace's channel rules (tried in order); None or [] restores the default.

    Rows already imported keep their channel until their source is imported again."""
    given = []
    for number, rule in enumerate(rules or [], start=1):
        if isinstance(rule, dict):
            rule = {
                part: clean.text(
                    rule.get(part) or "", "rules", label=f"rule {number}'s {part}", limit=500
                )
                for part in ("channel", "source", "medium")
            }
        given.append(rule)
    try:
        cleaned = grouping.rules_from(given)
    except ValueError as error:
        raise InvalidInput(str(error), field="rules") from None
    Grouping.objects.update_or_create(
        workspace=workspace,
        defaults={"rules": [grouping.rule_dict(r) for r in cleaned] if rules else []},
    )
    audit(workspace, actor, "channeldata.grouping", f"{len(cleaned)} channel rules")
    return cleaned


# ---- column mappings of other CSV files -------------------------------------------------------


@transaction.atomic
def save_preset(
    workspace: Workspace, name: object, mapping: dict[str, str], *, actor: User | None
) -> MappingPreset:
    """Keep a column mapping under a name (the same name replaces it)."""
    label = clean.text(name, "preset", label="the mapping's name", limit=60, required=True)
    try:
        cleaned = mapped.check(mapping)
    except domain.FileRefused as refused:
        raise InvalidInput(refused.problems[0].message, field="mapping") from None
    preset, _ = MappingPreset.objects.update_or_create(
        workspace=workspace, name=label, defaults={"mapping": cleaned, "created_by": actor}
    )
    audit(workspace, actor, "channeldata.mapping", f"column mapping {label!r} saved")
    return preset


def delete_preset(preset: MappingPreset, *, actor: User | None) -> None:
    audit(preset.workspace, actor, "channeldata.mapping", f"column mapping {preset.name!r} deleted")
    preset.delete()


@transaction.atomic
def set_stages(
    workspace: Workspace, stages: dict[str, object], *, actor: User | None
) -> dict[str, str]:
    """Which hourglass stage each channel's imported spend and revenue count in (ROI by stage);
    an empty stage removes the channel's. Applies at once: stages are looked up when read."""
    found, _ = Grouping.objects.get_or_create(workspace=workspace)
    merged = dict(found.stages)
    for channel, stage in stages.items():
        key = queries.channel_key(str(channel))
        value = clean.choice(stage or "", "stage", [("", ""), *STAGE_CHOICES], label="the stage")
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    found.stages = merged
    found.save(update_fields=["stages", "updated_at"])
    audit(workspace, actor, "channeldata.stages", f"{len(merged)} channel stages")
    return merged
