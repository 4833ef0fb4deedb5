"""The result's plain language: the words for each statistic and the verdict that reconciles the
p-value with the Bayesian chance (no database needed)."""

from datetime import date

import pytest

from leanmark.domain import bml
from leanmark.domain.bml import VariantData
from leanmark.experiments import plain


def verdict(control, treatment, planned=None):
    return bml.analyse(
        "conversion",
        [
            VariantData("A", True, control[1], control[0]),
            VariantData("B", False, treatment[1], treatment[0]),
        ],
        planned_per_variant=planned,
    )


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.053, "about 1 time in 19"),
        (0.159, "about 1 time in 6"),
        (0.0005, "fewer than 1 time in 1,000"),
        (0.438, "about 4 times in 10"),
        (0.997, "nearly every time"),
        (1.0, "every time"),
    ],
)
def test_a_p_value_reads_as_how_often_chance_alone_would_do_it(p, words):
    assert plain.one_in(p) == words


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (0.9135, "91 %"),
        (0.9951, "99.5 %"),
        (0.99991, "more than 99.9 %"),
        (0.0002, "less than 0.1 %"),
    ],
)
def test_a_chance_never_reads_as_certain(share, words):
    assert plain.chance(share) == words


def test_a_high_chance_beside_a_p_above_alpha_is_reconciled_in_words():
    # 97 % chance that B is better, yet p = 0.051: both are said, and what they mean together
    result = verdict((200, 1000), (236, 1000), planned=1000)
    assert plain.finding(result) == (
        "B looks better than A (97 % chance), but not clearly: 23.6 % against 20.0 % (+3.6 pp), "
        "and a difference this large would turn up about 1 time in 20 even if the change did "
        "nothing (p = 0.051, above the 0.05 you planned). At the planned sample, that counts as "
        "no difference."
    )


def test_identical_arms_read_no_difference():
    result = verdict((60, 300), (60, 300), planned=263)
    assert plain.finding(result) == "No difference: B and A both convert at 20.0 %."
    schedule = bml.schedule(result, today=date(2026, 12, 7), start=None, latest=None)
    assert plain.reading(result, schedule).headline == (
        "Ready to decide: the planned sample is reached (300 of 263 per variant). "
        "No difference: B and A both convert at 20.0 %."
    )


def test_a_decided_experiment_has_no_next_step_and_no_end_date_flag():
    result = verdict((60, 300), (70, 300), planned=263)
    schedule = bml.schedule(
        result, today=date(2026, 12, 7), start=None, latest=None, planned_end=date(2026, 12, 1)
    )
    reading = plain.reading(result, schedule, decided=True)
    assert reading.next_step == "" and reading.end_passed == ""
    assert plain.reading(result, schedule).end_passed == (
        "The planned end date, 1 Dec 2026, has passed — decide or extend."
    )
