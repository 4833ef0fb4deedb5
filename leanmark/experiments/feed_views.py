"""The experiment page's "Read counts from marketing data" form (experiments/feed.py): each post
previews what would be written (a dry run) unless it says ``write=1``, which the preview's own
button sends; both answer the page's result fragment to HTMX."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page

from . import feed, queries, views
from .errors import InvalidExperimentInput
from .models import Experiment


def _links(experiment: Experiment, data: QueryDict) -> list[feed.LinkIn]:
    links = []
    for variant in queries.variants_of(experiment):
        raw = data.get(f"v{variant.pk}_rows", "")
        try:
            source, campaign, ad_set = json.loads(raw) if raw else ("", "", "")
        except (ValueError, TypeError):
            raise InvalidExperimentInput(
                f"{variant.name}: choose a campaign or ad set from the list", field="campaign"
            ) from None
        links.append(feed.LinkIn(variant.name, str(campaign), str(ad_set), str(source)))
    return links


@require_POST
@workspace_view()
def read_data(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    data = request.POST
    write = data.get("write") == "1"
    try:
        spec = feed.clean_spec(
            experiment,
            trials=data.get("trials", ""),
            successes=data.get("successes", ""),
            links=_links(experiment, data),
        )
        plan = feed.pull_data(
            experiment,
            actor=request.user,  # type: ignore[arg-type]
            spec=spec,
            dry_run=not write,
            replace_entered=data.get("replace_entered") == "1",
        )
    except LeanmarkError as error:
        context = views._detail_context(request, experiment, feed_error=error, posted=data)
        return render_page(
            request, "experiments/detail.html", context, fragment="result", status=error.status
        )
    if write and not request.htmx:
        messages.success(request, plan.summary)
        return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)
    fresh = queries.experiment_for(request.workspace, experiment.pk)
    context = views._detail_context(
        request, fresh, feed_plan=plan, posted=data if not write else QueryDict()
    )
    return render_page(
        request,
        "experiments/detail.html",
        context,
        fragment="result",
        trigger="observed" if write else None,
    )
