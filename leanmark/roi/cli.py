"""`leanmark` commands of this app: ``roi report|settings|hourly-costs|hourly-cost``,
``allocate``, ``spend add|list|edit|remove|import`` and ``time log|list|remove``; leanmark/cli.py
calls ``register(app)``."""

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib import formats
from leanmark.lib.cli import (
    JsonOpt,
    actor_for,
    fail,
    out,
    print_json,
    progress_bar,
    show,
    workspace_command,
)

roi_app = typer.Typer(
    help="Value-stream ROI: the report, its settings and hourly costs.", no_args_is_help=True
)
spend_app = typer.Typer(help="Marketing spend.", no_args_is_help=True)
time_app = typer.Typer(help="Time logged on cards.", no_args_is_help=True)
steps_app = typer.Typer(
    help="Test steps: an allocation's moves as cards, and their measured results.",
    no_args_is_help=True,
)
roi_app.add_typer(steps_app, name="steps")


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(roi_app, name="roi")
    app.add_typer(spend_app, name="spend")
    app.add_typer(time_app, name="time")
    app.command("allocate")(allocate)


_pct = formats.percent


@roi_app.command("report")
@workspace_command
def report(
    period: Annotated[
        str, typer.Option(help="2026-Q3, 2026-07, 2026, 2026-07-01..2026-08-15, ytd, last-month…")
    ] = "last-12-months",
    by: Annotated[str, typer.Option(help="stage, channel or campaign.")] = "stage",
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Cost, return, ROI and ROMI per hourglass stage, channel or campaign."""
    from django.utils import timezone

    from leanmark.domain import roi as domain
    from leanmark.roi import queries
    from leanmark.roi.schemas import report_out

    if by not in domain.DIMENSIONS:
        fail(f"report by stage, channel or campaign, not {by!r}")
    try:
        start, end = domain.parse_period(period, timezone.localdate())
    except domain.RoiInputError as error:
        fail(error.message)
    view = queries.report(ws, start=start, end=end, by=by)
    if as_json:
        print_json(report_out(view).model_dump(mode="json", by_alias=True))
        return
    table = Table(
        by.capitalize(),
        "Spend",
        "Labour",
        "Hours",
        "Cost",
        "Return",
        "ROI",
        "ROMI",
        "Hours %",
        "Return %",
        title=f"ROI {start} – {end} ({view.currency})",
    )

    def _money(value: object) -> str:
        return formats.money(value, view.currency)

    for row in [*view.report.rows, view.report.total]:
        table.add_row(
            row.key or "(unattributed)",
            _money(row.spend),
            _money(row.labour),
            f"{row.hours.normalize():f}",
            _money(row.cost),
            _money(row.ret),
            _pct(row.roi),
            _pct(row.romi),
            _pct(row.hours_share),
            _pct(row.return_share),
        )
    out.print(table)
    if view.cac is not None:
        payback = "—" if view.payback is None else f"{view.payback:.1f}"
        out.print(f"CAC {_money(view.cac)}; payback {payback} months")
    for note in view.notes:
        out.print(f"Note: {note}")


ShareOpt = Annotated[str | None, typer.Option(help="A fraction, 0 to 1 (0.55 is 55 %).")]


@roi_app.command("settings")
@workspace_command(need="owner")
def roi_settings(
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code; changes only while there is no spend.")
    ] = None,
    contribution_margin: ShareOpt = None,
    gross_margin: ShareOpt = None,
    revenue_per_customer: Annotated[
        str | None, typer.Option(help="Monthly revenue per customer, for payback ('' clears).")
    ] = None,
    monthly_churn: Annotated[
        str | None, typer.Option(help="Share of customers lost a month, for LTV ('' clears).")
    ] = None,
    lifetime_value: Annotated[
        str | None, typer.Option(help="Lifetime value per customer, if known ('' clears).")
    ] = None,
    customers_metric: Annotated[
        str | None, typer.Option(help="The output metric counting new customers, for CAC.")
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the ROI settings, or change those given (owners only)."""
    from leanmark.roi import queries, services

    given = {
        name: value
        for name, value in (
            ("currency", currency),
            ("contribution_margin", contribution_margin),
            ("gross_margin", gross_margin),
            ("revenue_per_customer", revenue_per_customer),
            ("monthly_churn", monthly_churn),
            ("lifetime_value", lifetime_value),
            ("customers_metric", customers_metric),
        )
        if value is not None
    }
    if given:
        services.update_settings(ws, actor=actor, **given)
    current = queries.settings_of(ws)
    data = {
        "currency": current.currency,
        "contribution_margin": current.contribution_margin,
        "gross_margin": current.gross_margin,
        "revenue_per_customer": current.revenue_per_customer,
        "monthly_churn": current.monthly_churn,
        "lifetime_value": current.lifetime_value,
        "customers_metric": current.customers_metric,
    }
    show(
        data,
        as_json=as_json,
        text=f"{current.currency}; contribution margin {_pct(current.contribution_margin)}, "
        f"gross margin {_pct(current.gross_margin)}; revenue per customer "
        f"{formats.money(current.revenue_per_customer, current.currency)}; monthly churn "
        f"{_pct(current.monthly_churn)}; lifetime value "
        f"{formats.money(current.lifetime_value, current.currency)}; customers metric "
        f"{current.customers_metric or '—'}",
    )


@roi_app.command("hourly-costs")
@workspace_command(need="owner")
def hourly_costs(
    ws: Any = None,
    actor: Any = None,  # only checked: hourly costs are an owner's to see
    as_json: JsonOpt = False,
) -> None:
    """Every member's hourly cost (owners only); labour in the report is hours times this."""
    from leanmark.roi import queries

    currency = queries.currency_of(ws)
    rows = [
        {"user_id": user.pk, "member": user.label, "role": role, "hourly_cost": cost}
        for user, role, cost in queries.members_with_costs(ws)
    ]
    show(
        rows,
        as_json=as_json,
        table={
            "Member": "member",
            "Role": "role",
            "Hourly cost": lambda row: formats.money(row["hourly_cost"], currency, exact=True),
        },
        title=f"Hourly costs ({currency})",
    )


@roi_app.command("hourly-cost")
@workspace_command(need="owner")
def hourly_cost(
    member: Annotated[str, typer.Argument(help="The member's e-mail.")],
    amount: Annotated[str | None, typer.Argument(help="Cost per hour.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the member's cost.")] = False,
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Set (or --clear) a member's hourly cost (owners only)."""
    from leanmark.roi import services

    if (amount is None) == (not clear):
        fail("give the hourly cost, or --clear to remove it")
    person = actor_for(ws, member, need="viewer")
    row = services.set_hourly_cost(ws, person, "" if clear else amount, actor=actor)
    if row is None:
        said = "no hourly cost"
    else:
        from leanmark.roi.queries import currency_of

        said = f"{formats.money(row.hourly_cost, currency_of(ws), exact=True)} an hour"
    out.print(f"{person.label}: {said}.")


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        channel, sep, rest = value.partition("=")
        if not sep or not channel.strip():
            fail(f"{option} takes CHANNEL=VALUE, not {value!r}")
        pairs[channel.strip().lower()] = rest.strip()
    return pairs


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        fail(f"{what} {text!r} is not a number")


@workspace_command
def allocate(
    budget: Annotated[
        float | None,
        typer.Option(help="Total per month (default: what last month used)."),
    ] = None,
    unit: Annotated[str, typer.Option(help="money or hours.")] = "money",
    minimum: Annotated[
        list[str] | None, typer.Option("--min", help="CHANNEL=AMOUNT, repeatable.")
    ] = None,
    maximum: Annotated[
        list[str] | None, typer.Option("--max", help="CHANNEL=AMOUNT, repeatable.")
    ] = None,
    curve: Annotated[
        list[str] | None,
        typer.Option(
            help="CHANNEL=A,B: use r(x) = A·ln(1 + x/B) for this run; CHANNEL=A,B,S a Hill "
            "curve A·x^S ÷ (x^S + B^S). Repeatable."
        ),
    ] = None,
    model: Annotated[
        str, typer.Option(help="Fitted curves: auto (log, or Hill when its AICc wins), log, hill.")
    ] = "auto",
    resamples: Annotated[
        int, typer.Option(help="Bootstrap resamples per fitted curve for the ranges (0: none).")
    ] = 200,
    seed: Annotated[int, typer.Option(help="The bootstrap's seed.")] = 1,
    max_move: Annotated[
        float,
        typer.Option(
            help="Each channel moves at most this share (0-1) of last month's amount, either "
            "way; 1: no limit."
        ),
    ] = 0.2,
    objective: Annotated[
        str,
        typer.Option(
            help="return (the most return for the budget), roas or cpa (the most return, or new "
            "customers, at the --target; the budget is then left free)."
        ),
    ] = "return",
    target: Annotated[
        float | None, typer.Option(help="The target ROAS or CPA (with --objective).")
    ] = None,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Recommend the split of a monthly budget (money or hours) over the channels."""
    from django.utils import timezone

    from leanmark.domain import roi as domain
    from leanmark.roi import queries, services
    from leanmark.roi.schemas import allocation_out

    if unit not in ("money", "hours"):
        fail(f"the unit is money or hours, not {unit!r}")
    lows = {c: _number(v, f"the minimum of {c}") for c, v in _pairs(minimum or [], "--min").items()}
    highs = {
        c: _number(v, f"the maximum of {c}") for c, v in _pairs(maximum or [], "--max").items()
    }
    bounds = {c: domain.Bounds(lows.get(c, 0.0), highs.get(c)) for c in {*lows, *highs}}
    override = {}
    for channel, text in _pairs(curve or [], "--curve").items():
        a, _, rest = text.partition(",")
        b, _, s = rest.partition(",")
        override[channel] = (_number(a, f"a of {channel}"), _number(b, f"b of {channel}"))
        if s:
            override[channel] += ("hill", _number(s, f"s of {channel}"))
    if model not in ("auto", "log", "hill"):
        fail(f"the curve model is auto, log or hill, not {model!r}")
    if not 0 <= max_move <= 1:
        fail(f"--max-move is a share from 0 to 1 (0.2 for ±20 %), not {max_move:g}")
    objective, target = services.clean_objective(objective, target)
    view = queries.allocation(
        ws,
        unit=unit,
        today=timezone.localdate(),
        budget=budget,
        bounds=bounds,
        override=override,
        model=model,
        resamples=resamples,
        seed=seed,
        max_move=max_move,
        objective=objective,
        target=target,
    )
    result = allocation_out(view, unit)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    table = Table(
        "Channel",
        "Current",
        "Recommended",
        "Expected return",
        "Marginal ROI",
        "",
        title=f"Allocation of {result.budget:,.0f} ({unit})",
    )
    for s in result.splits:
        flags = [
            text
            for text, on in (
                ("step limit", s.step_bound),
                ("at its minimum", s.at_minimum and not s.at_maximum and not s.step_bound),
                ("at its maximum", s.at_maximum and not s.step_bound),
                ("beyond its history", s.beyond_history),
            )
            if on
        ]
        table.add_row(
            s.channel,
            "—" if s.current is None else f"{s.current:,.0f}",
            f"{s.recommended:,.0f}",
            f"{s.expected_return:,.0f}",
            f"{s.marginal_roi:.2f}",
            ", ".join(flags),
        )
    out.print(table)
    now = "—" if result.current_return is None else f"{result.current_return:,.0f}"
    out.print(f"Expected return: {result.expected_return:,.0f} (current split: {now})")
    roas = "—" if result.roas is None else f"{result.roas:.2f}"
    limit = (
        "no step limit"
        if result.max_move >= 1
        else f"steps of at most ±{result.max_move * 100:g} %"
    )
    out.print(f"Spend {result.total:,.0f}, expected ROAS {roas}; {limit}")
    if result.cpa is not None:
        out.print(f"Expected new customers {result.expected_customers:,.1f}, CPA {result.cpa:,.2f}")
    if result.band is not None and result.expected_return_range is not None:
        r, b = result.expected_return_range, result.band
        ranges = [
            f"{s.channel} {s.recommended_range.low:,.0f}–{s.recommended_range.high:,.0f}"
            for s in result.splits
            if s.recommended_range is not None
        ]
        out.print(f"Range of each recommendation: {'; '.join(ranges)}")
        out.print(
            f"Range of the expected return: {r.low:,.0f}–{r.high:,.0f}. A range is the 10th "
            f"to 90th percentile over {b.resamples} bootstrap resamples (seed {b.seed})."
        )
    for c in result.curves:
        if c.source == "fitted":
            carry = f" with carry-over θ {c.adstock:.2f}" if c.granularity == "week" else ""
            out.print(
                f"{c.channel}: {c.formula} fitted to {c.points} {c.granularity}s{carry} "
                f"({c.selection})"
            )
    for channel, problem in result.channels_without_curve.items():
        out.print(f"{channel} has no curve: {problem}")
    for note in result.notes:
        out.print(f"Note: {note}")


@spend_app.command("add")
@workspace_command
def spend_add(
    date: Annotated[str, typer.Argument(help="YYYY-MM-DD.")],
    amount: Annotated[str, typer.Argument(help="In the workspace's currency.")],
    channel: Annotated[str, typer.Option(help="Channel.")] = "",
    stage: Annotated[str, typer.Option(help="Hourglass stage.")] = "",
    campaign: Annotated[str, typer.Option(help="Campaign.")] = "",
    currency: Annotated[str, typer.Option(help="ISO 4217 (default: the workspace's).")] = "",
    note: Annotated[str, typer.Option(help="Note.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one spend entry."""
    from leanmark.roi import services
    from leanmark.roi.schemas import SpendOut

    entry = services.SpendIn(date, amount, currency, channel, stage, campaign, note)
    row = services.record_spend(ws, entry, actor=actor)
    show(
        SpendOut.of(row),
        as_json=as_json,
        text=f"Recorded {formats.money(row.amount, row.currency, exact=True)} on {row.on}.",
    )


@spend_app.command("import")
@workspace_command
def spend_import(
    path: Annotated[Path, typer.Argument(help="CSV: date,amount[,currency,channel,stage,…].")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Import spend from a CSV file, all or nothing; importing it again changes nothing."""
    from leanmark.roi import services

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}")
    with progress_bar("Importing spend") as report:
        result = services.import_spend_csv(ws, text, actor=actor, progress=report)
    out.print(f"{result.created} added, {result.updated} updated, {result.unchanged} unchanged.")


@spend_app.command("list")
@workspace_command
def spend_list(
    channel: Annotated[str, typer.Option(help="Only this channel.")] = "",
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Spend entries, newest first."""
    from leanmark.roi import queries
    from leanmark.roi.schemas import SpendOut

    rows, total = queries.spend_page(ws, channel=channel.lower(), limit=max(1, min(limit, 5000)))
    if as_json:
        print_json([SpendOut.of(r).model_dump(mode="json") for r in rows])
        return
    table = Table("Id", "Date", "Amount", "Channel", "Stage", "Campaign", title=f"{total} entries")
    for r in rows:
        table.add_row(
            str(r.pk),
            str(r.on),
            formats.money(r.amount, r.currency, exact=True),
            r.channel,
            r.stage,
            r.campaign,
        )
    out.print(table)


def _spend(ws: Any, spend_id: int) -> Any:
    from django.http import Http404

    from leanmark.roi import queries

    try:
        return queries.spend_for(ws, spend_id)
    except (Http404, OverflowError):
        fail(f"no spend entry {spend_id} in {ws.slug}; `leanmark spend list` shows the ids")


@spend_app.command("edit")
@workspace_command
def spend_edit(
    spend_id: Annotated[int, typer.Argument(help="The entry's id (see `leanmark spend list`).")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD.")] = None,
    amount: Annotated[str | None, typer.Option(help="In the workspace's currency.")] = None,
    channel: Annotated[str | None, typer.Option(help="Channel ('' clears it).")] = None,
    stage: Annotated[str | None, typer.Option(help="Hourglass stage ('' clears it).")] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign ('' clears it).")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217.")] = None,
    note: Annotated[str | None, typer.Option(help="Note ('' clears it).")] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a spend entry, as PUT /workspaces/{slug}/spend/{id}: what is not given is kept."""
    from leanmark.roi import services
    from leanmark.roi.schemas import SpendOut

    row = _spend(ws, spend_id)
    given = (date, amount, channel, stage, campaign, currency, note)
    if all(value is None for value in given):
        fail("nothing to change: give at least one option (see --help)")
    kept = (row.on, row.amount, row.channel, row.stage, row.campaign, row.currency, row.note)
    on, money, chan, stg, camp, cur, text = (
        old if new is None else new for new, old in zip(given, kept, strict=True)
    )
    entry = services.SpendIn(on, money, cur, chan, stg, camp, text)
    saved = services.change_spend(row, entry, actor=actor)
    show(
        SpendOut.of(saved),
        as_json=as_json,
        text=f"Spend {saved.pk} saved: {formats.money(saved.amount, saved.currency, exact=True)} "
        f"on {saved.on}.",
    )


@spend_app.command("remove")
@workspace_command
def spend_remove(
    spend_id: Annotated[int, typer.Argument(help="The entry's id (see `leanmark spend list`).")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Delete a spend entry, as DELETE /workspaces/{slug}/spend/{id}; the audit trail keeps it."""
    from leanmark.roi import services

    row = _spend(ws, spend_id)
    said = f"{formats.money(row.amount, row.currency, exact=True)} on {row.on}"
    services.delete_spend(row, actor=actor)
    out.print(f"Spend {spend_id} removed ({said}).")


@time_app.command("log")
@workspace_command
def time_log(
    card: Annotated[int, typer.Argument(help="Card number (without #).")],
    hours: Annotated[str, typer.Argument(help="Hours, e.g. 1.5.")],
    date: Annotated[str, typer.Option(help="YYYY-MM-DD (default: today).")] = "",
    member: Annotated[str, typer.Option(help="Who did the work (e-mail; default: --as).")] = "",
    note: Annotated[str, typer.Option(help="Note.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Log time on a card."""
    from django.http import Http404
    from django.utils import timezone

    from leanmark.board import queries as board_queries
    from leanmark.roi import services
    from leanmark.roi.schemas import TimeLogOut

    person = actor_for(ws, member) if member else actor
    try:
        found = board_queries.card_for(ws, card)
    except Http404:
        fail(f"no card #{card} in {ws.slug}")
    log = services.log_time(
        found, member=person, on=date or timezone.localdate(), hours=hours, note=note, actor=actor
    )
    show(
        TimeLogOut.of(log),
        as_json=as_json,
        text=f"Logged {log.hours.normalize():f} h on #{found.number} for {person.label}.",
    )


@time_app.command("list")
@workspace_command
def time_list(
    card: Annotated[int | None, typer.Option(help="Only this card (number, without #).")] = None,
    member: Annotated[str | None, typer.Option(help="Only this member's (e-mail).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1–1000).")] = 100,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Time logged on cards, newest first, as GET /workspaces/{slug}/time-logs."""
    from django.http import Http404

    from leanmark.board import queries as board_queries
    from leanmark.roi import queries
    from leanmark.roi.schemas import TimeLogOut

    if not 1 <= limit <= 1000:
        fail(f"--limit is from 1 to 1000, not {limit}")
    card_id = None
    if card is not None:
        try:
            card_id = board_queries.card_for(ws, card).pk
        except Http404:
            fail(f"no card #{card} in {ws.slug}")
    logs = queries.time_logs(ws, card_id=card_id, limit=None)
    if member:
        logs = logs.filter(member=actor_for(ws, member, need="viewer"))
    rows = [TimeLogOut.of(log) for log in logs[:limit]]
    show(
        rows,
        as_json=as_json,
        table={
            "Id": "id",
            "Date": "date",
            "Card": lambda row: f"#{row['card_number']}",
            "Member": "member",
            "Hours": lambda row: f"{Decimal(row['hours']).normalize():f}",
            "Note": "note",
        },
        title=f"{len(rows)} time log(s)",
    )


@time_app.command("remove")
@workspace_command
def time_remove(
    log_id: Annotated[int, typer.Argument(help="The log's id (see `leanmark time list`).")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Delete a time log, as DELETE /workspaces/{slug}/time-logs/{id}: your own, one you
    logged, or any for an owner."""
    from django.http import Http404

    from leanmark.accounts.models import Membership, Role
    from leanmark.roi import queries, services

    try:
        log = queries.time_log_for(ws, log_id)
    except (Http404, OverflowError):
        fail(f"no time log {log_id} in {ws.slug}; `leanmark time list` shows the ids")
    owner = Membership.objects.get(workspace=ws, user=actor).allows(Role.OWNER)
    said = f"{log.hours.normalize():f} h on #{log.card.number} by {log.member.label}"
    services.delete_time_log(log, actor=actor, is_owner=owner)
    out.print(f"Time log {log_id} removed ({said}).")


# ---- test steps ---------------------------------------------------------------------------------


def _step_line(step: Any) -> str:
    card = f"#{step.card_number} {step.card_title}" if step.card_number else "(card deleted)"
    return f"{card} · {step.check} {step.starts_on}..{step.ends_on}"


@steps_app.command("create")
@workspace_command
def steps_create(
    board: Annotated[int, typer.Option(help="The board's id: the cards go on its first column.")],
    starts_on: Annotated[str, typer.Option("--from", help="The test window's first day.")],
    ends_on: Annotated[str, typer.Option("--to", help="Its last day.")],
    check: Annotated[str, typer.Option(help="holdout or before_after.")] = "holdout",
    holdout_share: Annotated[
        float | None, typer.Option(help="For a holdout: the share kept at today's amount (0.2).")
    ] = None,
    budget: Annotated[
        float | None, typer.Option(help="Total per month (default: what last month used).")
    ] = None,
    unit: Annotated[str, typer.Option(help="money or hours.")] = "money",
    max_move: Annotated[float, typer.Option(help="The step limit, a share from 0 to 1.")] = 0.2,
    objective: Annotated[str, typer.Option(help="return, roas or cpa.")] = "return",
    target: Annotated[float | None, typer.Option(help="The target ROAS or CPA.")] = None,
    name: Annotated[str, typer.Option(help="The saved run's name.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn the recommended moves into test cards, as POST /workspaces/{slug}/allocation/steps."""
    from django.urls import reverse
    from django.utils import timezone

    from leanmark.board import queries as board_queries
    from leanmark.roi import queries, services
    from leanmark.roi.schemas import AllocationStepOut

    if unit not in ("money", "hours"):
        fail(f"the unit is money or hours, not {unit!r}")
    if not 0 <= max_move <= 1:
        fail(f"--max-move is a share from 0 to 1 (0.2 for ±20 %), not {max_move:g}")
    found = board_queries.board_in(ws, board) if 0 < board < 2**63 else None
    if found is None:
        fail(f"no board {board} in {ws.slug}")
    plan_check = services.clean_check(check, starts_on, ends_on, holdout_share)
    chosen, goal = services.clean_objective(objective, target)
    view = queries.allocation(
        ws, unit=unit, today=timezone.localdate(), budget=budget, max_move=max_move,
        objective=chosen, target=goal, resamples=0,
    )  # fmt: skip
    plan, steps = services.create_steps(
        ws,
        view.allocation,
        curves=view.curves.curves,
        bounds=view.bounds,
        board=found,
        check=plan_check,
        name=name,
        month=plan_check.starts_on.replace(day=1),
        unit=unit,
        actor=actor,
        link=lambda step: reverse("roi-step", kwargs={"ws": ws.slug, "step_id": step.pk}),
    )
    rows = [AllocationStepOut.of(step) for step in steps]
    if as_json:
        print_json({"plan_id": plan.pk, "steps": [r.model_dump(mode="json", by_alias=True)
                                                   for r in rows]})  # fmt: skip
        return
    out.print(f"{len(rows)} test card(s) on {found.name}; the run is saved as {plan.name!r}.")
    for row in rows:
        out.print(f"Step {row.id}: {_step_line(row)}")


@steps_app.command("list")
@workspace_command(need="viewer")
def steps_list(
    limit: Annotated[int, typer.Option(help="At most this many (1-1000).")] = 100,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Test steps, newest first, as GET /workspaces/{slug}/allocation/steps."""
    from leanmark.roi import queries
    from leanmark.roi.schemas import AllocationStepOut

    if not 1 <= limit <= 1000:
        fail(f"--limit is from 1 to 1000, not {limit}")
    rows = [AllocationStepOut.of(step) for step in queries.steps_of(ws, limit=limit)]
    if as_json:
        print_json([r.model_dump(mode="json", by_alias=True) for r in rows])
        return
    table = Table(
        "Step", "Card", "Channel", "Move", "Window", "Result", "Curve", title="Test steps"
    )
    for r in rows:
        result = "waiting" if r.result is None else f"{r.result.spend} → {r.result.returned}"
        curve = r.curve.formula
        if r.refit is not None:
            curve += " → " + (r.refit.curve.formula if r.refit.curve else "not refitted")
        table.add_row(
            str(r.id), f"#{r.card_number}" if r.card_number else "—", r.channel,
            f"{r.change:+}", f"{r.starts_on}..{r.ends_on}", result, curve,
        )  # fmt: skip
    out.print(table)


@steps_app.command("result")
@workspace_command
def steps_result(
    step_id: Annotated[int, typer.Argument(help="The step's id (see `leanmark roi steps list`).")],
    spend: Annotated[str, typer.Option(help="The channel's spend (or hours) over the window.")],
    returned: Annotated[str, typer.Option("--return", help="Its return over the window.")],
    note: Annotated[str, typer.Option(help="What the check showed.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a step's result and refit its channel's curve, as POST .../steps/{id}/result."""
    from django.http import Http404
    from django.utils import timezone

    from leanmark.roi import queries, services
    from leanmark.roi.schemas import AllocationStepOut

    try:
        step = queries.step_for(ws, step_id)
    except Http404:
        fail(f"no test step {step_id} in {ws.slug}; `leanmark roi steps list` shows the ids")
    services.record_step_result(
        step, spend=spend, ret=returned, note=note, actor=actor, today=timezone.localdate()
    )
    row = AllocationStepOut.of(queries.step_for(ws, step_id))
    if as_json:
        print_json(row.model_dump(mode="json", by_alias=True))
        return
    if row.refit is not None and row.refit.curve is not None:
        refit = f"{row.curve.formula} → {row.refit.curve.formula} ({row.refit.points} points)"
    else:
        refit = f"not refitted: {row.refit.problem if row.refit else ''}"
    out.print(f"Step {row.id} on {row.channel}: result recorded; curve {refit}.")
