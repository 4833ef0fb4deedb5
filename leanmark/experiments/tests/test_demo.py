from datetime import UTC, datetime

import pytest

from leanmark.demo.generator import load_demo
from leanmark.experiments import queries
from leanmark.experiments.models import Experiment, Learning, State

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_nine_experiments_with_learnings(db):
    workspace = load_demo(seed=42, now=NOW)
    experiments = Experiment.objects.filter(workspace=workspace)
    assert experiments.count() == 9
    states = queries.state_counts(workspace)
    assert states == {"draft": 1, "running": 3, "analysing": 1, "decided": 4}
    fed = experiments.get(title="Purchaser lookalikes against Reels")
    observed = queries.observations_of(fed)
    assert {o.source for o in observed} == {"channel"}  # read from the imported Meta ad sets
    assert (observed[0].date.isoformat(), observed[-1].date.isoformat()) == (
        "2026-02-16",
        "2026-03-16",
    )
    assert [(v.name, v.data_source, v.data_campaign) for v in fed.variants.all()] == [
        ("Reels", "meta_ads", "Reels"),
        ("Ambassadors", "meta_ads", "Ambassadors"),
    ]
    against = experiments.get(against_evidence=True)
    assert against.title == "Tasting box at 15 % off"
    assert against.override_reason.startswith("The printed autumn flyers")
    assert Learning.objects.filter(workspace=workspace).count() == 4
    # every decision with the evidence passed the gate on the simulated data
    for experiment in experiments.filter(state=State.DECIDED, against_evidence=False):
        assert experiment.evidence["gate"] == []
    subscription = experiments.get(title="Subscription offer after the second order")
    assert len(queries.verdict(subscription).comparisons) == 2
    cycle = queries.bml_cycle_times(workspace)
    assert len(cycle) == 4 and all(days > 5 for days in cycle)
