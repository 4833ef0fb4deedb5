"""What a cycle starts from: a waste step, an impediment, a stand-up blocker, or nothing.

Sources are kept as (kind, id); this module looks them up through the other apps' queries and
turns them into a label, a link and a first draft of the Plan.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from leanmark.accounts.models import Workspace
from leanmark.lib.errors import InvalidInput
from leanmark.standups import queries as standups_queries
from leanmark.valuestream import queries as valuestream_queries

from .models import Source

MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class SourceInfo:
    kind: str
    id: int | None
    label: str
    url: str = ""
    draft: dict[str, str] = field(default_factory=dict)  # Plan fields to start with
    found: Any = None  # the other app's object, for services that act on it (standardise)


# The only lookups a source may use: (app, query) -> the function, each imported by name.
QUERIES: dict[tuple[str, str], Callable[[Workspace, int], Any]] = {
    ("valuestream", "step_for"): valuestream_queries.step_for,
    ("standups", "impediment_for"): standups_queries.impediment_for,
    ("standups", "entry_for"): standups_queries.entry_for,
}

LOOKUPS = {
    Source.VSM_STEP: ("valuestream", "step_for", "value stream step"),
    Source.IMPEDIMENT: ("standups", "impediment_for", "impediment"),
    Source.STANDUP_BLOCKER: ("standups", "entry_for", "stand-up entry"),
}


def clean_kind(kind: Any) -> str:
    if kind in (None, ""):
        return Source.BLANK
    if kind not in Source.values:
        raise InvalidInput(
            f"unknown source {str(kind)[:30]!r}; choose one of {', '.join(Source.values)}",
            field="source",
        )
    return str(kind)


def clean_id(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(
            f"the source id must be a whole number, not {text[:20]!r}", field="source_id"
        )
    return int(text)


def _text(obj: Any, *names: str) -> str:
    for name in names:
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return str(value)
    return ""


def _url(workspace: Workspace, kind: str, obj: Any) -> str:
    """The source's page in its app, when that app has one."""
    own = getattr(obj, "get_absolute_url", None)
    if callable(own):
        return str(own())
    try:
        if kind == Source.VSM_STEP:
            return reverse(
                "valuestream-map", kwargs={"ws": workspace.slug, "stream_id": obj.stream_id}
            )
        if kind == Source.IMPEDIMENT:
            return reverse(
                "standup-impediment", kwargs={"ws": workspace.slug, "impediment_id": obj.pk}
            )
    except (NoReverseMatch, AttributeError):
        return ""
    return ""


def _draft_from_step(step: Any) -> dict[str, str]:
    name = _text(step, "name") or str(step)
    lt = f"{getattr(step, 'lt_value', '')} {_text(step, 'get_lt_unit_display', 'lt_unit')}"
    pt = f"{getattr(step, 'pt_value', '')} {_text(step, 'get_pt_unit_display', 'pt_unit')}"
    waste = _text(step, "get_waste_type_display", "waste_type")
    value = _text(step, "get_customer_value_display", "customer_value")
    stream = getattr(step, "stream", None)
    condition = (
        f"“{name}” on the map “{stream}”: lead time {lt.strip()}, process time {pt.strip()}"
        f"{f', {value.lower()}' if value else ''}{f' ({waste})' if waste else ''}."
    )
    background = "\n".join(
        f"{label}: {text}"
        for label, text in (
            ("Why we do it", _text(step, "why")),
            ("Value to the customer", _text(step, "value_to_customer")),
            ("How to eliminate its waste", _text(step, "how_to_eliminate")),
            ("The new, simpler step", _text(step, "simpler_step")),
        )
        if text
    )
    return {
        "title": f"Cut the waste in “{name}”"[:200],
        "current_condition": condition,
        "background": background,
    }


def resolve(workspace: Workspace, kind: Any, raw_id: Any) -> SourceInfo:
    """The source in this workspace, or InvalidInput that says what is wrong."""
    kind = clean_kind(kind)
    source_id = clean_id(raw_id)
    if kind == Source.BLANK:
        return SourceInfo(Source.BLANK, None, "A blank problem")
    if source_id is None:
        raise InvalidInput(f"a {Source(kind).label.lower()} needs its id", field="source_id")
    app, name, noun = LOOKUPS[Source(kind)]
    lookup = QUERIES.get((app, name))
    if lookup is None:
        raise InvalidInput(
            f"cannot start from a {noun}: {app}.{name} is not an allowed lookup",
            field="source",
        )
    try:
        found = lookup(workspace, source_id)
    except (Http404, ObjectDoesNotExist):
        found = None
    if found is None:
        raise InvalidInput(f"there is no {noun} {source_id} in this workspace", field="source_id")
    label = _text(found, "name", "title", "what", "description", "blockers") or str(found)
    draft: dict[str, str] = {}
    if kind == Source.VSM_STEP:
        draft = _draft_from_step(found)
        label = f"Value stream step “{label}”"
    elif kind == Source.IMPEDIMENT:
        draft = {"title": label[:200], "background": f"Raised as an impediment: {label}"}
        label = f"Impediment “{label}”"
    else:
        draft = {"background": f"Raised at the stand-up: {label}"}
        label = f"Stand-up blocker “{label}”"
    return SourceInfo(kind, source_id, label[:300], _url(workspace, kind, found), draft, found)
