"""The Northwind demo's three PDCA cycles (docs/product.md §14)."""

from datetime import UTC, datetime

import pytest

from leanmark.demo.generator import load_demo
from leanmark.improvement import queries
from leanmark.improvement.models import Improvement

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_the_demo_has_a_standardised_a_checked_and_an_abandoned_cycle():
    workspace = load_demo(seed=42, now=NOW)
    cycles = {c.title: c for c in Improvement.objects.filter(workspace=workspace)}
    done = cycles["Fewer cards stuck waiting for sign-off"]
    assert (done.phase, done.outcome) == ("closed", "standardise")
    assert done.effect["improved"] is True  # a real, significant fall in the demo's flow data
    assert done.effect["verdict"].startswith("Daily mean blocked items fell from")
    checking = cycles["Shorter wait for review"]
    assert checking.phase == "check"
    assert queries.check_for(checking).result is not None
    dropped = cycles["Paid search landing form loses sign-ups"]
    assert (dropped.phase, dropped.outcome) == ("closed", "abandon")
    assert [c.to_phase for c in done.phase_changes.all()] == [
        "plan",
        "do",
        "check",
        "act",
        "closed",
    ]
