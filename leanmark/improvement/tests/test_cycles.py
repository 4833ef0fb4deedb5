"""PDCA cycles: phases, bad input, sources, the Check from data, tasks, the web pages and API."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.board.models import Card
from leanmark.dashboard import services as dashboard
from leanmark.improvement import metrics, queries, services
from leanmark.improvement.models import Improvement, Outcome, Phase
from leanmark.improvement.services import PhaseRefused
from leanmark.improvement.testing import cycle
from leanmark.lib.errors import InvalidInput
from leanmark.standups import services as standups

TODAY = timezone.localdate()


@dataclass(frozen=True)
class Finished:
    card_id: int
    number: int
    finished_at: datetime
    cycle_days: float
    lead_days: float


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def flow_items(monkeypatch):
    """Stand in for flow analytics' finished_items with items the test chooses."""
    items: list[Finished] = []

    def finished_items(board, *, since, until):
        return [i for i in items if since <= i.finished_at < until]

    monkeypatch.setattr(metrics.flow_queries, "finished_items", finished_items)
    return items


def finish(items, change: date, before: list[float], after: list[float]) -> None:
    for i, days in enumerate(before):
        at = noon(change - timedelta(days=2 + i))
        items.append(Finished(i, 100 + i, at, days, days + 2))
    for i, days in enumerate(after):
        at = noon(change + timedelta(days=1 + i))
        items.append(Finished(50 + i, 200 + i, at, days, days + 2))


def planned(world, **fields):
    return services.start_improvement(
        world.acme,
        actor=world.bob,
        title="Shorter review queue",
        problem="Posts wait three days for review",
        countermeasures=[{"text": "Two review slots a day", "pros": "fast", "cons": "interrupts"}],
        **fields,
    )


# ---- start and plan ---------------------------------------------------------------------------


def test_it_starts_a_blank_cycle_in_plan_with_who_and_when(world):
    imp = planned(world)
    assert (imp.code, imp.phase, imp.source_kind, imp.board) == (
        "PDCA-1",
        "plan",
        "blank",
        world.board,
    )
    (change,) = imp.phase_changes.all()
    assert (change.to_phase, change.actor) == ("plan", world.bob)
    assert planned(world).number == 2


def test_it_refuses_a_target_without_a_metric(world):
    with pytest.raises(InvalidInput, match="a target value needs a baseline metric"):
        planned(world, target_value=6)


def test_it_refuses_a_metric_that_does_not_exist_here(world):
    dashboard.create_metric(world.evil, name="Evil signups", kind="output", stage="buy")
    with pytest.raises(InvalidInput, match="there is no metric 'dashboard:evil-signups'"):
        planned(world, metric="dashboard:evil-signups")


def test_it_accepts_a_dashboard_metric_of_its_own_workspace(world):
    dashboard.create_metric(world.acme, name="Sign-ups", kind="output", stage="buy")
    imp = planned(world, metric="dashboard:sign-ups", target_value=40)
    assert (imp.metric, imp.target_value) == ("dashboard:sign-ups", 40)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"whys": ["a", "b", "c", "d", "e", "f"]}, "at most 5 whys"),
        ({"target_date": "next friday"}, "'next friday' is not a date (YYYY-MM-DD)"),
        ({"title": ""}, "the title cannot be empty"),
        ({"window_days": "3"}, "each window is a whole number of days from 7 to 365"),
        ({"countermeasures": [{"pros": "cheap"}]}, "a countermeasure with pros or cons needs"),
        ({"change_date": "2026-01-01"}, "the change date is set in Do"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_it_refuses_bad_plan_input_with_a_clear_message(world, changes, message):
    imp = planned(world)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        services.update_improvement(imp, changes=changes, actor=world.bob)
    imp.refresh_from_db()
    assert imp.version == 1


# ---- phases -------------------------------------------------------------------------------------


def test_it_moves_one_phase_at_a_time_and_records_who_and_when(world):
    imp = cycle(world.acme, actor=world.bob)
    services.advance(imp, to="do", actor=world.alice)
    with pytest.raises(PhaseRefused, match="the next phase is Check"):
        services.advance(imp, to="act", actor=world.alice)
    services.update_improvement(
        imp, changes={"change_date": TODAY - timedelta(days=3)}, actor=world.bob
    )
    services.advance(imp, to="check", actor=world.bob)
    with pytest.raises(PhaseRefused, match="never back, so the next phase is Act"):
        services.advance(imp, to="do", actor=world.bob)
    imp.refresh_from_db()
    assert imp.phase == "check"
    assert [(c.from_phase, c.to_phase, c.actor) for c in imp.phase_changes.all()] == [
        ("", "plan", world.bob),
        ("plan", "do", world.alice),
        ("do", "check", world.bob),
    ]


def test_it_refuses_skipping_a_phase(world):
    imp = cycle(world.acme)
    with pytest.raises(PhaseRefused) as refused:
        services.advance(imp, to="check", actor=world.bob)
    assert refused.value.message == (
        "PDCA-1 is in Plan; a cycle moves one phase at a time and never ahead, so the next "
        "phase is Do"
    )


def test_it_says_what_is_missing_before_do(world):
    imp = cycle(world.acme, problem="", metric="", countermeasures=[])
    with pytest.raises(PhaseRefused) as refused:
        services.advance(imp, to="do", actor=world.bob)
    assert refused.value.message == (
        "PDCA-1 cannot move to Do yet: write the problem; choose the baseline metric; "
        "add at least one countermeasure."
    )


def test_it_refuses_check_when_the_change_date_is_in_the_future(world):
    imp = cycle(world.acme, phase=Phase.DO, change_date=TODAY + timedelta(days=2))
    with pytest.raises(PhaseRefused, match="is in the future; the effect can be checked only"):
        services.advance(imp, to="check", actor=world.bob)
    imp = cycle(world.acme, phase=Phase.DO)
    with pytest.raises(PhaseRefused, match="give the change date"):
        services.advance(imp, to="check", actor=world.bob)


def test_it_abandons_in_any_phase_but_only_with_a_reason(world):
    imp = cycle(world.acme)
    with pytest.raises(InvalidInput, match="say why you abandon"):
        services.decide(imp, outcome="abandon", reason=" ", actor=world.bob)
    services.decide(imp, outcome="abandon", reason="the review queue went away", actor=world.bob)
    imp.refresh_from_db()
    assert (imp.phase, imp.outcome, imp.outcome_reason) == (
        "closed",
        "abandon",
        "the review queue went away",
    )
    assert imp.phase_changes.last().note == "Abandon: the review queue went away"
    with pytest.raises(PhaseRefused, match="already closed"):
        services.decide(imp, outcome="abandon", reason="again", actor=world.bob)


def test_it_decides_standardise_only_in_act(world):
    imp = cycle(world.acme, phase=Phase.CHECK)
    with pytest.raises(PhaseRefused, match="standardise is decided in Act, after the Check"):
        services.decide(imp, outcome="standardise", reason="works", actor=world.bob)


def test_adjust_closes_the_cycle_and_starts_the_next_from_its_plan(world, flow_items):
    imp = cycle(world.acme, phase=Phase.ACT, root_cause="one reviewer", whys=["why 1"])
    services.decide(imp, outcome="adjust", reason="helped a little", actor=world.bob)
    imp.refresh_from_db()
    (follower,) = imp.next_cycles.all()
    assert (follower.phase, follower.previous, follower.problem, follower.root_cause) == (
        "plan",
        imp,
        imp.problem,
        "one reviewer",
    )
    assert follower.background.startswith("Follows PDCA-1 (adjust and run again: helped a little)")
    assert follower.metric == "cycle_time"
    assert imp.effect is not None  # the Check as it stood is kept with the decision


# ---- the Check --------------------------------------------------------------------------------


def test_the_check_compares_cycle_times_before_and_after_the_change(world, flow_items):
    change = TODAY - timedelta(days=20)
    finish(
        flow_items,
        change,
        [5.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.1, 10.0],
        [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.2, 6.4, 7.0],
    )
    imp = cycle(world.acme, phase=Phase.CHECK, change_date=change, target_value=7)
    view = queries.check_for(imp, window_days=14)
    assert view.result.verdict == (
        "85th-percentile cycle time fell from 9.1 to 6.4 days; the difference is significant, "
        "p = 0.003. The median cycle time went from 7.5 to 5.0 days."
    )
    assert view.target == (
        "Target 7 days: reached (85th-percentile cycle time after the change: 6.4 days)."
    )
    assert (view.windows.before_start, view.windows.after_end) == (
        change - timedelta(days=14),
        change + timedelta(days=13),
    )


def test_the_check_says_not_enough_data_when_a_window_is_too_small(world, flow_items):
    change = TODAY - timedelta(days=20)
    finish(flow_items, change, [5.0, 6.0], [3.0, 3.5, 4.0, 4.5, 5.0])
    imp = cycle(world.acme, phase=Phase.CHECK, change_date=change)
    view = queries.check_for(imp, window_days=14)
    assert not view.result.enough
    assert view.result.verdict.startswith(
        "Not enough data: 2 items finished before the change; at least 5 are needed"
    )


def test_the_check_uses_the_z_test_for_a_share_of_items(world, flow_items):
    change = TODAY - timedelta(days=30)
    finish(flow_items, change, [3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 2, 9], [3, 3, 3, 3, 3, 9] * 2)
    imp = cycle(world.acme, phase=Phase.CHECK, change_date=change, metric="within_days")
    imp.metric_param = 5
    view = queries.check_for(imp, window_days=14)
    assert view.result.test == "two-proportion z-test (pooled), two-sided"
    assert view.result.verdict.startswith(
        "Share of items finished within 5 days rose from 16.7 % to 83.3 %; the difference is "
        "significant, p = 0.001."
    )


def test_the_check_says_why_it_cannot_run_yet(world, flow_items):
    imp = cycle(world.acme, phase=Phase.DO)
    assert queries.check_for(imp).problem == (
        "The change date is set in Do; the Check compares before and after it."
    )


# ---- sources ---------------------------------------------------------------------------------


def test_it_starts_from_an_impediment_of_its_workspace_only(world):
    impediment = standups.raise_impediment(
        world.acme, what="Legal reviews every post", owner=world.alice, actor=world.alice
    )
    imp = services.start_improvement(
        world.acme, actor=world.bob, source="impediment", source_id=impediment.pk
    )
    assert (imp.title, imp.source_kind, imp.source_id) == (
        "Legal reviews every post",
        "impediment",
        impediment.pk,
    )
    assert imp.source_label == "Impediment “Legal reviews every post”"
    theirs = standups.raise_impediment(
        world.evil, what="secret", owner=world.mallory, actor=world.mallory
    )
    with pytest.raises(InvalidInput, match=f"there is no impediment {theirs.pk} in this"):
        services.start_improvement(
            world.acme, actor=world.bob, source="impediment", source_id=theirs.pk, title="x"
        )


@pytest.mark.parametrize(
    ("source", "source_id", "message"),
    [
        ("kaizen", "1", "unknown source 'kaizen'"),
        ("impediment", "", "an impediment needs its id"),
        ("impediment", "abc", "the source id must be a whole number"),
    ],
)
def test_it_refuses_a_bad_source(world, source, source_id, message):
    with pytest.raises(InvalidInput, match=message):
        services.start_improvement(
            world.acme, actor=world.bob, source=source, source_id=source_id, title="x"
        )


# ---- Do: tasks -------------------------------------------------------------------------------


def test_a_task_becomes_a_card_on_the_board_linked_to_the_cycle(world):
    imp = cycle(world.acme, phase=Phase.DO)
    task = services.add_task(imp, title="Book two review slots a day", actor=world.bob)
    card = Card.objects.get(pk=task.card_id)
    assert (card.title, card.tags, card.column.name) == (
        "Book two review slots a day",
        ["pdca"],
        "Ready",
    )
    assert "PDCA-1" in card.description
    imp = cycle(world.acme, phase=Phase.CHECK)
    with pytest.raises(PhaseRefused, match="tasks are planned and done in Plan and Do"):
        services.add_task(imp, title="late", actor=world.bob)


# ---- contract for other apps ------------------------------------------------------------------


def test_change_dates_lists_each_cycles_change_with_a_link(world):
    cycle(world.acme, phase=Phase.CHECK, change_date=date(2026, 3, 10), title="Review slots")
    cycle(world.acme, phase=Phase.DO)
    cycle(world.evil, phase=Phase.CHECK, change_date=date(2026, 3, 11))
    assert queries.change_dates(world.acme, start=date(2026, 3, 1), end=date(2026, 3, 31)) == [
        (date(2026, 3, 10), "PDCA-1 Review slots", "/w/acme/improvement/1/"),
    ]


# ---- pages ---------------------------------------------------------------------------------


def test_the_new_page_drafts_the_cycle_from_its_source(world, client_for):
    impediment = standups.raise_impediment(
        world.acme, what="Photos arrive late", owner=world.alice, actor=world.alice
    )
    url = reverse("improvement-new", kwargs={"ws": "acme"})
    page = client_for(world.bob).get(url, {"source": "impediment", "source_id": impediment.pk})
    assert page.status_code == 200
    link = reverse("standup-impediment", kwargs={"ws": "acme", "impediment_id": impediment.pk})
    assert f'Starting from: <a href="{link}">Impediment “Photos arrive late”</a>' in (
        page.content.decode()
    )
    assert 'value="Photos arrive late"' in page.content.decode()


def test_the_new_page_keeps_the_input_and_warns_when_the_problem_names_a_solution(
    world, client_for
):
    url = reverse("improvement-new", kwargs={"ws": "acme"})
    page = client_for(world.bob).post(url, {"title": "", "problem": "We need a new CRM"})
    text = page.content.decode()
    assert page.status_code == 422
    assert "the cycle needs a title" in text
    assert "We need a new CRM</textarea>" in text
    assert "“need a” asks for something" in text
    assert not Improvement.objects.exists()


def test_a_refused_plan_edit_keeps_what_was_typed(world, client_for):
    imp = cycle(world.acme, metric="")
    url = reverse("improvement-edit", kwargs={"ws": "acme", "number": imp.number})
    page = client_for(world.bob).post(
        url, {"title": "New title", "target_value": "6", "problem": "Reviews take 3 days"}
    )
    text = page.content.decode()
    assert page.status_code == 422
    assert "a target value needs a baseline metric" in text
    assert 'value="New title"' in text and "Reviews take 3 days</textarea>" in text
    imp.refresh_from_db()
    assert imp.title == "Shorter review queue"


def test_the_detail_page_shows_the_verdict_and_the_a3_prints_the_whole_cycle(
    world, client_for, flow_items
):
    change = TODAY - timedelta(days=20)
    finish(flow_items, change, [5.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.1, 10.0], [3.0] * 10)
    imp = cycle(world.acme, phase=Phase.CHECK, change_date=change, window_days=14)
    client = client_for(world.carol)
    page = client.get(reverse("improvement-detail", kwargs={"ws": "acme", "number": 1}))
    assert "85th-percentile cycle time fell from 9.1 to 3.0 days" in page.content.decode()
    assert "Move to" not in page.content.decode()  # a viewer reads
    a3 = client.get(reverse("improvement-a3", kwargs={"ws": "acme", "number": imp.number}))
    text = a3.content.decode()
    for section in (
        "Theme",
        "Background",
        "Current condition",
        "Target",
        "Root cause",
        "Countermeasures",
        "Plan",
        "Check",
        "Follow-up",
    ):
        assert section in text
    assert text.index("Countermeasures") < text.index("7 Check") < text.index("8 Follow-up")
    assert "<svg" in text and "change " + change.isoformat() in text


def test_the_index_lists_cycles_with_a_constant_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    for _ in range(3):
        cycle(world.acme)
    client = client_for(world.bob)
    url = reverse("improvement", kwargs={"ws": "acme"})
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for _ in range(10):
        cycle(world.acme, phase=Phase.CLOSED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# ---- API --------------------------------------------------------------------------------------


def api(client, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def test_the_api_refuses_a_skipped_phase_with_its_own_code(world, client_for):
    imp = cycle(world.acme)
    answer = api(client_for(world.bob), "post", f"/improvements/{imp.pk}/phase", {"to": "act"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "phase_refused"
    assert "the next phase is Do" in answer.json()["error"]["message"]


def test_the_api_creates_plans_and_checks_a_cycle(world, client_for, flow_items):
    client = client_for(world.bob)
    created = api(
        client,
        "post",
        "/workspaces/acme/improvements",
        {"title": "Faster review", "problem": "We should hire a reviewer"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["code"] == "PDCA-1"
    assert body["solution_hints"] == ["“We should” says what to do", "“hire” names an action"]
    bad = api(client, "patch", f"/improvements/{body['id']}", {"target_value": 5})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {
        "target_value": "a target value needs a baseline metric: choose the metric first"
    }
    check = api(client, "get", f"/improvements/{body['id']}/check")
    assert check.json()["ready"] is False
    assert check.json()["problem"] == "Choose a baseline metric in the Plan first."


def test_the_decision_is_recorded_with_the_outcome(world, client_for):
    imp = cycle(world.acme, phase=Phase.ACT)
    answer = api(
        client_for(world.bob),
        "post",
        f"/improvements/{imp.pk}/decision",
        {"outcome": "abandon", "reason": "no measurable effect"},
    )
    assert answer.status_code == 200
    assert (answer.json()["phase"], answer.json()["outcome"]) == ("closed", Outcome.ABANDON)
