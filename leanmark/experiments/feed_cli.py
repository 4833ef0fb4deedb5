"""`leanmark experiment data-options | link-data | pull-data`: an experiment fed by the marketing
data (experiments/feed.py), the same services the API's data-link and data-pull call.
leanmark/cli.py calls ``register(app)`` after the app's own commands."""

from typing import Annotated, Any

import typer

from leanmark.lib.cli import JsonOpt, fail, out, print_json, show, workspace_command

from .cli import IdArg, _experiment, experiment_app


def register(app: typer.Typer) -> None:
    """Nothing to add: importing this module put its commands in `leanmark experiment`, the
    group experiments/cli.py adds."""


def _link_text(link: Any) -> str:
    rows = [f"Trials: {link.trials or '–'}, successes: {link.successes or '–'}"]
    for v in link.variants:
        where = ", ".join(
            part
            for part in (
                v.source,
                f"campaign “{v.campaign}”" if v.campaign else "",
                f"ad set “{v.ad_set}”" if v.ad_set else "",
            )
            if part
        )
        rows.append(f"{v.variant}: {where if v.linked else 'not linked'}")
    return "\n".join(rows)


@experiment_app.command("data-options")
@workspace_command
def data_options(experiment_id: IdArg, ws: Any = None, as_json: JsonOpt = False) -> None:
    """The campaigns and ad sets of the marketing data a variant may read its counts from (of
    the experiment's channel when the data has rows of it)."""
    from .feed_api import link_out

    link = link_out(_experiment(ws, experiment_id))
    show(
        [o.model_dump(mode="json") for o in link.options],
        as_json=as_json,
        text=f"{link.options_note[:1].upper()}{link.options_note[1:]}:",
        table={
            "Source": "source",
            "Channel": "channel",
            "Campaign": "campaign",
            "Ad set": "ad_set",
            "From": "first_day",
            "To": "last_day",
            "Rows": "rows",
        },
    )


@experiment_app.command("link-data")
@workspace_command
def link_data(
    experiment_id: IdArg,
    variant: Annotated[
        str | None, typer.Argument(help="The variant to link (leave out to set measures only).")
    ] = None,
    campaign: Annotated[str, typer.Option(help="Campaign, as the marketing data spells it.")] = "",
    ad_set: Annotated[str, typer.Option(help="Ad set, as the marketing data spells it.")] = "",
    source: Annotated[
        str, typer.Option(help="The tool (google_ads, meta_ads, ga4, …) when several have it.")
    ] = "",
    trials: Annotated[
        str | None, typer.Option(help="Counted as trials: impressions, clicks or sessions.")
    ] = None,
    successes: Annotated[
        str | None,
        typer.Option(help="Counted as successes: clicks, conversions or new_customers."),
    ] = None,
    unlink: Annotated[
        bool, typer.Option("--unlink", help="Remove the variant's link instead.")
    ] = False,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Link a variant to a campaign and/or ad set of the marketing data, and choose the measures
    (as PUT /api/v1/experiments/{id}/data-link); prints the experiment's whole link."""
    from . import feed
    from .feed_api import link_out

    experiment = _experiment(ws, experiment_id)
    links = []
    if variant is not None:
        given = ("", "", "") if unlink else (campaign, ad_set, source)
        if not unlink and not campaign and not ad_set:
            fail(
                "give --campaign and/or --ad-set (or --unlink); "
                "`leanmark experiment data-options` lists them"
            )
        links.append(feed.LinkIn(variant, *given))
    feed.link_data(experiment, trials=trials, successes=successes, links=links, actor=actor)
    result = link_out(experiment)
    if as_json:
        print_json(result.model_dump(mode="json", exclude={"options"}))
        return
    out.print(_link_text(result))


@experiment_app.command("pull-data")
@workspace_command
def pull_data(
    experiment_id: IdArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    replace_entered: Annotated[
        bool,
        typer.Option(
            "--replace-entered", help="Remove the observations entered another way first."
        ),
    ] = False,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Read the linked counts into observations, one per variant and day from the start date
    (as POST /api/v1/experiments/{id}/data-pull); pulling again replaces what was read."""
    from . import feed
    from .feed_api import pull_out

    plan = feed.pull_data(
        _experiment(ws, experiment_id),
        actor=actor,
        dry_run=dry_run,
        replace_entered=replace_entered,
    )
    result = pull_out(plan)
    labels = feed.LABELS
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out.print(result.summary)
    for note in result.notes:
        out.print(f"Note: {note}.")
    for total in result.totals:
        out.print(
            f"{total.variant}: {total.successes:,} {labels[result.successes]} of "
            f"{total.trials:,} {labels[result.trials]}"
        )
