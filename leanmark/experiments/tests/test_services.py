from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from leanmark.experiments import queries, services
from leanmark.experiments.errors import DecisionRefused, InvalidExperimentInput, WrongState
from leanmark.experiments.models import Experiment, Learning, Observation, State
from leanmark.lib import notify

YESTERDAY = timezone.localdate() - timedelta(days=1)


def spec(**changes):
    values = {
        "title": "Shorter sign-up form",
        "change": "a two-field sign-up form",
        "audience": "first-time visitors",
        "outcome": "raise sign-ups",
        "metric_name": "sign-up rate",
        "stage": "try",
        "channel": "Website",
        "plan_baseline": "0.2",
        "plan_mde": "0.05",
    }
    values.update(changes)
    return services.ExperimentSpec(**values)


def make(world, **changes) -> Experiment:
    return services.create_experiment(world.acme, spec(**changes), actor=world.bob)


def observe(experiment, control, treatment, day=YESTERDAY, actor=None):
    return services.record_observations(
        experiment,
        [
            services.ObservationIn("Control", day, control[1], control[0]),
            services.ObservationIn("Treatment", day, treatment[1], treatment[0]),
        ],
        actor=actor,
    )


def test_it_plans_the_sample_size_when_the_experiment_is_created(world):
    experiment = make(world)
    assert experiment.planned_per_variant == 1031
    assert experiment.state == State.DRAFT
    assert [v.name for v in experiment.variants.all()] == ["Control", "Treatment"]
    assert experiment.hypothesis == (
        "We believe that a two-field sign-up form for first-time visitors will raise sign-ups. "
        "We will know when sign-up rate moves from ? to ? by ?."
    )


def test_a_sequential_plan_gets_its_number_of_conversions(world):
    experiment = make(world, sequential="on")
    assert experiment.sequential and experiment.sequential_n == 564


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"plan_baseline": "0"}, "plan_baseline", "the baseline rate must be between 0 and 1"),
        ({"plan_baseline": "1.5"}, "plan_baseline", "the baseline rate must be between 0 and 1"),
        ({"plan_mde": "0.9"}, "plan_mde", "p + δ = 0.2 + 0.9 ≥ 1"),
        ({"alpha": "1"}, "alpha", "α must be between 0 and 1"),
        ({"power": "0"}, "power", "the power must be between 0 and 1"),
        ({"plan_mde": ""}, "plan_mde", "a plan needs both the baseline rate and the minimum"),
        ({"title": " "}, "title", "the title cannot be empty"),
        ({"variants": ["Only"]}, "variants", "a control and at least one treatment"),
        ({"card_number": "999"}, "card_number", "there is no card #999 here"),
        ({"idea_id": "999"}, "idea_id", "there is no idea 999 here"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(world, changes, field, message):
    with pytest.raises(InvalidExperimentInput) as caught:
        make(world, **changes)
    assert caught.value.field == field
    assert message in caught.value.message
    assert not Experiment.objects.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Control", 10, 12)], "12 successes out of 10 trials is impossible"),
        ([("Control", -1, 0)], "the number of trials cannot be negative"),
        ([("Control", 0, 0)], "Control: zero trials, there is nothing to record yet"),
        ([("Control", 10, 1), ("Nobody", 10, 1)], "row 2: unknown variant 'Nobody'"),
    ],
)
def test_it_refuses_impossible_counts_and_saves_nothing(world, rows, message):
    experiment = make(world)
    with pytest.raises(InvalidExperimentInput) as caught:
        services.record_observations(
            experiment,
            [services.ObservationIn(v, YESTERDAY, t, s) for v, t, s in rows],
            actor=world.bob,
        )
    assert message in caught.value.message
    assert not Observation.objects.exists()


def test_counts_are_cumulative(world):
    experiment = make(world)
    observe(experiment, (20, 100), (25, 100), day=YESTERDAY - timedelta(days=1))
    with pytest.raises(InvalidExperimentInput) as caught:
        observe(experiment, (15, 90), (30, 120))
    assert "counts are cumulative: Control has 90 trials / 15 successes" in caught.value.message


def test_the_first_observation_starts_the_experiment_and_a_date_again_replaces_it(world):
    experiment = make(world)
    observe(experiment, (20, 100), (25, 100))
    observe(experiment, (21, 101), (26, 102))
    experiment.refresh_from_db()
    assert experiment.state == State.RUNNING
    assert experiment.start_date == YESTERDAY
    assert Observation.objects.count() == 2
    data = {v.name: (v.successes, v.trials) for v in queries.latest_data(experiment)}
    assert data == {"Control": (21, 101), "Treatment": (26, 102)}


def test_the_section_6_counts_read_as_91_percent_and_keep_running(world):
    experiment = make(world, plan_baseline="0.2", plan_mde="0.1")  # 263 per variant
    observe(experiment, (5, 83), (12, 99))
    verdict = queries.verdict(experiment)
    assert verdict.planned_per_variant == 263
    # 5 successes in an arm: a small count, so Fisher's exact p (0.204) is the one that decides
    assert verdict.reading == (
        "Treatment beats Control with 91 % probability (difference +6.1 pp, Fisher's exact "
        "p = 0.204); the planned sample is 32 % collected — keep running."
    )


def test_the_gate_refuses_a_decision_before_the_planned_sample(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    with pytest.raises(DecisionRefused) as caught:
        services.decide(experiment, decision="persevere", actor=world.bob)
    assert caught.value.message.startswith(
        "Too early to decide: the planned sample is not reached (83 of 1,031 per variant, 8 %)."
    )
    assert caught.value.details["issues"] == ["too_early"]
    experiment.refresh_from_db()
    assert experiment.state == State.RUNNING
    assert not Learning.objects.exists()


def test_the_gate_refuses_a_decision_against_the_result(world):
    experiment = make(world, plan_mde="0.1")
    observe(experiment, (60, 300), (100, 300))  # 20 % vs 33 %: the treatment wins
    with pytest.raises(DecisionRefused) as caught:
        services.decide(experiment, decision="stop", actor=world.bob)
    assert "To stop goes against the evidence: Treatment beat the control." in caught.value.message
    with pytest.raises(DecisionRefused):
        services.decide(experiment, decision="pivot", pivot_type="zoom_in", actor=world.bob)


def test_an_override_with_a_reason_is_kept_and_marked_against_the_evidence(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    services.decide(
        experiment,
        decision="pivot",
        pivot_type="customer_segment",
        override_reason="the season ends next week; we cannot wait",
        actor=world.alice,
    )
    experiment.refresh_from_db()
    assert experiment.state == State.DECIDED
    assert experiment.against_evidence
    assert experiment.override_reason == "the season ends next week; we cannot wait"
    assert experiment.evidence["gate"][0]["code"] == "too_early"
    learning = experiment.learning
    assert learning.against_evidence
    assert learning.override_reason == "the season ends next week; we cannot wait"
    assert learning.evidence.startswith(
        "Treatment looks better than Control (91 % chance), but not clearly yet: 12.1 % against "
        "6.0 % (+6.1 pp), and a difference this large would turn up about 2 times in 10 even "
        "if the change did nothing (Fisher's exact p = 0.204, above the 0.05 you planned)."
    )


def test_a_decision_with_the_evidence_writes_a_learning_and_publishes(world):
    seen = []

    def listener(workspace_id, event, payload):
        seen.append((event, payload.get("decision")))

    notify.subscribe(listener)
    try:
        experiment = make(world, plan_mde="0.1")
        observe(experiment, (60, 300), (100, 300))
        services.decide(experiment, decision="persevere", actor=world.bob, statement="Short wins.")
    finally:
        notify._subscribers.remove(listener)
    experiment.refresh_from_db()
    assert not experiment.against_evidence and experiment.override_reason == ""
    assert experiment.learning.statement == "Short wins."
    assert ("experiment.decided", "persevere") in seen


def test_a_pivot_needs_its_type(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    with pytest.raises(InvalidExperimentInput) as caught:
        services.decide(experiment, decision="pivot", override_reason="x", actor=world.bob)
    assert caught.value.field == "pivot_type"


def test_a_decided_experiment_is_closed(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    services.decide(experiment, decision="stop", override_reason="budget cut", actor=world.bob)
    with pytest.raises(WrongState):
        observe(experiment, (6, 90), (13, 100), day=timezone.localdate())
    with pytest.raises(WrongState):
        services.decide(experiment, decision="stop", override_reason="again", actor=world.bob)
    with pytest.raises(WrongState):
        services.delete_experiment(experiment)


def test_the_plan_is_fixed_once_the_experiment_runs(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    with pytest.raises(WrongState) as caught:
        services.update_experiment(experiment, spec(plan_mde="0.1"))
    assert "the plan is fixed once the experiment runs" in caught.value.message
    services.update_experiment(experiment, spec(title="Renamed"))
    experiment.refresh_from_db()
    assert experiment.title == "Renamed"


def test_new_variants_for_a_running_experiment_are_refused_not_ignored(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    with pytest.raises(WrongState) as caught:
        services.update_experiment(experiment, spec(title="Renamed", variants="A, B, C"))
    assert caught.value.message == (
        "the variants are fixed once the experiment runs (it has Control, Treatment)"
    )
    experiment.refresh_from_db()
    assert experiment.title == "Shorter sign-up form"  # nothing of the edit was kept
    services.update_experiment(experiment, spec(variants="Control, Treatment"))  # the same: fine


def test_a_csv_import_is_all_or_nothing_with_line_numbers(world):
    experiment = make(world)
    day = YESTERDAY.isoformat()
    bad = f"date,variant,trials,successes\n{day},Control,100,20\n{day},Treatment,100,120\n"
    with pytest.raises(InvalidExperimentInput) as caught:
        services.import_observations(experiment, bad, actor=world.bob)
    assert caught.value.message.startswith("line 3: 120 successes out of 100 trials")
    assert not Observation.objects.exists()
    good = f"date,variant,trials,successes\n{day},Control,100,20\n{day},treatment,100,25\n"
    assert services.import_observations(experiment, good, actor=world.bob) == 2
    assert Observation.objects.filter(source="csv").count() == 2


def test_continuous_metrics_use_welch(world):
    experiment = make(world, metric_type="continuous", plan_baseline="", plan_sd="12", plan_mde="3")
    assert experiment.planned_per_variant == 252
    services.record_observations(
        experiment,
        [
            services.ObservationIn("Control", YESTERDAY, 260, mean=31.0, sd=12.0),
            services.ObservationIn("Treatment", YESTERDAY, 255, mean=34.5, sd=13.0),
        ],
        actor=world.bob,
    )
    verdict = queries.verdict(experiment)
    assert verdict.outcome == "treatment_better"
    assert verdict.comparisons[0].prob_beats_control is None


# ---- contracts for other apps -----------------------------------------------------------------


def decided(world, day: date, *, running_days: float, against=False):
    experiment = make(world)
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    Experiment.objects.filter(pk=experiment.pk).update(
        created_at=noon - timedelta(days=running_days + 2),
        state=State.DECIDED,
        decision="stop",
        against_evidence=against,
        running_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        - timedelta(days=running_days),
        decided_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )
    return experiment


def test_decided_per_day_counts_every_day_in_the_window(world):
    decided(world, date(2026, 3, 2), running_days=10)
    decided(world, date(2026, 3, 2), running_days=4)
    decided(world, date(2026, 3, 4), running_days=7, against=True)
    decided(world, date(2026, 3, 9), running_days=7)
    counts = queries.decided_per_day(world.acme, start=date(2026, 3, 1), end=date(2026, 3, 5))
    assert counts == {
        date(2026, 3, 1): 0,
        date(2026, 3, 2): 2,
        date(2026, 3, 3): 0,
        date(2026, 3, 4): 1,
        date(2026, 3, 5): 0,
    }
    rows = queries.decisions(world.acme, start=date(2026, 3, 1), end=date(2026, 3, 5))
    assert [(d, label) for d, label, _ in rows] == [
        (date(2026, 3, 2), "Stop: Shorter sign-up form"),
        (date(2026, 3, 2), "Stop: Shorter sign-up form"),
        (date(2026, 3, 4), "Stop: Shorter sign-up form (against the evidence)"),
    ]
    assert rows[0][2].startswith(f"/w/{world.acme.slug}/experiments/")
    assert queries.bml_cycle_times(world.acme) == [10.0, 4.0, 7.0, 7.0]
    assert queries.bml_cycle_times(world.acme, from_created=True) == [12.0, 6.0, 9.0, 9.0]


def test_learning_velocity_counts_decisions_per_month(world):
    decided(world, date(2026, 2, 10), running_days=10)
    decided(world, date(2026, 3, 2), running_days=4, against=True)
    decided(world, date(2026, 3, 20), running_days=8)
    months = queries.learning_velocity(world.acme, months=3, today=date(2026, 3, 25))
    assert [(m.month, m.decided, m.against_evidence, m.median_cycle_days) for m in months] == [
        (date(2026, 1, 1), 0, 0, None),
        (date(2026, 2, 1), 1, 0, 10.0),
        (date(2026, 3, 1), 2, 1, 6.0),
    ]


def test_the_learnings_library_searches_every_word(world):
    one = make(world, title="Free shipping banner", channel="Website", stage="buy")
    two = make(world, title="Referral email", channel="Email", stage="refer")
    for experiment, statement in (
        (one, "Free shipping lifts orders"),
        (two, "Referrals need a gift"),
    ):
        observe(experiment, (5, 83), (12, 99))
        services.decide(
            experiment, decision="stop", override_reason="x", statement=statement, actor=world.bob
        )
    assert [row.statement for row in queries.learnings_of(world.acme, q="shipping orders")] == [
        "Free shipping lifts orders"
    ]
    assert [row.statement for row in queries.learnings_of(world.acme, stage="refer")] == [
        "Referrals need a gift"
    ]
    assert queries.learnings_of(world.acme, channel="email").count() == 1
    assert queries.learnings_of(world.evil).count() == 0


def test_a_decision_marks_related_backlog_ideas_evidence_changed(world):
    from leanmark.backlog import services as backlog

    related = backlog.capture_idea(
        world.acme, title="Banner variants", actor=world.bob, stage="try", channel="website"
    )
    other = backlog.capture_idea(
        world.acme, title="Podcast ads", actor=world.bob, stage="know", channel="Podcast"
    )
    experiment = make(world)  # stage try, channel Website
    observe(experiment, (5, 83), (12, 99))
    services.decide(experiment, decision="stop", override_reason="budget cut", actor=world.bob)
    related.refresh_from_db()
    other.refresh_from_db()
    assert related.evidence_changed_at is not None
    assert related.evidence_source.startswith(f"experiment {experiment.pk} “Shorter sign-up form”")
    assert other.evidence_changed_at is None


def test_the_new_experiment_form_is_prefilled_from_an_idea(world, client_for):
    from django.urls import reverse

    from leanmark.backlog import services as backlog

    idea = backlog.capture_idea(
        world.acme, title="Loyalty stamps", actor=world.bob, stage="repeat", channel="email"
    )
    url = reverse("experiment-new", kwargs={"ws": world.acme.slug}) + f"?idea={idea.pk}"
    html = client_for(world.bob).get(url).content.decode()
    assert 'name="title" value="Loyalty stamps"' in html
    assert f'name="idea_id" value="{idea.pk}"' in html
    assert '<option value="repeat" selected>' in html
