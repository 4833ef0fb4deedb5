"""The quick-wins chart (CD3 against duration): what it names on the plot and how."""

from datetime import date

import pytest

from leanmark.backlog import charts, queries, services
from leanmark.domain.value import Model

ON = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("Latte art TikTok series", "Latte art TikTok series"),
        ("Subscription upsell on the order confirmation page", "Subscription upsell on…"),
        ("Wholesale brochure for offices", "Wholesale brochure for…"),
        ("Supercalifragilisticexpialidocious", "Supercalifragilisticexp…"),
    ],
)
def test_a_long_title_is_cut_at_a_word_with_an_ellipsis(title, label):
    assert charts.short(title) == label
    assert len(label) <= charts.LABEL_CHARS


def spec(world, ideas):
    for title, rate, weeks in ideas:
        idea = services.capture_idea(world.acme, title=title, actor=None)
        services.score_idea(
            idea,
            model="cd3",
            values={"profile": "standard", "value_rate": rate, "duration_weeks": weeks},
            actor=None,
        )
    rows = queries.ranked_ideas(world.acme, model=Model.CD3, on=ON)
    return charts.cd3_against_duration(rows, on=ON, url_base="/ideas/")


def named(chart):
    return {p["title"]: (p["label"], p["side"]) for p in chart["data"]["values"]}


def test_it_names_a_point_only_where_its_label_does_not_overlap_a_better_one(world):
    chart = spec(
        world,
        [
            ("Free sample pack for newsletter subscribers", 800, 2),  # CD3 400
            ("Referral link in the account page", 760, 2),  # 380, just under it: not named
            ("Retargeting ads", 1200, 3),  # 400, a week further: room enough
            ("Wholesale brochure for offices", 1500, 6),  # 250 at the right edge: on its left
            ("Office coffee trial", 1380, 6),  # 230, just under the brochure's label: not named
        ],
    )
    assert named(chart) == {
        "Free sample pack for newsletter subscribers": ("Free sample pack for…", "right"),
        "Referral link in the account page": ("", "right"),
        "Retargeting ads": ("Retargeting ads", "right"),
        "Wholesale brochure for offices": ("Wholesale brochure for…", "left"),
        "Office coffee trial": ("", "left"),
    }
    right, left = (layer for layer in chart["layer"] if layer["mark"]["type"] == "text")
    assert (right["mark"]["align"], left["mark"]["align"]) == ("left", "right")


def test_it_names_at_most_eight_points(world):
    chart = spec(world, [(f"Idea {n}", 100 * n, 1) for n in range(1, 11)])  # well apart
    labels = [p["label"] for p in chart["data"]["values"] if p["label"]]
    assert len(labels) == 8


def test_the_duration_axis_keeps_its_labels_apart(world):
    chart = spec(world, [("Blog post", 400, 2)])
    x = chart["layer"][0]["encoding"]["x"]
    assert x["axis"] == {"tickMinStep": 0.5, "labelOverlap": True}
    assert chart["layer"][0]["encoding"]["y"]["title"] == "CD3 (cost of delay per week ÷ weeks)"
