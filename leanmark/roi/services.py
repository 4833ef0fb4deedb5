"""Every write of the ROI app, each in one transaction: settings, spend (one, or a CSV file),
time logs, hourly costs, hand-entered response curves and saved allocation plans."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from leanmark.accounts.models import Membership, Role, User, Workspace
from leanmark.accounts.services import audit
from leanmark.board import services as board_services
from leanmark.dashboard import queries as dashboard_queries
from leanmark.domain import roi as domain
from leanmark.domain import roi_steps
from leanmark.domain.metrics import FIRST_YEAR, LAST_YEAR, outside_years
from leanmark.lib import clean, csvrows, formats
from leanmark.lib.numbers import unsigned_zero

from .currencies import CODES
from .errors import DuplicateSpend, InvalidInput, NotYours
from .models import (
    AllocationPlan,
    AllocationStep,
    ChannelCurve,
    CheckKind,
    MemberCost,
    Objective,
    PlanLine,
    RoiSettings,
    Spend,
    TimeLog,
    Unit,
)
from .queries import settings_of

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Card

MAX_AMOUNT = Decimal("999999999999.99")
MAX_HOURLY = Decimal("99999999.99")
CAMPAIGN_MAX = 100
NOTE_MAX = 300
CSV_MAX_ROWS = 50_000
CSV_COLUMNS = ("date", "amount", "currency", "channel", "stage", "campaign", "note")


# ---- cleaning -----------------------------------------------------------------------------------


def clean_decimal(
    value: object,
    field: str,
    *,
    label: str | None = None,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = MAX_AMOUNT,
    places: str = "0.01",
    allow_zero: bool = True,
) -> Decimal:
    label = label or field.replace("_", " ")
    if value in (None, ""):
        raise InvalidInput(f"the {label} is missing", field=field)
    text = str(value).strip().replace(",", "") if isinstance(value, str) else value
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        raise InvalidInput(
            f"the {label} {str(value)[:20]!r} is not a number", field=field
        ) from None
    if not number.is_finite():
        raise InvalidInput(f"the {label} must be a finite number", field=field)
    if number < 0 and minimum >= 0:
        raise InvalidInput(f"the {label} cannot be negative (it is {number})", field=field)
    if number == 0 and not allow_zero:
        raise InvalidInput(f"the {label} must be more than 0", field=field)
    if not minimum <= number <= maximum:
        raise InvalidInput(f"the {label} must be between {minimum} and {maximum}", field=field)
    return unsigned_zero(number.quantize(Decimal(places)))


def clean_share(value: object, field: str, label: str) -> Decimal:
    """A fraction between 0 and 1 (the web form converts its percentages)."""
    return clean_decimal(value, field, label=label, maximum=Decimal(1), places="0.0001")


def clean_currency(value: object, workspace_currency: str | None = None) -> str:
    code = str(value or "").strip().upper()
    if not code and workspace_currency:
        return workspace_currency
    if code not in CODES:
        raise InvalidInput(
            f"unknown currency {str(value)[:10]!r}; use an ISO 4217 code such as EUR, GBP or USD",
            field="currency",
        )
    if workspace_currency and code != workspace_currency:
        raise InvalidInput(
            f"this workspace keeps its money in {workspace_currency}; convert the amount "
            f"from {code} first (the owner sets the currency under ROI settings)",
            field="currency",
        )
    return code


def clean_text(value: object, field: str, maximum: int) -> str:
    return clean.text(value, field, limit=maximum)


def clean_channel(value: object) -> str:
    return board_services.clean_channel(value).lower()


def clean_date(value: object, field: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(
            f"{str(value)[:20]!r} is not a date (YYYY-MM-DD)"
            if value
            else f"the {field} is missing",
            field=field,
        ) from None


def clean_unit(value: object) -> str:
    if value not in Unit.values:
        raise InvalidInput(f"the unit must be one of {', '.join(Unit.values)}", field="unit")
    return str(value)


# ---- settings -----------------------------------------------------------------------------------


def customer_metric_keys(workspace: Workspace) -> dict[str, str]:
    """key → name of the dashboard's typed output metrics (candidates for new customers)."""
    return {
        info.key: info.name
        for info in dashboard_queries.all_infos(workspace)
        if info.metric is not None and info.kind == "output"
    }


@transaction.atomic
def update_settings(workspace: Workspace, *, actor: User | None, **values: Any) -> RoiSettings:
    current = settings_of(workspace)
    currency = clean_currency(values.get("currency", current.currency))
    if currency != current.currency and Spend.objects.for_workspace(workspace).exists():
        raise InvalidInput(
            f"the spend entries are in {current.currency}; the currency can change only while "
            "there is no spend (amounts are never converted behind your back)",
            field="currency",
        )
    current.currency = currency
    current.contribution_margin = clean_share(
        values.get("contribution_margin", current.contribution_margin),
        "contribution_margin",
        "contribution margin",
    )
    current.gross_margin = clean_share(
        values.get("gross_margin", current.gross_margin), "gross_margin", "gross margin"
    )
    revenue = values.get("revenue_per_customer", current.revenue_per_customer)
    current.revenue_per_customer = (
        None
        if revenue in (None, "")
        else clean_decimal(revenue, "revenue_per_customer", label="monthly revenue per customer")
    )
    churn = values.get("monthly_churn", current.monthly_churn)
    current.monthly_churn = (
        None if churn in (None, "") else clean_share(churn, "monthly_churn", "monthly churn")
    )
    if current.monthly_churn == 0:
        raise InvalidInput(
            "a monthly churn of 0 means customers never leave; leave it empty or enter the "
            "lifetime value itself",
            field="monthly_churn",
        )
    ltv = values.get("lifetime_value", current.lifetime_value)
    current.lifetime_value = (
        None
        if ltv in (None, "")
        else clean_decimal(ltv, "lifetime_value", label="lifetime value per customer")
    )
    current.customers_metric = clean_text(
        values.get("customers_metric", current.customers_metric), "customers_metric", 100
    )
    if current.customers_metric and current.customers_metric not in customer_metric_keys(workspace):
        raise InvalidInput(
            f"no output metric {current.customers_metric!r} on the dashboard; "
            "choose the one that counts new customers",
            field="customers_metric",
        )
    fields = [
        "currency",
        "contribution_margin",
        "gross_margin",
        "revenue_per_customer",
        "monthly_churn",
        "lifetime_value",
        "customers_metric",
        "updated_at",
    ]
    if current.pk is None:
        current.save()
    else:
        current.save(update_fields=fields)
    audit(
        workspace,
        actor,
        "roi.settings",
        f"ROI settings: {current.currency}, contribution margin "
        f"{current.contribution_margin:.0%}, gross margin {current.gross_margin:.0%}",
    )
    return current


# ---- spend --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendIn:
    on: Any
    amount: Any
    currency: Any = ""
    channel: Any = ""
    stage: Any = ""
    campaign: Any = ""
    note: Any = ""


def _clean_spend(workspace: Workspace, currency: str, entry: SpendIn) -> dict[str, Any]:
    return {
        "on": clean_date(entry.on),
        "amount": clean_decimal(entry.amount, "amount"),
        "currency": clean_currency(entry.currency, currency),
        "channel": clean_channel(entry.channel),
        "stage": board_services.clean_stage(str(entry.stage or "").strip().lower()),
        "campaign": clean_text(entry.campaign, "campaign", CAMPAIGN_MAX),
        "note": clean_text(entry.note, "note", NOTE_MAX),
    }


@transaction.atomic
def record_spend(workspace: Workspace, entry: SpendIn, *, actor: User | None) -> Spend:
    values = _clean_spend(workspace, settings_of(workspace).currency, entry)
    key = {k: values[k] for k in ("on", "channel", "stage", "campaign")}
    existing = Spend.objects.for_workspace(workspace).filter(**key).first()
    if existing is not None:
        raise DuplicateSpend(
            f"there is already {existing.amount} {existing.currency} of spend on {existing.on} "
            f"for this channel, stage and campaign; change or delete that entry instead",
            field="on",
            existing=existing.pk,
        )
    try:
        with transaction.atomic():
            return Spend.objects.create(workspace=workspace, created_by=actor, **values)
    except IntegrityError:  # a concurrent request won the race
        raise DuplicateSpend(
            "that spend was just recorded by someone else; reload to see it", field="on"
        ) from None


@transaction.atomic
def change_spend(spend: Spend, entry: SpendIn, *, actor: User | None) -> Spend:
    values = _clean_spend(spend.workspace, settings_of(spend.workspace).currency, entry)
    key = {k: values[k] for k in ("on", "channel", "stage", "campaign")}
    clash = Spend.objects.for_workspace(spend.workspace).filter(**key).exclude(pk=spend.pk)
    if clash.exists():
        raise DuplicateSpend("another entry has that date, channel, stage and campaign", field="on")
    for name, value in values.items():
        setattr(spend, name, value)
    spend.save(update_fields=list(values))
    return spend


@transaction.atomic
def delete_spend(spend: Spend, *, actor: User | None) -> None:
    audit(
        spend.workspace,
        actor,
        "roi.spend_deleted",
        f"deleted spend {spend.amount} {spend.currency} on {spend.on} "
        f"({spend.channel or 'no channel'}/{spend.stage or 'no stage'}/"
        f"{spend.campaign or 'no campaign'})",
    )
    spend.delete()


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_spend_csv(
    workspace: Workspace,
    text: str,
    *,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """All-or-nothing import of ``date,amount[,currency,channel,stage,campaign,note]`` rows.

    A row with the same date, channel, stage and campaign as an existing entry replaces its
    amount, so importing the same file twice changes nothing. Every bad row is reported with
    its line number, and then nothing is saved.
    """
    fieldnames, reader = csvrows.dict_records(text)
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in ("date", "amount") if c not in header]
    if missing:
        raise InvalidInput(
            f"the file needs a header row with at least date and amount (missing: "
            f"{', '.join(missing)}); columns: {', '.join(CSV_COLUMNS)}",
            field="file",
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"unknown column(s) {', '.join(unknown)}; use {', '.join(CSV_COLUMNS)}", field="file"
        )
    currency = settings_of(workspace).currency
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    errors: list[str] = []
    try:
        for number, raw in reader:
            _spend_row(workspace, currency, number, raw, rows, errors)
    except csvrows.CsvMalformed as error:  # the reader cannot go on past a broken record
        errors.append(error.message)
    if errors:
        shown = errors[:20]
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise InvalidInput(
            "nothing was imported: " + "; ".join(shown) + more, field="file", errors=errors
        )
    if not rows:
        raise InvalidInput("the file has no rows to import", field="file")
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            (s.on, s.channel, s.stage, s.campaign): s
            for s in Spend.objects.for_workspace(workspace).filter(on__in={k[0] for k in rows})
        }
        new: list[Spend] = []
        for done, (key, values) in enumerate(rows.items(), start=1):
            values.pop("line")
            found = existing.get(key)
            if found is None:
                new.append(Spend(workspace=workspace, created_by=actor, **values))
                created += 1
            elif (found.amount, found.note, found.currency) == (
                values["amount"],
                values["note"],
                values["currency"],
            ):
                unchanged += 1
            else:
                found.amount, found.note = values["amount"], values["note"]
                found.currency = values["currency"]
                found.save(update_fields=["amount", "note", "currency"])
                updated += 1
            if progress and done % 500 == 0:
                progress(done, len(rows))
        Spend.objects.bulk_create(new, batch_size=1000)
        if progress:
            progress(len(rows), len(rows))
        audit(
            workspace,
            actor,
            "roi.spend_imported",
            f"spend CSV: {created} added, {updated} updated, {unchanged} unchanged",
        )
    return ImportResult(created, updated, unchanged)


# ---- time logs ----------------------------------------------------------------------------------

MAX_HOURS_A_DAY = Decimal(24)


def _spend_row(
    workspace: Workspace,
    currency: str,
    number: int,
    raw: dict[Any, Any],
    rows: dict[tuple[Any, ...], dict[str, Any]],
    errors: list[str],
) -> None:
    """Check one CSV row of spend; add it to ``rows`` or its problem to ``errors``."""
    if number - 1 > CSV_MAX_ROWS:
        raise InvalidInput(f"the file has more than {CSV_MAX_ROWS:,} rows", field="file")
    row = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k is not None}
    if None in raw:
        errors.append(f"line {number}: more values than columns")
        return
    if not any(v.strip() for v in row.values()):
        return
    try:
        values = _clean_spend(workspace, currency, SpendIn(**{
            "on": row.get("date"), "amount": row.get("amount"),
            "currency": row.get("currency"), "channel": row.get("channel"),
            "stage": row.get("stage"), "campaign": row.get("campaign"),
            "note": row.get("note"),
        }))  # fmt: skip
    except InvalidInput as error:
        errors.append(f"line {number}: {error.message}")
        return
    key = (values["on"], values["channel"], values["stage"], values["campaign"])
    if key in rows:
        errors.append(
            f"line {number}: the same date, channel, stage and campaign as line "
            f"{rows[key]['line']}; add the amounts up into one row"
        )
        return
    rows[key] = {**values, "line": number}


def _worker(workspace: Workspace, member: User | int | None) -> User:
    pk = member.pk if isinstance(member, User) else member
    membership = (
        Membership.objects.select_related("user").filter(workspace=workspace, user_id=pk).first()
        if isinstance(pk, int) and 0 < pk < 2**63
        else None
    )
    if membership is None:
        raise InvalidInput("the member must belong to this workspace", field="member")
    if not membership.allows(Role.MEMBER):
        raise InvalidInput(
            f"{membership.user.label} is a viewer; viewers do not log time", field="member"
        )
    return membership.user


def _card_total(card: "Card") -> Decimal:
    return TimeLog.objects.filter(card=card).aggregate(total=Sum("hours"))["total"] or Decimal(0)


@transaction.atomic
def log_time(
    card: "Card",
    *,
    member: User | int | None,
    on: object,
    hours: object,
    note: object = "",
    actor: User | None,
) -> TimeLog:
    workspace = card.board.workspace
    person = _worker(workspace, member)
    day = clean_date(on)
    amount = clean_decimal(hours, "hours", maximum=MAX_HOURS_A_DAY, allow_zero=False, places="0.01")
    if amount == 0:
        raise InvalidInput("log at least 0.01 hours", field="hours")
    logged = TimeLog.objects.filter(workspace=workspace, member=person, on=day).aggregate(
        total=Sum("hours")
    )["total"] or Decimal(0)
    if logged + amount > MAX_HOURS_A_DAY:
        raise InvalidInput(
            f"{person.label} has {domain.plain(logged)} hours logged on {day} already; "
            f"{domain.plain(amount)} more would pass 24 hours in a day",
            field="hours",
        )
    log = TimeLog.objects.create(
        workspace=workspace,
        card=card,
        member=person,
        on=day,
        hours=amount,
        note=clean_text(note, "note", NOTE_MAX),
        created_by=actor,
    )
    board_services.set_time_logged(card, _card_total(card))
    return log


@transaction.atomic
def delete_time_log(log: TimeLog, *, actor: User | None, is_owner: bool = False) -> None:
    """Delete a time log: the member's own, one the actor logged, or any for an owner."""
    mine = actor is not None and actor.pk in (log.member_id, log.created_by_id)
    if not (mine or is_owner):
        raise NotYours(
            f"this time was logged by {log.member.label}; only they, whoever logged it, or an "
            "owner can delete it"
        )
    card = log.card
    log.delete()
    board_services.set_time_logged(card, _card_total(card))


# ---- hourly costs (owner only: the views and API check the role) -------------------------------


@transaction.atomic
def set_hourly_cost(
    workspace: Workspace, member: User | int, cost: object, *, actor: User | None
) -> MemberCost | None:
    """Set (or, with an empty cost, clear) a member's hourly cost."""
    pk = member.pk if isinstance(member, User) else member
    membership = Membership.objects.filter(workspace=workspace, user_id=pk).first()
    if membership is None:
        raise InvalidInput("the member must belong to this workspace", field="member")
    if cost in (None, ""):
        MemberCost.objects.filter(workspace=workspace, user_id=pk).delete()
        audit(workspace, actor, "roi.hourly_cost", f"cleared the hourly cost of user {pk}")
        return None
    amount = clean_decimal(cost, "hourly_cost", maximum=MAX_HOURLY)
    row, _ = MemberCost.objects.update_or_create(
        workspace=workspace, user_id=pk, defaults={"hourly_cost": amount}
    )
    # The audit names the member, not the amount: the trail is readable by every owner anyway,
    # but keeping amounts out of it keeps them in one place.
    audit(workspace, actor, "roi.hourly_cost", f"changed the hourly cost of user {pk}")
    return row


# ---- response curves and plans -----------------------------------------------------------------


def clean_curve(a: object, b: object) -> tuple[float, float]:
    values = []
    for name, value in (("a", a), ("b", b)):
        try:
            number = float(str(value).strip())
        except ValueError:
            raise InvalidInput(f"{name} {str(value)[:20]!r} is not a number", field=name) from None
        values.append(number)
    try:
        domain.check_curve(values[0], values[1])
    except domain.RoiInputError as error:
        raise InvalidInput(error.message, field=error.field) from None
    return values[0], values[1]


@transaction.atomic
def save_curve(
    workspace: Workspace,
    *,
    channel: object,
    unit: object,
    a: object,
    b: object,
    note: object = "",
    actor: User | None,
) -> ChannelCurve:
    name = clean_channel(channel)
    if not name:
        raise InvalidInput("name the channel the curve is for", field="channel")
    ca, cb = clean_curve(a, b)
    curve, _ = ChannelCurve.objects.update_or_create(
        workspace=workspace,
        channel=name,
        unit=clean_unit(unit),
        defaults={
            "a": ca,
            "b": cb,
            "note": clean_text(note, "note", NOTE_MAX),
            "updated_by": actor,
        },
    )
    return curve


@transaction.atomic
def delete_curve(curve: ChannelCurve, *, actor: User | None) -> None:
    curve.delete()


def _money(value: float) -> Decimal:
    return domain.money(Decimal(repr(value)))


@transaction.atomic
def save_plan(
    workspace: Workspace,
    allocation: domain.Allocation,
    *,
    curves: dict[str, domain.Curve],
    bounds: dict[str, domain.Bounds],
    name: object,
    month: date,
    unit: str,
    actor: User | None,
) -> AllocationPlan:
    title = clean_text(name, "name", 100) or f"Plan for {month:%B %Y}"
    plan = AllocationPlan.objects.create(
        workspace=workspace,
        name=title,
        month=month.replace(day=1),
        unit=clean_unit(unit),
        budget=_money(allocation.budget),
        expected_return=_money(allocation.expected_return),
        objective=getattr(allocation, "objective", Objective.RETURN),
        target=getattr(allocation, "target", None),
        max_move=Decimal(repr(getattr(allocation, "max_move", 1.0))).quantize(Decimal("0.0001")),
        created_by=actor,
    )
    PlanLine.objects.bulk_create(
        PlanLine(
            plan=plan,
            channel=split.channel,
            minimum=_money(bounds.get(split.channel, domain.Bounds()).minimum),
            maximum=(
                None
                if bounds.get(split.channel, domain.Bounds()).maximum is None
                else _money(bounds[split.channel].maximum or 0.0)
            ),
            current=None if split.current is None else _money(split.current),
            recommended=_money(split.recommended),
            expected_return=_money(split.expected_return),
            marginal_roi=split.marginal_roi,
            curve_a=curves[split.channel].a,
            curve_b=curves[split.channel].b,
            curve_source=curves[split.channel].source,
            curve_kind=curves[split.channel].kind,
            curve_s=curves[split.channel].s,
            curve_adstock=curves[split.channel].adstock,
        )
        for split in allocation.splits
    )
    audit(workspace, actor, "roi.plan_saved", f"allocation plan {title!r} for {month:%Y-%m}")
    return plan


@transaction.atomic
def delete_plan(plan: AllocationPlan, *, actor: User | None) -> None:
    audit(plan.workspace, actor, "roi.plan_deleted", f"deleted allocation plan {plan.name!r}")
    plan.delete()


@dataclass(frozen=True)
class TimeLogIn:
    card: "Card"
    member: User
    on: date
    hours: Decimal
    note: str = ""


@transaction.atomic
def import_time_logs(workspace: Workspace, rows: list[TimeLogIn], *, actor: User | None) -> int:
    """Many time logs at once (history, the demo): validated like ``log_time``, all or nothing,
    and each card's cached total updated once."""
    allowed = {m.user_id for m in Membership.objects.filter(workspace=workspace)
               if m.allows(Role.MEMBER)}  # fmt: skip
    existing = (
        TimeLog.objects.filter(workspace=workspace, on__in={row.on for row in rows})
        .values("member_id", "on")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    per_day = {(e["member_id"], e["on"]): e["total"] for e in existing}
    for index, row in enumerate(rows, start=1):
        if row.card.board.workspace_id != workspace.pk:
            raise InvalidInput(f"row {index}: the card is not in this workspace", field="card")
        if row.member.pk not in allowed:
            raise InvalidInput(f"row {index}: {row.member.label} cannot log time here")
        if not Decimal(0) < row.hours <= MAX_HOURS_A_DAY:
            raise InvalidInput(f"row {index}: hours must be above 0 and at most 24", field="hours")
        key = (row.member.pk, row.on)
        per_day[key] = per_day.get(key, Decimal(0)) + row.hours
        if per_day[key] > MAX_HOURS_A_DAY:
            raise InvalidInput(f"row {index}: more than 24 hours on {row.on}", field="hours")
    TimeLog.objects.bulk_create(
        [
            TimeLog(
                workspace=workspace,
                card=row.card,
                member=row.member,
                on=row.on,
                hours=row.hours,
                note=row.note,
                created_by=actor,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    for card in {row.card.pk: row.card for row in rows}.values():
        board_services.set_time_logged(card, _card_total(card))
    return len(rows)


# ---- the step limit, the objectives, and test steps ----------------------------------------------


def clean_max_move(value: object) -> float:
    """The step limit as a share from 0 to 1 (the web form converts its percentage)."""
    if value in (None, ""):
        return roi_steps.DEFAULT_MAX_MOVE
    share = clean_decimal(
        value, "max_move", label="step limit", maximum=Decimal(1), places="0.0001"
    )
    return float(share)


def clean_objective(value: object, target: object) -> tuple[str, float | None]:
    """(objective, target): the target is needed, and above 0, for roas and cpa only."""
    objective = str(value or Objective.RETURN).strip().lower()
    if objective not in Objective.values:
        raise InvalidInput(
            f"the objective is one of {', '.join(Objective.values)}, not {objective[:20]!r}",
            field="objective",
        )
    if objective == Objective.RETURN:
        return objective, None
    label = "target ROAS" if objective == Objective.ROAS else "target CPA"
    if target in (None, ""):
        raise InvalidInput(f"give the {label} (a number above 0)", field="target")
    number = clean_decimal(target, "target", label=label, places="0.0001", allow_zero=False)
    return objective, float(number)


@dataclass(frozen=True)
class StepCheck:
    """How a test step's result is told apart from noise: a holdout (a share of the channel's
    audience or regions kept at today's amount over the window) or before and after (the
    window against the same number of days just before it)."""

    kind: str
    starts_on: date
    ends_on: date
    holdout_share: Decimal | None = None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def before(self) -> tuple[date, date]:
        """The comparison window of a before-and-after check: the same days just before."""
        return self.starts_on - (self.ends_on - self.starts_on) - _DAY, self.starts_on - _DAY


_DAY = date(2000, 1, 2) - date(2000, 1, 1)
MAX_TEST_DAYS = 366


def clean_check(kind: object, starts_on: object, ends_on: object, share: object) -> StepCheck:
    name = str(kind or "").strip().lower().replace("-", "_")
    if name not in CheckKind.values:
        raise InvalidInput(
            "the check is holdout or before_after (how the test's result is told apart from noise)",
            field="check",
        )
    start, end = clean_date(starts_on, "starts_on"), clean_date(ends_on, "ends_on")
    for field, day in (("starts_on", start), ("ends_on", end)):
        if outside_years(day):
            raise InvalidInput(
                f"a test window lies within the years {FIRST_YEAR} to {LAST_YEAR}", field=field
            )
    if end < start:
        raise InvalidInput(
            f"the test window ends ({end}) before it starts ({start})", field="ends_on"
        )
    if (end - start).days + 1 > MAX_TEST_DAYS:
        raise InvalidInput(
            f"a test window is at most {MAX_TEST_DAYS} days, not {(end - start).days + 1}",
            field="ends_on",
        )
    if name == CheckKind.BEFORE_AFTER:
        return StepCheck(name, start, end)
    if share in (None, ""):
        raise InvalidInput(
            "a holdout needs the share of the channel kept at today's amount", field="holdout_share"
        )
    held = clean_share(share, "holdout_share", "holdout share")
    if not Decimal("0.01") <= held <= Decimal("0.9"):
        raise InvalidInput(
            f"the holdout share is between 1 % and 90 %, not {formats.percent(held, 0)}",
            field="holdout_share",
        )
    return StepCheck(name, start, end, held)


def _amount(value: Decimal, unit: str, currency: str) -> str:
    if unit == Unit.MONEY:
        return formats.money(value, currency)
    return f"{domain.plain(value.quantize(Decimal('0.1')))} h"


def step_title(change: Decimal, channel: str, unit: str, currency: str) -> str:
    """ "Test: +€40 on SEO" (the channel as the pages name it; a cut has a minus sign; hours
    read "+8 h")."""
    sign = "+" if change > 0 else "−"
    return f"Test: {sign}{_amount(abs(change), unit, currency)} on {formats.label(channel)}"


def step_description(step: AllocationStep, check: StepCheck, *, link: str, currency: str) -> str:
    """The card's Markdown: the move, what it should bring, the check, and the link back."""

    def amount(value: Decimal) -> str:
        return _amount(value, step.unit, currency)

    change = step.change
    sign = "+" if change > 0 else "−"
    returned = step.expected_return_change
    lines = [
        f"A step of the allocation run "
        f"**{step.plan.name if step.plan else 'deleted'}**: {step.channel} from "
        f"{amount(step.current)} to {amount(step.recommended)} a month "
        f"({sign}{amount(abs(change))}). Expected change in return: {'+' if returned >= 0 else '−'}"
        f"{formats.money(abs(returned), currency)} a month, on the curve "
        f"{step.formula} ({step.curve_source}).",
        "",
    ]
    if check.kind == CheckKind.HOLDOUT:
        share = check.holdout_share or Decimal(0)
        lines.append(
            f"**Check (holdout):** from {check.starts_on} to {check.ends_on} ({check.days} days) "
            f"keep {formats.percent(share, 0)} of {step.channel}'s audience or regions at "
            f"today's {amount(step.current)} a month and make the change on the other "
            f"{formats.percent(1 - share, 0)}; "
            "the step paid if the changed part's return moves by its share of the expected "
            "change against the holdout."
        )
    else:
        before_start, before_end = check.before
        lines.append(
            f"**Check (before and after):** make the change from {check.starts_on} to "
            f"{check.ends_on} ({check.days} days) and compare with the same {check.days} days "
            f"before, {before_start} to {before_end}, at today's {amount(step.current)} a month."
        )
    lines += [
        "",
        f"When the window is over, record the spend and return {step.channel} saw in it on "
        f"[the step's page]({link}); the channel's curve is then refitted with that point.",
    ]
    return "\n".join(lines)


def moves_of(allocation: domain.Allocation) -> list[domain.ChannelSplit]:
    """The channels whose recommended amount differs from today's by a cent or more."""
    return [
        s
        for s in allocation.splits
        if s.current is not None and abs(_money(s.recommended - s.current)) >= Decimal("0.01")
    ]


@transaction.atomic
def create_steps(
    workspace: Workspace,
    allocation: domain.Allocation,
    *,
    curves: dict[str, domain.Curve],
    bounds: dict[str, domain.Bounds],
    board: Any,
    check: StepCheck,
    name: object,
    month: date,
    unit: str,
    actor: User | None,
    link: Callable[[AllocationStep], str],
) -> tuple[AllocationPlan, list[AllocationStep]]:
    """Save the run as a plan and turn each of its moves into a card on ``board``: "Test: +€40
    on seo", its description stating the check, the expected change and a link back
    (``link(step)``). All or nothing: a full first column (a hard WIP limit) saves none."""
    moves = moves_of(allocation)
    if not moves:
        raise InvalidInput(
            "the recommendation moves no channel, so there is nothing to test: today's split is "
            "already the best within the limits",
            field="max_move",
        )
    currency = settings_of(workspace).currency
    plan = save_plan(
        workspace, allocation, curves=curves, bounds=bounds, name=name, month=month, unit=unit,
        actor=actor,
    )  # fmt: skip
    steps = []
    for split in moves:
        curve = curves[split.channel]
        current = _money(split.current or 0.0)
        step = AllocationStep.objects.create(
            workspace=workspace,
            plan=plan,
            channel=split.channel,
            unit=plan.unit,
            current=current,
            recommended=_money(split.recommended),
            expected_return_change=_money(split.expected_return - (split.current_return or 0.0)),
            check_kind=check.kind,
            holdout_share=check.holdout_share,
            starts_on=check.starts_on,
            ends_on=check.ends_on,
            curve_kind=getattr(curve, "kind", "log"),
            curve_a=curve.a,
            curve_b=curve.b,
            curve_s=getattr(curve, "s", 1.0),
            curve_source=curve.source,
            created_by=actor,
        )
        step.card = board_services.create_card(
            board,
            title=step_title(step.change, step.channel, step.unit, currency),
            description=step_description(step, check, link=link(step), currency=currency),
            channel=step.channel,
            actor=actor,
        )
        step.save(update_fields=["card"])
        steps.append(step)
    audit(
        workspace,
        actor,
        "roi.steps_created",
        f"{len(steps)} test card(s) from allocation run {plan.name!r} on board {board.name!r}",
    )
    return plan, steps


@transaction.atomic
def record_step_result(
    step: AllocationStep,
    *,
    spend: object,
    ret: object,
    note: object = "",
    actor: User | None,
    today: date,
) -> AllocationStep:
    """Record the spend and return the channel saw over the test window (recording again
    corrects it), refit the channel's curve with that point, and note the result on the card."""
    from django.utils import timezone

    from . import queries

    step.observed_spend = clean_decimal(spend, "spend", label="observed spend")
    step.observed_return = clean_decimal(ret, "return", label="observed return")
    step.note = clean_text(note, "note", NOTE_MAX)
    step.measured_at = timezone.now()
    step.measured_by = actor
    step.save(
        update_fields=["observed_spend", "observed_return", "note", "measured_at", "measured_by"]
    )
    fit = queries.refit(step.workspace, channel=step.channel, unit=step.unit, today=today)
    step.refit_kind = getattr(fit.curve, "kind", "log") if fit.curve else ""
    step.refit_a = fit.curve.a if fit.curve else None
    step.refit_b = fit.curve.b if fit.curve else None
    step.refit_s = getattr(fit.curve, "s", 1.0) if fit.curve else None
    step.refit_r_squared = fit.curve.r_squared if fit.curve else None
    step.refit_points = fit.points
    step.refit_problem = fit.problem[:300]
    step.save(
        update_fields=[
            "refit_kind",
            "refit_a",
            "refit_b",
            "refit_s",
            "refit_r_squared",
            "refit_points",
            "refit_problem",
        ]
    )
    if step.card is not None:
        currency = settings_of(step.workspace).currency
        spent = _amount(step.observed_spend, step.unit, currency)
        result = (
            f"**Result ({step.measured_at:%Y-%m-%d}):** {spent} spent and "
            f"{formats.money(step.observed_return, currency)} returned from {step.starts_on} to "
            f"{step.ends_on}. "
            + (
                f"Curve refitted: {step.formula} → {step.refit_formula} ({fit.points} points)."
                if fit.curve
                else f"The curve could not be refitted: {fit.problem}"
            )
        )
        description = f"{step.card.description}\n\n{result}"
        board_services.edit_card(
            step.card,
            changes={"description": description[: board_services.DESCRIPTION_MAX]},
            expected_version=None,
            actor=actor,
        )
    audit(
        step.workspace,
        actor,
        "roi.step_measured",
        f"test step {step.pk} on {step.channel}: spend {step.observed_spend}, return "
        f"{step.observed_return}",
    )
    return step
