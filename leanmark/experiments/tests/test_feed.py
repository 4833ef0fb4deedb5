"""An experiment fed by the marketing data's daily counts (experiments/feed.py): the rows are
imported through the channeldata services, as a Meta or Google Ads export would write them."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leanmark.channeldata import services as channeldata
from leanmark.domain.channeldata import DayRow
from leanmark.experiments import feed, queries, services
from leanmark.experiments.errors import InvalidExperimentInput
from leanmark.experiments.models import Experiment, Observation, State
from leanmark.experiments.tests.test_services import make
from leanmark.lib.formats import day

TODAY = timezone.localdate()
D1, D2, D3 = (TODAY - timedelta(days=n) for n in (3, 2, 1))


def meta(day, ad_set, clicks, conversions, *, campaign="Spring", currency="EUR", **more):
    return DayRow(
        day=day,
        source="meta_ads",
        channel="Paid social",
        campaign=campaign,
        ad_set=ad_set,
        currency=currency,
        spend=Decimal("10.00"),
        impressions=more.pop("impressions", clicks * 20),
        clicks=clicks,
        conversions=Decimal(conversions),
        **more,
    )


# Control (ad set Broad): 30/2, 25/1 (20/1 in EUR and 5/0 in USD), 28/2 → 83 clicks, 5 conversions.
# Treatment (Lookalike): 40/5, 30/3, 29/4 → 99 clicks, 12 conversions: §6's 5/83 vs 12/99.
SPRING = [
    meta(D1, "Broad", 30, 2),
    meta(D2, "Broad", 20, 1),
    meta(D2, "Broad", 5, 0, currency="USD"),
    meta(D3, "Broad", 28, 2),
    meta(D1, "Lookalike", 40, 5),
    meta(D2, "Lookalike", 30, 3),
    meta(D3, "Lookalike", 29, 4),
]


def load(world, source, rows, *, first=None, last=None):
    """Import rows as a tool's export would: the source's rows on those days are replaced."""
    days = [r.day for r in rows]
    plan = channeldata.plan_rows(
        world.acme,
        source,
        "export.csv",
        rows,
        first_day=first or min(days),
        last_day=last or max(days),
    )
    channeldata.write_plan(world.acme, plan, actor=world.alice)


def spring(world, **changes):
    experiment = make(world, channel="Paid social", start_date=D1.isoformat(), **changes)
    load(world, "meta_ads", SPRING)
    return experiment


def linked(world, **changes):
    experiment = spring(world, **changes)
    feed.link_data(
        experiment,
        trials="clicks",
        successes="conversions",
        links=[
            feed.LinkIn("Control", "Spring", "Broad"),
            feed.LinkIn("Treatment", "Spring", "Lookalike"),
        ],
    )
    return experiment


def observations(experiment):
    return [
        (o.variant.name, o.date, o.trials, o.successes, o.source)
        for o in queries.observations_of(experiment)
    ]


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidExperimentInput) as error:
        call(*args, **kwargs)
    return error.value.message


def test_it_writes_one_cumulative_observation_per_variant_and_day(world):
    experiment = linked(world)
    plan = feed.pull_data(experiment, actor=world.bob)
    assert observations(experiment) == [
        ("Control", D1, 30, 2, "channel"),
        ("Treatment", D1, 40, 5, "channel"),
        ("Control", D2, 55, 3, "channel"),
        ("Treatment", D2, 70, 8, "channel"),
        ("Control", D3, 83, 5, "channel"),
        ("Treatment", D3, 99, 12, "channel"),
    ]
    assert plan.summary == (
        f"Read 3 days from {day(D1)} to {day(TODAY)} into 6 observations: 6 added, 0 changed, "
        "0 unchanged; 0 removed."
    )
    assert plan.totals == [("Control", 83, 5), ("Treatment", 99, 12)]
    assert plan.notes == [
        "Control: the rows are in EUR, USD; counts do not depend on the currency, so they are "
        "summed as they are",
        "Control: no rows on 1 of the 4 days, so no observation on those days",
        "Treatment: no rows on 1 of the 4 days, so no observation on those days",
    ]
    comparison = queries.verdict(experiment).comparisons[0]
    assert (round(comparison.statistic, 3), round(comparison.p_value, 3)) == (1.408, 0.159)
    experiment.refresh_from_db()
    assert experiment.state == State.RUNNING  # data arriving means the test is running


def test_a_dry_run_shows_the_change_and_writes_nothing(world):
    experiment = linked(world)
    plan = feed.pull_data(experiment, actor=world.bob, dry_run=True)
    assert plan.summary.startswith(
        f"Would read 3 days from {day(D1)} to {day(TODAY)} into 6 observations"
    )
    assert [(d.variant, d.day, d.trials, d.total_trials, d.kind) for d in plan.days[:2]] == [
        ("Control", D1, 30, 30, "new"),
        ("Treatment", D1, 40, 40, "new"),
    ]
    assert Observation.objects.count() == 0
    experiment.refresh_from_db()
    assert experiment.state == State.DRAFT


def test_pulling_again_replaces_only_what_the_revised_export_changed(world):
    experiment = linked(world)
    first = feed.pull_data(experiment, actor=world.bob)
    written = {o.pk: o.recorded_at for o in Observation.objects.all()}
    again = feed.pull_data(experiment, actor=world.alice)
    assert again.summary.endswith("0 added, 0 changed, 6 unchanged; 0 removed.")
    assert {o.pk: o.recorded_at for o in Observation.objects.all()} == written  # untouched
    # Meta revises the last day: Lookalike had 6 conversions on D3, not 4.
    revised = [r for r in SPRING if r.day == D3 and r.ad_set == "Broad"]
    load(world, "meta_ads", [*revised, meta(D3, "Lookalike", 29, 6)])
    preview = feed.pull_data(experiment, actor=world.alice, dry_run=True)
    assert preview.summary == (
        f"Would read 3 days from {day(D1)} to {day(TODAY)} into 6 observations: 0 added, "
        "1 changed, 5 unchanged; 0 removed."
    )
    changed = [d for d in preview.days if d.kind == "changed"]
    assert [(d.variant, d.day, d.total_trials, d.total_successes, d.before) for d in changed] == [
        ("Treatment", D3, 99, 14, (99, 12))
    ]
    feed.pull_data(experiment, actor=world.alice)
    assert observations(experiment)[-1] == ("Treatment", D3, 99, 14, "channel")
    assert len(first.days) == len(Observation.objects.all()) == 6


def test_a_day_whose_rows_are_gone_loses_its_observation(world):
    experiment = linked(world)
    feed.pull_data(experiment, actor=world.bob)
    load(world, "meta_ads", [r for r in SPRING if r.day == D3 and r.ad_set == "Broad"])
    plan = feed.pull_data(experiment, actor=world.bob)
    assert plan.removed == [("Treatment", D3)]
    assert plan.summary.endswith("0 added, 0 changed, 5 unchanged; 1 removed.")
    assert ("Treatment", D3, 99, 12, "channel") not in observations(experiment)
    assert len(observations(experiment)) == 5


def test_it_refuses_to_mix_with_figures_entered_by_hand_unless_told_to_replace_them(world):
    experiment = linked(world)
    services.record_observations(
        experiment, [services.ObservationIn("Control", D1, 31, 2)], actor=world.bob
    )
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        "the experiment has 1 observation entered another way (form); adding counts from the "
        "marketing data to them would count the same traffic twice. Replace them to read every "
        "count from the marketing data (the “Replace” box on the page, --replace-entered in the "
        "CLI, replace_entered in the API)"
    )
    plan = feed.pull_data(experiment, actor=world.bob, replace_entered=True)
    assert plan.summary.endswith("; 0 removed, 1 entered another way replaced.")
    assert {o[4] for o in observations(experiment)} == {"channel"}
    assert observations(experiment)[0] == ("Control", D1, 30, 2, "channel")
    assert refused(
        services.record_observations,
        experiment,
        [services.ObservationIn("Control", D3, 90, 6)],
        actor=world.bob,
    ) == (
        "this experiment reads its counts from the marketing data; figures entered here as "
        "well would count the same traffic twice: read the data again instead"
    )


def test_it_names_the_variant_that_is_not_linked(world):
    experiment = spring(world)
    feed.link_data(
        experiment,
        trials="clicks",
        successes="conversions",
        links=[feed.LinkIn("Control", "Spring", "Broad")],
    )
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        "Treatment is not linked to a campaign or ad set of the marketing data: link every "
        "variant first"
    )


def test_it_says_where_the_rows_are_when_none_fall_in_the_range(world):
    experiment = linked(world)
    Experiment.objects.filter(pk=experiment.pk).update(start_date=TODAY)
    experiment.refresh_from_db()
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        "Control: no rows of Meta Ads Manager campaign “Spring”, ad set “Broad” from "
        f"{day(TODAY)} to {day(TODAY)} (its rows run from {day(D1)} to {day(D3)})"
    )


def test_it_names_the_day_with_more_successes_than_trials(world):
    experiment = linked(world)
    load(world, "meta_ads", [*SPRING[:5], meta(D2, "Lookalike", 3, 5), SPRING[6]])
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        f"Treatment: on {day(D2)} the rows of Meta Ads Manager campaign “Spring”, ad set "
        "“Lookalike” count 5 conversions but 3 clicks: successes cannot exceed trials (choose a "
        "measure that counts every chance to succeed as trials)"
    )


def test_it_refuses_a_measure_the_rows_do_not_give(world):
    experiment = linked(world)
    feed.link_data(experiment, trials="sessions")
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        "Control: the rows of Meta Ads Manager campaign “Spring”, ad set “Broad” give no "
        "sessions (a measure a tool does not export is empty, not 0); they give impressions, "
        "clicks, conversions"
    )


def test_it_names_the_days_a_measure_is_missing(world):
    experiment = linked(world)
    feed.link_data(experiment, trials="impressions", successes="clicks")
    load(
        world,
        "meta_ads",
        [*SPRING[:4], meta(D1, "Lookalike", 40, 5, impressions=None), *SPRING[5:]],
    )
    assert refused(feed.pull_data, experiment, actor=world.bob) == (
        f"Treatment: impressions are missing from rows of Meta Ads Manager campaign “Spring”, "
        f"ad set “Lookalike” on {day(D1)} (1 of 3 days): re-import those days with the measure, "
        "or choose one every row gives"
    )


def test_fractional_conversions_are_rounded_on_the_totals_so_far(world):
    experiment = make(world, start_date=D1.isoformat())
    rows = [
        DayRow(day=d, source="google_ads", campaign=c, clicks=n, conversions=Decimal(k))
        for d, c, n, k in [
            (D1, "Brand A", 20, "1.5"),
            (D2, "Brand A", 20, "1.5"),
            (D1, "Brand B", 20, "0.4"),
            (D2, "Brand B", 20, "2"),
        ]
    ]
    load(world, "google_ads", rows)
    feed.link_data(
        experiment,
        trials="clicks",
        successes="conversions",
        links=[feed.LinkIn("Control", "Brand A"), feed.LinkIn("Treatment", "Brand B")],
    )
    plan = feed.pull_data(experiment, actor=world.bob)
    assert [(o[0], o[2], o[3]) for o in observations(experiment)] == [
        ("Control", 20, 2),  # 1.5 → 2
        ("Treatment", 20, 0),  # 0.4 → 0
        ("Control", 40, 3),  # 3.0
        ("Treatment", 40, 2),  # 2.4 → 2
    ]
    assert plan.notes[-1] == (
        "conversions are fractional on 3 day(s) (credit shared between campaigns by the tool's "
        "attribution): each day's total so far is rounded to a whole number"
    )


def test_a_campaign_two_tools_report_needs_its_source(world):
    experiment = spring(world)
    load(world, "ga4", [DayRow(day=D1, source="ga4", campaign="Spring", sessions=300)])
    assert refused(
        feed.link_data,
        experiment,
        trials="clicks",
        successes="conversions",
        links=[feed.LinkIn("Control", "Spring")],
    ) == (
        "Control: campaign “Spring” comes from Google Analytics 4 and Meta Ads Manager; choose "
        "the source to read, since two tools count the same traffic"
    )
    spec = feed.link_data(
        experiment,
        trials="clicks",
        successes="conversions",
        links=[feed.LinkIn("Control", "Spring", source="ga4")],
    )
    assert spec.links[experiment.variants.get(name="Control").pk].label == (
        "Google Analytics 4 campaign “Spring”"
    )


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            [("Control", "Spring", ""), ("Treatment", "Spring", "Lookalike")],
            "Control (Meta Ads Manager campaign “Spring”) and Treatment (Meta Ads Manager "
            "campaign “Spring”, ad set “Lookalike”) would read the same rows: each variant needs "
            "rows of its own (another campaign or ad set)",
        ),
        (
            [("Control", "Sprong", "")],
            "Control: no imported rows have campaign “Sprong” (names are matched exactly, as the "
            "marketing data spells them: choose one from the list)",
        ),
        (
            [("Variant C", "Spring", "")],
            "unknown variant 'Variant C'; this experiment has Control, Treatment",
        ),
        ([("Control", "Spring", "x" * 201)], "the ad set name is longer than 200 characters"),
    ],
)
def test_it_refuses_links_that_cannot_be_read(world, links, message):
    experiment = spring(world)
    given = [feed.LinkIn(v, c, a) for v, c, a in links]
    assert (
        refused(feed.link_data, experiment, trials="clicks", successes="conversions", links=given)
        == message
    )


@pytest.mark.parametrize(
    ("trials", "successes", "message"),
    [
        ("", "conversions", "choose the measure that counts as trials: one of impressions, "
         "clicks, sessions"),
        ("revenue", "conversions", "'revenue' cannot count as trials; choose one of "
         "impressions, clicks, sessions"),
        ("clicks", "clicks", "clicks cannot count as both trials and successes"),
        ("clicks", "revenue", "'revenue' cannot count as successes; choose one of clicks, "
         "conversions, new customers"),
    ],
)  # fmt: skip
def test_it_refuses_measures_that_are_not_counts_of_a_chance_and_a_success(
    world, trials, successes, message
):
    experiment = spring(world)
    assert refused(feed.link_data, experiment, trials=trials, successes=successes) == message


def test_an_ad_set_and_a_campaign_that_share_no_row_may_be_the_two_arms(world):
    experiment = spring(world)
    load(world, "meta_ads", [*SPRING, meta(D1, "Cold", 50, 1, campaign="Autumn")])
    spec = feed.link_data(
        experiment,
        trials="clicks",
        successes="conversions",
        links=[feed.LinkIn("Control", ad_set="Broad"), feed.LinkIn("Treatment", "Autumn")],
    )
    assert sorted(link.label for link in spec.links.values()) == [
        "Meta Ads Manager ad set “Broad”",
        "Meta Ads Manager campaign “Autumn”",
    ]


def test_a_continuous_experiment_cannot_read_counts(world):
    experiment = make(world, metric_type="continuous", plan_baseline="", plan_sd="4")
    assert refused(feed.link_data, experiment, trials="clicks", successes="conversions") == (
        "the marketing data gives counts (trials and successes): only a conversion experiment "
        "can read them, not one with a continuous metric"
    )


def test_the_list_holds_the_campaigns_and_ad_sets_of_the_experiments_channel(world):
    experiment = spring(world)
    load(world, "ga4", [DayRow(day=D1, source="ga4", campaign="Winter", sessions=300)])
    found = feed.options(experiment)
    assert (found.channel, found.note) == (
        "paid_social",
        "campaigns and ad sets of the channel Paid social",
    )
    assert [
        (r.source, r.campaign, r.ad_set, r.rows, r.first_day, r.last_day) for r in found.rows
    ] == [
        ("meta_ads", "Spring", "", 7, D1, D3),
        ("meta_ads", "Spring", "Broad", 4, D1, D3),
        ("meta_ads", "Spring", "Lookalike", 3, D1, D3),
    ]
    everywhere = feed.options(make(world, channel="Email"))
    assert everywhere.note == (
        "no imported rows are of the channel Email: campaigns and ad sets of every channel"
    )
    assert len(everywhere.rows) == 4


@pytest.mark.parametrize(
    ("zone", "hour", "shift"), [("Pacific/Kiritimati", 23, 1), ("Pacific/Pago_Pago", 5, -1)]
)
def test_today_is_the_workspaces_day_not_the_servers(world, monkeypatch, zone, hour, shift):
    experiment = linked(world)
    world.acme.time_zone = zone  # UTC+14 is already tomorrow at 23:00 UTC; UTC-11, yesterday
    world.acme.save(update_fields=["time_zone"])
    moment = datetime.combine(TODAY, time(hour), tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    plan = feed.pull_data(experiment, actor=world.bob, dry_run=True)
    assert plan.end == TODAY + timedelta(days=shift)


def test_days_after_the_planned_end_are_not_read_and_the_note_says_so(world):
    experiment = linked(world)
    Experiment.objects.filter(pk=experiment.pk).update(planned_end=D2)
    plan = feed.pull_data(experiment, actor=world.bob)
    assert (plan.start, plan.end) == (D1, D2)
    assert plan.notes[0] == f"days after the planned end, {day(D2)}, are not read"
    assert observations(experiment)[-1] == ("Treatment", D2, 70, 8, "channel")
    assert len(observations(experiment)) == 4


def test_variants_read_from_two_tools_or_over_different_days_are_flagged(world):
    experiment = spring(world)
    winter = [
        DayRow(day=d, source="ga4", campaign="Winter", clicks=30, conversions=Decimal(2))
        for d in (D1, D2, D3)
    ]
    load(world, "ga4", winter)
    load(world, "meta_ads", [*SPRING, meta(D3, "Cold", 50, 1, campaign="Autumn")])
    links = [feed.LinkIn("Control", "Spring", "Broad"), feed.LinkIn("Treatment", "Winter")]
    feed.link_data(experiment, trials="clicks", successes="conversions", links=links)
    plan = feed.pull_data(experiment, actor=world.bob, dry_run=True)
    assert plan.notes[-1] == (
        "the variants are read from different tools (Google Analytics 4, Meta Ads Manager), "
        "which count clicks their own way: a difference may be the tools', not the variants'"
    )
    links = [feed.LinkIn("Treatment", "Autumn", "Cold")]
    feed.link_data(experiment, links=links)
    plan = feed.pull_data(experiment, actor=world.bob, dry_run=True)
    assert plan.notes[-1] == (
        f"the variants' counts cover different days (Control {day(D1)} to {day(D3)}, Treatment "
        f"{day(D3)} to {day(D3)}): an A/B test compares variants over the same days, so link "
        "campaigns or ad sets that ran side by side"
    )
    assert feed.pull_data(linked(world), actor=world.bob, dry_run=True).notes[-1] == (
        "Treatment: no rows on 1 of the 4 days, so no observation on those days"
    )  # side by side, from one tool: nothing to flag


def _queries_to_pull(world, days):
    first = TODAY - timedelta(days=days - 1)
    experiment = make(world, channel="Paid social", start_date=first.isoformat())
    rows = [
        meta(first + timedelta(days=n), ad_set, 30 + n, n % 3)
        for n in range(days)
        for ad_set in ("Broad", "Lookalike")
    ]
    load(world, "meta_ads", rows)
    links = [
        feed.LinkIn("Control", "Spring", "Broad"),
        feed.LinkIn("Treatment", "Spring", "Lookalike"),
    ]
    feed.link_data(experiment, trials="clicks", successes="conversions", links=links)
    counts = []
    for dry_run in (True, False, False):  # a preview, the first write, a write of nothing new
        with CaptureQueriesContext(connection) as seen:
            plan = feed.pull_data(experiment, actor=world.bob, dry_run=dry_run)
        counts.append(len(seen))
    assert len(plan.days) == 2 * days
    return counts


def test_the_queries_of_a_pull_do_not_grow_with_its_days(world):
    # 8 to preview, 15 to write, 13 to write nothing new, for 3 days as for 30 (60 observations,
    # one bulk insert; SQLite's cap on query parameters splits a larger one every ~110 rows)
    assert _queries_to_pull(world, 3) == _queries_to_pull(world, 30) == [8, 15, 13]
