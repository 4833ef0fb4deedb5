"""The marketing-data page's connections: connect an account (owners), pull now (members),
disconnect (owners). The credentials go in once, through a file or a password field, and are
never shown again."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from leanmark.accounts.models import Role
from leanmark.lib import formats
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import InvalidInput, LeanmarkError
from leanmark.lib.htmx import render_page

from . import connectors
from .views import _context

MAX_KEY = 20_000


@require_POST
@workspace_view(write=Role.OWNER)
def connect(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    upload = request.FILES.get("key_file")
    try:
        if upload is not None:
            if upload.size and upload.size > MAX_KEY:
                raise InvalidInput("the key file is too large to be a key", field="credentials")
            credentials = upload.read()
        else:
            credentials = request.POST.get("token", "").encode()
        if not credentials.strip():
            raise InvalidInput(
                "give the service account's JSON key file (GA4) or the access token (Meta)",
                field="credentials",
            )
        found = connectors.connect(
            workspace,
            request.POST.get("source", ""),
            account=request.POST.get("account", ""),
            credentials=credentials,
            name=request.POST.get("name", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        context = _context(request, connection_error=error)
        return render_page(request, "channeldata/page.html", context, status=422)
    messages.success(
        request,
        f"Connected {found.name}. The credentials are saved, encrypted; the first pull runs "
        "when the job worker next looks, or pull now below.",
    )
    return redirect("channeldata", ws=workspace.slug)


@require_POST
@workspace_view()
def pull(request: HttpRequest, connection_id: int) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    found = connectors.connection_for(workspace, connection_id)
    pulled = connectors.pull(found, actor=request.user)  # type: ignore[arg-type]
    if pulled.error:
        messages.error(request, f"Nothing was imported from {found.name}: {pulled.error}")
    else:
        plan = pulled.result.plan  # type: ignore[union-attr]
        messages.success(
            request,
            f"Pulled {formats.count(len(plan.rows), 'row')} from {found.name} "
            f"({formats.day(plan.first_day)} to {formats.day(plan.last_day)}): "
            f"{formats.count(plan.changed_days, 'day')} changed, "
            f"{formats.count(plan.replaced, 'earlier row')} replaced.",
        )
    return redirect("channeldata", ws=workspace.slug)


@require_POST
@workspace_view(write=Role.OWNER)
def disconnect(request: HttpRequest, connection_id: int) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    found = connectors.connection_for(workspace, connection_id)
    connectors.disconnect(found, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Disconnected {found.name}; the rows it imported stay.")
    return redirect("channeldata", ws=workspace.slug)
