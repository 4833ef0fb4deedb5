"""§4 prioritisation, with the spec's reference values."""

from datetime import date, timedelta

import pytest

from leanmark.domain.value import (
    CostOfDelay,
    InvalidScore,
    Model,
    Profile,
    Score,
    cd3,
    check_cost_of_delay,
    fmt,
    ice,
    latest_start,
    ranked,
    rice,
    window_opens,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("impact", "confidence", "ease", "expected", "text"),
    [
        (8, 7, 9, 8.0, "ICE 8.0 = (impact 8 + confidence 7 + ease 9) ÷ 3"),
        (8, 8, 7, 7.67, "ICE 7.67 = (impact 8 + confidence 8 + ease 7) ÷ 3"),
        (9, 6, 3, 6.0, "ICE 6.0 = (impact 9 + confidence 6 + ease 3) ÷ 3"),
    ],
)
def test_ice_is_the_mean_of_impact_confidence_and_ease(impact, confidence, ease, expected, text):
    score = ice(impact, confidence, ease)
    assert (score.model, score.value, score.explanation) == (Model.ICE, expected, text)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((0, 5, 5), "impact", "Impact must be a whole number from 1 to 10, not 0"),
        ((5, 11, 5), "confidence", "Confidence must be a whole number from 1 to 10, not 11"),
        ((5, 5, 2.5), "ease", "Ease must be a whole number from 1 to 10, not 2.5"),
        ((5, 5, "7"), "ease", "Ease must be a whole number from 1 to 10"),
    ],
)
def test_ice_refuses_scores_out_of_range(args, field, message):
    with pytest.raises(InvalidScore) as error:
        ice(*args)
    assert (error.value.field, error.value.message) == (field, message)


RICE_EXAMPLES = [
    ((450, 3, 100, 2), 675.0),
    ((2000, 1, 80, 4), 400.0),
    ((800, 2, 50, 1), 800.0),
]


@pytest.mark.parametrize(("args", "expected"), RICE_EXAMPLES)
def test_rice_matches_intercoms_examples(args, expected):
    assert rice(*args).value == expected


def test_rice_explains_its_inputs():
    assert rice(2000, 1, 80, 4).explanation == (
        "RICE 400 = reach 2,000 × impact 1 × confidence 80% ÷ effort 4 person-months"
    )


def test_rice_ranks_the_third_example_then_the_first_then_the_second():
    scored = [(name, rice(*args)) for name, (args, _) in zip("abc", RICE_EXAMPLES, strict=True)]
    assert [name for name, _ in ranked(scored)] == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((100, 4, 100, 1), "impact", "RICE impact must be one of 3, 2, 1, 0.5, 0.25, not 4"),
        ((100, 1, 90, 1), "confidence", "RICE confidence must be 100, 80 or 50 (per cent), not 90"),
        ((100, 1, 80, 0.25), "effort", "at least 0.5, not 0.25"),
        ((-1, 1, 80, 1), "reach", "Reach cannot be negative"),
    ],
)
def test_rice_refuses_values_out_of_range(args, field, message):
    with pytest.raises(InvalidScore) as error:
        rice(*args)
    assert error.value.field == field
    assert message in error.value.message


def test_cd3_of_a_standard_idea_is_its_value_rate_over_its_duration():
    score = cd3(CostOfDelay(Profile.STANDARD, 30, 4), TODAY)
    assert score.value == 7.5
    assert score.explanation.startswith("CD3 7.5 = 30/week ÷ 4 weeks")
    assert not score.expedite and not score.deadline_at_risk


def test_cd3_labels_value_points_as_points():
    score = cd3(CostOfDelay(Profile.STANDARD, 30, 4, points=True), TODAY)
    assert score.explanation.startswith("CD3 7.5 = 30 points/week ÷ 4 weeks")


# A fixed-date idea: deadline D, 2 weeks of work, penalty 100/week once D is missed.
DEADLINE = date(2026, 12, 29)
FIXED = CostOfDelay(Profile.FIXED_DATE, 40, 2, deadline=DEADLINE, penalty=100)


@pytest.mark.parametrize(
    ("days_before_deadline", "value", "at_risk"),
    [
        (60, 0.0, False),  # far away: delay costs nothing yet
        (21, 0.0, False),  # starting a week later still finishes on D, not after it
        (20, 50.0, False),  # today + 1 week + 2 weeks > D: the window has opened
        (15, 50.0, False),
        (14, 50.0, False),  # starting today still finishes on D
        (13, 50.0, True),  # D can no longer be met
        (0, 50.0, True),
    ],
)
def test_cd3_of_a_fixed_date_idea_jumps_to_the_penalty_when_its_window_opens(
    days_before_deadline, value, at_risk
):
    score = cd3(FIXED, DEADLINE - timedelta(days=days_before_deadline))
    assert (score.value, score.deadline_at_risk) == (value, at_risk)


def test_a_fixed_date_idea_knows_its_latest_start_and_when_its_window_opens():
    assert latest_start(FIXED) == date(2026, 12, 15)
    assert window_opens(FIXED) == date(2026, 12, 9)
    assert cd3(FIXED, date(2026, 12, 8)).value == 0
    assert cd3(FIXED, date(2026, 12, 9)).value == 50


def test_a_fixed_date_explanation_says_when_delay_starts_to_cost():
    before = cd3(FIXED, date(2026, 11, 1)).explanation
    assert before == (
        "CD3 0 = 0/week ÷ 2 weeks (fixed date 2026-12-29: no cost of delay until 2026-12-09 "
        "(latest start 2026-12-15))"
    )
    inside = cd3(FIXED, date(2026, 12, 20))
    assert inside.explanation.startswith("CD3 50 = 100/week ÷ 2 weeks (fixed date 2026-12-29")
    assert inside.notes == (
        "deadline at risk: 2 weeks of work from 2026-12-20 ends after 2026-12-29",
    )


@pytest.mark.parametrize(
    ("on", "value"),
    [(date(2026, 12, 31), 1.0), (date(2027, 1, 1), 10.0), (date(2027, 3, 1), 10.0)],
)
def test_cd3_of_an_intangible_idea_is_a_tenth_before_its_horizon(on, value):
    cod = CostOfDelay(Profile.INTANGIBLE, 20, 2, horizon=date(2027, 1, 1))
    assert cd3(cod, on).value == value


def test_an_expedite_idea_is_flagged_and_ranked_first_whatever_its_score():
    urgent = cd3(CostOfDelay(Profile.EXPEDITE, 1, 10), TODAY)
    big = cd3(CostOfDelay(Profile.STANDARD, 1000, 1), TODAY)
    assert urgent.expedite
    assert [name for name, _ in ranked([("big", big), ("urgent", urgent), ("none", None)])] == [
        "urgent",
        "big",
        "none",
    ]


def test_the_same_ideas_rank_differently_on_two_dates():
    steady = ("steady", CostOfDelay(Profile.STANDARD, 30, 2))  # CD3 15
    launch = ("launch", FIXED)  # CD3 0 until 2026-12-09, then 50

    def order(on: date) -> list[str]:
        return [n for n, _ in ranked([(n, cd3(c, on)) for n, c in (steady, launch)])]

    assert order(date(2026, 12, 1)) == ["steady", "launch"]
    assert order(date(2026, 12, 9)) == ["launch", "steady"]


@pytest.mark.parametrize(
    ("cod", "field", "message"),
    [
        (CostOfDelay("urgent", 1, 1), "profile", "unknown urgency profile 'urgent'"),  # type: ignore[arg-type]
        (CostOfDelay(Profile.STANDARD, 1, 0), "duration_weeks", "more than 0 weeks"),
        (CostOfDelay(Profile.STANDARD, 1, -2), "duration_weeks", "more than 0 weeks"),
        (CostOfDelay(Profile.STANDARD, -1, 1), "value_rate", "cannot be negative"),
        (CostOfDelay(Profile.FIXED_DATE, 1, 1, penalty=5), "deadline", "needs its deadline"),
        (
            CostOfDelay(Profile.FIXED_DATE, 1, 1, deadline=date(2026, 11, 30), penalty=5),
            "deadline",
            "The deadline 2026-11-30 is in the past",
        ),
        (CostOfDelay(Profile.FIXED_DATE, 1, 1, deadline=TODAY), "penalty", "needs its penalty"),
        (CostOfDelay(Profile.INTANGIBLE, 1, 1), "horizon", "needs its horizon"),
    ],
)
def test_cost_of_delay_refuses_bad_inputs(cod, field, message):
    with pytest.raises(InvalidScore) as error:
        check_cost_of_delay(cod, today=TODAY)
    assert error.value.field == field
    assert message in error.value.message


def test_a_deadline_today_is_not_in_the_past():
    cod = CostOfDelay(Profile.FIXED_DATE, 1, 1, deadline=TODAY, penalty=5)
    assert check_cost_of_delay(cod, today=TODAY) is cod


@pytest.mark.parametrize(
    ("number", "text"), [(8, "8"), (7.5, "7.5"), (7.666, "7.67"), (2000, "2,000"), (0.0, "0")]
)
def test_numbers_are_written_as_people_write_them(number, text):
    assert fmt(number) == text


def test_ranked_keeps_the_given_order_for_ties():
    tie = Score(Model.ICE, 5.0, "")
    assert [n for n, _ in ranked([("a", tie), ("b", tie)])] == ["a", "b"]
