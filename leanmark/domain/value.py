"""Prioritisation (docs/product.md §4): ICE, RICE, Cost of Delay / CD3, each with its explanation.

Pure functions over plain numbers and dates; nothing here knows about Django. Every score comes
back as a ``Score``: the number, the sentence that derives it from its inputs ("CD3 7.5 =
30/week ÷ 4 weeks"), and the flags a ranked list shows (expedite, deadline at risk). Cost of
Delay depends on the date it is computed for (``on``), so the same idea ranks differently on
different days: that is the point of it.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar


class InvalidScore(ValueError):
    """A score input out of its range; ``field`` names the input, the message says why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Model(StrEnum):
    ICE = "ice"
    RICE = "rice"
    CD3 = "cd3"


MODEL_LABELS = {Model.ICE: "ICE", Model.RICE: "RICE", Model.CD3: "CD3 (Cost of Delay ÷ duration)"}


class Profile(StrEnum):
    """Urgency profiles of Cost of Delay."""

    STANDARD = "standard"
    FIXED_DATE = "fixed_date"
    INTANGIBLE = "intangible"
    EXPEDITE = "expedite"


PROFILE_LABELS = {
    Profile.STANDARD: "Standard",
    Profile.FIXED_DATE: "Fixed date",
    Profile.INTANGIBLE: "Intangible",
    Profile.EXPEDITE: "Expedite",
}

RICE_IMPACTS = (3.0, 2.0, 1.0, 0.5, 0.25)
RICE_CONFIDENCES = (100, 80, 50)
RICE_MIN_EFFORT = 0.5
INTANGIBLE_SHARE = 0.1  # before its horizon, an intangible idea's delay costs a tenth of its value
WINDOW = timedelta(weeks=1)  # a fixed-date idea costs its penalty once starting a week later fails


@dataclass(frozen=True)
class Score:
    """A model's value for one idea on one date, and how it was reached."""

    model: Model
    value: float
    explanation: str
    expedite: bool = False
    deadline_at_risk: bool = False
    notes: tuple[str, ...] = field(default=())


def fmt(number: float) -> str:
    """Numbers as people write them: 8, 7.5, 7.67, 2,000 (at most two decimals)."""
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _whole_in(value: object, low: int, high: int, name: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidScore(f"{label} must be a whole number from {low} to {high}", field=name)
    if value != int(value) or not low <= value <= high:
        raise InvalidScore(
            f"{label} must be a whole number from {low} to {high}, not {fmt(float(value))}",
            field=name,
        )
    return int(value)


def _number(value: object, name: str, label: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidScore(f"{label} must be a number", field=name)
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidScore(f"{label} must be a finite number", field=name)
    return number


# ---- ICE ----------------------------------------------------------------------------------------


def ice(impact: int, confidence: int, ease: int) -> Score:
    """Mean of Impact, Confidence and Ease, each a whole number from 1 to 10."""
    values = [
        _whole_in(impact, 1, 10, "impact", "Impact"),
        _whole_in(confidence, 1, 10, "confidence", "Confidence"),
        _whole_in(ease, 1, 10, "ease", "Ease"),
    ]
    mean = round(sum(values) / 3, 2)
    text = f"ICE {mean:.1f}" if mean == round(mean, 1) else f"ICE {fmt(mean)}"
    return Score(
        Model.ICE,
        mean,
        f"{text} = (impact {values[0]} + confidence {values[1]} + ease {values[2]}) ÷ 3",
    )


# ---- RICE ---------------------------------------------------------------------------------------


def rice(reach: float, impact: float, confidence: int, effort: float) -> Score:
    """Reach times Impact times Confidence, divided by Effort (person-months, at least 0.5)."""
    reach = _number(reach, "reach", "Reach")
    if reach < 0:
        raise InvalidScore("Reach cannot be negative", field="reach")
    impact = _number(impact, "impact", "Impact")
    if impact not in RICE_IMPACTS:
        raise InvalidScore(
            f"RICE impact must be one of {', '.join(fmt(i) for i in RICE_IMPACTS)}, "
            f"not {fmt(impact)}",
            field="impact",
        )
    confidence_value = _number(confidence, "confidence", "Confidence")
    if confidence_value not in RICE_CONFIDENCES:
        raise InvalidScore(
            f"RICE confidence must be 100, 80 or 50 (per cent), not {fmt(confidence_value)}",
            field="confidence",
        )
    effort = _number(effort, "effort", "Effort")
    if effort < RICE_MIN_EFFORT:
        raise InvalidScore(
            f"Effort is in person-months and at least {fmt(RICE_MIN_EFFORT)}, not {fmt(effort)}",
            field="effort",
        )
    value = round(reach * impact * confidence_value / 100 / effort, 2)
    return Score(
        Model.RICE,
        value,
        f"RICE {fmt(value)} = reach {fmt(reach)} × impact {fmt(impact)} × "
        f"confidence {fmt(confidence_value)}% ÷ effort {fmt(effort)} person-months",
    )


# ---- Cost of Delay / CD3 ------------------------------------------------------------------------


@dataclass(frozen=True)
class CostOfDelay:
    """The inputs of one idea's Cost of Delay. Dates are calendar dates; duration is in weeks."""

    profile: Profile
    value_rate: float  # money (or points) per week once delivered
    duration_weeks: float
    deadline: date | None = None  # fixed date: when it must be done
    penalty: float | None = None  # fixed date: cost per week once the deadline is missed
    horizon: date | None = None  # intangible: from when the full value is at stake
    points: bool = False  # the value rate is in value points, not money


def check_cost_of_delay(cod: CostOfDelay, *, today: date | None = None) -> CostOfDelay:
    """Raise InvalidScore for inputs that make no sense; ``today`` refuses past deadlines."""
    try:
        profile = Profile(cod.profile)
    except ValueError:
        raise InvalidScore(
            f"unknown urgency profile {cod.profile!r}; choose one of "
            f"{', '.join(p.value for p in Profile)}",
            field="profile",
        ) from None
    rate = _number(cod.value_rate, "value_rate", "The value rate")
    if rate < 0:
        raise InvalidScore("The value rate cannot be negative", field="value_rate")
    duration = _number(cod.duration_weeks, "duration_weeks", "The duration")
    if duration <= 0:
        raise InvalidScore(
            "The duration must be more than 0 weeks (CD3 divides by it)", field="duration_weeks"
        )
    if duration > 520:
        raise InvalidScore("The duration must be at most 520 weeks", field="duration_weeks")
    if profile is Profile.FIXED_DATE:
        if cod.deadline is None:
            raise InvalidScore("A fixed-date idea needs its deadline", field="deadline")
        if today is not None and cod.deadline < today:
            raise InvalidScore(
                f"The deadline {cod.deadline.isoformat()} is in the past", field="deadline"
            )
        if cod.penalty is None:
            raise InvalidScore(
                "A fixed-date idea needs its penalty: the cost per week once the deadline "
                "is missed",
                field="penalty",
            )
        if _number(cod.penalty, "penalty", "The penalty") < 0:
            raise InvalidScore("The penalty cannot be negative", field="penalty")
    if profile is Profile.INTANGIBLE and cod.horizon is None:
        raise InvalidScore(
            "An intangible idea needs its horizon: the date from which its full value is at stake",
            field="horizon",
        )
    return cod


def latest_start(cod: CostOfDelay) -> date | None:
    """The last day a fixed-date idea can start and still be done by its deadline."""
    if cod.profile != Profile.FIXED_DATE or cod.deadline is None:
        return None
    return cod.deadline - timedelta(days=math.ceil(7 * float(cod.duration_weeks)))


def window_opens(cod: CostOfDelay) -> date | None:
    """The first day on which starting one week later would finish after the deadline."""
    if cod.profile != Profile.FIXED_DATE or cod.deadline is None:
        return None
    days_left = math.ceil(WINDOW.days + 7 * float(cod.duration_weeks)) - 1
    return cod.deadline - timedelta(days=days_left)


def cd3(cod: CostOfDelay, on: date) -> Score:
    """Cost of Delay rate on the date ``on``, divided by the duration (§4)."""
    check_cost_of_delay(cod)
    profile = Profile(cod.profile)
    v, d = float(cod.value_rate), float(cod.duration_weeks)
    unit = " points" if cod.points else ""
    duration = f"{fmt(d)} week{'' if d == 1 else 's'}"
    notes: list[str] = []
    at_risk = False
    if profile is Profile.FIXED_DATE:
        if cod.deadline is None or cod.penalty is None:  # refused by check_cost_of_delay
            raise InvalidScore("A fixed-date idea needs its deadline", field="deadline")
        penalty = float(cod.penalty)
        days_left = (cod.deadline - on).days
        if days_left < 7 * d:
            at_risk = True
            notes.append(
                f"deadline at risk: {duration} of work from {on.isoformat()} ends after "
                f"{cod.deadline.isoformat()}"
            )
        if days_left < WINDOW.days + 7 * d:
            rate = penalty
            why = (
                f"fixed date {cod.deadline.isoformat()}: starting a week later would miss it, "
                f"so delay costs the penalty {fmt(penalty)}{unit}/week"
            )
        else:
            rate = 0.0
            why = (
                f"fixed date {cod.deadline.isoformat()}: no cost of delay until "
                f"{window_opens(cod)} (latest start {latest_start(cod)})"
            )
    elif profile is Profile.INTANGIBLE:
        if cod.horizon is None:  # refused by check_cost_of_delay
            raise InvalidScore("An intangible idea needs its horizon", field="horizon")
        if on < cod.horizon:
            rate = INTANGIBLE_SHARE * v
            why = (
                f"intangible until {cod.horizon.isoformat()}: "
                f"0.1 × {fmt(v)}{unit}/week = {fmt(rate)}{unit}/week"
            )
        else:
            rate = v
            why = f"intangible, horizon {cod.horizon.isoformat()} reached: full value rate"
    else:
        rate = v
        why = (
            "expedite: ranked first, goes into the expedite lane"
            if (profile is Profile.EXPEDITE)
            else "standard: delay costs the value rate"
        )
    value = round(rate / d, 2)
    explanation = f"CD3 {fmt(value)} = {fmt(rate)}{unit}/week ÷ {duration} ({why})"
    return Score(
        Model.CD3,
        value,
        explanation,
        expedite=profile is Profile.EXPEDITE,
        deadline_at_risk=at_risk,
        notes=tuple(notes),
    )


# ---- ranking ------------------------------------------------------------------------------------

T = TypeVar("T")


def ranked(items: Iterable[tuple[T, Score | None]]) -> list[tuple[T, Score | None]]:
    """Expedite first, then highest score first; unscored last. Ties keep the given order."""
    indexed: Sequence[tuple[int, tuple[T, Score | None]]] = list(enumerate(items))

    def key(entry: tuple[int, tuple[T, Score | None]]) -> tuple[int, float, int]:
        position, (_item, score) = entry
        if score is None:
            return (2, 0.0, position)
        return (0 if score.expedite else 1, -score.value, position)

    return [pair for _position, pair in sorted(indexed, key=key)]
