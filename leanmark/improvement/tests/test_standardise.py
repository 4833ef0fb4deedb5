"""Act → standardise: a value-stream source's future step is applied to the current map."""

import pytest

from leanmark.improvement import services
from leanmark.improvement.models import Phase
from leanmark.improvement.services import PhaseRefused
from leanmark.improvement.testing import cycle
from leanmark.valuestream import services as vsm
from leanmark.valuestream.models import MapRevision, Step

REVIEW = {
    "stage": "trust",
    "name": "Legal review of every post",
    "pt_value": "2",
    "pt_unit": "h",
    "lt_value": "4",
    "lt_unit": "d",
    "runs_per_month": "20",
    "customer_value": "waste",
    "waste_type": "waiting",
    "how_to_eliminate": "Pre-approved claims list",
}


@pytest.fixture
def maps(world):
    current = vsm.create_stream(world.acme, vsm.StreamSettings(name="Hourglass"), actor=world.alice)
    step = vsm.add_step(current, REVIEW, actor=world.alice)
    future = vsm.create_future_state(current, actor=world.alice)
    copy = future.steps.get(origin=step)
    vsm.edit_step(copy, {"pt_value": "0.5", "lt_value": "1"}, actor=world.alice)
    return current, step, copy


def test_it_drafts_the_plan_from_the_waste_step(world, maps):
    _, step, _ = maps
    imp = services.start_improvement(
        world.acme, actor=world.bob, source="vsm_step", source_id=step.pk
    )
    assert imp.title == "Cut the waste in “Legal review of every post”"
    assert imp.current_condition.startswith("“Legal review of every post” on the map “Hourglass”")
    assert "How to eliminate its waste: Pre-approved claims list" in imp.background


def test_standardise_applies_the_future_step_and_records_the_map_revision(world, maps):
    _, step, copy = maps
    imp = cycle(world.acme, phase=Phase.ACT, source_kind="vsm_step", source_id=step.pk)
    services.decide(imp, outcome="standardise", reason="review time fell", actor=world.bob)
    imp.refresh_from_db()
    step.refresh_from_db()
    assert (step.pt_value, step.lt_value) == (copy.pt_value, copy.lt_value)
    revision = MapRevision.objects.get(pk=imp.map_revision_id)
    assert (revision.kind, revision.step_id, revision.actor) == ("applied", step.pk, world.bob)
    # 2 h x 20 runs before, 0.5 h x 20 runs after
    assert imp.effect["hours_saved_per_month"] == 30.0


def test_standardise_removes_a_step_the_future_state_drops(world, maps):
    current, step, copy = maps
    vsm.delete_step(copy, actor=world.alice)
    imp = cycle(world.acme, phase=Phase.ACT, source_kind="vsm_step", source_id=step.pk)
    services.decide(imp, outcome="standardise", reason="step gone", actor=world.bob)
    imp.refresh_from_db()
    assert not Step.objects.filter(pk=step.pk).exists()
    revision = MapRevision.objects.get(pk=imp.map_revision_id)
    assert (revision.stream, revision.kind) == (current, "applied")
    assert revision.summary.endswith("removed Legal review of every post")
    assert imp.effect["hours_saved_per_month"] == 40.0  # 2 h x 20 runs, all saved


def test_standardise_needs_a_future_state_map(world):
    current = vsm.create_stream(world.acme, vsm.StreamSettings(name="Hourglass"), actor=world.alice)
    step = vsm.add_step(current, REVIEW, actor=world.alice)
    imp = cycle(world.acme, phase=Phase.ACT, source_kind="vsm_step", source_id=step.pk)
    with pytest.raises(
        PhaseRefused,
        match="could not apply the future state to the current map: “Hourglass” has no future",
    ):
        services.decide(imp, outcome="standardise", reason="x", actor=world.bob)
    imp.refresh_from_db()
    assert imp.phase == "act"
    assert Step.objects.filter(pk=step.pk).exists()
