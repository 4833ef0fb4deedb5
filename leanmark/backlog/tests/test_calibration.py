"""Confidence scores calibrated by outcomes: how ideas scored 8+ fared when they were tested."""

from django.utils import timezone

from leanmark.backlog import queries, services
from leanmark.domain.value import Model
from leanmark.experiments.models import Experiment, State


def _tested(world, title: str, confidence: int, won: bool) -> None:
    idea = services.capture_idea(world.acme, title=title, actor=world.bob)
    services.score_idea(
        idea,
        model="ice",
        values={"impact": 5, "confidence": confidence, "ease": 5},
        actor=world.bob,
    )
    Experiment.objects.create(
        workspace=world.acme,
        title=title,
        idea_id=idea.pk,
        state=State.DECIDED,
        evidence={"outcome": "treatment_better" if won else "no_difference"},
        created_at=timezone.now(),
        decided_at=timezone.now(),
    )


def test_ideas_scored_8_plus_won_a_share_of_their_tests(world, client_for):
    assert queries.calibration(world.acme, Model.ICE) == []
    _tested(world, "Loyalty stamps", 9, True)
    _tested(world, "Free samples", 8, False)
    _tested(world, "Gift wrap", 10, False)
    _tested(world, "Podcast ads", 3, True)
    bands = {b.label: (b.tested, b.won) for b in queries.calibration(world.acme, Model.ICE)}
    assert bands == {"8 to 10": (3, 1), "5 to 7": (0, 0), "1 to 4": (1, 1)}
    assert queries.calibration(world.acme, Model.RICE) == []  # nobody scored RICE
    assert queries.calibration(world.evil, Model.ICE) == []
    idea = services.capture_idea(world.acme, title="New idea", actor=world.bob)
    html = client_for(world.carol).get(f"/w/{world.acme.slug}/ideas/{idea.pk}/").content.decode()
    assert (
        "How your confidence fared in experiments: ideas you gave 8 to 10 won 1 of 3 tested "
        "(33 %); ideas you gave 1 to 4 won 1 of 1 tested (100 %)." in html
    )
