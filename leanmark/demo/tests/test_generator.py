from datetime import UTC, datetime

import pytest
from django.db.models import Count

from leanmark.accounts.models import Membership, User, Workspace
from leanmark.board.models import Board, Card, CardEvent, Column
from leanmark.demo.generator import (
    DEMO_PEOPLE,
    DEMO_WORKSPACE_NAME,
    WRITING,
    DemoExists,
    Steps,
    demo_exists,
    load_demo,
    simulate,
)
from leanmark.domain.flow import Move, item_times

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)
ENTRIES = (CardEvent.Kind.CREATED, CardEvent.Kind.MOVED)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return load_demo(seed=42, now=NOW)


def cards_of(workspace):
    return Card.objects.filter(board__workspace=workspace).select_related("column", "board")


def snapshot(workspace):
    cards = cards_of(workspace).annotate(n_events=Count("events")).order_by("number")
    events = CardEvent.objects.filter(board__workspace=workspace).order_by("id")
    return (
        [(c.number, c.title, c.column.name, c.lane, c.n_events) for c in cards],
        [(e.card.number, e.kind, e.at, e.reason) for e in events.select_related("card")],
    )


def live_in(workspace, name):
    return cards_of(workspace).live().filter(column__name=name)


@pytest.mark.django_db
def test_it_gives_the_same_workspace_for_the_same_seed_and_clock(demo):
    first = snapshot(demo)
    again = load_demo(seed=42, now=NOW, reset=True)
    assert snapshot(again) == first


@pytest.mark.django_db
def test_it_gives_another_history_for_another_seed(demo):
    first = snapshot(demo)
    other = load_demo(seed=7, now=NOW, reset=True)
    assert snapshot(other) != first


def test_the_simulation_needs_no_database():
    cards = simulate(seed=42, now=NOW)  # pytest-django refuses database access here
    assert [c.number for c in cards] == list(range(1, len(cards) + 1))


@pytest.mark.parametrize("seed", [1, 7, 2024])
@pytest.mark.parametrize("now", [NOW, datetime(2026, 7, 4, 3, 0, tzinfo=UTC)])
def test_other_seeds_and_clocks_keep_the_same_promises(seed, now):
    cards = simulate(seed=seed, now=now)
    writing = [c for c in cards if c.column == WRITING and not c.archived]
    assert 180 <= len(cards) <= 220
    assert len(writing) <= 3
    assert all(sum(p in c.assignees for c in writing) <= 2 for p in range(len(DEMO_PEOPLE)))
    assert any(c.blocked_since for c in cards)
    assert any(e.kind == "wip_override" for c in cards for e in c.events)
    assert all(e.at < now for c in cards for e in c.events)


@pytest.mark.django_db
def test_it_makes_about_two_hundred_numbered_cards(demo):
    board = Board.objects.get(workspace=demo)
    numbers = list(cards_of(demo).order_by("number").values_list("number", flat=True))
    assert 180 <= len(numbers) <= 220
    assert numbers == list(range(1, len(numbers) + 1))
    assert board.workspace.card_counter == len(numbers)
    assert board.name == "Marketing"
    assert (board.start_column.name, board.done_column.name) == ("Writing", "Done")


@pytest.mark.django_db
def test_it_spans_120_days_of_history_ending_now(demo):
    events = CardEvent.objects.filter(board__workspace=demo)
    first, last = events.order_by("at").first().at, events.order_by("-at").first().at
    assert last <= NOW
    assert (NOW - first).days >= 118
    assert cards_of(demo).live().filter(column__name="Done").count() >= 100


@pytest.mark.django_db
def test_it_caches_start_and_finish_exactly_as_the_flow_maths_computes_them(demo):
    for card in cards_of(demo).prefetch_related("events__to_column"):
        entries = [e for e in card.events.all() if e.kind in ENTRIES]
        moves = [Move(e.at, e.to_column.position) for e in entries]
        times = item_times(
            card.created_at,
            moves,
            start_index=card.board.start_column.position,
            done_index=card.board.done_column.position,
        )
        assert (card.started_at, card.finished_at) == (times.started, times.finished), card
        assert (card.column, card.column_entered_at) == (entries[-1].to_column, entries[-1].at)
        assert entries[0].kind == CardEvent.Kind.CREATED and entries[0].at == card.created_at


@pytest.mark.django_db
def test_it_keeps_every_card_event_in_time_order_with_consistent_versions(demo):
    for card in cards_of(demo).prefetch_related("events"):
        events = list(card.events.all())
        assert [e.at for e in events] == sorted(e.at for e in events)
        changes = [e for e in events if e.kind not in ("created", "wip_override")]
        assert card.version == 1 + len(changes)


@pytest.mark.django_db
def test_it_never_breaks_the_hard_limits_of_writing(demo):
    writing = live_in(demo, "Writing")
    assert writing.count() <= 3
    for person in User.objects.filter(memberships__workspace=demo):
        assert writing.filter(assignees=person).count() <= 2


@pytest.mark.django_db
def test_it_goes_over_a_soft_limit_only_with_a_recorded_override(demo):
    overrides = CardEvent.objects.filter(board__workspace=demo, kind=CardEvent.Kind.WIP_OVERRIDE)
    assert overrides.exists()
    assert all(o.reason for o in overrides)
    for column in Column.objects.filter(board__workspace=demo, wip_limit__isnull=False):
        if live_in(demo, column.name).count() > column.wip_limit:
            assert overrides.filter(to_column=column).exists(), column.name


@pytest.mark.django_db
def test_it_leaves_a_few_cards_blocked_with_their_reason(demo):
    blocked = cards_of(demo).filter(blocked_since__isnull=False)
    assert 1 <= blocked.count() <= 15
    for card in blocked:
        last = card.events.filter(kind__in=["blocked", "unblocked"]).order_by("at", "id").last()
        assert (last.kind, last.reason, last.at) == (
            "blocked",
            card.blocked_reason,
            card.blocked_since,
        )
    assert not cards_of(demo).filter(blocked_since__isnull=True).exclude(blocked_reason="").exists()


@pytest.mark.django_db
def test_it_numbers_positions_from_zero_in_every_cell(demo):
    cells = {}
    for card in cards_of(demo):
        cells.setdefault((card.column_id, card.lane), []).append(card.position)
    for positions in cells.values():
        assert sorted(positions) == list(range(len(positions)))


@pytest.mark.django_db
def test_it_gives_fixed_date_cards_and_only_them_a_due_date(demo):
    cards = cards_of(demo)
    assert cards.filter(lane="fixed_date").exists()
    assert not cards.filter(lane="fixed_date", due_date__isnull=True).exists()
    assert not cards.exclude(lane="fixed_date").filter(due_date__isnull=False).exists()


@pytest.mark.django_db
def test_it_assigns_work_only_to_people_who_can_do_it(demo):
    for card in cards_of(demo).prefetch_related("assignees"):
        people = {p.email for p in card.assignees.all()}
        assert 1 <= len(people) <= 2
        assert "sam@northwind.example" not in people


@pytest.mark.django_db
def test_it_creates_the_four_people_with_their_roles_and_passwords(demo):
    for email, name, role, password in DEMO_PEOPLE:
        user = User.objects.get(username=email)
        assert user.display_name == name
        assert user.check_password(password)
        assert Membership.objects.get(workspace=demo, user=user).role == role
    assert demo.name == DEMO_WORKSPACE_NAME


@pytest.mark.django_db
def test_it_reloads_with_reset_without_duplicates(demo):
    cards = cards_of(demo).count()
    again = load_demo(seed=42, now=NOW, reset=True)
    assert not Workspace.objects.filter(pk=demo.pk).exists()
    assert Workspace.objects.filter(name=DEMO_WORKSPACE_NAME).count() == 1
    assert User.objects.filter(email__endswith="@northwind.example").count() == 4
    assert cards_of(again).count() == cards == Card.objects.count()


@pytest.mark.django_db
def test_it_refuses_to_load_twice_without_reset(demo):
    assert demo_exists()
    with pytest.raises(DemoExists, match="already exists"):
        load_demo(seed=42, now=NOW)
    assert Workspace.objects.count() == 1


@pytest.mark.django_db
def test_it_reports_its_progress_up_to_the_total():
    calls = []
    load_demo(seed=1, now=NOW, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (Steps.TOTAL, Steps.TOTAL)
    assert [done for done, _ in calls] == list(range(1, Steps.TOTAL + 1))


def test_it_refuses_a_naive_clock(db):
    with pytest.raises(ValueError, match="timezone-aware"):
        load_demo(now=datetime(2026, 3, 16, 12, 0))  # noqa: DTZ001 (the point of the test)
