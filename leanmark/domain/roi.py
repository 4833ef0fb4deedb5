"""Value-stream ROI and allocation maths (docs/product.md §11). No Django here.

Money is ``Decimal`` in and out of the ratios and the report; the response curves and the
optimiser work in floats (they are estimates) and say so in their results.

- ROI = (return - cost) ÷ cost.
- ROMI = (incremental revenue * contribution margin - spend) ÷ spend.
- CAC = acquisition cost ÷ new customers.
- Payback months = CAC ÷ (monthly revenue per customer * gross margin).
- Response curve r(x) = a·ln(1 + x/b), a > 0, b > 0; marginal return r'(x) = a ÷ (b + x).
- Allocation: maximise Σ r_i(x_i) subject to Σ x_i ≤ budget and min_i ≤ x_i ≤ max_i. Since
  every r_i rises, the whole budget is used unless the maximums stop it; at the optimum every
  channel strictly inside its bounds has the same marginal return (the equal-marginal-ROI rule).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares, minimize  # type: ignore[import-untyped]

from .metrics import FIRST_YEAR, LAST_YEAR, outside_years

ZERO = Decimal(0)
CENT = Decimal("0.01")
EXTRAPOLATION = 1.25  # a recommendation above 1.25 x the history's largest month is flagged
MIN_MONTHS = 6  # fewer months of history than this and a fitted curve carries a warning
DIMENSIONS = ("stage", "channel", "campaign")
MAX_CHANNELS = 50  # the optimiser's work grows with the channels: 1,000 curves took over 20 s
MAX_PERIOD_YEARS = 20  # a report reads every month of its period; 9,000 years took 1.6 s


class RoiInputError(ValueError):
    """An input the maths cannot use; the message says what to change."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ---- the ratios -------------------------------------------------------------------------------


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator ÷ denominator, or None when the denominator is zero (no cost, no ratio)."""
    if denominator == 0:
        return None
    return numerator / denominator


def roi(ret: Decimal, cost: Decimal) -> Decimal | None:
    """(return - cost) ÷ cost; None without cost."""
    return ratio(ret - cost, cost)


def romi(incremental_revenue: Decimal, margin: Decimal, spend: Decimal) -> Decimal | None:
    """(incremental revenue * contribution margin - spend) ÷ spend; None without spend.

    Reference: spend 10,000, revenue 50,000, margin 0.6 → 2.0.
    """
    return ratio(incremental_revenue * margin - spend, spend)


def cac(acquisition_cost: Decimal, new_customers: Decimal) -> Decimal | None:
    """Customer acquisition cost; reference 75,000 ÷ 75 → 1,000."""
    return ratio(acquisition_cost, new_customers)


def payback_months(
    cac_value: Decimal, monthly_revenue_per_customer: Decimal, gross_margin: Decimal
) -> Decimal | None:
    """CAC ÷ (monthly revenue per customer * gross margin); reference 1,000 ÷ (100 * 0.8) → 12.5."""
    return ratio(cac_value, monthly_revenue_per_customer * gross_margin)


def lifetime_value(
    monthly_revenue_per_customer: Decimal, gross_margin: Decimal, monthly_churn: Decimal
) -> Decimal | None:
    """Revenue per customer a month * gross margin / monthly churn (a customer stays 1 / churn
    months on average); reference 100 * 0.8 / 0.05 → 1,600. None without churn."""
    return ratio(monthly_revenue_per_customer * gross_margin, monthly_churn)


def plain(value: Decimal) -> str:
    """2.50 → "2.5", 20.00 → "20": a number as a person writes it."""
    return f"{value.normalize():f}"


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ---- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One cost: a spend entry (hours 0) or a time log priced at its member's hourly cost."""

    on: date
    stage: str
    channel: str
    campaign: str
    spend: Decimal = ZERO
    hours: Decimal = ZERO
    labour: Decimal = ZERO  # hours * hourly cost; zero when the member has no cost set
    unpriced_hours: Decimal = ZERO  # hours of members with no hourly cost


@dataclass(frozen=True)
class ReturnLine:
    on: date
    stage: str
    channel: str
    campaign: str
    amount: Decimal


@dataclass(frozen=True)
class RoiRow:
    """One stage, channel or campaign over the period, with the inputs behind each figure."""

    key: str
    spend: Decimal
    labour: Decimal
    hours: Decimal
    unpriced_hours: Decimal
    ret: Decimal
    hours_share: Decimal | None  # share of the team's logged hours
    return_share: Decimal | None  # share of the period's return
    romi: Decimal | None
    cost_lines: int
    return_lines: int

    @property
    def cost(self) -> Decimal:
        return self.spend + self.labour

    @property
    def roi(self) -> Decimal | None:
        return roi(self.ret, self.cost)

    @property
    def capacity_gap(self) -> Decimal | None:
        """Share of hours minus share of return: positive means more effort than payoff."""
        if self.hours_share is None or self.return_share is None:
            return None
        return self.hours_share - self.return_share


@dataclass(frozen=True)
class RoiReport:
    dimension: str
    rows: tuple[RoiRow, ...]
    total: RoiRow
    margin: Decimal
    notes: tuple[str, ...] = ()


def _key(line: CostLine | ReturnLine, dimension: str) -> str:
    value: str = getattr(line, dimension)
    return value


def roi_report(
    costs: Iterable[CostLine],
    returns: Iterable[ReturnLine],
    *,
    dimension: str,
    margin: Decimal,
    order: Sequence[str] = (),
) -> RoiReport:
    """Cost, return, ROI and ROMI per stage, channel or campaign.

    ROMI uses the spend only (labour is not marketing spend) and the return as the incremental
    revenue. Rows come in ``order`` first (e.g. the hourglass stages), then alphabetically;
    unattributed lines are grouped under the key "".
    """
    if dimension not in DIMENSIONS:
        raise RoiInputError(f"report by one of {', '.join(DIMENSIONS)}", field="by")
    if not ZERO <= margin <= 1:
        raise RoiInputError("the contribution margin must be between 0 and 100 %", field="margin")
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in costs:
        bucket = sums[_key(c, dimension)]
        bucket["spend"] += c.spend
        bucket["labour"] += c.labour
        bucket["hours"] += c.hours
        bucket["unpriced"] += c.unpriced_hours
        counts[_key(c, dimension)][0] += 1
    for r in returns:
        sums[_key(r, dimension)]["ret"] += r.amount
        counts[_key(r, dimension)][1] += 1
    all_hours = sum((s["hours"] for s in sums.values()), ZERO)
    all_return = sum((s["ret"] for s in sums.values()), ZERO)

    def row(key: str, s: Mapping[str, Decimal], n: Sequence[int]) -> RoiRow:
        return RoiRow(
            key=key,
            spend=s.get("spend", ZERO),
            labour=s.get("labour", ZERO),
            hours=s.get("hours", ZERO),
            unpriced_hours=s.get("unpriced", ZERO),
            ret=s.get("ret", ZERO),
            hours_share=ratio(s.get("hours", ZERO), all_hours),
            return_share=ratio(s.get("ret", ZERO), all_return),
            romi=romi(s.get("ret", ZERO), margin, s.get("spend", ZERO)),
            cost_lines=n[0],
            return_lines=n[1],
        )

    rank = {k: i for i, k in enumerate(order)}
    keys = sorted(sums, key=lambda k: (k == "", rank.get(k, len(rank)), k))
    rows = tuple(row(k, sums[k], counts[k]) for k in keys)
    total_sums: dict[str, Decimal] = defaultdict(Decimal)
    for s in sums.values():
        for name, value in s.items():
            total_sums[name] += value
    total_counts = [sum(n[0] for n in counts.values()), sum(n[1] for n in counts.values())]
    total = row("total", total_sums, total_counts)
    notes = []
    if total.unpriced_hours:
        notes.append(
            f"{plain(total.unpriced_hours)} hours were logged by members with no hourly cost; "
            "they count in the hours but not in the cost"
        )
    return RoiReport(dimension, rows, total, margin, tuple(notes))


def monthly_totals(
    costs: Iterable[CostLine], returns: Iterable[ReturnLine]
) -> list[tuple[date, Decimal, Decimal]]:
    """(first day of month, cost, return) for every month that has either, in order."""
    cost: dict[date, Decimal] = defaultdict(Decimal)
    ret: dict[date, Decimal] = defaultdict(Decimal)
    for c in costs:
        cost[c.on.replace(day=1)] += c.spend + c.labour
    for r in returns:
        ret[r.on.replace(day=1)] += r.amount
    months = sorted(set(cost) | set(ret))
    return [(m, cost.get(m, ZERO), ret.get(m, ZERO)) for m in months]


# ---- response curves --------------------------------------------------------------------------


KINDS = ("log", "hill")  # the response-curve models (leanmark/domain/curves.py fits them)


def response(
    kind: str,
    a: float | np.ndarray,
    b: float | np.ndarray,
    s: float | np.ndarray,
    amount: ArrayLike,
) -> np.ndarray:
    """r(x) of one kind of curve, elementwise (the arrays broadcast).

    - ``log``: a·ln(1 + x/b).
    - ``hill``: a·x^s ÷ (x^s + b^s): a is the top (the most it can return), b the amount at
      which it returns half of it, s the shape (s > 1 an S-curve, s ≤ 1 bends from the start).
    """
    x: np.ndarray = np.maximum(np.asarray(amount, dtype=float), 0.0)
    if kind == "log":
        return np.asarray(a * np.log1p(x / b), dtype=float)
    u = (x / b) ** s
    return np.asarray(a * u / (1.0 + u), dtype=float)


def marginal(
    kind: str,
    a: float | np.ndarray,
    b: float | np.ndarray,
    s: float | np.ndarray,
    amount: ArrayLike,
) -> np.ndarray:
    """r'(x), elementwise: log a ÷ (b + x); hill a·s·u ÷ (x·(1 + u)²) with u = (x/b)^s, taken
    at x ≥ b·1e-9 so that it stays finite at 0 when s < 1."""
    x: np.ndarray = np.maximum(np.asarray(amount, dtype=float), 0.0)
    if kind == "log":
        return np.asarray(a / (b + x), dtype=float)
    x = np.maximum(x, np.asarray(b, dtype=float) * 1e-9)
    u = (x / b) ** s
    return np.asarray(a * s * u / (x * (1.0 + u) ** 2), dtype=float)


@dataclass(frozen=True)
class Curve:
    """Monthly return against monthly spend (or hours), of one kind (``KINDS``):
    ``log`` r(x) = a·ln(1 + x/b), or ``hill`` r(x) = a·x^s ÷ (x^s + b^s) (a the top, b the
    half-saturation amount, s the shape). A curve fitted from weekly history with carry-over
    (``adstock`` θ) is the steady state a month of even spend reaches (curves.py)."""

    channel: str
    a: float
    b: float
    source: str = "manual"  # "manual" or "fitted"
    months: int = 0  # months of history behind a fitted curve
    r_squared: float | None = None
    rmse: float | None = None
    warnings: tuple[str, ...] = ()
    max_x: float | None = None  # the largest monthly x in a fitted curve's history
    kind: str = "log"
    s: float = 1.0  # the Hill shape; 1 and unused for ``log``
    adstock: float = 0.0  # θ of the carry-over a_t = x_t + θ·a_(t-1) (weekly fits)
    granularity: str = "month"  # the points the curve was fitted to: "month" or "week"
    points: int = 0  # how many points (months or weeks) the fit used
    selection: str = ""  # how the kind was chosen (AICc of each kind, or the user's pick)
    bootstrap: Any = field(default=None, compare=False, repr=False)  # curves.Bootstrap

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RoiInputError(
                f"the curve kind is one of {', '.join(KINDS)}, not {self.kind!r}", field="kind"
            )
        check_curve(self.a, self.b)
        if not (np.isfinite(self.s) and self.s > 0):
            raise RoiInputError(f"s must be above 0 (it is {self.s})", field="s")

    def response(self, x: ArrayLike) -> np.ndarray:
        """r(x), elementwise over an array of amounts."""
        return response(self.kind, self.a, self.b, self.s, x)

    def value(self, x: float) -> float:
        return float(self.response(x))

    def marginal(self, x: float) -> float:
        """r'(x): the return of one more unit at x (log: a ÷ (b + x))."""
        if self.kind == "log":
            return self.a / (self.b + x)
        return float(marginal(self.kind, self.a, self.b, self.s, x))

    @property
    def formula(self) -> str:
        if self.kind == "log":
            return f"{self.a:.6g}·ln(1 + x/{self.b:.6g})"
        return f"{self.a:.6g}·x^{self.s:.3g} ÷ (x^{self.s:.3g} + {self.b:.6g}^{self.s:.3g})"


def curve_arrays(curves: Sequence[Curve]) -> tuple[Any, Any]:
    """(r, r') of a list of curves as functions of the vector of their amounts: what the
    optimiser calls, the same formulas as each curve's ``response`` and ``marginal``."""
    a = np.array([c.a for c in curves])
    b = np.array([c.b for c in curves])
    s = np.array([c.s for c in curves])
    hill = np.array([c.kind == "hill" for c in curves])
    if not hill.any():
        return (lambda x: a * np.log1p(x / b)), (lambda x: a / (b + x))

    def r(x: np.ndarray) -> np.ndarray:
        return np.where(hill, response("hill", a, b, s, x), response("log", a, b, s, x))

    def dr(x: np.ndarray) -> np.ndarray:
        return np.where(hill, marginal("hill", a, b, s, x), marginal("log", a, b, s, x))

    return r, dr


def check_curve(a: float, b: float) -> None:
    if not (np.isfinite(a) and a > 0):
        raise RoiInputError(f"a must be a positive number (it is {a})", field="a")
    if not (np.isfinite(b) and b > 0):
        raise RoiInputError(
            f"b must be above 0 (it is {b}); r(x) = a·ln(1 + x/b) needs b > 0", field="b"
        )


def fit_curve(channel: str, spend: Sequence[float], ret: Sequence[float]) -> Curve:
    """Least-squares fit of r(x) = a·ln(1 + x/b) to monthly (spend, return) pairs.

    Fitted in log-parameters (a, b > 0 by construction) with SciPy's ``least_squares``.
    R² and RMSE are reported; fewer than ``MIN_MONTHS`` months, or spend that never varies,
    give a warning, because the curvature then rests on very little.
    """
    x = np.asarray(spend, dtype=float)
    y = np.asarray(ret, dtype=float)
    if x.shape != y.shape:
        raise RoiInputError("spend and return need the same number of months")
    if len(x) < 2:
        raise RoiInputError(
            f"{channel}: at least 2 months with spend are needed to fit a curve "
            f"(there are {len(x)}); enter the curve by hand instead"
        )
    if np.any(x < 0) or not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise RoiInputError(f"{channel}: spend must be finite and not negative")
    scale_x = max(float(x.mean()), 1e-9)
    scale_y = max(float(np.abs(y).mean()), 1e-9)
    # Start from a curve through the mean point with b at the mean spend: a·ln 2 = mean return.
    start = np.log([1.0 / np.log(2.0), 1.0])

    def residuals(p: np.ndarray) -> np.ndarray:
        a, b = np.exp(p)
        return np.asarray(a * np.log1p(x / (b * scale_x)) - y / scale_y, dtype=float)

    result = least_squares(residuals, start, bounds=([-20.0, -12.0], [20.0, 12.0]))
    a = float(np.exp(result.x[0]) * scale_y)
    b = float(np.exp(result.x[1]) * scale_x)
    predicted = a * np.log1p(x / b)
    ss_res = float(np.sum((y - predicted) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1 - ss_res / ss_tot if ss_tot > 0 else None
    rmse = float(np.sqrt(ss_res / len(x)))
    warnings = []
    if len(x) < MIN_MONTHS:
        warnings.append(
            f"only {len(x)} months of history (fewer than {MIN_MONTHS}): treat the curve as a guess"
        )
    if float(x.max() - x.min()) <= 0.05 * scale_x:
        warnings.append(
            "spend barely varied, so the curve's bend is not known; enter it by hand if you can"
        )
    if b < 0.01 * max(float(x[x > 0].min()) if np.any(x > 0) else 0.0, 1e-9):
        warnings.append(
            "b is close to 0: the return hardly changes with the amount in this history, so "
            "the curve cannot say where more would pay off"
        )
    if r_squared is not None and r_squared < 0.3:
        warnings.append(f"the curve explains little of the variation (R² {r_squared:.2f})")
    return Curve(
        channel=channel,
        a=a,
        b=b,
        source="fitted",
        months=len(x),
        r_squared=r_squared,
        rmse=rmse,
        warnings=tuple(warnings),
        max_x=float(x.max()),
    )


# ---- allocation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    minimum: float = 0.0
    maximum: float | None = None  # None: no maximum but the budget


@dataclass(frozen=True)
class ChannelSplit:
    channel: str
    current: float | None
    recommended: float
    current_return: float | None
    expected_return: float
    marginal_roi: float  # r'(x) at the recommended amount: return of one more unit
    current_marginal_roi: float | None
    at_minimum: bool
    at_maximum: bool
    extrapolated: bool = False  # recommended well beyond anything the history has seen


@dataclass(frozen=True)
class Allocation:
    budget: float
    splits: tuple[ChannelSplit, ...]
    unallocated: float  # budget the maximums would not take
    method: str
    iterations: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def expected_return(self) -> float:
        return sum(s.expected_return for s in self.splits)

    @property
    def current_return(self) -> float | None:
        values = [s.current_return for s in self.splits]
        if any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)

    @property
    def current_total(self) -> float | None:
        values = [s.current for s in self.splits]
        if any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)


def check_bounds(curves: Sequence[Curve], budget: float, bounds: Mapping[str, Bounds]) -> None:
    if len(curves) > MAX_CHANNELS:
        raise RoiInputError(
            f"an allocation splits a budget over at most {MAX_CHANNELS} channels, "
            f"not {len(curves):,}",
            field="curves",
        )
    if not curves:
        raise RoiInputError("there is no channel with a response curve to allocate between")
    if not (np.isfinite(budget) and budget >= 0):
        raise RoiInputError("the budget must be a number of at least 0", field="budget")
    names = [c.channel for c in curves]
    if len(set(names)) != len(names):
        raise RoiInputError("each channel may have one curve only")
    unknown = sorted(set(bounds) - set(names))
    if unknown:
        raise RoiInputError(
            f"bounds name channels with no curve: {', '.join(unknown)}", field="bounds"
        )
    for name, bound in bounds.items():
        if bound.minimum < 0 or not np.isfinite(bound.minimum):
            raise RoiInputError(f"{name}: the minimum cannot be negative", field="bounds")
        if bound.maximum is not None and bound.minimum > bound.maximum:
            raise RoiInputError(
                f"{name}: the minimum ({bound.minimum:g}) is above the maximum ({bound.maximum:g})",
                field="bounds",
            )
    minimums = sum(b.minimum for b in bounds.values())
    if minimums > budget:
        raise RoiInputError(
            f"the budget ({budget:g}) is below the sum of the minimums ({minimums:g}); "
            "raise the budget or lower a minimum",
            field="budget",
        )


def allocate(
    curves: Sequence[Curve],
    budget: float,
    bounds: Mapping[str, Bounds] | None = None,
    current: Mapping[str, float] | None = None,
) -> Allocation:
    """The split of ``budget`` that maximises Σ r_i(x_i) (the curves' ``response``) in the bounds.

    Solved with SciPy's SLSQP (analytic gradient) from a feasible start; the result satisfies
    the equal-marginal-ROI condition up to the solver's tolerance (tested).
    """
    bounds = dict(bounds or {})
    check_bounds(curves, budget, bounds)
    current = dict(current or {})
    n = len(curves)
    a = np.array([c.a for c in curves])  # the scale of each curve (log's a, Hill's top)
    r, dr = curve_arrays(curves)
    low = np.array([bounds.get(c.channel, Bounds()).minimum for c in curves])
    maximums = [bounds.get(c.channel, Bounds()).maximum for c in curves]
    high = np.array([budget if m is None else min(m, budget) for m in maximums])
    high = np.maximum(high, low)
    room = float(high.sum())
    notes = []
    if budget == 0:
        x = np.zeros(n)
        iterations = 0
    elif room <= budget:  # the maximums take less than the budget: every channel at its maximum
        x = high.copy()
        iterations = 0
        if room < budget:
            notes.append(
                f"the maximums add up to {room:,.0f}, below the budget; "
                f"{budget - room:,.0f} stays unallocated"
            )
    else:
        # Solve in budget shares, with the objective divided by Σa, so that the solver's
        # tolerances mean the same whatever the currency and the size of the budget.
        scale = budget
        start = low + (high - low) * (budget - low.sum()) / (room - low.sum())
        norm = float(a.sum())

        def negative(s: np.ndarray) -> float:
            return -float(np.sum(r(s * scale))) / norm

        def gradient(s: np.ndarray) -> np.ndarray:
            return np.asarray(-dr(s * scale) * scale / norm, dtype=float)

        result = minimize(
            negative,
            start / scale,
            jac=gradient,
            method="SLSQP",
            bounds=list(zip(low / scale, high / scale, strict=True)),
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda s: float(np.sum(s) - 1.0),
                    "jac": lambda s: np.ones_like(s),
                }
            ],
            options={"ftol": 1e-13, "maxiter": 500},
        )
        if not result.success:
            raise RoiInputError(f"the optimiser did not converge: {result.message}")
        x = np.clip(result.x * scale, low, high)
        iterations = int(result.nit)
    tol = max(budget, 1.0) * 1e-6
    splits = []
    for i, c in enumerate(curves):
        now = current.get(c.channel)
        splits.append(
            ChannelSplit(
                channel=c.channel,
                current=now,
                recommended=float(x[i]),
                current_return=None if now is None else c.value(now),
                expected_return=c.value(float(x[i])),
                marginal_roi=c.marginal(float(x[i])),
                current_marginal_roi=None if now is None else c.marginal(now),
                at_minimum=bool(x[i] <= low[i] + tol),
                at_maximum=bool(x[i] >= high[i] - tol),
                extrapolated=c.max_x is not None and float(x[i]) > EXTRAPOLATION * c.max_x,
            )
        )
    return Allocation(
        budget=budget,
        splits=tuple(splits),
        unallocated=max(budget - float(x.sum()), 0.0),
        method="SciPy SLSQP, Σx = budget, min ≤ x ≤ max",
        iterations=iterations,
        notes=tuple(notes),
    )


def equal_marginal_split(curves: Sequence[Curve], budget: float) -> list[float]:
    """The closed-form optimum without bounds, when every channel gets a positive amount:
    a_i ÷ (b_i + x_i) = λ for all i, so x_i = a_i/λ - b_i with λ = Σa ÷ (budget + Σb)."""
    lam = sum(c.a for c in curves) / (budget + sum(c.b for c in curves))
    return [c.a / lam - c.b for c in curves]


# ---- periods ----------------------------------------------------------------------------------


def parse_period(text: str, today: date) -> tuple[date, date]:
    """A period a person types → (first day, last day), both included.

    ``2026-Q3``, ``2026-07``, ``2026``, ``2026-07-01..2026-08-15``, and the relative names
    ``this-month``, ``last-month``, ``this-quarter``, ``last-quarter``, ``ytd`` and
    ``last-12-months`` (the twelve whole months before this one).
    """
    raw = text.strip().lower()
    first_of_month = today.replace(day=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    relative = {
        "this-month": (first_of_month, _month_end(first_of_month)),
        "last-month": (_add_months(first_of_month, -1), first_of_month - _ONE_DAY),
        "this-quarter": (quarter_start, _month_end(_add_months(quarter_start, 2))),
        "last-quarter": (_add_months(quarter_start, -3), quarter_start - _ONE_DAY),
        "ytd": (date(today.year, 1, 1), today),
        "last-12-months": (_add_months(first_of_month, -12), first_of_month - _ONE_DAY),
    }
    try:
        if raw in relative:
            return relative[raw]
        if ".." in raw:
            left, right = raw.split("..", 1)
            start, end = date.fromisoformat(left.strip()), date.fromisoformat(right.strip())
        elif len(raw) == 7 and raw[4:6] == "-q" and raw[6] in "1234":
            start = date(int(raw[:4]), 3 * (int(raw[6]) - 1) + 1, 1)
            end = _month_end(_add_months(start, 2))
        elif len(raw) == 7 and raw[4] == "-":
            start = date(int(raw[:4]), int(raw[5:]), 1)
            end = _month_end(start)
        elif len(raw) == 4 and raw.isdigit():
            start, end = date(int(raw), 1, 1), date(int(raw), 12, 31)
        else:
            raise ValueError(raw)
    except ValueError:
        raise RoiInputError(
            f"unknown period {text[:30]!r}; use e.g. 2026-Q3, 2026-07, 2026, "
            "2026-07-01..2026-08-15, this-month, last-month, this-quarter, last-quarter, ytd "
            "or last-12-months",
            field="period",
        ) from None
    if end < start:
        raise RoiInputError("the period ends before it starts", field="period")
    if outside_years(start) or outside_years(end):
        raise RoiInputError(
            f"a period lies within the years {FIRST_YEAR} to {LAST_YEAR}, not {start}..{end}",
            field="period",
        )
    # the same day twenty years on (29 February to 1 March when that year has none)
    limit = _add_months(start.replace(day=1), 12 * MAX_PERIOD_YEARS) + (start.day - 1) * _ONE_DAY
    if end >= limit:
        raise RoiInputError(
            f"a period covers at most {MAX_PERIOD_YEARS} years (up to {limit - _ONE_DAY} from "
            f"{start}), not {start}..{end}",
            field="period",
        )
    return start, end


_ONE_DAY = timedelta(days=1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first.replace(day=1), 1) - _ONE_DAY


def add_months(first: date, months: int) -> date:
    return _add_months(first, months)
