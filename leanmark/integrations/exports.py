"""A workspace as one JSON document, or as one CSV per entity (a zip).

Every model of every Leanmark app is included whose rows belong to a workspace: through a
``workspace`` foreign key, or a chain of foreign keys that ends at one (a card event through
its board). The path is found from the models, so a capability added later is exported
without touching this file. Secrets never leave: password hashes, token hashes, invitation
tokens, webhook signing secrets and marketing connections' credentials are left out, and people
appear as id, e-mail and name.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from leanmark.accounts.models import Membership, User, Workspace
from leanmark.flow.exports import safe

FORMAT = "leanmark-workspace-export"
VERSION = 1
SECRET_FIELDS = {
    "accounts.invitation": {"token_hash"},
    "integrations.webhook": {"secret"},
    "channeldata.connection": {"secret"},  # an account's API credentials (encrypted, still secret)
}
# people and the workspace are written apart; tokens are secrets; who-is-editing is not data
LEFT_OUT = {"accounts.user", "accounts.apitoken", "accounts.workspace", "board.cardeditor"}
Progress = Callable[[int, int, str], None]


class Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (an export loses nothing)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


@dataclass(frozen=True)
class Entity:
    label: str  # "board.card"
    model: type[models.Model]
    path: str  # the lookup from this model to its workspace: "board__workspace"


def _paths() -> list[Entity]:
    """Each workspace-owned model with its shortest foreign-key path to Workspace."""
    found: dict[type[models.Model], str] = {Workspace: ""}
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m.__module__.startswith("leanmark.") or m._meta.auto_created
    ]
    candidates = [m for m in candidates if m._meta.app_label in _our_apps()]
    for _ in range(5):  # chains are short: card event → card → board → workspace
        for model in candidates:
            if model in found:
                continue
            for field in model._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                if target in found:
                    prefix = found[target]
                    found[model] = f"{field.name}__{prefix}" if prefix else field.name
                    break
    entities = [
        Entity(f"{m._meta.app_label}.{m._meta.model_name}", m, found[m].rstrip("_"))
        for m in candidates
        if m in found and m is not Workspace
    ]
    return sorted(
        (e for e in entities if e.label not in LEFT_OUT), key=lambda e: (_order(e), e.label)
    )


def _our_apps() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith("leanmark.")}


def _order(entity: Entity) -> int:
    """Parents before children, so a reader can load the document top to bottom."""
    return entity.path.count("__")


def entities() -> list[Entity]:
    return _paths()


def _columns(entity: Entity) -> list[str]:
    """The entity's exported columns: every concrete field but its secrets."""
    hidden = SECRET_FIELDS.get(entity.label, set())
    return [f.attname for f in entity.model._meta.concrete_fields if f.name not in hidden]


def _rows(entity: Entity, workspace: Workspace) -> Iterator[dict[str, Any]]:
    names = _columns(entity)
    rows = entity.model._default_manager.filter(**{entity.path: workspace}).order_by("pk")
    for values in rows.values_list(*names).iterator(chunk_size=2000):
        yield dict(zip(names, values, strict=True))


def _people(workspace: Workspace) -> list[dict[str, Any]]:
    members = Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True)
    return [
        {"id": u.pk, "email": u.email, "display_name": u.display_name}
        for u in User.objects.filter(pk__in=members).order_by("pk")
    ]


def document(workspace: Workspace, *, progress: Progress | None = None) -> dict[str, Any]:
    """The whole workspace as plain data (what ``write_json`` writes)."""
    workspace = Workspace.objects.get(pk=workspace.pk)  # counters move under F() updates
    todo = entities()
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "workspace": {
            f.attname: getattr(workspace, f.attname) for f in Workspace._meta.concrete_fields
        },
        "people": _people(workspace),
        "entities": {},
    }
    for done, entity in enumerate(todo, start=1):
        out["entities"][entity.label] = list(_rows(entity, workspace))
        if progress:
            progress(done, len(todo), entity.label)
    out["counts"] = {label: len(rows) for label, rows in out["entities"].items()}
    return out


def write_json(workspace: Workspace, stream: io.TextIOBase, **kw: Any) -> dict[str, int]:
    doc = document(workspace, **kw)
    json.dump(doc, stream, cls=Encoder, indent=1, sort_keys=True)
    return doc["counts"]


def write_csv_zip(workspace: Workspace, target: Any, **kw: Any) -> dict[str, int]:
    """One CSV per entity in a zip, UTF-8, header row of field names; JSON fields as JSON."""
    doc = document(workspace, **kw)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for label, rows in {"people": doc["people"], **doc["entities"]}.items():
            buffer = io.StringIO()
            names = list(rows[0]) if rows else _field_names(label)
            writer = csv.writer(buffer)
            writer.writerow(names)
            for row in rows:
                writer.writerow([_cell(row[n]) for n in names])
            archive.writestr(f"{label}.csv", buffer.getvalue())
    return doc["counts"]


def _field_names(label: str) -> list[str]:
    if label == "people":
        return ["id", "email", "display_name"]
    return _columns(next(e for e in entities() if e.label == label))


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return safe(json.dumps(value, cls=Encoder, sort_keys=True))
    if value is None:
        return ""
    return safe(value)
