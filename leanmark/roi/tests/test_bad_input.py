# ruff: noqa: F811  (the fixtures imported from test_api and test_steps are parameters here)
"""Bad input on the allocation form, the test steps and their API: a clear message, nothing
written."""

import re

import pytest

from leanmark.roi.models import AllocationPlan, AllocationStep

from .test_api import api  # noqa: F401 (the fixture)
from .test_steps import STEPS, today_split, url  # noqa: F401 (the fixture)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("objective=roas&target=0", "the target ROAS must be more than 0"),
        ("objective=roas&target=-3", "the target ROAS cannot be negative"),
        ("objective=cpa&target=0", "the target CPA must be more than 0"),
        ("max_move=150", "the step limit must be between 0 and 100"),
        ("max_move=-5", "the step limit cannot be negative"),
        ("max_move=abc", "the step limit &#x27;abc&#x27; is not a number"),
    ],
)
def test_the_allocation_form_says_what_is_wrong(
    world,
    client_for,
    today_split,
    query,
    message,
):
    response = client_for(world.carol).get(url(world, "roi-allocation") + "?" + query)
    assert response.status_code == 422
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_move": "150"}, "the step limit must be between 0 and 100"),
        ({"objective": "roas", "target": "0"}, "the target ROAS must be more than 0"),
    ],
)
def test_bad_test_cards_are_refused_and_nothing_written(world, client_for, change, message):
    data = STEPS | {"board": world.board.pk} | change
    response = client_for(world.bob).post(url(world, "roi-steps-create"), data, follow=True)
    assert message in response.content.decode()
    assert not AllocationStep.objects.exists() and not AllocationPlan.objects.exists()


def test_another_workspaces_step_is_a_404_everywhere(
    world,
    client_for,
    api,
    today_split,
):
    data = STEPS | {"board": world.board.pk}
    created = client_for(world.bob).post(url(world, "roi-steps-create"), data)
    assert created.status_code == 302, re.findall(
        r"alert[^>]*>(.*?)</div>", created.content.decode(), re.S
    )
    step = AllocationStep.objects.get(channel="seo")
    other = url(world, "roi-step", step_id=step.pk).replace(world.acme.slug, world.evil.slug)
    assert client_for(world.mallory).get(other).status_code == 404
    assert client_for(world.mallory).post(other, {"spend": "1", "return": "1"}).status_code == 404
    path = f"/workspaces/{world.evil.slug}/allocation/steps/{step.pk}"
    assert api(world.mallory)("get", path).status_code == 404
    assert (
        api(world.mallory)("post", f"{path}/result", {"spend": "1", "return": "1"}).status_code
        == 404
    )
    step.refresh_from_db()
    assert step.observed_spend is None
