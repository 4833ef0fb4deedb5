from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from leanmark.domain.metrics import (
    Aggregation,
    Period,
    attainment,
    change,
    comparable_span,
    funnel,
    local_day,
    period_end,
    period_label,
    period_start,
    period_starts,
    periods_back,
    prorated,
    rollup,
    verdict,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
AUCKLAND = ZoneInfo("Pacific/Auckland")


# ---- time zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "tz", "day"),
    [
        # 23:30 on Sunday 1 March 2026 in New York is 04:30 on Monday in UTC: still that Sunday.
        (datetime(2026, 3, 2, 4, 30, tzinfo=UTC), NEW_YORK, date(2026, 3, 1)),
        # 23:30 on Sunday in Berlin is 22:30 UTC on Sunday: that Sunday.
        (datetime(2026, 3, 1, 22, 30, tzinfo=UTC), BERLIN, date(2026, 3, 1)),
        # 00:30 on Monday in Berlin is 23:30 UTC on Sunday: Monday, the next ISO week.
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), BERLIN, date(2026, 3, 2)),
        # Auckland is 13 hours ahead in March: Saturday 11:30 UTC is Sunday 00:30 there.
        (datetime(2026, 2, 28, 11, 30, tzinfo=UTC), AUCKLAND, date(2026, 3, 1)),
        # The night summer time starts in New York (8 March 2026): 23:30 local is 03:30 UTC.
        (datetime(2026, 3, 9, 3, 30, tzinfo=UTC), NEW_YORK, date(2026, 3, 8)),
    ],
)
def test_it_files_a_timestamped_measurement_under_its_local_day(instant, tz, day):
    assert local_day(instant, tz) == day


def test_it_puts_23_30_on_sunday_local_in_that_sunday_s_iso_week_not_the_next():
    sunday_late = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)  # 23:30 Sunday 1 March in New York
    monday_early = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)  # 00:30 Monday 2 March in New York
    days = [local_day(sunday_late, NEW_YORK), local_day(monday_early, NEW_YORK)]
    buckets = rollup(
        days,
        [10.0, 1.0],
        period=Period.WEEK,
        aggregation=Aggregation.SUM,
        first=date(2026, 2, 23),
        last=date(2026, 3, 8),
    )
    assert [(b.label, b.value) for b in buckets] == [("2026-W09", 10.0), ("2026-W10", 1.0)]


def test_it_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2026, 3, 1, 23, 30), NEW_YORK)  # noqa: DTZ001 (the point of the test)


# ---- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "start", "end", "label"),
    [
        (date(2026, 3, 1), Period.DAY, date(2026, 3, 1), date(2026, 3, 1), "2026-03-01"),
        # Sunday belongs to the week that started the Monday before
        (date(2026, 3, 1), Period.WEEK, date(2026, 2, 23), date(2026, 3, 1), "2026-W09"),
        (date(2026, 3, 2), Period.WEEK, date(2026, 3, 2), date(2026, 3, 8), "2026-W10"),
        # 2026 is a 53-week ISO year: 1 January 2027 (a Friday) is in 2026-W53
        (date(2027, 1, 1), Period.WEEK, date(2026, 12, 28), date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), Period.WEEK, date(2027, 1, 4), date(2027, 1, 10), "2027-W01"),
        # 2020 had 53 weeks too; 2021 started in 2020-W53
        (date(2021, 1, 3), Period.WEEK, date(2020, 12, 28), date(2021, 1, 3), "2020-W53"),
        # 2025 has 52: 29 December 2025 already starts 2026-W01
        (date(2025, 12, 31), Period.WEEK, date(2025, 12, 29), date(2026, 1, 4), "2026-W01"),
        # leap day
        (date(2024, 2, 29), Period.MONTH, date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        (date(2023, 2, 14), Period.MONTH, date(2023, 2, 1), date(2023, 2, 28), "2023-02"),
        (date(2026, 12, 31), Period.MONTH, date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        (date(2024, 2, 29), Period.YEAR, date(2024, 1, 1), date(2024, 12, 31), "2024"),
    ],
)
def test_it_finds_each_period_s_bounds_and_label(day, period, start, end, label):
    assert period_start(day, period) == start
    assert period_end(start, period) == end
    assert period_label(start, period) == label


def test_it_lists_every_period_overlapping_a_range():
    assert period_starts(date(2026, 12, 20), date(2027, 1, 5), Period.WEEK) == [
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 4),
    ]
    assert period_starts(date(2026, 11, 30), date(2027, 1, 1), Period.MONTH) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert periods_back(date(2026, 3, 15), Period.MONTH, 3) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


def test_a_53_week_year_has_53_weekly_buckets():
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    weeks = period_starts(period_start(first, Period.WEEK), last, Period.WEEK)
    labels = [period_label(w, Period.WEEK) for w in weeks]
    assert labels[0] == "2026-W01" and labels[-1] == "2026-W53"
    assert len(weeks) == 53


# ---- aggregation --------------------------------------------------------------------------------

FEB_2024 = [date(2024, 2, 27), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]


@pytest.mark.parametrize(
    ("aggregation", "february", "march"),
    [
        (Aggregation.SUM, 6.0, 4.0),
        (Aggregation.MEAN, 2.0, 4.0),
        (Aggregation.LAST, 3.0, 4.0),  # the leap day is February's last value
        (Aggregation.MEDIAN, 2.0, 4.0),
    ],
)
def test_it_rolls_a_leap_february_up_by_the_metric_s_aggregation(aggregation, february, march):
    buckets = rollup(
        FEB_2024,
        [1.0, 2.0, 3.0, 4.0],
        period=Period.MONTH,
        aggregation=aggregation,
        first=date(2024, 2, 1),
        last=date(2024, 3, 31),
    )
    assert [(b.label, b.value, b.rows, b.days) for b in buckets] == [
        ("2024-02", february, 3, 3),
        ("2024-03", march, 1, 1),
    ]


def test_a_leap_year_rolls_up_366_days():
    days = [date(2024, 1, 1).fromordinal(date(2024, 1, 1).toordinal() + i) for i in range(366)]
    [year] = rollup(
        days,
        [1.0] * 366,
        period=Period.YEAR,
        aggregation=Aggregation.SUM,
        first=date(2024, 1, 1),
        last=date(2024, 12, 31),
    )
    assert (year.value, year.days, year.end) == (366.0, 366, date(2024, 12, 31))


def test_last_sums_the_channels_of_the_latest_day_and_ignores_earlier_days():
    days = [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 3)]
    [week] = rollup(
        days,
        [100.0, 40.0, 70.0, 999.0],  # two channels on Wednesday, given out of order
        period=Period.WEEK,
        aggregation=Aggregation.LAST,
        first=date(2026, 3, 2),
        last=date(2026, 3, 8),
    )
    assert week.value == 110.0


def test_a_period_without_data_has_no_value_rather_than_zero():
    buckets = rollup(
        [date(2026, 3, 2)],
        [5.0],
        period=Period.DAY,
        aggregation=Aggregation.SUM,
        first=date(2026, 3, 1),
        last=date(2026, 3, 3),
    )
    assert [b.value for b in buckets] == [None, 5.0, None]
    assert [b.has_data for b in buckets] == [False, True, False]


def test_rows_outside_the_range_are_left_out():
    buckets = rollup(
        [date(2026, 1, 31), date(2026, 2, 1), date(2026, 3, 1)],
        [1.0, 2.0, 4.0],
        period=Period.MONTH,
        aggregation=Aggregation.SUM,
        first=date(2026, 2, 1),
        last=date(2026, 2, 28),
    )
    assert [(b.label, b.value) for b in buckets] == [("2026-02", 2.0)]


def test_it_refuses_non_finite_values():
    with pytest.raises(ValueError, match="finite"):
        rollup(
            [date(2026, 3, 1)],
            [float("nan")],
            period=Period.DAY,
            aggregation=Aggregation.SUM,
            first=date(2026, 3, 1),
            last=date(2026, 3, 1),
        )


# ---- comparing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "absolute", "relative"),
    [
        (120.0, 100.0, 20.0, 0.2),
        (80.0, 100.0, -20.0, -0.2),
        (5.0, 0.0, 5.0, None),  # no base to compare with
        (None, 100.0, None, None),
        (100.0, None, None, None),
        (-50.0, -100.0, 50.0, 0.5),  # a loss halved is an improvement of 50 %
    ],
)
def test_period_over_period_change(current, previous, absolute, relative):
    result = change(current, previous)
    assert result.absolute == (pytest.approx(absolute) if absolute is not None else None)
    assert result.relative == (pytest.approx(relative) if relative is not None else None)


@pytest.mark.parametrize(
    ("current", "previous", "new", "percent"),
    [
        (120.0, 100.0, False, 0.2),
        (20.0, 1.0, False, 19.0),  # a base of exactly 5 % still reads +1,900 %
        (35_491.0, 281.0, True, None),  # 0.8 % of it: "new", not "+12,530 %"
        (400.0, 3.0, True, None),
        (5.0, 0.0, True, None),  # from nothing
        (0.0, 0.0, False, None),  # nothing to nothing: a change of 0 in units
        (2.0, 300.0, False, pytest.approx(-298 / 300)),  # a fall is always a percentage
        (-200.0, -5.0, True, None),  # a loss from next to nothing
        (None, 3.0, False, None),
        (3.0, None, False, None),
    ],
)
def test_a_change_from_next_to_nothing_is_new_not_a_huge_percentage(
    current, previous, new, percent
):
    result = change(current, previous)
    assert result.new is new
    assert result.percent == percent


@pytest.mark.parametrize(
    ("current", "previous", "higher_is_better", "expected"),
    [
        (120.0, 100.0, True, "good"),  # more visits
        (80.0, 100.0, True, "bad"),  # fewer visits
        (8.0, 10.0, False, "good"),  # a cycle time down from 10 to 8 days
        (12.0, 10.0, False, "bad"),  # a cost per lead up from 10 to 12
        (10.0, 10.0, False, "flat"),
        (None, 10.0, True, "flat"),
        (996.0, 1000.0, True, "flat"),  # -0.4 % reads "0 %": no news, not a red fall
        (995.0, 1000.0, True, "bad"),  # -0.5 % reads "-1 %"
        (1004.0, 1000.0, False, "flat"),
    ],
)
def test_a_change_is_good_or_bad_by_what_the_metric_wants_not_by_its_direction(
    current, previous, higher_is_better, expected
):
    assert verdict(change(current, previous), higher_is_better=higher_is_better) == expected


@pytest.mark.parametrize(
    ("start", "as_of", "period", "expected"),
    [
        # Wednesday of week 10 compares Monday-Wednesday with last week's Monday-Wednesday
        (
            date(2026, 3, 2),
            date(2026, 3, 4),
            Period.WEEK,
            (date(2026, 3, 4), date(2026, 2, 23), date(2026, 2, 25)),
        ),
        # 31 March compares with the whole of February, not with 3 March
        (
            date(2026, 3, 1),
            date(2026, 3, 31),
            Period.MONTH,
            (date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        ),
        # a period already over compares whole with whole
        (
            date(2026, 1, 1),
            date(2026, 6, 1),
            Period.MONTH,
            (date(2026, 1, 31), date(2025, 12, 1), date(2025, 12, 31)),
        ),
        # the leap day: 29 Feb 2024 year to date vs 2023 to 1 March (59 days later)
        (
            date(2024, 1, 1),
            date(2024, 2, 29),
            Period.YEAR,
            (date(2024, 2, 29), date(2023, 1, 1), date(2023, 3, 1)),
        ),
    ],
)
def test_it_compares_a_period_to_date_like_for_like(start, as_of, period, expected):
    assert comparable_span(start, as_of, period) == expected


@pytest.mark.parametrize(
    ("value", "target", "higher", "expected"),
    [
        (900.0, 1000.0, True, 0.9),
        (1200.0, 1000.0, True, 1.2),
        (5.0, 4.0, False, 0.8),  # cycle time 5 days against a target of 4
        (None, 1000.0, True, None),
        (10.0, None, True, None),
        (10.0, 0.0, True, None),
    ],
)
def test_target_attainment(value, target, higher, expected):
    result = attainment(value, target, higher_is_better=higher)
    assert result == (pytest.approx(expected) if expected is not None else None)


# ---- funnel -------------------------------------------------------------------------------------


def test_the_funnel_converts_adjacent_stages_and_highlights_the_biggest_drop():
    result = funnel(
        [
            ("know", 10_000.0, True),
            ("like", 2_000.0, True),
            ("trust", 800.0, True),
            ("try", 400.0, True),
            ("buy", 40.0, True),  # 10 %: the biggest drop
            ("repeat", 20.0, True),
            ("refer", 5.0, True),
        ]
    )
    assert [round(c.rate, 3) for c in result.conversions] == [0.2, 0.4, 0.5, 0.1, 0.5, 0.25]
    assert result.biggest_drop == 3
    assert (result.conversions[3].from_stage, result.conversions[3].to_stage) == ("try", "buy")


def test_a_stage_without_a_volume_metric_is_skipped_and_one_without_data_breaks_its_rates():
    result = funnel(
        [
            ("know", 1000.0, True),
            ("like", None, False),
            ("trust", 100.0, True),
            ("try", None, True),
            ("buy", 10.0, True),
        ]
    )
    assert [(c.from_stage, c.to_stage, c.rate) for c in result.conversions] == [
        ("know", "trust", 0.1),
        ("trust", "try", None),
        ("try", "buy", None),
    ]
    assert result.skipped == ("like",)
    assert result.biggest_drop == 0


def test_a_funnel_with_no_volume_has_no_biggest_drop():
    assert funnel([("know", 0.0, True), ("like", 5.0, True)]).biggest_drop is None


@pytest.mark.parametrize(
    ("start", "end", "period", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 24), Period.WEEK, 2000.0),  # Tuesday: 2 of 7 days
        (date(2026, 11, 23), date(2026, 11, 29), Period.WEEK, 7000.0),
        (date(2024, 2, 1), date(2024, 2, 29), Period.MONTH, 7000.0),  # the whole leap February
        (date(2024, 2, 1), date(2024, 2, 7), Period.MONTH, 7000.0 * 7 / 29),
    ],
)
def test_a_target_is_prorated_over_a_period_still_under_way(start, end, period, expected):
    assert prorated(7000.0, start, end, period) == pytest.approx(expected)
