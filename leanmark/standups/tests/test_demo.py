from datetime import UTC, date, datetime

import pytest

from leanmark.demo.generator import load_demo
from leanmark.standups import queries
from leanmark.standups.demo import working_days
from leanmark.standups.models import AgendaRecord, Entry, Impediment

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)  # a Monday


@pytest.fixture
def demo(db):
    return load_demo(seed=42, now=NOW)


def test_working_days_skip_weekends():
    assert working_days(date(2026, 3, 16), 3) == [
        date(2026, 3, 12),
        date(2026, 3, 13),
        date(2026, 3, 16),
    ]


def test_the_demo_has_check_ins_for_the_last_ten_working_days(demo):
    days = sorted(set(Entry.objects.filter(workspace=demo).values_list("day", flat=True)))
    assert days == working_days(date(2026, 3, 16), 10)
    assert days[0] == date(2026, 3, 3)
    today = Entry.objects.filter(workspace=demo, day=date(2026, 3, 16)).count()
    assert today == 3  # everyone who works checks in today; the viewer never does
    assert (
        Entry.objects.filter(workspace=demo).exclude(yesterday="").count()
        == Entry.objects.filter(workspace=demo).count()
    )


def test_the_demo_has_two_open_impediments_and_one_resolved(demo):
    assert len(queries.open_impediments(demo)) == 2
    resolved = Impediment.objects.filter(workspace=demo, resolved_at__isnull=False)
    assert [i.resolution[:6] for i in resolved] == ["Booked"]
    assert [i.card is not None for i in queries.open_impediments(demo)] == [False, True]


def test_the_demo_keeps_todays_agenda(demo):
    record = AgendaRecord.objects.get(workspace=demo)
    assert record.day == date(2026, 3, 16)
    assert record.data["sections"][0]["column"] == "Measuring"


def test_the_demo_is_the_same_for_the_same_seed(db):
    first = load_demo(seed=7, now=NOW)
    rows = list(
        Entry.objects.filter(workspace=first)
        .order_by("day", "member__username")
        .values_list("day", "yesterday", "today", "blockers")
    )
    second = load_demo(seed=7, now=NOW, reset=True)
    again = list(
        Entry.objects.filter(workspace=second)
        .order_by("day", "member__username")
        .values_list("day", "yesterday", "today", "blockers")
    )
    assert rows == again
