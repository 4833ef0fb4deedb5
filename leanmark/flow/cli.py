"""`leanmark flow report`, `leanmark forecast how-many|when`, `leanmark import card-history` and
`leanmark export events`: thin wrappers over the flow queries and services."""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib import formats
from leanmark.lib.cli import (
    JsonOpt,
    board_for,
    err,
    fail,
    group,
    out,
    print_json,
    progress_bar,
    show,
    workspace_command,
)

flow_app = typer.Typer(help="Flow metrics computed from the event log.", no_args_is_help=True)
forecast_app = typer.Typer(help="Monte Carlo forecasts from throughput.", no_args_is_help=True)

BoardOpt = Annotated[int | None, typer.Option("--board", "-b", help="Board id (default: first).")]
DateOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="A day, YYYY-MM-DD.")]
LaneOpt = Annotated[str, typer.Option(help="Only this lane (expedite, fixed_date, …).")]
StageOpt = Annotated[str, typer.Option(help="Only this hourglass stage.")]
TagOpt = Annotated[str, typer.Option(help="Only cards with this tag.")]
PersonOpt = Annotated[str | None, typer.Option(help="Only cards assigned to this e-mail.")]
PeriodOpt = Annotated[str, typer.Option(help="Sample days or weeks: day | week.")]
TrialsOpt = Annotated[
    int, typer.Option(help="Monte Carlo trials (1 to 1,000,000; trials × periods ≤ 20,000,000).")
]
SeedOpt = Annotated[int, typer.Option(help="Random seed; the same seed gives the same answer.")]


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _filters(workspace: Any, lane: str, stage: str, tag: str, person: str | None) -> Any:
    from leanmark.accounts.models import User
    from leanmark.flow.queries import FlowFilters

    person_id = None
    if person:
        user = User.objects.filter(
            username=person.lower(), memberships__workspace=workspace
        ).first()
        if user is None:
            fail(f"{person} is not a member of {workspace.slug}")
        person_id = user.pk
    return FlowFilters(lane=lane, stage=stage, person=person_id, tag=tag.strip().lower())


@flow_app.command("report")
@workspace_command
def flow_report(
    ws: Any = None,
    board: BoardOpt = None,
    since: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day (default: 89 days ago)."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (default: today)."),
    ] = None,
    lane: LaneOpt = "",
    stage: StageOpt = "",
    tag: TagOpt = "",
    person: PersonOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every flow metric of a board for a date range (all the data with --json)."""
    from django.utils import timezone

    from leanmark.flow import exports, queries

    chosen = board_for(ws, board)
    now = timezone.now()
    start, end = queries.default_range(chosen, now)
    filters = _filters(ws, lane, stage, tag, person)
    report = queries.flow_report(
        chosen, start=_day(since) or start, end=_day(until) or end, now=now, filters=filters
    )
    data = exports.report_dict(report)
    if as_json:
        print_json(data)
        return
    _print_report(data)


def _print_report(data: dict[str, Any]) -> None:
    days = len(data["wip"])
    out.print(f"{data['board']}: {data['from']} to {data['to']} ({days} days)")
    if not data["items"]:
        out.print("Not enough data yet: no card has any history here.")
        return
    table = Table("Metric", "Value", "From")
    th = data["throughput"]
    cycle = data["cycle_time"]
    table.add_row("Finished", str(th["total"]), f"entered {data['done_column']} and stayed")
    table.add_row("Throughput", f"{th['per_day']:.2f} / day", f"{th['total']} items ÷ {days} days")
    for level, value in cycle["percentiles"].items():
        table.add_row(f"Cycle time {level}%", f"{value:.1f} d", f"nearest rank of {cycle['items']}")
    law = data["littles_law"]
    table.add_row("Mean WIP", f"{law['mean_wip']:.1f}", f"{days} end-of-day counts")
    table.add_row("In progress now", str(len(data["aging"])), "")
    past = sum(a["past_85th"] for a in data["aging"])
    table.add_row("Older than the 85th", str(past), "aging items to look at first")
    eff = data["flow_efficiency"]
    ratio = "–" if eff["ratio"] is None else f"{100 * eff['ratio']:.0f} %"
    table.add_row("Flow efficiency", ratio, f"active ÷ cycle time over {eff['items']} items")
    if law["predicted_wip"] is not None:
        table.add_row(
            "Little's Law",
            f"{law['mean_wip']:.1f} vs {law['predicted_wip']:.1f}",
            f"{law['throughput_per_day']:.2f}/day × {law['mean_cycle_days']:.1f} d",
        )
    for reason in data["blocked_reasons"][:3]:
        table.add_row(
            "Blocked for", reason["reason"], f"{reason['times']}×, {reason['blocked_days']:.1f} d"
        )
    out.print(table)


def _spec(
    period: str, window_from: Any, window_to: Any, trials: int, seed: int, filters: Any
) -> Any:
    from leanmark.flow.queries import PERIOD_DAYS, ForecastInput

    if period not in PERIOD_DAYS:
        fail("the period must be 'day' or 'week'")
    return ForecastInput(
        period=period,
        window_from=_day(window_from),
        window_to=_day(window_to),
        trials=trials,
        seed=seed,
        filters=filters,
    )


def _print_forecast(data: dict[str, Any]) -> None:
    if data["question"] == "how_many":
        out.print(f"How many items by {data['until']} ({data['periods_ahead']} {data['period']}s)?")
        table = Table("Confidence", "Items (at least)")
        for a in data["answers"]:
            table.add_row(f"{a['confidence']}%", str(a["items"]))
    else:
        out.print(f"When will {data['items']} items be done?")
        table = Table("Confidence", "Done by", f"{data['period'].capitalize()}s")
        for a in data["answers"]:
            table.add_row(
                f"{a['confidence']}%", a["date"] or "beyond the horizon", str(a["periods"] or "–")
            )
    out.print(table)
    out.print(
        f"{data['trials']:,} trials, seed {data['seed']}; history {data['window_from']} to "
        f"{data['window_to']}: {len(data['history'])} {data['period']}s, "
        f"{data['history_items']} items finished."
    )


@forecast_app.command("how-many")
@workspace_command
def forecast_how_many(
    until: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="Count up to this day (at most 5 years ahead)."),
    ],
    ws: Any = None,
    board: BoardOpt = None,
    period: PeriodOpt = "day",
    window_from: DateOpt = None,
    window_to: DateOpt = None,
    trials: TrialsOpt = 10_000,
    seed: SeedOpt = 42,
    lane: LaneOpt = "",
    stage: StageOpt = "",
    tag: TagOpt = "",
    person: PersonOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How many items will be finished from tomorrow to --until, at 50/70/85/95 %."""
    from django.utils import timezone

    from leanmark.flow import exports, queries

    chosen = board_for(ws, board)
    spec = _spec(
        period, window_from, window_to, trials, seed, _filters(ws, lane, stage, tag, person)
    )
    report = queries.forecast_how_many(chosen, until=until.date(), now=timezone.now(), spec=spec)
    data = exports.forecast_dict(report)
    print_json(data) if as_json else _print_forecast(data)


@forecast_app.command("when")
@workspace_command
def forecast_when(
    items: Annotated[int, typer.Option(help="How many items must be finished (1 to 10,000).")],
    ws: Any = None,
    board: BoardOpt = None,
    period: PeriodOpt = "day",
    window_from: DateOpt = None,
    window_to: DateOpt = None,
    trials: TrialsOpt = 10_000,
    seed: SeedOpt = 42,
    lane: LaneOpt = "",
    stage: StageOpt = "",
    tag: TagOpt = "",
    person: PersonOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """When --items items will be finished, at 50/70/85/95 %."""
    from django.utils import timezone

    from leanmark.flow import exports, queries

    chosen = board_for(ws, board)
    spec = _spec(
        period, window_from, window_to, trials, seed, _filters(ws, lane, stage, tag, person)
    )
    report = queries.forecast_when(chosen, items=items, now=timezone.now(), spec=spec)
    data = exports.forecast_dict(report)
    print_json(data) if as_json else _print_forecast(data)


@forecast_app.command("backtest")
@workspace_command
def forecast_backtest(
    ws: Any = None,
    board: BoardOpt = None,
    horizon: Annotated[int, typer.Option(help="Days each past forecast looked ahead.")] = 14,
    window: Annotated[int, typer.Option(help="Days of history each one sampled.")] = 90,
    step: Annotated[int, typer.Option(help="Days between past forecasts.")] = 7,
    trials: Annotated[int, typer.Option(help="Monte Carlo trials per forecast.")] = 2_000,
    seed: SeedOpt = 42,
    as_json: JsonOpt = False,
) -> None:
    """How often the board's past "how many" forecasts of the last year came true."""
    from django.utils import timezone

    from leanmark.flow import queries
    from leanmark.flow.schemas import BacktestOut

    report = queries.forecast_backtest(
        board_for(ws, board),
        now=timezone.now(),
        horizon=horizon,
        window=window,
        step=step,
        trials=trials,
        seed=seed,
    )
    data = BacktestOut.of(report)
    if as_json:
        print_json(data.model_dump(mode="json"))
        return
    out.print(
        f"{len(data.runs)} past forecasts of {horizon} days from {window} days of history: "
        f"predictability {formats.percent(data.predictability, 0)}"
    )
    show(
        [{"confidence": lv.confidence, "hit": lv.hit_rate} for lv in data.levels],
        as_json=False,
        table={
            "Confidence": lambda r: f"{r['confidence']} %",
            "Came true": lambda r: formats.percent(r["hit"], 0),
        },
    )


@workspace_command
def import_card_history(
    file: Annotated[Path, typer.Argument(help="CSV: id, title, one date column per board column.")],
    ws: Any = None,
    board: BoardOpt = None,
    actor: Any = None,
) -> None:
    """Create cards with back-dated events from a card-history CSV, all or nothing."""
    from leanmark.flow.services import ImportFailed, import_card_history

    chosen = board_for(ws, board)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")
    try:
        with progress_bar(f"Importing into {chosen.name}") as report:
            cards = import_card_history(chosen, text, actor=actor, progress=report)
    except ImportFailed as failed:
        for line in failed.errors:
            err.print(line)
        fail(failed.message.split(". ")[0] + ".")
    out.print(f"Imported {len(cards):,} cards with their history into {chosen.name}.")


@workspace_command
def export_events(
    ws: Any = None,
    board: BoardOpt = None,
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output.")
    ] = None,
) -> None:
    """The board's event log as CSV, oldest first."""
    import csv
    import sys

    from leanmark.flow.exports import event_rows, safe

    chosen = board_for(ws, board)
    handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csv.writer(handle)
        count = -1
        for row in event_rows(chosen):
            writer.writerow([safe(v) for v in row])
            count += 1
    finally:
        if output:
            handle.close()
    if output:
        out.print(f"Wrote {count:,} events to {output}.")


@forecast_app.command("campaign")
@workspace_command
def forecast_campaign(
    launch: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="The launch day (at most 5 years ahead)."),
    ],
    ws: Any = None,
    board: BoardOpt = None,
    tag: Annotated[str, typer.Option(help="The campaign's cards: this tag.")] = "",
    channel: Annotated[str, typer.Option(help="The campaign's cards: this channel.")] = "",
    period: PeriodOpt = "day",
    window_from: DateOpt = None,
    window_to: DateOpt = None,
    trials: TrialsOpt = 10_000,
    seed: SeedOpt = 42,
    as_json: JsonOpt = False,
) -> None:
    """The probability that every not-done card of a campaign (--tag and/or --channel) is done
    by --launch, counting only working days."""
    from django.utils import timezone

    from leanmark.flow import queries
    from leanmark.flow.schemas import CampaignOut

    chosen = board_for(ws, board)
    spec = _spec(period, window_from, window_to, trials, seed, queries.FlowFilters())
    report = queries.forecast_campaign(
        chosen, launch=launch.date(), now=timezone.now(), tag=tag, channel=channel, spec=spec
    )
    data = CampaignOut.of(report)
    if as_json:
        print_json(data.model_dump(mode="json"))
        return
    out.print(
        f"All {data.items} not-done cards done by {data.launch}: "
        f"{formats.percent(data.probability, 1)} ({data.done_trials:,} of {data.trials:,} "
        f"trials, seed {data.seed}; {data.periods_ahead} working {data.period}s ahead, "
        f"{data.calendar.days_off_ahead} days off not counted)."
    )
    show(
        [c.model_dump() for c in data.cards],
        as_json=False,
        table={"Card": lambda r: f"#{r['number']}", "Title": "title", "Column": "column"},
    )


calendar_app = typer.Typer(
    help="The board's days off, which forecasts neither sample nor count.", no_args_is_help=True
)
DayArg = Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="A day, YYYY-MM-DD.")]
ToOpt = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day of a range.")
]


def _print_calendar(chosen: Any, as_json: bool) -> None:
    from leanmark.flow import queries
    from leanmark.flow.schemas import CalendarOut

    data = CalendarOut.of(queries.working_calendar(chosen))
    if as_json:
        print_json(data.model_dump(mode="json"))
        return
    out.print(
        f"{chosen.name}: weekends are {'days off' if data.weekends_off else 'working days'}; "
        f"{len(data.days_off)} blackout day{'s' if len(data.days_off) != 1 else ''}."
    )
    show(
        [d.model_dump(mode="json") for d in data.days_off],
        as_json=False,
        table={"Day off": "day", "Reason": "reason"},
    )


@calendar_app.command("show")
@workspace_command
def calendar_show(ws: Any = None, board: BoardOpt = None, as_json: JsonOpt = False) -> None:
    """The board's days off."""
    _print_calendar(board_for(ws, board), as_json)


@calendar_app.command("add")
@workspace_command
def calendar_add(
    day: DayArg,
    ws: Any = None,
    board: BoardOpt = None,
    to: ToOpt = None,
    reason: Annotated[str, typer.Option(help="A holiday, a team off-day …")] = "",
    actor: Any = None,
) -> None:
    """Mark a day (or DAY to --to, at most 366 days) as off."""
    from leanmark.flow.services import add_days_off

    chosen = board_for(ws, board)
    added = add_days_off(chosen, day.date(), _day(to), reason=reason)
    out.print(f"{len(added)} day{'s' if len(added) != 1 else ''} off on {chosen.name}.")


@calendar_app.command("remove")
@workspace_command
def calendar_remove(
    day: DayArg, ws: Any = None, board: BoardOpt = None, to: ToOpt = None, actor: Any = None
) -> None:
    """Make a day (or DAY to --to) a working day again."""
    from leanmark.flow.services import remove_days_off

    chosen = board_for(ws, board)
    removed = remove_days_off(chosen, day.date(), _day(to))
    out.print(f"{removed} day{'s' if removed != 1 else ''} off removed from {chosen.name}.")


@calendar_app.command("weekends")
@workspace_command
def calendar_weekends(
    state: Annotated[str, typer.Argument(help="off (weekends are days off) or on (worked).")],
    ws: Any = None,
    board: BoardOpt = None,
    actor: Any = None,
) -> None:
    """Whether Saturdays and Sundays are days off for the board's forecasts."""
    from leanmark.flow.services import set_weekends_off

    if state not in ("on", "off"):
        fail(f"say 'off' (weekends are days off) or 'on' (weekends are worked), not {state!r}")
    chosen = board_for(ws, board)
    set_weekends_off(chosen, state == "off")
    out.print(f"Weekends are {'days off' if state == 'off' else 'working days'} on {chosen.name}.")


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(flow_app, name="flow")
    app.add_typer(forecast_app, name="forecast")
    flow_app.add_typer(calendar_app, name="calendar")
    group(app, "import", "Import data from files.").command("card-history")(import_card_history)
    group(app, "export", "Export data as files.").command("events")(export_events)
