"""The continuous-improvement page's series (docs/product.md §12)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from leanmark.board import services as board_services
from leanmark.improvement import ci, services
from leanmark.improvement.ci import Series
from leanmark.improvement.models import Phase
from leanmark.improvement.testing import cycle
from leanmark.lib.errors import InvalidInput

MONTHS = [date(2026, m, 1) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("better", "values", "direction", "arrow"),
    [
        ("lower", [9, 9, 9, 9, 9, 9, 9, 8.0, 7, 7, 6.1, 99], "better", "↓"),
        ("higher", [1, 1, 1, 1, 1, 1, 1, 8.0, 7, 7, 6.1, 99], "worse", "↓"),
        ("lower", [1, 1, 1, 1, 1, 1, 1, 6.04, 7, 7, 6.0, 0], "same", "→"),
    ],
)
def test_the_trend_compares_the_last_complete_month_with_three_months_before(
    better, values, direction, arrow
):
    series = Series("x", "X", "days", better, "", list(zip(MONTHS, values, strict=True)))
    trend = series.trend()
    assert (trend.month, trend.then_month) == (date(2026, 11, 1), date(2026, 8, 1))
    assert (trend.direction, trend.arrow) == (direction, arrow)


def test_a_short_history_compares_with_its_first_whole_month():
    values = [None] * 9 + [5.0, 6.0, 7.0]
    trend = Series("x", "X", "", "lower", "", list(zip(MONTHS, values, strict=True))).trend()
    assert (trend.month, trend.then_month, trend.direction) == (
        date(2026, 11, 1),
        date(2026, 10, 1),
        "worse",
    )
    values = [None] * 10 + [6.0, 7.0]
    assert Series("x", "X", "", "lower", "", list(zip(MONTHS, values, strict=True))).trend() is None


def test_a_workspace_without_history_shows_no_data_rather_than_zeros(world):
    data = ci.as_dict(ci.continuous_improvement(world.acme))
    by_key = {s["key"]: s for s in data["series"]}
    assert by_key["throughput"]["has_data"] is False
    assert by_key["throughput"]["values"] == []
    assert by_key["throughput"]["missing"] == "No data yet."
    assert by_key["hours_saved"]["missing"].startswith(
        "No data yet: no cycle has been standardised"
    )


def test_months_with_history_count_cards_and_closed_cycles(world):
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=70)).replace(day=1)
    card = board_services.create_card(
        world.board, title="old", actor=world.bob, at=timezone.now() - (today - start)
    )
    assert card.created_at.date() == start
    closed = cycle(world.acme, phase=Phase.CLOSED)
    report = ci.continuous_improvement(world.acme)
    completed = next(s for s in report.series if s.key == "pdca_completed")
    by_month = dict(completed.values)
    assert by_month[start] == 0.0
    assert by_month[(start - timedelta(days=1)).replace(day=1)] is None  # before the board was used
    assert by_month[today.replace(day=1)] == 1.0
    assert [label for _, label, _ in report.changes] == ["PDCA-1 Shorter review queue"]
    assert closed.outcome == "abandon"


def test_a_checked_cycles_change_date_cannot_move_into_the_future(world):
    imp = cycle(world.acme, phase=Phase.CHECK)
    with pytest.raises(InvalidInput, match="is in the future; a cycle in Check checks a change"):
        services.update_improvement(
            imp, changes={"change_date": timezone.localdate() + timedelta(days=1)}, actor=world.bob
        )
