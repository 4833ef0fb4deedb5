from datetime import date, timedelta

import pytest
from django.http import Http404

from leanmark.backlog import queries, services
from leanmark.backlog.models import Idea, IdeaEvent, Status
from leanmark.board import services as board_services
from leanmark.board.errors import OverrideReasonRequired, WipLimitExceeded
from leanmark.board.models import CardEvent
from leanmark.domain.value import Model
from leanmark.lib.errors import InvalidInput, WrongState

TODAY = date(2026, 12, 1)


def capture(world, title="Cold brew sampling at the farmers' market", **detail):
    return services.capture_idea(world.acme, title=title, actor=world.bob, **detail)


def scored(world, title="Idea", *, rate=30, weeks=4, **detail):
    idea = capture(world, title, **detail)
    return services.score_idea(
        idea,
        model="cd3",
        values={"profile": "standard", "value_rate": rate, "duration_weeks": weeks},
        actor=world.bob,
        today=TODAY,
    )


def accepted(world, title="Idea", **detail):
    idea = scored(world, title, **detail)
    return services.set_status(idea, status="accepted", actor=world.bob)


def test_it_captures_an_idea_with_only_a_title(world):
    idea = capture(world)
    assert (idea.title, idea.status, idea.created_by) == (
        "Cold brew sampling at the farmers' market",
        Status.NEW,
        world.bob,
    )
    assert [e.kind for e in queries.history(idea)] == ["captured"]


def test_it_keeps_the_optional_detail(world):
    idea = capture(
        world,
        description="*Sample* cups",
        source="Marco, at the roastery",
        stage="try",
        channel="Events",
        tags="summer, sampling",
        hypothesis="Tasting converts",
    )
    assert (idea.stage, idea.channel, idea.tags, idea.source) == (
        "try",
        "Events",
        ["summer", "sampling"],
        "Marco, at the roastery",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "the title cannot be empty"),
        ({"title": "x" * 201}, "at most 200"),
        ({"title": "ok", "stage": "awareness"}, "unknown hourglass stage 'awareness'"),
    ],
)
def test_it_refuses_bad_capture_input_and_saves_nothing(world, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        services.capture_idea(world.acme, actor=world.bob, **kwargs)
    assert Idea.objects.count() == 0


def test_scoring_a_new_idea_evaluates_it_and_records_the_inputs(world):
    idea = capture(world)
    idea = services.score_idea(
        idea, model="ice", values={"impact": "8", "confidence": 7, "ease": 9}, actor=world.bob
    )
    assert (idea.status, idea.ice_impact, idea.ice_confidence, idea.ice_ease) == (
        "evaluated",
        8,
        7,
        9,
    )
    assert queries.score_of(idea, Model.ICE, TODAY).value == 8.0
    event = queries.history(idea)[-1]
    assert (event.kind, event.data["model"], event.data["to"]) == (
        "scored",
        "ice",
        {"ice_impact": 8, "ice_confidence": 7, "ice_ease": 9},
    )


@pytest.mark.parametrize(
    ("model", "values", "field", "message"),
    [
        ("ice", {"impact": 11, "confidence": 5, "ease": 5}, "impact", "from 1 to 10, not 11"),
        ("ice", {"impact": "", "confidence": 5, "ease": 5}, "impact", "Impact is missing"),
        ("ice", {"impact": "lots", "confidence": 5, "ease": 5}, "impact", "must be a number"),
        (
            "rice",
            {"reach": 10, "impact": 5, "confidence": 80, "effort": 1},
            "impact",
            "RICE impact must be one of",
        ),
        (
            "cd3",
            {"profile": "someday", "value_rate": 1, "duration_weeks": 1},
            "profile",
            "unknown urgency profile 'someday'",
        ),
        (
            "cd3",
            {"profile": "standard", "value_rate": 1, "duration_weeks": 0},
            "duration_weeks",
            "more than 0 weeks",
        ),
        (
            "cd3",
            {
                "profile": "fixed_date",
                "value_rate": 1,
                "duration_weeks": 1,
                "deadline": "2026-11-30",
                "penalty": 5,
            },
            "deadline",
            "The deadline 2026-11-30 is in the past",
        ),
        ("wsjf", {}, "model", "unknown scoring model 'wsjf'"),
        (
            "rice",
            {"reach": 1, "impact": 1, "confidence": 80, "effort": 5_000_000},
            "effort",
            "below 1,000,000 person-months",
        ),
        (
            "cd3",
            {"profile": "standard", "value_rate": 1e12, "duration_weeks": 1},
            "value_rate",
            "below a trillion",
        ),
    ],
)
def test_it_refuses_bad_scores_and_changes_nothing(world, model, values, field, message):
    idea = capture(world)
    with pytest.raises(InvalidInput) as error:
        services.score_idea(idea, model=model, values=values, actor=world.bob, today=TODAY)
    assert error.value.field == field
    assert message in error.value.message
    idea.refresh_from_db()
    assert (idea.status, idea.version, idea.ice_impact, idea.cod_profile) == ("new", 1, None, "")


def test_parking_and_rejecting_need_a_reason(world):
    idea = scored(world)
    with pytest.raises(InvalidInput, match="a reason is required"):
        services.set_status(idea, status="parked", actor=world.bob)
    idea = services.set_status(idea, status="rejected", reason="we did it in 2024", actor=world.bob)
    assert (idea.status, idea.status_reason) == ("rejected", "we did it in 2024")
    event = queries.history(idea)[-1]
    assert (event.kind, event.reason, event.data) == (
        "status",
        "we did it in 2024",
        {"from": "evaluated", "to": "rejected"},
    )


def test_an_idea_is_accepted_only_once_scored(world):
    idea = capture(world)
    with pytest.raises(InvalidInput, match="score it before accepting it"):
        services.set_status(idea, status="accepted", actor=world.bob)


def test_reopening_a_parked_idea_brings_it_back_as_evaluated_with_its_scores(world):
    idea = services.set_status(scored(world), status="parked", reason="after summer", actor=None)
    idea = services.set_status(idea, status="new", actor=world.bob)
    assert (idea.status, idea.status_reason) == ("evaluated", "")


def test_bulk_status_changes_all_or_nothing(world):
    a, b = scored(world, "a"), capture(world, "b")
    with pytest.raises(InvalidInput, match="'b' has no score yet"):
        services.bulk_set_status(world.acme, [a.pk, b.pk], status="accepted", actor=world.bob)
    a.refresh_from_db()
    assert a.status == "evaluated"
    changed = services.bulk_set_status(
        world.acme, [a.pk, b.pk], status="parked", reason="later", actor=world.bob
    )
    assert changed == 2
    assert set(Idea.objects.values_list("status", flat=True)) == {"parked"}


def test_bulk_refuses_another_workspaces_idea(world):
    other = services.capture_idea(world.evil, title="theirs", actor=world.mallory)
    with pytest.raises(InvalidInput, match="do not exist in this workspace"):
        services.bulk_set_status(
            world.acme, [other.pk], status="rejected", reason="x", actor=world.bob
        )


def test_starting_an_accepted_idea_makes_a_card_in_the_first_column_linked_both_ways(world):
    idea = accepted(world, "Holiday gift box", stage="buy", channel="Email", tags="q4")
    card = services.start_idea(idea, actor=world.bob)
    idea.refresh_from_db()
    assert (card.title, card.column.name, card.stage, card.channel, card.tags) == (
        "Holiday gift box",
        "Ready",
        "buy",
        "Email",
        ["q4"],
    )
    assert idea.card == card
    assert card.idea == idea
    assert CardEvent.objects.get(card=card).kind == "created"
    assert queries.history(idea)[-1].data["number"] == card.number


def test_a_fixed_date_idea_starts_in_the_fixed_date_lane_with_its_deadline(world):
    idea = capture(world, "Valentine's blend")
    idea = services.score_idea(
        idea,
        model="cd3",
        values={
            "profile": "fixed_date",
            "value_rate": 10,
            "duration_weeks": 2,
            "deadline": "2027-02-10",
            "penalty": 400,
        },
        actor=world.bob,
        today=TODAY,
    )
    idea = services.set_status(idea, status="accepted", actor=world.bob)
    card = services.start_idea(idea, actor=world.bob)
    assert (card.lane, card.due_date) == ("fixed_date", date(2027, 2, 10))


def test_start_refuses_with_the_boards_message_when_the_first_column_is_full(world):
    ready = world.column("Ready")
    board_services.update_column(ready, board_services.ColumnSpec("Ready", ready.kind, 1, "hard"))
    board_services.create_card(world.board, title="in the way", column=ready, actor=world.bob)
    idea = accepted(world)
    with pytest.raises(WipLimitExceeded) as error:
        services.start_idea(idea, actor=world.bob)
    assert error.value.message == (
        "Ready is at its WIP limit (1/1, hard). Finish or move a card out of it first."
    )
    idea.refresh_from_db()
    assert idea.card is None
    assert queries.history(idea)[-1].kind != "started"


def test_start_over_a_soft_limit_needs_a_reason(world):
    ready = world.column("Ready")
    board_services.update_column(ready, board_services.ColumnSpec("Ready", ready.kind, 1, "soft"))
    board_services.create_card(world.board, title="in the way", column=ready, actor=world.bob)
    idea = accepted(world)
    with pytest.raises(OverrideReasonRequired):
        services.start_idea(idea, actor=world.bob)
    card = services.start_idea(idea, actor=world.bob, reason="launch next week")
    assert CardEvent.objects.filter(card=card, kind="wip_override").get().reason == (
        "launch next week"
    )


def test_only_accepted_ideas_start_and_only_once(world):
    idea = scored(world)
    with pytest.raises(WrongState, match="only accepted ideas can be started"):
        services.start_idea(idea, actor=world.bob)
    idea = services.set_status(idea, status="accepted", actor=world.bob)
    services.start_idea(idea, actor=world.bob)
    with pytest.raises(WrongState, match="already on the board"):
        services.start_idea(idea, actor=world.bob)
    with pytest.raises(WrongState, match="already on the board"):
        services.set_status(idea, status="parked", reason="x", actor=world.bob)


def test_evidence_changed_marks_open_ideas_of_the_stage_and_channel(world):
    same = scored(world, "same", stage="try", channel="Email")
    services.score_idea(
        same, model="ice", values={"impact": 5, "confidence": 5, "ease": 5}, actor=world.bob
    )
    other_channel = capture(world, "other channel", stage="try", channel="Events")
    other_stage = capture(world, "other stage", stage="buy", channel="Email")
    rejected = services.set_status(
        capture(world, "rejected", stage="try", channel="email"),
        status="rejected",
        reason="no",
        actor=None,
    )
    count = services.flag_evidence_changed(
        workspace=world.acme, stage="try", channel="email", source="Experiment: subject lines"
    )
    assert count == 1
    flagged = set(
        Idea.objects.filter(evidence_changed_at__isnull=False).values_list("title", flat=True)
    )
    assert flagged == {"same"}
    for idea in (other_channel, other_stage, rejected):
        idea.refresh_from_db()
        assert idea.evidence_changed_at is None
    same.refresh_from_db()
    assert same.evidence_source == "Experiment: subject lines"
    assert IdeaEvent.objects.filter(idea=same, kind="evidence").count() == 1
    # re-scoring confidence clears the badge and says why in the history
    same = services.score_idea(
        same, model="ice", values={"impact": 5, "confidence": 8, "ease": 5}, actor=world.bob
    )
    assert same.evidence_changed_at is None
    assert queries.history(same)[-1].reason == "re-scored after: Experiment: subject lines"


def test_evidence_in_another_workspace_marks_nothing_here(world):
    capture(world, stage="try", channel="Email")
    assert (
        services.flag_evidence_changed(
            workspace=world.evil, stage="try", channel="Email", source="x"
        )
        == 0
    )


def test_idea_for_answers_404_for_another_workspaces_idea(world):
    idea = services.capture_idea(world.evil, title="theirs", actor=world.mallory)
    with pytest.raises(Http404):
        queries.idea_for(world.acme, idea.pk)
    assert queries.idea_for(world.evil, idea.pk) == idea


def test_the_ranking_moves_a_fixed_date_idea_up_when_its_window_opens(world):
    steady = scored(world, "Steady blog series", rate=30, weeks=2)  # CD3 15 every day
    launch = capture(world, "Holiday gift box launch")
    services.score_idea(
        launch,
        model="cd3",
        values={
            "profile": "fixed_date",
            "value_rate": 40,
            "duration_weeks": 2,
            "deadline": "2026-12-29",
            "penalty": 100,
        },
        actor=world.bob,
        today=TODAY,
    )

    def titles(on):
        return [r.idea.title for r in queries.ranked_ideas(world.acme, model=Model.CD3, on=on)]

    assert titles(date(2026, 12, 1)) == [steady.title, launch.title]
    assert titles(date(2026, 12, 9)) == [launch.title, steady.title]
    late = queries.ranked_ideas(world.acme, model=Model.CD3, on=date(2026, 12, 20))
    assert late[0].score.deadline_at_risk
    assert late[0].score.explanation.startswith("CD3 50 = 100/week ÷ 2 weeks")


def test_the_ranking_puts_unscored_ideas_last_and_hides_closed_ones(world):
    capture(world, "unscored")
    scored(world, "small", rate=10, weeks=2)
    scored(world, "big", rate=100, weeks=2)
    services.set_status(scored(world, "parked"), status="parked", reason="x", actor=None)
    rows = queries.ranked_ideas(world.acme, model=Model.CD3, on=TODAY)
    assert [(r.idea.title, r.rank) for r in rows] == [("big", 1), ("small", 2), ("unscored", None)]


def test_the_default_model_is_cd3_until_the_workspace_chooses(world):
    assert queries.default_model(world.acme) == Model.CD3
    services.set_default_model(world.acme, "rice", actor=world.alice)
    assert queries.default_model(world.acme) == Model.RICE
    assert queries.default_model(world.evil) == Model.CD3


def test_editing_records_what_changed(world):
    idea = capture(world)
    idea = services.edit_idea(idea, changes={"channel": "Instagram", "title": "Reels"}, actor=None)
    assert queries.history(idea)[-1].data == {
        "fields": {
            "channel": ["", "Instagram"],
            "title": ["Cold brew sampling at the farmers' market", "Reels"],
        }
    }


def test_deleting_an_idea_leaves_its_card_and_an_audit_line(world):
    idea = accepted(world, "gone")
    card = services.start_idea(idea, actor=world.bob)
    services.delete_idea(idea, actor=world.alice)
    card.refresh_from_db()
    assert not Idea.objects.exists()
    assert world.acme.audit_entries.first().detail.startswith("deleted idea")


def test_ranking_a_date_far_ahead_uses_that_date(world):
    idea = capture(world, "Spring")
    services.score_idea(
        idea,
        model="cd3",
        values={
            "profile": "intangible",
            "value_rate": 20,
            "duration_weeks": 2,
            "horizon": "2027-03-01",
        },
        actor=None,
        today=TODAY,
    )
    before = queries.ranked_ideas(world.acme, model=Model.CD3, on=TODAY)[0].score
    after = queries.ranked_ideas(
        world.acme, model=Model.CD3, on=date(2027, 3, 1) + timedelta(days=1)
    )[0].score
    assert (before.value, after.value) == (1.0, 10.0)
