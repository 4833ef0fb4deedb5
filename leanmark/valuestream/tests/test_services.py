from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.http import Http404

from leanmark.board import services as board_services
from leanmark.board.services import HistoryCard, HistoryEvent
from leanmark.valuestream import queries, services
from leanmark.valuestream.errors import NotAFutureStep, ValueStreamError
from leanmark.valuestream.models import MapRevision, State, Step

pytestmark = pytest.mark.django_db


def new_map(world, name="Northwind hourglass", **kw):
    return services.create_stream(
        world.acme, services.StreamSettings(name=name, **kw), actor=world.alice
    )


def add(stream, world, name, stage="know", pt="1", lt="1", **kw):
    data = {
        "name": name,
        "stage": stage,
        "pt_value": pt,
        "pt_unit": kw.pop("pt_unit", "h"),
        "lt_value": lt,
        "lt_unit": kw.pop("lt_unit", "d"),
        **kw,
    }
    return services.add_step(stream, data, actor=world.bob)


def test_it_adds_steps_in_hourglass_order_and_summarises_them(world):
    stream = new_map(world)
    add(stream, world, "Send the order confirmation", stage="buy", ca_percent="92")
    add(stream, world, "Write the blog post", stage="know", ca_percent="95")
    add(stream, world, "Edit the blog post", stage="know", ca_percent="90")
    view = queries.map_view(stream)
    assert [s.name for s in view.steps] == [
        "Write the blog post",
        "Edit the blog post",
        "Send the order confirmation",
    ]
    assert view.summary.total.rolled_ca == Fraction(7866, 10000)
    assert view.summary.total.lt == 3 * 1440
    assert stream.revisions.filter(kind=MapRevision.Kind.STEP_ADDED).count() == 3
    assert stream.revisions.first().total_lt_minutes == 3 * 1440


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"pt_value": "3", "pt_unit": "h", "lt_value": "2", "lt_unit": "h"},
            "lt",
            "cannot be shorter than the process time",
        ),
        ({"ca_percent": "120"}, "ca_percent", "between 0 and 100, not 120"),
        ({"ca_percent": "-3"}, "ca_percent", "cannot be negative"),
        ({"pt_value": "-1"}, "pt_value", "the process time cannot be negative"),
        ({"lt_value": "soon"}, "lt_value", "the lead time must be a number"),
        ({"stage": "awareness"}, "stage", "unknown stage 'awareness'"),
        ({"stage": ""}, "stage", "choose the hourglass stage"),
        ({"name": "  "}, "name", "the name cannot be empty"),
        ({"customer_value": "nice"}, "customer_value", "unknown customer value"),
        ({"waste_type": "boredom"}, "waste_type", "unknown waste type"),
    ],
)
def test_it_refuses_a_bad_step_and_saves_nothing(world, data, field, message):
    stream = new_map(world)
    base = {
        "name": "Review",
        "stage": "trust",
        "pt_value": "1",
        "pt_unit": "h",
        "lt_value": "1",
        "lt_unit": "d",
    }
    with pytest.raises(ValueStreamError) as error:
        services.add_step(stream, {**base, **data}, actor=world.bob)
    assert error.value.field == field
    assert message in error.value.message
    assert not Step.objects.exists()
    assert stream.revisions.count() == 1  # only "created"


def test_an_edit_that_breaks_a_rule_keeps_the_old_values(world):
    step = add(new_map(world), world, "Review", pt="2", pt_unit="h", lt="1", lt_unit="d")
    with pytest.raises(ValueStreamError, match="cannot be shorter"):
        services.edit_step(step, {"lt_value": "1", "lt_unit": "h"}, actor=world.bob)
    step.refresh_from_db()
    assert (step.lt_value, step.lt_unit) == (Decimal("1.00"), "d")


def test_a_new_basis_is_refused_when_a_step_would_break_on_it(world):
    stream = new_map(world)
    add(stream, world, "Long shoot", pt="10", pt_unit="h", lt="1", lt_unit="d")
    spec = services.StreamSettings(name=stream.name, time_basis="working", hours_per_day="8")
    with pytest.raises(ValueStreamError, match="step “Long shoot”: the lead time"):
        services.update_stream(stream, spec, actor=world.alice)
    stream.refresh_from_db()
    assert stream.time_basis == "calendar"


def test_map_names_are_unique_in_a_workspace(world):
    new_map(world, "Hourglass")
    with pytest.raises(ValueStreamError, match="already a value stream called 'hourglass'"):
        new_map(world, "hourglass")


def test_future_state_copies_the_map_and_compares_with_it(world):
    current = new_map(world)
    write = add(current, world, "Write", lt="2")
    waste = add(
        current,
        world,
        "Re-approve",
        stage="trust",
        customer_value="waste",
        waste_type="extra_processing",
    )
    future = services.create_future_state(current, actor=world.alice)
    assert future.state == State.FUTURE
    assert future.derived_from == current
    assert future.name == "Northwind hourglass — future state"
    copies = {s.origin_id: s for s in future.steps.all()}
    assert set(copies) == {write.pk, waste.pk}
    services.delete_step(copies[waste.pk], actor=world.bob)
    services.edit_step(copies[write.pk], {"lt_value": "1"}, actor=world.bob)
    add(future, world, "Order page", stage="buy", pt="30", pt_unit="min", lt="1", lt_unit="h")
    result = queries.compare(current, future)
    assert [(d.kind, (d.future or d.current).name) for d in result.steps] == [
        ("removed", "Re-approve"),
        ("changed", "Write"),
        ("added", "Order page"),
    ]
    changes = {c.label: c for c in result.changes}
    assert changes["Lead time"].current == 3 * 1440
    assert changes["Lead time"].future == 1440 + 60
    assert changes["Waste steps"].delta == -1


def test_apply_future_step_copies_values_onto_the_current_step_with_a_revision(world):
    current = new_map(world)
    write = add(current, world, "Write", lt="3")
    future = services.create_future_state(current, actor=world.alice)
    copy = future.steps.get(origin=write)
    services.edit_step(copy, {"lt_value": "1", "simpler_step": "Template"}, actor=world.bob)
    revision = services.apply_future_step(copy, actor=world.alice)
    write.refresh_from_db()
    assert (write.lt_value, write.simpler_step) == (Decimal("1.00"), "Template")
    assert revision.stream == current
    assert revision.kind == MapRevision.Kind.APPLIED
    assert (revision.step, revision.source_step, revision.actor) == (write, copy, world.alice)
    assert revision.before == {"lt_value": "3.00", "simpler_step": ""}
    assert revision.after == {"lt_value": "1.00", "simpler_step": "Template"}
    assert revision.total_lt_minutes == 1440


def test_apply_future_step_adds_a_step_the_future_state_added(world):
    current = new_map(world)
    future = services.create_future_state(current, actor=world.alice)
    new = add(future, world, "Order page", stage="buy")
    revision = services.apply_future_step(new, actor=world.alice)
    assert revision.step.stream == current
    assert revision.step.name == "Order page"
    new.refresh_from_db()
    assert new.origin == revision.step
    assert current.steps.count() == 1


def test_apply_refuses_a_current_step_while_the_map_has_no_future_state(world):
    step = add(new_map(world), world, "Write")
    with pytest.raises(NotAFutureStep, match="has no future state yet"):
        services.apply_future_step(step, actor=world.alice)


def test_applying_a_current_step_applies_its_copy_in_the_future_state(world):
    """What the improvement app does when a cycle that started from a waste step standardises."""
    current = new_map(world)
    wait = add(current, world, "Wait for sign-off", lt="4", customer_value="waste")
    future = services.create_future_state(current, actor=world.alice)
    services.edit_step(
        future.steps.get(origin=wait),
        {"lt_value": "1", "customer_value": "necessary"},
        actor=world.bob,
    )
    revision = services.apply_future_step(wait, actor=world.alice)
    wait.refresh_from_db()
    assert (wait.lt_value, wait.customer_value) == (Decimal("1.00"), "necessary")
    assert revision.after == {"lt_value": "1.00", "customer_value": "necessary"}


def test_applying_a_current_step_the_future_state_removed_removes_it(world):
    current = new_map(world)
    add(current, world, "Write")
    wait = add(current, world, "Wait for sign-off", customer_value="waste")
    future = services.create_future_state(current, actor=world.alice)
    services.delete_step(future.steps.get(origin=wait), actor=world.bob)
    wait_id = wait.pk
    revision = services.apply_future_step(wait, actor=world.alice)
    assert list(current.steps.values_list("name", flat=True)) == ["Write"]
    assert revision.kind == MapRevision.Kind.APPLIED
    assert revision.summary == (
        "Applied the future state Northwind hourglass — future state: removed Wait for sign-off"
    )
    assert revision.before["step_id"] == wait_id
    assert (revision.waste_steps, revision.step_count) == (0, 1)


def test_step_for_answers_404_for_another_workspace(world):
    step = add(new_map(world), world, "Write")
    assert queries.step_for(world.acme, step.pk) == step
    with pytest.raises(Http404):
        queries.step_for(world.evil, step.pk)


def test_elimination_candidates_of_a_stream(world):
    stream = new_map(world)
    add(stream, world, "Blog", milestone="new_lead")
    add(stream, world, "Wait for legal", stage="trust", customer_value="necessary")
    add(stream, world, "Retype the lead", stage="try", customer_value="waste", waste_type="defects")
    add(stream, world, "Take the order", stage="buy", milestone="order_accepted")
    found = queries.elimination_candidates(stream)
    assert [c.step.name for c in found.items] == ["Wait for legal", "Retype the lead"]


def test_dragging_a_step_into_another_stage_renumbers_both(world):
    stream = new_map(world)
    a = add(stream, world, "A", stage="know")
    b = add(stream, world, "B", stage="know")
    c = add(stream, world, "C", stage="like")
    services.move_step(b, stage="like", order=[b.pk, c.pk], actor=world.bob)
    assert [(s.name, s.stage) for s in queries.steps_of(stream)] == [
        ("A", "know"),
        ("B", "like"),
        ("C", "like"),
    ]
    services.move_step(a, stage="like", order=[c.pk, a.pk, b.pk], actor=world.bob)
    assert [s.name for s in queries.steps_of(stream)] == ["C", "A", "B"]


def test_it_refuses_a_column_of_another_workspace(world):
    step = add(new_map(world), world, "Write")
    foreign = world.evil_board.columns.first()
    with pytest.raises(ValueStreamError, match=f"no board column {foreign.pk} in this workspace"):
        services.link_columns(step, [world.column("Writing").pk, foreign.pk], actor=world.bob)
    assert not step.column_links.exists()


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def passed(world, title, *, writing_hours, review_hours, start):
    ready, writing, review, done = (world.column(n) for n in ("Ready", "Writing", "Review", "Done"))
    at = T0 + timedelta(days=start)
    t1 = at + timedelta(hours=writing_hours)
    t2 = t1 + timedelta(hours=review_hours)
    return HistoryCard(
        title=title,
        events=[
            HistoryEvent("created", at - timedelta(hours=1), to_column=ready),
            HistoryEvent("moved", at, to_column=writing, from_column=ready),
            HistoryEvent("moved", t1, to_column=review, from_column=writing),
            HistoryEvent("moved", t2, to_column=done, from_column=review),
        ],
    )


def test_measured_times_come_from_card_events_with_a_warning_when_far_off(world):
    board_services.import_history(
        world.board,
        [
            passed(world, "One", writing_hours=2, review_hours=10, start=0),
            passed(world, "Two", writing_hours=4, review_hours=20, start=1),
            passed(world, "Three", writing_hours=6, review_hours=2, start=2),
        ],
    )
    stream = new_map(world)
    step = add(stream, world, "Write and review", pt="4", pt_unit="h", lt="4", lt_unit="h")
    services.link_columns(
        step, [world.column("Writing").pk, world.column("Review").pk], actor=world.bob
    )
    view = queries.map_view(stream)
    found = queries.measured_times(view, since=T0, until=T0 + timedelta(days=10))
    m = found[step.pk]
    assert m.measured.cards == 3
    assert m.lt == 12 * 60  # passages of 12, 24 and 8 h: median 12 h
    assert m.pt == 4 * 60  # Writing is the active column: 2, 4, 6 h
    assert (m.lt_warning, m.pt_warning) == (True, False)  # 12 h vs 4 h estimated: over 50 % off
