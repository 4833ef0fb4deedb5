from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from leanmark.domain.hourglass import Stage
from leanmark.domain.vsm import (
    Basis,
    ColumnVisit,
    CustomerValue,
    Milestone,
    StepInput,
    Unit,
    VsmError,
    WorkingTime,
    check_step,
    compare,
    disagrees,
    duration,
    elimination_candidates,
    fmt_minutes,
    measure,
    minutes_per,
    passages,
    percent,
    summarise,
    to_basis,
)

CAL, WORK = Basis.CALENDAR, Basis.WORKING
EIGHT = WorkingTime()


def step(key, pt="1", pt_unit="h", lt="1", lt_unit="d", stage=Stage.KNOW, **kw):
    return StepInput(
        key=key,
        name=kw.pop("name", f"Step {key}"),
        stage=stage,
        pt=duration(pt, pt_unit),
        lt=duration(lt, lt_unit),
        **kw,
    )


@pytest.mark.parametrize(
    ("unit", "basis", "working", "minutes"),
    [
        (Unit.MINUTE, CAL, EIGHT, 1),
        (Unit.HOUR, WORK, EIGHT, 60),
        (Unit.DAY, CAL, EIGHT, 1440),
        (Unit.DAY, WORK, EIGHT, 480),
        (Unit.DAY, WORK, WorkingTime(Fraction(15, 2)), 450),
        (Unit.WEEK, CAL, EIGHT, 10080),
        (Unit.WEEK, WORK, EIGHT, 2400),
        (Unit.WEEK, WORK, WorkingTime(Fraction(6), Fraction(4)), 1440),
    ],
)
def test_units_convert_exactly_on_each_basis(unit, basis, working, minutes):
    assert minutes_per(unit, basis, working) == minutes


def test_it_reproduces_the_spec_rolled_ca_of_78_7_percent():
    steps = [
        step(1, ca_percent=Fraction(95)),
        step(2, ca_percent=Fraction(90)),
        step(3, ca_percent=Fraction(92)),
    ]
    summary = summarise(steps, basis=CAL)
    assert summary.total.rolled_ca == Fraction(78660, 100000)
    assert percent(summary.total.rolled_ca) == "78.7 %"


def test_it_sums_lead_and_process_time_and_derives_wait_and_activity_ratio():
    steps = [
        step(1, pt="30", pt_unit="min", lt="2", lt_unit="h"),
        step(2, pt="1.5", pt_unit="h", lt="1", lt_unit="d", stage=Stage.BUY),
    ]
    cal = summarise(steps, basis=CAL).total
    assert (cal.pt, cal.lt, cal.wait) == (120, 120 + 1440, 1440)
    assert cal.activity_ratio == Fraction(120, 1560)
    assert percent(cal.activity_ratio) == "7.7 %"
    work = summarise(steps, basis=WORK).total
    assert (work.pt, work.lt, work.wait) == (120, 600, 480)
    assert percent(work.activity_ratio) == "20.0 %"


def test_it_summarises_every_stage_in_hourglass_order_even_empty_ones():
    steps = [
        step(1, stage=Stage.TRUST, value=CustomerValue.WASTE),
        step(2, stage=Stage.KNOW, cost_per_run=Decimal("12.50"), runs_per_month=Decimal(4)),
        step(3, stage=Stage.KNOW, pt="2", value=CustomerValue.NECESSARY),
    ]
    summary = summarise(steps, basis=CAL)
    assert list(summary.by_stage) == list(Stage)
    know = summary.by_stage[Stage.KNOW]
    assert (know.steps, know.pt, know.monthly_cost) == (2, 180, Decimal("50.00"))
    assert know.value_adding_share == Fraction(1, 3)
    assert summary.by_stage[Stage.TRUST].waste_steps == 1
    empty = summary.by_stage[Stage.REFER]
    assert (empty.steps, empty.lt, empty.rolled_ca, empty.activity_ratio) == (0, 0, None, None)
    assert summary.total.waste_steps == 1
    assert summary.total.monthly_cost == Decimal("50.00")


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"pt": "3", "pt_unit": "h", "lt": "2", "lt_unit": "h"}, "lt", "cannot be shorter"),
        ({"ca_percent": Fraction(101)}, "ca_percent", "between 0 and 100"),
        ({"ca_percent": Fraction(-1)}, "ca_percent", "between 0 and 100"),
        ({"cost_per_run": Decimal(-5)}, "cost_per_run", "cannot be negative"),
    ],
)
def test_it_refuses_a_step_a_map_cannot_hold(kw, field, message):
    with pytest.raises(VsmError) as error:
        check_step(step(1, **kw), CAL, EIGHT)
    assert error.value.field == field
    assert message in error.value.message


def test_lead_time_shorter_than_process_time_depends_on_the_basis():
    ten_hours_in_a_day = step(1, pt="10", pt_unit="h", lt="1", lt_unit="d")
    check_step(ten_hours_in_a_day, CAL, EIGHT)  # 24 h ≥ 10 h
    with pytest.raises(
        VsmError,
        match=r"\(1 d = 8 working hours\) cannot be shorter than the process time \(10 h = 10 wo",
    ):
        check_step(ten_hours_in_a_day, WORK, EIGHT)


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [("-1", "h", "cannot be negative"), ("2", "fortnight", "unknown unit")],
)
def test_it_refuses_negative_times_and_unknown_units(value, unit, message):
    with pytest.raises(VsmError, match=message):
        duration(value, unit)


@pytest.mark.parametrize(
    ("minutes", "basis", "text"),
    [
        (Fraction(45), CAL, "45 min"),
        (Fraction(210), CAL, "3.5 h"),
        (Fraction(1440 * 3), CAL, "3.0 d"),
        (Fraction(480 * 3), WORK, "3.0 d"),
        (Fraction(480 * 3), CAL, "1.0 d"),
        (Fraction(480), CAL, "8.0 h"),
    ],
)
def test_times_are_shown_in_days_of_the_basis(minutes, basis, text):
    assert fmt_minutes(minutes, basis, EIGHT) == text


def test_elimination_candidates_are_waste_anywhere_and_non_value_adding_between_the_milestones():
    steps = [
        step(1, value=CustomerValue.NECESSARY, name="Plan the calendar"),  # before the lead
        step(2, milestone=Milestone.NEW_LEAD, value=CustomerValue.NECESSARY),
        step(3, value=CustomerValue.VALUE_ADDING),
        step(4, value=CustomerValue.NECESSARY),
        step(5, value=CustomerValue.WASTE),
        step(6, milestone=Milestone.ORDER_ACCEPTED),
        step(7, value=CustomerValue.WASTE),  # after the order, but waste
        step(8, value=CustomerValue.NECESSARY),  # after the order, necessary: kept
    ]
    found = elimination_candidates(steps)
    assert [c.step.key for c in found.items] == [4, 5, 7]
    assert found.span == (2, 6)
    assert found.items[1].reasons == (
        "marked waste",
        "adds no customer value between the new lead and the accepted order",
    )
    assert found.items[2].reasons == ("marked waste",)


def test_without_both_milestones_only_waste_steps_are_candidates_and_the_page_says_why():
    steps = [
        step(1, milestone=Milestone.NEW_LEAD),
        step(2, value=CustomerValue.NECESSARY),
        step(3, value=CustomerValue.WASTE),
    ]
    found = elimination_candidates(steps)
    assert [c.step.key for c in found.items] == [3]
    assert found.span is None
    assert "Mark the step" in found.note


def test_comparison_lists_removed_added_and_changed_steps_and_the_totals():
    current = [
        step(1, pt="1", lt="2", ca_percent=Fraction(95), name="Kept"),
        step(2, pt="2", lt="5", ca_percent=Fraction(90), value=CustomerValue.WASTE),
        step(
            3,
            pt="1",
            lt="1",
            ca_percent=Fraction(92),
            name="Same",
            cost_per_run=Decimal(100),
            runs_per_month=Decimal(2),
        ),
    ]
    future = [
        step(11, pt="1", lt="1", ca_percent=Fraction(95), origin=1, name="Kept"),  # LT 2 d -> 1 d
        step(
            13,
            pt="1",
            lt="1",
            ca_percent=Fraction(92),
            origin=3,
            name="Same",
            cost_per_run=Decimal(100),
            runs_per_month=Decimal(2),
        ),  # unchanged
        step(14, pt="30", pt_unit="min", lt="2", lt_unit="h", stage=Stage.BUY),  # added
    ]
    result = compare(current, future, basis=CAL)
    assert [(d.kind, (d.current or d.future).key) for d in result.steps] == [
        ("removed", 2),
        ("changed", 1),
        ("same", 3),
        ("added", 14),
    ]
    assert result.of("changed")[0].fields == ("lt",)
    changes = {c.label: c for c in result.changes}
    assert (changes["Lead time"].current, changes["Lead time"].future) == (8 * 1440, 2 * 1440 + 120)
    assert changes["Steps"].delta == 0
    assert changes["Rolled %C&A"].current == Fraction(7866, 10000)
    assert changes["Rolled %C&A"].future == Fraction(95 * 92, 10000)
    assert changes["Waste steps"].delta == -1
    assert changes["Monthly cost"].delta == 0
    assert changes["Activity ratio"].current == Fraction(4 * 60, 8 * 1440)


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_passage_runs_from_entering_the_step_columns_to_leaving_them():
    # columns: 1 Ready (queue), 2 Writing (active), 3 Review (queue); the step is Writing+Review
    visits = [
        ColumnVisit(1, at(0), at(5)),
        ColumnVisit(2, at(5), at(15)),
        ColumnVisit(3, at(15), at(20)),
        ColumnVisit(4, at(20), None),
    ]
    blocked = [(at(6), at(8))]
    stays = passages(7, visits, blocked, columns=frozenset({2, 3}), active=frozenset({2}))
    assert len(stays) == 1
    assert (stays[0].start, stays[0].end) == (at(5), at(20))
    assert stays[0].active == timedelta(hours=8)  # 10 h in Writing less 2 h blocked


def test_a_card_still_inside_the_step_is_not_measured():
    visits = [ColumnVisit(1, at(0), at(5)), ColumnVisit(2, at(5), None)]
    assert passages(1, visits, [], columns=frozenset({2}), active=frozenset({2})) == []


def test_measured_times_are_nearest_rank_medians_of_passages_in_the_window():
    stays = []
    for card, hours in enumerate([4, 6, 10, 2, 100]):
        visits = [ColumnVisit(2, at(card * 24), at(card * 24 + hours))]
        stays += passages(card, visits, [], columns=frozenset({2}), active=frozenset({2}))
    result = measure(stays, since=at(0), until=at(4 * 24))  # the 100 h passage ends later
    assert (result.cards, result.excluded) == (4, 1)
    assert result.lt == 4 * 60  # samples 2, 4, 6, 10 h: nearest-rank median 4 h
    assert result.pt == 4 * 60


@pytest.mark.parametrize(
    ("estimate", "measured", "flag"),
    [(100, 149, False), (100, 151, True), (100, 49, True), (100, None, False), (0, 5, True)],
)
def test_it_flags_a_measured_time_more_than_half_away_from_the_estimate(estimate, measured, flag):
    value = None if measured is None else Fraction(measured)
    assert disagrees(Fraction(estimate), value) is flag


def test_measured_calendar_time_is_scaled_to_working_time():
    week = Fraction(7 * 1440)
    assert to_basis(week, WORK, EIGHT) == 40 * 60
    assert to_basis(week, CAL, EIGHT) == week
