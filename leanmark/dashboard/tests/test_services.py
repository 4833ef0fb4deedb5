from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leanmark.dashboard import queries, services
from leanmark.dashboard.errors import ImportRejected, MetricError
from leanmark.dashboard.models import Measurement, Target, TargetRevision
from leanmark.dashboard.services import RowIn


@pytest.fixture
def visits(world):
    return services.create_metric(
        world.acme, name="Website visits", kind="output", stage="know", unit="visits"
    )


@pytest.fixture
def leads(world):
    return services.create_metric(
        world.acme,
        name="Leads",
        kind="output",
        stage="trust",
        channel="seo",
        value_per_unit="12.50",
    )


@pytest.fixture
def revenue(world):
    return services.create_metric(
        world.acme, name="Revenue", kind="output", stage="buy", is_revenue=True, unit="GBP"
    )


def rows(*items):
    return [RowIn(i + 1, *item) for i, item in enumerate(items)]


def test_it_makes_a_key_from_the_name_and_refuses_a_second_metric_with_that_name(world, visits):
    assert visits.key == "website-visits"
    with pytest.raises(MetricError, match="already exists"):
        services.create_metric(world.acme, name="website VISITS", kind="output", stage="know")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "", "kind": "input", "stage": "know"}, "name is required"),
        ({"name": "X", "kind": "throughput", "stage": "know"}, "unknown kind"),
        ({"name": "X", "kind": "input", "stage": "sell"}, "unknown stage"),
        ({"name": "X", "kind": "input", "stage": "know", "aggregation": "max"}, "aggregation"),
        ({"name": "X", "kind": "input", "stage": "know", "value_per_unit": "-1"}, "between 0"),
        ({"name": "X", "kind": "input", "stage": "know", "key": "flow-x"}, "built in"),
    ],
)
def test_it_refuses_a_bad_metric_with_a_clear_message(world, values, message):
    with pytest.raises(MetricError, match=message):
        services.create_metric(world.acme, **values)


def test_upserting_the_same_rows_twice_changes_nothing_the_second_time(world, visits):
    batch = rows(
        ("website-visits", date(2026, 3, 2), 120),
        ("Website visits", date(2026, 3, 3), 140),  # by name, any case
    )
    first = services.upsert_measurements(world.acme, batch, source="api")
    second = services.upsert_measurements(world.acme, batch, source="api")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Measurement.objects.count() == 2


def test_a_changed_value_updates_the_row_and_a_dry_run_saves_nothing(world, visits):
    services.upsert_measurements(
        world.acme, rows(("website-visits", date(2026, 3, 2), 120)), source="csv"
    )
    batch = rows(("website-visits", date(2026, 3, 2), 125), ("website-visits", date(2026, 3, 3), 9))
    preview = services.upsert_measurements(world.acme, batch, source="csv", dry_run=True)
    assert (preview.created, preview.updated) == (1, 1)
    assert [(c.day, c.old, c.new) for c in preview.changes] == [
        (date(2026, 3, 2), 120.0, 125.0),
        (date(2026, 3, 3), None, 9.0),
    ]
    assert list(Measurement.objects.values_list("value", flat=True)) == [120.0]
    services.upsert_measurements(world.acme, batch, source="csv")
    assert list(Measurement.objects.order_by("day").values_list("value", flat=True)) == [125.0, 9.0]


def test_channels_and_campaigns_are_separate_rows(world, visits):
    result = services.upsert_measurements(
        world.acme,
        rows(
            ("website-visits", date(2026, 3, 2), 100, "seo"),
            ("website-visits", date(2026, 3, 2), 50, "social"),
            ("website-visits", date(2026, 3, 2), 20, "social", "spring"),
        ),
        source="api",
    )
    assert result.created == 3


def test_a_bad_row_rejects_the_whole_batch_naming_every_line(world, visits):
    batch = rows(
        ("website-visits", date(2026, 3, 2), 100),
        ("page-views", date(2026, 3, 2), 5),
        ("website-visits", date(2026, 3, 3), "12abc"),
        ("website-visits", date(2026, 3, 4), float("inf")),
        ("website-visits", date(2026, 3, 2), 101),
    )
    with pytest.raises(ImportRejected) as caught:
        services.upsert_measurements(world.acme, batch, source="csv")
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (2, "unknown metric 'page-views'"),
        (3, "the value '12abc' is not a number"),
        (4, "the value must be a finite number, not inf"),
        (5, "duplicate of line 1 (website-visits on 2026-03-02)"),
    ]
    assert Measurement.objects.count() == 0


def test_another_workspace_s_metric_is_unknown(world, visits):
    with pytest.raises(ImportRejected, match="unknown metric"):
        services.upsert_measurements(
            world.evil, rows(("website-visits", date(2026, 3, 2), 1)), source="api"
        )


def test_a_target_keeps_its_revision_history_and_a_change_needs_a_reason(world, visits):
    services.set_target(visits, period="week", value=1000, actor=world.alice)
    with pytest.raises(MetricError, match="say why"):
        services.set_target(visits, period="week", value=1200, actor=world.alice)
    services.set_target(
        visits, period="week", value=1200, reason="new SEO pages live", actor=world.bob
    )
    assert services.set_target(visits, period="week", value=1200, actor=world.bob) is None
    assert Target.objects.get(metric=visits, period="week").value == 1200
    history = list(TargetRevision.objects.values_list("old_value", "new_value", "reason", "actor"))
    assert history == [
        (None, 1000.0, "", world.alice.pk),
        (1000.0, 1200.0, "new SEO pages live", world.bob.pk),
    ]


# ---- the contracts other apps call --------------------------------------------------------------


def test_series_rolls_up_by_iso_week_with_none_for_a_week_without_data(world, visits):
    services.upsert_measurements(
        world.acme,
        rows(
            ("website-visits", date(2026, 3, 1), 10),  # Sunday, week 9
            ("website-visits", date(2026, 3, 2), 20),  # Monday, week 10
            ("website-visits", date(2026, 3, 8), 30),  # Sunday, week 10
        ),
        source="api",
    )
    assert queries.series(
        world.acme, "website-visits", start=date(2026, 2, 23), end=date(2026, 3, 15), period="week"
    ) == [(date(2026, 2, 23), 10.0), (date(2026, 3, 2), 50.0), (date(2026, 3, 9), None)]


def test_series_of_an_unknown_key_is_not_found(world):
    from django.http import Http404

    with pytest.raises(Http404):
        queries.series(
            world.acme, "nope", start=date(2026, 1, 1), end=date(2026, 1, 2), period="day"
        )


def test_returns_are_revenue_plus_outputs_times_value_per_unit(world, visits, leads, revenue):
    spend = services.create_metric(
        world.acme, name="Ad spend", kind="input", stage="buy", is_revenue=True
    )
    services.upsert_measurements(
        world.acme,
        rows(
            ("website-visits", date(2026, 3, 2), 500),  # no value per unit: no return
            ("leads", date(2026, 3, 2), 4),
            ("leads", date(2026, 3, 3), 2, "email", "spring"),
            ("revenue", date(2026, 3, 3), 1234.5, "", "spring"),
            (spend.key, date(2026, 3, 3), 300),  # an input is a cost, never a return
            ("revenue", date(2026, 4, 1), 99),  # outside the window
        ),
        source="api",
    )
    got = queries.returns(world.acme, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [(r.date, r.stage, r.channel, r.campaign, r.amount, r.metric) for r in got] == [
        (date(2026, 3, 2), "trust", "seo", "", Decimal("50.00"), "leads"),
        (date(2026, 3, 3), "trust", "email", "spring", Decimal("25.00"), "leads"),
        (date(2026, 3, 3), "buy", "", "spring", Decimal("1234.50"), "revenue"),
    ]
    assert all(isinstance(r.amount, Decimal) for r in got)


def test_returns_ask_one_query_whatever_the_number_of_rows(
    world, leads, revenue, django_assert_num_queries
):
    services.upsert_measurements(
        world.acme,
        rows(*[("leads", date(2026, 1, 1).replace(day=d), d) for d in range(1, 29)]),
        source="api",
    )
    with django_assert_num_queries(2):
        queries.returns(world.acme, start=date(2026, 1, 1), end=date(2026, 12, 31))


def test_builtin_metrics_are_listed_and_say_whether_their_source_is_there(world):
    keys = {i.key: i for i in queries.builtin_infos()}
    assert set(keys) == {"flow-throughput", "flow-cycle-time", "flow-wip", "experiments-decided"}
    assert keys["flow-cycle-time"].higher_is_better is False


def test_a_timestamp_turns_into_the_workspace_s_local_day(world):
    world.acme.time_zone = "America/New_York"
    sunday_night = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    assert queries.today(world.acme, sunday_night) == date(2026, 3, 1)
