"""Owner pages: webhooks and their delivery log."""

import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.accounts.services import audit
from leanmark.lib.access import workspace_view
from leanmark.lib.paging import paged

from . import exports, services
from .models import Delivery, Webhook


def _hook(request: HttpRequest, hook_id: int) -> Webhook:
    hook = Webhook.objects.filter(workspace=request.workspace, pk=hook_id).first()
    if hook is None:
        raise Http404("no such webhook")
    return hook


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.OWNER, write=Role.OWNER)
def webhooks(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            hook = services.create_webhook(
                request.workspace,
                url=request.POST.get("url", ""),
                events=request.POST.getlist("events"),
                actor=request.user,
                app_host=request.get_host(),
            )
        except services.WebhookError as exc:
            error = exc
        else:
            messages.success(request, "Webhook added. Its signing secret is on its page.")
            return redirect("webhook", ws=request.workspace.slug, hook_id=hook.pk)
    hooks = Webhook.objects.filter(workspace=request.workspace)
    context = {
        "hooks": hooks,
        "groups": services.EVENT_GROUPS,
        "error": error,
        "posted": request.POST if error else None,
        "chosen": request.POST.getlist("events") if error else ["card.*"],
    }
    return render(request, "integrations/webhooks.html", context, status=422 if error else 200)


@require_http_methods(["GET"])
@workspace_view(read=Role.OWNER)
def webhook(request: HttpRequest, hook_id: int) -> HttpResponse:
    hook = _hook(request, hook_id)
    deliveries = paged(
        request, Delivery.objects.filter(webhook=hook), noun="delivery", plural="deliveries"
    )
    counts = {
        status: Delivery.objects.filter(webhook=hook, status=status).count()
        for status in Delivery.Status.values
    }
    return render(
        request,
        "integrations/webhook.html",
        {
            "hook": hook,
            "deliveries": deliveries,
            "counts": counts,
            "header": services.SIGNATURE_HEADER,
            "max_attempts": services.MAX_ATTEMPTS,
        },
    )


@require_POST
@workspace_view(write=Role.OWNER)
def webhook_action(request: HttpRequest, hook_id: int, action: str) -> HttpResponse:
    hook = _hook(request, hook_id)
    if action == "test":
        services.send_test(hook, actor=request.user)
        messages.success(request, "A test delivery is queued; the worker sends it within seconds.")
    elif action in ("pause", "enable"):
        services.set_active(hook, action == "enable", actor=request.user)
        messages.success(request, "Webhook enabled." if action == "enable" else "Webhook paused.")
    elif action == "delete":
        services.delete_webhook(hook, actor=request.user)
        messages.success(request, f"Webhook to {hook.url} deleted.")
        return redirect("webhooks", ws=request.workspace.slug)
    else:
        raise Http404("no such action")
    return redirect("webhook", ws=request.workspace.slug, hook_id=hook.pk)


@require_http_methods(["GET"])
@workspace_view(read=Role.OWNER)
def export_page(request: HttpRequest) -> HttpResponse:
    counts = {
        e.label: e.model._default_manager.filter(**{e.path: request.workspace}).count()
        for e in sorted(exports.entities(), key=lambda e: e.label)
    }
    return render(
        request, "integrations/export.html", {"counts": counts, "total": sum(counts.values())}
    )


@require_http_methods(["GET"])
@workspace_view(read=Role.OWNER)
def export_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole workspace as a download; owners only, recorded in the audit trail."""
    stamp = request.workspace.slug
    if fmt == "json":
        buffer = io.StringIO()
        counts = exports.write_json(request.workspace, buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/json")
        name = f"leanmark-{stamp}.json"
    elif fmt == "zip":
        binary = io.BytesIO()
        counts = exports.write_csv_zip(request.workspace, binary)
        response = HttpResponse(binary.getvalue(), content_type="application/zip")
        name = f"leanmark-{stamp}-csv.zip"
    else:
        raise Http404("no such export format")
    audit(request.workspace, request.user, "export", f"{fmt}, {sum(counts.values())} rows")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.OWNER, write=Role.OWNER)
def trello_import(request: HttpRequest) -> HttpResponse:
    """Upload a Trello JSON export; all or nothing, then open the new board."""
    from . import trello

    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise trello.TrelloError("choose the .json file Trello exported")
            if upload.size > trello.MAX_BYTES:
                raise trello.TrelloError(
                    f"the file has {upload.size / 1e6:.0f} MB; a Trello export is at most 50 MB"
                )
            data = trello.load(upload.read())
            queues = request.POST.get("queue_lists", "").strip()
            result = trello.import_board(
                request.workspace,
                data,
                name=request.POST.get("name") or None,
                done_list=request.POST.get("done_list", "").strip() or None,
                start_list=request.POST.get("start_list", "").strip() or None,
                queue_lists=queues.split(",") if queues else None,
            )
        except trello.TrelloError as exc:
            error = exc.message
        else:
            note = (
                f" Not members here (imported unassigned): {', '.join(result.unmatched_members)}."
                if result.unmatched_members
                else ""
            )
            messages.success(
                request,
                f"Imported {result.cards} cards ({result.archived} archived, {result.moves} "
                f"moves) from Trello.{note} " + " ".join(result.summary()),
            )
            return redirect("board", ws=request.workspace.slug, board_id=result.board.pk)
    return render(
        request,
        "integrations/trello.html",
        {"error": error, "max_mb": trello.MAX_BYTES // 1_000_000},
        status=422 if error else 200,
    )
