"""A day's stand-up as Markdown, to paste into chat (web page and `leanmark standup summary`)."""

from datetime import date, datetime

from leanmark.accounts.models import Workspace
from leanmark.domain.flow import days

from . import queries


def _text(value: str) -> str:
    """One Markdown list item's text: continuation lines indented under the item."""
    return "\n  ".join(line.rstrip() for line in value.strip().splitlines())


def _age(since: datetime, until: datetime) -> str:
    return f"{days(until - since):.1f} d"


def summary_markdown(workspace: Workspace, day: date) -> str:
    entries = queries.entries_on(workspace, day)
    lines = [f"## Stand-up {day.isoformat()} ({day:%A}) · {workspace.name}", ""]
    if not entries:
        lines += ["Nobody checked in.", ""]
    for entry in entries:
        lines.append(f"**{entry.member.label}**")
        for label, value in (
            ("Yesterday", entry.yesterday),
            ("Today", entry.today),
            ("Blockers", entry.blockers),
        ):
            if value.strip():
                lines.append(f"- {label}: {_text(value)}")
        lines.append("")
    checked = {e.member_id for e in entries}
    missing = [p.label for p in queries.expected_people(workspace) if p.pk not in checked]
    if missing:
        lines += [f"Not checked in: {', '.join(missing)}", ""]
    _start, end = queries.day_bounds(workspace, day)
    still_open = queries.impediments_open_on(workspace, day)
    if still_open:
        lines.append(f"**Open impediments ({len(still_open)})**")
        for item in still_open:
            card = f" (#{item.card.number})" if item.card else ""
            age = _age(item.raised_at, min(end, item.resolved_at or end))
            lines.append(f"- {item.what}{card} · owner {item.owner.label} · open {age}")
        lines.append("")
    resolved = queries.impediments_resolved_on(workspace, day)
    if resolved:
        lines.append(f"**Resolved impediments ({len(resolved)})**")
        for item in resolved:
            card = f" (#{item.card.number})" if item.card else ""
            lines.append(f"- {item.what}{card}: {_text(item.resolution)}")
        lines.append("")
    for record in queries.agenda_records_on(workspace, day):
        flagged = [
            (section["column"], item)
            for section in record.data.get("sections", [])
            for item in section["items"]
            if item["flags"]
        ]
        column_flags = [
            (section["column"], flag["text"])
            for section in record.data.get("sections", [])
            for flag in section["flags"]
        ]
        taken = record.taken_at.astimezone(queries.zone(workspace))
        lines.append(f"**Flagged on {record.board.name} at {taken:%H:%M}**")
        lines += [f"- {column}: {text}" for column, text in column_flags]
        for column, item in flagged:
            flags = "; ".join(f["text"] for f in item["flags"])
            lines.append(f"- {column}: #{item['number']} {item['title']} — {flags}")
        if not flagged and not column_flags:
            lines.append("- nothing flagged")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
