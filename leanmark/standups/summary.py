"""A day's stand-up as Markdown, to paste into chat (web page and `leanmark standup summary`)."""

import re
from datetime import date, datetime

from leanmark.accounts.models import Workspace
from leanmark.domain.flow import days

from . import queries

# Characters that start Markdown (or HTML) anywhere in a line: emphasis, code, links and images,
# raw HTML and autolinks (<javascript:…>), entities, strikethrough, table cells.
_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
# What makes a line a heading, quote, list item, rule or setext underline when it starts it.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


def md(value: str) -> str:
    """Text a person typed, safe to paste into chat as Markdown: it reads as typed and makes no
    HTML, link, image or formatting (CommonMark backslash escapes, which render invisibly).
    A check-in of ``<img src=x onerror=…>`` or ``[docs](javascript:…)`` stays text."""
    lines = (_INLINE.sub(r"\\\1", line) for line in value.splitlines() or [""])
    return "\n".join(_LINE_START.sub(_escape_start, line) for line in lines)


def _escape_start(found: re.Match[str]) -> str:
    space, marker = found.groups()
    # "1." is escaped as "1\." (a backslash escapes punctuation only, not a digit)
    return f"{space}{marker}\\" if marker[0].isdigit() else f"{space}\\{marker}"


def _text(value: str) -> str:
    """One Markdown list item's text, escaped: continuation lines indented under the item."""
    return "\n  ".join(md(line.rstrip()) for line in value.strip().splitlines())


def _age(since: datetime, until: datetime) -> str:
    return f"{days(until - since):.1f} d"


def summary_markdown(workspace: Workspace, day: date) -> str:
    entries = queries.entries_on(workspace, day)
    lines = [f"## Stand-up {day.isoformat()} ({day:%A}) · {md(workspace.name)}", ""]
    if not entries:
        lines += ["Nobody checked in.", ""]
    for entry in entries:
        lines.append(f"**{md(entry.member.label)}**")
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
        lines += [f"Not checked in: {', '.join(md(name) for name in missing)}", ""]
    _start, end = queries.day_bounds(workspace, day)
    still_open = queries.impediments_open_on(workspace, day)
    if still_open:
        lines.append(f"**Open impediments ({len(still_open)})**")
        for item in still_open:
            card = f" (#{item.card.number})" if item.card else ""
            age = _age(item.raised_at, min(end, item.resolved_at or end))
            lines.append(f"- {md(item.what)}{card} · owner {md(item.owner.label)} · open {age}")
        lines.append("")
    resolved = queries.impediments_resolved_on(workspace, day)
    if resolved:
        lines.append(f"**Resolved impediments ({len(resolved)})**")
        for item in resolved:
            card = f" (#{item.card.number})" if item.card else ""
            lines.append(f"- {md(item.what)}{card}: {_text(item.resolution)}")
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
        lines.append(f"**Flagged on {md(record.board.name)} at {taken:%H:%M}**")
        lines += [f"- {md(column)}: {md(text)}" for column, text in column_flags]
        for column, item in flagged:
            flags = "; ".join(md(f["text"]) for f in item["flags"])
            lines.append(f"- {md(column)}: #{item['number']} {md(item['title'])} — {flags}")
        if not flagged and not column_flags:
            lines.append("- nothing flagged")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
