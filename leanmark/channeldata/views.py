"""The marketing-data page: import a tool's export (checked first, then confirmed), what each
source holds, past imports, utm values no rule matched, currency rates and the channel grouping.
Every page is role-checked by ``workspace_view``."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from leanmark.accounts.models import Role
from leanmark.domain.channeldata import SOURCES
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib import formats
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import InvalidInput, LeanmarkError
from leanmark.lib.htmx import render_page
from leanmark.lib.paging import paged

from . import connectors, queries, services

UPLOAD_MAX = 10 * 1024 * 1024
HELD = "channeldata-uploads"  # checked files wait here (in the data directory) to be confirmed


def _held_dir() -> Path:
    folder = Path(settings.DATA_DIR) / HELD
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _hold(workspace_id: int, name: str, data: bytes) -> str:
    token = secrets.token_urlsafe(16)
    (_held_dir() / f"{workspace_id}-{token}.bin").write_bytes(data)
    (_held_dir() / f"{workspace_id}-{token}.name").write_text(name[:200])
    return token


def _held(workspace_id: int, token: str) -> tuple[str, bytes]:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 40:
        raise InvalidInput("the checked file is gone; choose it again", field="file")
    base = _held_dir() / f"{workspace_id}-{token}"
    try:
        return base.with_suffix(".name").read_text(), base.with_suffix(".bin").read_bytes()
    except OSError:
        raise InvalidInput("the checked file is gone; choose it again", field="file") from None


def _release(workspace_id: int, token: str) -> None:
    for suffix in (".bin", ".name"):
        (_held_dir() / f"{workspace_id}-{token}{suffix}").unlink(missing_ok=True)


def _day_first(request: HttpRequest) -> bool | None:
    return {"day": True, "month": False}.get(request.POST.get("dates", ""))


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    workspace = request.workspace  # type: ignore[attr-defined]
    rules = queries.rules_of(workspace)
    return {
        "can_write": request.membership.allows(Role.MEMBER),  # type: ignore[attr-defined]
        "is_owner": request.membership.allows(Role.OWNER),  # type: ignore[attr-defined]
        "sources": queries.sources_of(workspace),
        "connections": connectors.connections_of(workspace),
        "source_names": SOURCES,
        "paging": paged(
            request,
            queries.imports(workspace),
            per_page=20,
            noun="import",
            plural="imports",
        ),
        "unassigned": queries.unassigned(workspace)[:50],
        "rates": sorted(queries.rates_of(workspace).items()),
        "presets": queries.presets_of(workspace),
        "stages": sorted(queries.stages_of(workspace).items()),
        "stage_choices": STAGE_CHOICES,
        "channels": queries.channels_of(workspace),
        "rules": rules,
        "default_rules": queries.uses_default_rules(workspace),
        "rules_text": "\n".join(f"{r.channel} | {r.source} | {r.medium}" for r in rules),
        **extra,
    }


@require_GET
@workspace_view()
def page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "channeldata/page.html", _context(request))


@require_POST
@workspace_view()
def check(request: HttpRequest) -> HttpResponse:
    """Read the file and show what importing it would change; the file waits to be confirmed."""
    workspace = request.workspace  # type: ignore[attr-defined]
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("choose a file to import", field="file")
        if upload.size and upload.size > UPLOAD_MAX:
            raise InvalidInput("the file is larger than 10 MB; export fewer days", field="file")
        data = upload.read()
        day_first = _day_first(request)
        plan = services.plan_import(workspace, upload.name or "upload", data, day_first=day_first)
    except services.NeedsMapping as error:
        token = _hold(workspace.pk, upload.name or "upload", data)
        return _mapping_form(request, token, upload.name or "upload", error)
    except LeanmarkError as error:
        return render_page(
            request, "channeldata/page.html", _context(request, import_error=error), status=422
        )
    token = _hold(workspace.pk, upload.name or "upload", data)
    return render_page(
        request,
        "channeldata/page.html",
        _context(request, plan=plan, token=token, dates=request.POST.get("dates", "")),
    )


FIELD_LABELS = {
    "day": "Day (needed)",
    "campaign": "Campaign",
    "ad_set": "Ad set",
    "channel": "Channel",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "currency": "Currency",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "sessions": "Sessions",
    "conversions": "Conversions",
    "revenue": "Revenue",
    "new_customers": "New customers",
}


def _mapping_form(
    request: HttpRequest,
    token: str,
    name: str,
    error: LeanmarkError,
    *,
    chosen: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    headers = error.details.get("headers") or []
    context = _context(
        request,
        mapping_for={"token": token, "name": name, "headers": headers, "problem": error.message},
        mapping_fields=[(f, FIELD_LABELS[f], (chosen or {}).get(f, "")) for f in FIELD_LABELS],
        dates=request.POST.get("dates", ""),
    )
    return render_page(request, "channeldata/page.html", context, status=status)


@require_POST
@workspace_view()
def map_columns(request: HttpRequest) -> HttpResponse:
    """Read a held file with the columns the person mapped, optionally keeping the mapping."""
    workspace = request.workspace  # type: ignore[attr-defined]
    token = request.POST.get("token", "")
    chosen = {f: request.POST.get(f"map_{f}", "").strip() for f in FIELD_LABELS}
    chosen = {f: h for f, h in chosen.items() if h}
    try:
        name, data = _held(workspace.pk, token)
        plan = services.plan_import(
            workspace, name, data, day_first=_day_first(request), mapping=chosen
        )
        preset = request.POST.get("preset", "").strip()
        if preset:
            services.save_preset(workspace, preset, chosen, actor=request.user)  # type: ignore[arg-type]
            plan.notes.insert(0, f"The mapping is saved as '{preset}' for the next file.")
    except LeanmarkError as error:
        try:
            name, data = _held(workspace.pk, token)
        except LeanmarkError:
            context = _context(request, import_error=error)
            return render_page(request, "channeldata/page.html", context, status=422)
        error.details.setdefault("headers", services.headers_of(name, data))
        return _mapping_form(request, token, name, error, chosen=chosen, status=422)
    return render_page(
        request,
        "channeldata/page.html",
        _context(
            request,
            plan=plan,
            token=token,
            dates=request.POST.get("dates", ""),
            mapping_json=json.dumps(chosen),
        ),
    )


def _mapping_posted(request: HttpRequest) -> dict[str, str] | None:
    try:
        found = json.loads(request.POST.get("mapping", "") or "null")
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return None
    return {str(k): str(v) for k, v in found.items()}


@require_POST
@workspace_view()
def confirm(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    token = request.POST.get("token", "")
    try:
        name, data = _held(workspace.pk, token)
        result = services.import_file(
            workspace,
            name,
            data,
            actor=request.user,  # type: ignore[arg-type]
            day_first=_day_first(request),
            mapping=_mapping_posted(request),
        )
    except LeanmarkError as error:
        return render_page(
            request, "channeldata/page.html", _context(request, import_error=error), status=422
        )
    _release(workspace.pk, token)
    plan = result.plan
    messages.success(
        request,
        f"Imported {formats.count(len(plan.rows), 'row')} from {plan.source_name} "
        f"({formats.day(plan.first_day)} to {formats.day(plan.last_day)}): "
        f"{formats.count(plan.changed_days, 'day')} changed, "
        f"{formats.count(plan.replaced, 'earlier row')} replaced.",
    )
    return redirect("channeldata", ws=workspace.slug)


@require_POST
@workspace_view(write=Role.OWNER)
def rate(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    currency = request.POST.get("currency", "")
    try:
        found = services.set_rate(
            workspace,
            currency,
            request.POST.get("rate", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        return render_page(
            request, "channeldata/page.html", _context(request, rate_error=error), status=422
        )
    if found is None:
        messages.success(request, f"Removed the rate of {currency.strip().upper()}.")
    else:
        messages.success(request, f"1 {found.currency} is now {found.rate.normalize():f}.")
    return redirect("channeldata", ws=workspace.slug)


def rules_from_text(text: str) -> list[dict[str, object]]:
    """'Channel | source regex | medium regex', one rule a line ('#' starts a comment)."""
    rules: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise InvalidInput(
                f"line {number}: write 'Channel | source pattern | medium pattern' (two |)",
                field="rules",
            )
        rules.append({"channel": parts[0], "source": parts[1], "medium": parts[2]})
    return rules


@require_POST
@workspace_view(write=Role.OWNER)
def grouping(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    try:
        if "default" in request.POST:
            services.set_rules(workspace, None, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, "The default channel grouping applies again.")
        else:
            rules = rules_from_text(request.POST.get("rules", ""))
            done = services.set_rules(workspace, rules, actor=request.user)  # type: ignore[arg-type]
            messages.success(
                request,
                f"Saved {formats.count(len(done), 'channel rule')}; they apply to the next "
                "import of each source.",
            )
    except LeanmarkError as error:
        context = _context(request, rules_error=error, rules_text=request.POST.get("rules", ""))
        return render_page(request, "channeldata/page.html", context, status=422)
    return redirect("channeldata", ws=workspace.slug)


@require_POST
@workspace_view()
def preset_delete(request: HttpRequest, preset_id: int) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    preset = queries.preset_for(workspace, preset_id)
    services.delete_preset(preset, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Deleted the column mapping {preset.name}.")
    return redirect("channeldata", ws=workspace.slug)


@require_POST
@workspace_view(write=Role.OWNER)
def stage(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    channel = request.POST.get("channel", "")
    try:
        services.set_stages(
            workspace,
            {channel: request.POST.get("stage", "")},
            actor=request.user,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        context = _context(request, stage_error=error)
        return render_page(request, "channeldata/page.html", context, status=422)
    messages.success(request, f"Saved the stage of {formats.label(queries.channel_key(channel))}.")
    return redirect("channeldata", ws=workspace.slug)
