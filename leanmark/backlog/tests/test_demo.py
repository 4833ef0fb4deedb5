from datetime import UTC, datetime, timedelta

import pytest

from leanmark.backlog import queries
from leanmark.backlog.models import Idea, IdeaEvent
from leanmark.demo.generator import load_demo
from leanmark.domain.value import Model

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)


@pytest.fixture
def demo(db):
    return load_demo(seed=42, now=NOW)


def test_the_demo_has_forty_ideas_in_every_state(demo):
    ideas = Idea.objects.filter(workspace=demo)
    assert ideas.count() == 40
    counts = queries.status_counts(demo)
    assert all(counts[s] > 0 for s in ("new", "evaluated", "accepted", "parked", "rejected"))
    assert ideas.filter(card__isnull=False).count() == 3
    # two of the backlog's own, and more once the experiments' demo records its decisions
    assert ideas.filter(evidence_changed_at__isnull=False).count() >= 2
    for idea in ideas.filter(status__in=("parked", "rejected")):
        assert idea.status_reason


def test_the_started_ideas_are_linked_to_demo_cards_created_after_them(demo):
    for idea in Idea.objects.filter(workspace=demo, card__isnull=False).select_related("card"):
        assert idea.card.board.workspace == demo
        assert idea.created_at < idea.card.created_at
        assert idea.card.title == idea.title


def test_the_gift_box_jumps_to_the_top_when_its_window_opens(demo):
    def position(on):
        rows = queries.ranked_ideas(demo, model=Model.CD3, on=on.date())
        return [r.idea.title for r in rows].index("Holiday gift box pre-orders") + 1

    assert position(NOW) > 10
    assert position(NOW + timedelta(days=8)) == 2  # after the expedite fix


def test_the_demo_history_is_in_time_order_and_in_the_past(demo):
    for idea in Idea.objects.filter(workspace=demo):
        events = list(idea.events.order_by("id"))
        assert events[0].kind == IdeaEvent.Kind.CAPTURED
        assert [e.at for e in events] == sorted(e.at for e in events)
        # the experiments' demo may flag evidence at the wall clock's now (it can pass at=)
        assert all(e.at <= NOW for e in events if e.kind != IdeaEvent.Kind.EVIDENCE)


def test_the_demo_backlog_is_the_same_for_the_same_seed(db):
    first = load_demo(seed=42, now=NOW)
    titles = list(
        Idea.objects.filter(workspace=first).order_by("pk").values_list("title", "created_at")
    )
    second = load_demo(seed=42, now=NOW, reset=True)
    assert (
        list(
            Idea.objects.filter(workspace=second).order_by("pk").values_list("title", "created_at")
        )
        == titles
    )
