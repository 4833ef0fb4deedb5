"""`leanmark idea …`: capture, list (ranked), show, edit, delete, score, triage, start and import
ideas."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    fail,
    out,
    print_json,
    progress_bar,
    show,
    workspace_command,
)

idea_app = typer.Typer(
    help="Ideas: capture, rank, edit, delete, triage, start, import.", no_args_is_help=True
)

OnOpt = Annotated[
    str | None, typer.Option("--on", help="Rank for this date (YYYY-MM-DD; default: today).")
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "--rank", help="ice, rice or cd3 (default: the workspace's choice)."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(idea_app, name="idea")


def _on(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(f"--on {raw!r} is not a date (YYYY-MM-DD)")


def _idea(ws: Any, idea_id: int) -> Any:
    from django.http import Http404

    from leanmark.backlog import queries

    try:
        return queries.idea_for(ws, idea_id)
    except (Http404, ValueError, OverflowError):
        fail(f"no idea {idea_id} in {ws.slug}; `leanmark idea list` shows the ids")


def idea_json(row: Any) -> dict[str, Any]:
    """One idea as the CLI's --json prints it (and the API's list, field for field)."""
    idea, score = row.idea, row.score
    return {
        "id": idea.pk,
        "title": idea.title,
        "status": idea.status,
        "stage": idea.stage,
        "channel": idea.channel,
        "tags": idea.tags,
        "rank": row.rank,
        "score": None if score is None else score.value,
        "explanation": None if score is None else score.explanation,
        "expedite": bool(score and score.expedite),
        "deadline_at_risk": bool(score and score.deadline_at_risk),
        "evidence_changed": idea.evidence_changed_at is not None,
        "card": idea.card.number if idea.card_id else None,
    }


@idea_app.command("add")
@workspace_command
def idea_add(
    title: str,
    stage: Annotated[str, typer.Option(help="Hourglass stage (know … refer).")] = "",
    channel: Annotated[str, typer.Option(help="Marketing channel.")] = "",
    detail: Annotated[str, typer.Option(help="Description (Markdown).")] = "",
    source: Annotated[str, typer.Option(help="Who or what suggested it.")] = "",
    tags: Annotated[str, typer.Option(help="Comma-separated tags.")] = "",
    hypothesis: Annotated[str, typer.Option(help="What you believe will happen.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Capture an idea: only the title is needed."""
    from leanmark.backlog import services

    idea = services.capture_idea(
        ws,
        title=title,
        actor=actor,
        description=detail,
        stage=stage.lower(),
        channel=channel,
        source=source,
        tags=tags,
        hypothesis=hypothesis,
    )
    show(
        {"id": idea.pk, "title": idea.title, "status": idea.status},
        as_json=as_json,
        text=f"Idea {idea.pk} captured: {idea.title}",
    )


@idea_app.command("list")
@workspace_command
def idea_list(
    ranked: Annotated[
        bool, typer.Option("--ranked", help="Sort by value (default: newest first).")
    ] = False,
    model: ModelOpt = None,
    on: OnOpt = None,
    status: Annotated[str, typer.Option(help="open, all, or one status.")] = "open",
    stage: Annotated[str, typer.Option(help="Only this hourglass stage.")] = "",
    channel: Annotated[str, typer.Option(help="Only this channel.")] = "",
    tag: Annotated[str, typer.Option(help="Only ideas with this tag.")] = "",
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Ideas of the workspace; --ranked sorts them by the scoring model for a date."""
    from leanmark.backlog import queries, services

    chosen = services.clean_model(model) if model else queries.default_model(ws)
    if status not in queries.STATUS_FILTERS:
        fail(f"unknown status {status!r}; choose one of {', '.join(queries.STATUS_FILTERS)}")
    day = _on(on) if on else queries_today(ws)
    filters = queries.IdeaFilters(status=status, stage=stage, channel=channel, tag=tag.lower())
    rows = queries.ranked_ideas(ws, model=chosen, on=day, filters=filters)
    if not ranked:
        rows.sort(key=lambda r: (r.idea.created_at, r.idea.pk), reverse=True)
    data = [idea_json(r) for r in rows]
    if as_json:
        print_json({"model": chosen.value, "on": day.isoformat(), "ranked": ranked, "ideas": data})
        return
    title = f"{len(data)} idea(s), {chosen.value.upper()} on {day.isoformat()}"
    table = Table("Rank", "Id", "Title", "Status", "Score", "Flags", title=title)
    for row in data:
        flags = ", ".join(
            label
            for key, label in (
                ("expedite", "expedite"),
                ("deadline_at_risk", "deadline at risk"),
                ("evidence_changed", "evidence changed"),
            )
            if row[key]
        )
        score = "–" if row["score"] is None else f"{row['score']:g}"
        table.add_row(
            str(row["rank"] or "–"), str(row["id"]), row["title"], row["status"], score, flags
        )
    out.print(table)


def queries_today(ws: Any) -> date:
    from leanmark.backlog import queries

    return queries.today(ws)


@idea_app.command("show")
@workspace_command
def idea_show(idea_id: int, on: OnOpt = None, ws: Any = None, as_json: JsonOpt = False) -> None:
    """One idea with its scores (and how each is computed) and its history."""
    from leanmark.backlog import queries

    idea = _idea(ws, idea_id)
    day = _on(on) if on else queries_today(ws)
    scores = queries.scores_of(idea, day)
    data = {
        "id": idea.pk,
        "title": idea.title,
        "status": idea.status,
        "reason": idea.status_reason,
        "stage": idea.stage,
        "channel": idea.channel,
        "tags": idea.tags,
        "source": idea.source,
        "description": idea.description,
        "hypothesis": idea.hypothesis,
        "scores": {m.value: (s.explanation if s else None) for m, s in scores.items()},
        "card": idea.card.number if idea.card_id else None,
        "history": [
            {"at": e.at.isoformat(), "kind": e.kind, "reason": e.reason, "data": e.data}
            for e in queries.history(idea)
        ],
    }
    if as_json:
        print_json(data)
        return
    out.print(f"Idea {idea.pk}: {idea.title} [{idea.status}]")
    if idea.status_reason:
        out.print(f"  reason: {idea.status_reason}")
    for model, text in data["scores"].items():
        out.print(f"  {model.upper()}: {text or 'not scored'}")
    if idea.card_id:
        out.print(f"  on the board as card #{idea.card.number}")
    for event in data["history"]:
        out.print(f"  {event['at'][:16]} {event['kind']} {event['reason']}".rstrip())


def _idea_out(idea: Any) -> Any:
    """One idea as the API answers it (GET/PATCH /api/v1/ideas/{id})."""
    from leanmark.backlog import queries
    from leanmark.backlog.schemas import IdeaOut

    fresh = queries.idea_for(idea.workspace, idea.pk)
    return IdeaOut.of(fresh, queries.scores_of(fresh, queries.today(fresh.workspace)))


@idea_app.command("edit")
@workspace_command
def idea_edit(
    idea_id: int,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    description: Annotated[str | None, typer.Option(help="New description (Markdown).")] = None,
    source: Annotated[str | None, typer.Option(help="Who or what suggested it.")] = None,
    stage: Annotated[str | None, typer.Option(help="Hourglass stage ('' clears it).")] = None,
    channel: Annotated[str | None, typer.Option(help="Marketing channel ('' clears it).")] = None,
    tags: Annotated[
        str | None, typer.Option(help="Comma-separated tags (replace the old ones; '' clears).")
    ] = None,
    hypothesis: Annotated[str | None, typer.Option(help="What you believe will happen.")] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an idea's fields, as PATCH /api/v1/ideas/{id}: only those given change, and its
    history records them."""
    from leanmark.backlog import services

    idea = _idea(ws, idea_id)
    given = {
        "title": title,
        "description": description,
        "source": source,
        "stage": None if stage is None else stage.lower(),
        "channel": channel,
        "tags": tags,
        "hypothesis": hypothesis,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        fail("nothing to change: give at least one option (see --help)")
    services.edit_idea(idea, changes=changes, actor=actor)
    saved = _idea_out(idea)
    show(saved, as_json=as_json, text=f"Idea {saved.id} saved: {saved.title}")


@idea_app.command("delete")
@workspace_command
def idea_delete(idea_id: int, ws: Any = None, actor: Any = None) -> None:
    """Delete an idea and its history, as DELETE /api/v1/ideas/{id}; a card made from it stays."""
    from leanmark.backlog import services

    idea = _idea(ws, idea_id)
    title = idea.title
    services.delete_idea(idea, actor=actor)
    out.print(f"Idea {idea_id} deleted: {title}")


@idea_app.command("score")
@workspace_command
def idea_score(
    idea_id: int,
    model: Annotated[str, typer.Argument(help="ice, rice or cd3.")],
    impact: Annotated[str, typer.Option(help="ICE 1–10; RICE 3, 2, 1, 0.5, 0.25.")] = "",
    confidence: Annotated[str, typer.Option(help="ICE 1–10; RICE 100, 80, 50 (%).")] = "",
    ease: Annotated[str, typer.Option(help="ICE 1–10.")] = "",
    reach: Annotated[str, typer.Option(help="RICE reach.")] = "",
    effort: Annotated[str, typer.Option(help="RICE person-months (≥ 0.5).")] = "",
    profile: Annotated[
        str, typer.Option(help="CD3: standard, fixed_date, intangible, expedite.")
    ] = "standard",
    value_rate: Annotated[str, typer.Option(help="CD3: value per week once delivered.")] = "",
    points: Annotated[
        bool, typer.Option("--points", help="CD3: the value rate is in points, not money.")
    ] = False,
    weeks: Annotated[str, typer.Option(help="CD3: duration in weeks (> 0).")] = "",
    deadline: Annotated[str, typer.Option(help="CD3 fixed date: YYYY-MM-DD.")] = "",
    penalty: Annotated[str, typer.Option(help="CD3 fixed date: cost per week once missed.")] = "",
    horizon: Annotated[str, typer.Option(help="CD3 intangible: YYYY-MM-DD.")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Score an idea with one model; prints the score and its explanation."""
    from leanmark.backlog import queries, services

    idea = _idea(ws, idea_id)
    values = {
        "impact": impact,
        "confidence": confidence,
        "ease": ease,
        "reach": reach,
        "effort": effort,
        "profile": profile,
        "value_rate": value_rate,
        "value_unit": "points" if points else "money",
        "duration_weeks": weeks,
        "deadline": deadline,
        "penalty": penalty,
        "horizon": horizon,
    }
    chosen = services.clean_model(model)
    idea = services.score_idea(idea, model=chosen, values=values, actor=actor)
    score = queries.score_of(idea, chosen, queries_today(ws))
    out.print(f"Idea {idea.pk}: {score.explanation if score else 'scored'}")


@idea_app.command("triage")
@workspace_command
def idea_triage(
    idea_ids: Annotated[list[int], typer.Argument(help="One or more idea ids.")],
    status: Annotated[
        str, typer.Option(help="evaluated, accepted, parked, rejected (or new to reopen).")
    ],
    reason: Annotated[str, typer.Option(help="Why (required to park or reject).")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Set the status of one or more ideas (all or none)."""
    from leanmark.backlog import services

    changed = services.bulk_set_status(ws, idea_ids, status=status, reason=reason, actor=actor)
    out.print(f"{changed} idea(s) now {status}.")


@idea_app.command("start")
@workspace_command
def idea_start(
    idea_id: int,
    reason: Annotated[str, typer.Option(help="Reason to go over a full soft limit.")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Turn an accepted idea into a card in the board's first column; exit 2 on a WIP limit."""
    from leanmark.backlog import services

    idea = _idea(ws, idea_id)
    card = services.start_idea(idea, actor=actor, reason=reason)  # a WIP limit exits 2
    out.print(f"Idea {idea.pk} started as card #{card.number} in {card.column.name}.")


@idea_app.command("import")
@workspace_command
def idea_import(
    file: Annotated[Path, typer.Argument(help="CSV file; the first line names the columns.")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Import ideas from CSV: all or nothing, every bad line listed."""
    from leanmark.backlog import services

    if not file.is_file():
        fail(f"{file} is not a file")
    data = file.read_bytes()
    with progress_bar(f"Importing {file.name}") as report:
        result = services.import_csv(ws, data, actor=actor, progress=report)
    out.print(f"{len(result.created)} idea(s) imported into {ws.slug}.")
