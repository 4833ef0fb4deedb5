"""The experiment page's "Read counts from marketing data" form (experiments/feed.py)."""

from typing import Any

from django import template

from leanmark.experiments import feed
from leanmark.experiments.models import MetricType, State
from leanmark.experiments.services import FEED_SOURCE
from leanmark.lib import formats

register = template.Library()

OPTIONS_MAX = 1000
ROWS_SHOWN = 60  # days of a preview shown one by one


def option_label(rows: Any) -> str:
    """'Campaign “Reels”, ad set “UK 25-54” · Meta Ads Manager · Paid social · 1 Dec 2025 to
    5 Dec 2026': the name first, the part a narrow select still shows."""
    where = feed._where(rows.campaign, rows.ad_set)
    channels = ", ".join(formats.label(c) for c in rows.channel.split(", ") if c)
    return " · ".join(
        part
        for part in (
            where[:1].upper() + where[1:],
            rows.source_name,
            channels,
            f"{formats.day(rows.first_day)} to {formats.day(rows.last_day)}",
        )
        if part
    )


@register.filter
def fed(observations: list[Any]) -> bool:
    """Whether the experiment's counts are read from the marketing data."""
    return any(o.source == FEED_SOURCE for o in observations)


@register.inclusion_tag("experiments/_feed.html", takes_context=True)
def experiment_feed(context: Any) -> dict[str, Any]:
    experiment = context["experiment"]
    if experiment.metric_type != MetricType.CONVERSION:
        return {"show": False, "feed_error": context.get("feed_error")}
    if not context.get("can_write") or experiment.state == State.DECIDED:
        # read only: which rows each variant's counts come from, if any
        links = [(v.name, link.label) for v in context["variants"] if (link := feed.link_of(v))]
        return {
            "show": False,
            "linked": links,
            "trials": feed.LABELS.get(experiment.data_trials, ""),
            "successes": feed.LABELS.get(experiment.data_successes, ""),
            "feed_error": context.get("feed_error"),  # a post the page offers no form for
        }
    posted = context.get("posted") or {}
    again = "trials" in posted  # the form was posted: show what was chosen
    stored = feed.spec_of(experiment)
    found = feed.options(experiment)
    choices = [
        (
            feed.rows_key(r.source, r.campaign, r.ad_set),
            option_label(r),
        )
        for r in found.rows[:OPTIONS_MAX]
    ]
    known = {key for key, _ in choices}
    links = []
    for variant in context["variants"]:
        link = stored.links.get(variant.pk)
        key = feed.rows_key(link.source, link.campaign, link.ad_set) if link else ""
        chosen = posted.get(f"v{variant.pk}_rows", "") if again else key
        if link and key not in known:  # linked to rows the list leaves out: keep them choosable
            choices.insert(0, (key, link.label))
            known.add(key)
        links.append((variant, chosen))
    plan = context.get("feed_plan")
    return {
        "show": True,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "experiment": experiment,
        "note": found.note,
        "more": max(0, len(found.rows) - OPTIONS_MAX),
        "choices": choices,
        "links": links,
        "trials": posted.get("trials", "") if again else stored.trials or "clicks",
        "successes": posted.get("successes", "") if again else stored.successes or "conversions",
        "trial_measures": [(m, feed.LABELS[m]) for m in feed.TRIAL_MEASURES],
        "success_measures": [(m, feed.LABELS[m]) for m in feed.SUCCESS_MEASURES],
        "entered": sum(1 for o in context["observations"] if o.source != FEED_SOURCE),
        "replace_entered": posted.get("replace_entered") == "1",
        "feed_error": context.get("feed_error"),
        "plan": plan,
        "plan_rows": [d for d in plan.days if d.kind != "same"][:ROWS_SHOWN] if plan else [],
        "labels": feed.LABELS,
    }
