from datetime import date
from decimal import Decimal as D  # noqa: N817 (short in tables of reference values)

import pytest

from leanmark.board import services as board_services
from leanmark.board.models import Card
from leanmark.roi import queries, services
from leanmark.roi.errors import DuplicateSpend, InvalidInput
from leanmark.roi.models import Spend, TimeLog
from leanmark.roi.services import SpendIn


@pytest.fixture
def card(world):
    card = board_services.create_card(
        world.board, title="Newsletter", column=world.column("Ready"), actor=world.bob
    )
    board_services.edit_card(
        card,
        changes={"stage": "repeat", "channel": "email"},
        expected_version=None,
        actor=world.bob,
    )
    return card


def spend(world, **values):
    entry = SpendIn(**{"on": "2026-07-01", "amount": "100", "channel": "email", **values})
    return services.record_spend(world.acme, entry, actor=world.bob)


def test_it_records_spend_in_the_workspace_currency(world):
    row = spend(world, amount="1,250.50", stage="buy", campaign="Summer")
    assert (row.amount, row.currency, row.stage, row.campaign) == (
        D("1250.50"),
        "EUR",
        "buy",
        "Summer",
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"amount": "-5"}, "the amount cannot be negative (it is -5)"),
        ({"amount": "ten"}, "the amount 'ten' is not a number"),
        ({"currency": "XYZ"}, "unknown currency 'XYZ'; use an ISO 4217 code"),
        ({"currency": "USD"}, "this workspace keeps its money in EUR; convert the amount from USD"),
        ({"on": "2026-02-30"}, "'2026-02-30' is not a date (YYYY-MM-DD)"),
        ({"stage": "sell"}, "unknown hourglass stage 'sell'"),
    ],
)
def test_bad_spend_is_refused_and_nothing_is_saved(world, values, message):
    with pytest.raises(InvalidInput) as error:
        spend(world, **values)
    assert error.value.message.startswith(message)
    assert Spend.objects.count() == 0


def test_a_second_entry_for_the_same_day_and_attribution_is_refused(world):
    spend(world)
    with pytest.raises(DuplicateSpend, match=r"already 100\.00 EUR of spend on 2026-07-01"):
        spend(world, amount="50")
    assert spend(world, campaign="Other").amount == D(100)


def test_the_currency_cannot_change_under_existing_spend(world):
    services.update_settings(world.acme, currency="gbp", actor=world.alice)
    spend(world, currency="GBP")
    with pytest.raises(InvalidInput, match="the spend entries are in GBP"):
        services.update_settings(world.acme, currency="EUR", actor=world.alice)


CSV = """date,amount,currency,channel,stage,campaign
2026-07-01,100.00,EUR,email,buy,Summer
2026-07-02,250,,seo,know,
"""


def test_a_csv_import_twice_changes_nothing_the_second_time(world):
    first = services.import_spend_csv(world.acme, CSV, actor=world.bob)
    second = services.import_spend_csv(world.acme, CSV, actor=world.bob)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    changed = services.import_spend_csv(world.acme, CSV.replace("250", "300"), actor=world.bob)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Spend.objects.get(channel="seo").amount == D(300)


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_line(world):
    bad = CSV + "2026-07-03,-4,EUR,email,,\n2026-07-04,5,XXX,email,,\n"
    with pytest.raises(InvalidInput) as error:
        services.import_spend_csv(world.acme, bad, actor=world.bob)
    assert error.value.message == (
        "nothing was imported: line 4: the amount cannot be negative (it is -4); line 5: "
        "unknown currency 'XXX'; use an ISO 4217 code such as EUR, GBP or USD"
    )
    assert Spend.objects.count() == 0


def test_a_csv_without_the_needed_columns_says_which(world):
    with pytest.raises(InvalidInput, match=r"missing: amount"):
        services.import_spend_csv(world.acme, "date,channel\n2026-07-01,x\n", actor=world.bob)


def test_time_logs_keep_the_card_total(world, card):
    services.log_time(card, member=world.bob, on="2026-07-01", hours="2.5", actor=world.bob)
    log = services.log_time(card, member=world.alice, on="2026-07-02", hours=1, actor=world.bob)
    assert Card.objects.get(pk=card.pk).time_logged == D("3.5")
    services.delete_time_log(log, actor=world.bob)
    assert Card.objects.get(pk=card.pk).time_logged == D("2.5")


@pytest.mark.parametrize(
    ("member", "hours", "message"),
    [
        ("carol", "1", "Carol Viewer is a viewer; viewers do not log time"),
        ("mallory", "1", "the member must belong to this workspace"),
        ("bob", "0", "the hours must be more than 0"),
        ("bob", "-1", "the hours cannot be negative"),
        ("bob", "25", "the hours must be between 0 and 24"),
    ],
)
def test_bad_time_logs_are_refused(world, card, member, hours, message):
    with pytest.raises(InvalidInput, match=message):
        services.log_time(
            card, member=getattr(world, member), on="2026-07-01", hours=hours, actor=world.bob
        )
    assert TimeLog.objects.count() == 0


def test_nobody_logs_more_than_24_hours_in_a_day(world, card):
    services.log_time(card, member=world.bob, on="2026-07-01", hours="20", actor=world.bob)
    with pytest.raises(InvalidInput, match="has 20 hours logged on 2026-07-01 already"):
        services.log_time(card, member=world.bob, on="2026-07-01", hours="5", actor=world.bob)


def test_hours_by_card_sums_the_logs_in_the_period(world, card):
    other = board_services.create_card(
        world.board, title="Other", column=world.column("Ready"), actor=world.bob
    )
    for day, hours, on_card in [(1, 2, card), (15, 3, card), (31, 4, card), (10, 1, other)]:
        services.log_time(
            on_card, member=world.bob, on=date(2026, 7, day), hours=hours, actor=world.bob
        )
    hours = queries.hours_by_card(world.acme, start=date(2026, 7, 1), end=date(2026, 7, 15))
    assert hours == {card.pk: D(5), other.pk: D(1)}


def test_labour_costs_hours_at_the_members_rate_and_flags_unpriced_hours(world, card):
    services.set_hourly_cost(world.acme, world.bob, "40", actor=world.alice)
    services.log_time(card, member=world.bob, on="2026-07-01", hours="2.5", actor=world.bob)
    services.log_time(card, member=world.alice, on="2026-07-01", hours="1", actor=world.bob)
    spend(world, stage="repeat", amount="300")
    view = queries.report(world.acme, start=date(2026, 7, 1), end=date(2026, 7, 31), by="stage")
    (repeat,) = view.report.rows
    assert (repeat.key, repeat.spend, repeat.labour, repeat.hours) == ("repeat", 300, 100, D("3.5"))
    assert repeat.cost == D(400)
    assert view.report.notes[0].startswith("1 hours were logged by members with no hourly cost")


def test_the_hourly_cost_can_be_cleared(world):
    services.set_hourly_cost(world.acme, world.bob, "40", actor=world.alice)
    services.set_hourly_cost(world.acme, world.bob, "", actor=world.alice)
    assert queries.hourly_costs(world.acme) == {}


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("100", "0", "b must be above 0"),
        ("1", "-2", "b must be above 0"),
        ("x", "2", "a 'x' is not a number"),
    ],
)
def test_a_hand_entered_curve_with_b_at_or_below_zero_is_refused(world, a, b, message):
    with pytest.raises(InvalidInput, match=message):
        services.save_curve(world.acme, channel="email", unit="money", a=a, b=b, actor=world.bob)


def test_only_the_member_whoever_logged_it_or_an_owner_deletes_a_time_log(world, card):
    from leanmark.roi.errors import NotYours

    log = services.log_time(card, member=world.alice, on="2026-07-01", hours=1, actor=world.alice)
    with pytest.raises(NotYours, match="logged by Alice Owner"):
        services.delete_time_log(log, actor=world.bob)
    services.delete_time_log(log, actor=world.alice)
    log = services.log_time(card, member=world.bob, on="2026-07-01", hours=1, actor=world.bob)
    services.delete_time_log(log, actor=world.alice, is_owner=True)
    assert not TimeLog.objects.exists()


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (date(2026, 6, 30), D(0)),
        (date(2026, 7, 1), D(1) / D(31)),
        (date(2026, 7, 31), D(1)),
        (date(2026, 8, 15), D(1)),
    ],
)
def test_a_running_month_pro_rates_the_plan(today, share):
    assert queries.month_share(date(2026, 7, 1), today) == share


def test_the_spend_list_filters_by_stage(world):
    spend(world, stage="buy")
    spend(world, stage="", campaign="x")
    assert [s.stage for s in queries.spend_page(world.acme, stage="buy")[0]] == ["buy"]
    assert [s.campaign for s in queries.spend_page(world.acme, stage="none")[0]] == ["x"]
