"""Bounded steps and target objectives on top of ``roi.allocate`` (issue 23, item 8). No Django.

- **Step limit**: a recommendation moves each channel at most ``max_move`` (default 20 %) of its
  amount today (the last whole month's spend or hours) either way: today's x_i·(1 - m) ≤ x_i ≤
  today's x_i·(1 + m), intersected with the channel's own minimum and maximum. ``max_move`` 1
  leaves the channels free (the plain optimiser). A channel with nothing today stays at 0 under a
  step limit below 100 % (a step is a share of what it does today); with nothing spent at all
  there is no split to step from, and the limit is not applied (a note says so).
- **Objectives**: ``return`` maximises Σ r_i(x_i) for the budget (``roi.allocate``). ``roas``
  finds the split with the most return whose ROAS Σr ÷ Σx stays at or above the target, the
  budget left free; ``cpa`` the split with the most new customers whose cost per new customer
  Σx ÷ Σc_i(x_i) stays at or below the target (c_i: each channel's curve of new customers against
  spend) — the same problem with the customers curves and the target 1 ÷ CPA.

  On rising, bending curves the ROAS falls as the spend grows, so the least spend always has
  the best ROAS: "reach the target at least spend" is read as the most the team can spend (and
  so the most return it can buy) while the target still holds — the spend at which the ROAS
  comes down to the target (Robyn's "target efficiency", Meridian's flexible budget). A target
  above the best ROAS any split within the limits can reach is refused, naming that best ROAS.

  Solved on the equal-marginal multiplier: the split maximising Σ(r_i(x_i) - μ·x_i) in the
  bounds separates by channel (a log curve's x_i = a_i ÷ μ - b_i, clipped; a Hill curve's by
  bisection past its bend), and SciPy's ``brentq`` finds the μ at which Σr = T·Σx (the KKT
  point of "most Σr with Σr ≥ T·Σx"). The best reachable ratio comes from Dinkelbach's method
  on the same splits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
from scipy.optimize import brentq  # type: ignore[import-untyped]

from .roi import (
    EXTRAPOLATION,
    Allocation,
    Bounds,
    ChannelSplit,
    Curve,
    RoiInputError,
    allocate,
    check_bounds,
    curve_arrays,
)

DEFAULT_MAX_MOVE = 0.20  # a recommendation moves each channel at most ±20 % from today's amount
OBJECTIVES = ("return", "roas", "cpa")


@dataclass(frozen=True)
class StepSplit(ChannelSplit):
    """A channel's split with what the step limit and the objective add."""

    step_bound: bool = False  # held by the step limit (± max_move of today's amount)
    expected_customers: float | None = None  # from the customers curve (the CPA objective)

    @property
    def change(self) -> float | None:
        """Recommended minus today's amount: the step a test card is about."""
        return None if self.current is None else self.recommended - self.current

    @property
    def return_change(self) -> float | None:
        return None if self.current_return is None else self.expected_return - self.current_return


@dataclass(frozen=True)
class Recommendation(Allocation):
    """An allocation with its objective, target and the step limit that applied."""

    objective: str = "return"
    target: float | None = None  # the target ROAS, or the target CPA
    max_move: float = 1.0  # the step limit that applied (1: none)

    @property
    def total(self) -> float:
        """What the recommendation spends (the budget less what stays unallocated)."""
        return sum(s.recommended for s in self.splits)

    @property
    def roas(self) -> float | None:
        """Expected return ÷ recommended spend; None without spend."""
        return self.expected_return / self.total if self.total > 0 else None

    @property
    def expected_customers(self) -> float | None:
        values = [getattr(s, "expected_customers", None) for s in self.splits]
        if any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    @property
    def cpa(self) -> float | None:
        customers = self.expected_customers
        return self.total / customers if customers else None


def _step_split(split: ChannelSplit, **changes: object) -> StepSplit:
    values = {f.name: getattr(split, f.name) for f in fields(split)}
    return StepSplit(**{**values, **changes})


def _recommendation(result: Allocation, **changes: object) -> Recommendation:
    values = {f.name: getattr(result, f.name) for f in fields(Allocation)}
    return Recommendation(**{**values, **changes})


def check_max_move(max_move: float) -> None:
    if not (np.isfinite(max_move) and 0 <= max_move <= 1):
        raise RoiInputError(
            f"the step limit is a share from 0 to 1 (0 % to 100 %), not {max_move:g}",
            field="max_move",
        )


def step_bounds(
    curves: Sequence[Curve],
    bounds: Mapping[str, Bounds],
    current: Mapping[str, float],
    max_move: float,
) -> tuple[dict[str, Bounds], list[str], bool]:
    """Each channel's bounds narrowed to today's amount ± ``max_move`` of it: (bounds, notes,
    whether the limit applies). Refuses a channel whose own bounds lie outside its step."""
    check_max_move(max_move)
    if max_move >= 1:
        return dict(bounds), [], False
    today = sum(current.get(c.channel, 0.0) for c in curves)
    if today <= 0:
        return (
            dict(bounds),
            [
                "nothing was spent in the current split, so there is no split to step from: "
                f"the ±{max_move * 100:g} % step limit is not applied"
            ],
            False,
        )
    merged: dict[str, Bounds] = {}
    notes = []
    for c in curves:
        now = max(current.get(c.channel, 0.0), 0.0)
        own = bounds.get(c.channel, Bounds())
        low, high = now * (1 - max_move), now * (1 + max_move)
        minimum = max(own.minimum, low)
        maximum = high if own.maximum is None else min(own.maximum, high)
        if minimum > maximum + 1e-9 * max(high, 1.0):
            top = "no maximum" if own.maximum is None else f"{own.maximum:g}"
            own_text = f"{own.minimum:g}–{top}"
            raise RoiInputError(
                f"{c.channel}: its bounds ({own_text}) lie outside a step of "
                f"±{max_move * 100:g} % from today's {now:g} ({low:g}–{high:g}); change the "
                "bounds or allow larger steps",
                field="bounds",
            )
        merged[c.channel] = Bounds(minimum, max(maximum, minimum))
        if now == 0:
            notes.append(
                f"{c.channel} had nothing in the current split, so a step of ±{max_move * 100:g} % "
                "keeps it at 0; allow steps of 100% to start it"
            )
    return merged, notes, True


def _step_flags(
    splits: Sequence[ChannelSplit],
    current: Mapping[str, float],
    max_move: float,
    tol: float,
    stepped: bool,
) -> tuple[StepSplit, ...]:
    flagged = []
    for s in splits:
        now = current.get(s.channel, 0.0)
        edge = stepped and now > 0 and abs(abs(s.recommended - now) - max_move * now) <= tol
        flagged.append(_step_split(s, step_bound=bool(edge)))
    return tuple(flagged)


def recommend(
    curves: Sequence[Curve],
    budget: float,
    bounds: Mapping[str, Bounds] | None = None,
    current: Mapping[str, float] | None = None,
    *,
    max_move: float = DEFAULT_MAX_MOVE,
    objective: str = "return",
    target: float | None = None,
    customers: Sequence[Curve] = (),
) -> Recommendation:
    """The recommended split with the step limit and the objective (module docstring).

    ``budget`` counts for the ``return`` objective only; ``customers`` (one curve per channel
    of ``curves``, of new customers against the same x) is needed for ``cpa``.
    """
    if objective not in OBJECTIVES:
        raise RoiInputError(
            f"the objective is one of {', '.join(OBJECTIVES)}, not {objective[:20]!r}",
            field="objective",
        )
    own = dict(bounds or {})
    today = dict(current or {})
    least_asked = max(sum(b.minimum for b in own.values()), 0.0)
    check_bounds(curves, budget if objective == "return" else least_asked, own)
    merged, notes, stepped = step_bounds(curves, own, today, max_move)
    if objective == "return":
        least = sum(b.minimum for b in merged.values())
        if stepped and least > budget + max(budget, 1.0) * 1e-9:
            raise RoiInputError(
                f"the budget ({budget:g}) is below what steps of at most "
                f"±{max_move * 100:g} % from today's split allow (at least {least:g}); raise the "
                f"budget to {least:g} or allow larger steps",
                field="budget",
            )
        result = allocate(curves, budget, merged, today)
        extra = list(result.notes)
        if stepped and result.unallocated > 0:
            extra = [
                f"the step limit (±{max_move * 100:g} % of today's split) and the maximums take "
                f"{budget - result.unallocated:,.0f} of the budget; "
                f"{result.unallocated:,.0f} stays unallocated (allow larger steps to place it)"
                if n.startswith("the maximums add up")
                else n
                for n in extra
            ]
        splits = _step_flags(result.splits, today, max_move, max(budget, 1.0) * 1e-6, stepped)
        return _recommendation(
            result,
            splits=splits,
            notes=tuple(notes + extra),
            method=result.method
            + (f"; each channel within ±{max_move * 100:g} % of today" if stepped else ""),
            max_move=max_move if stepped else 1.0,
        )
    return _to_target(curves, merged, today, notes, stepped, max_move, objective, target, customers)


# ---- the target objectives ----------------------------------------------------------------------


def _arrays(
    curves: Sequence[Curve], bounds: Mapping[str, Bounds], ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's lower and (finite) upper bound. A channel without a maximum is capped
    where even every curve's whole return at that amount falls below the ratio times the amount,
    beyond which no split can meet the target."""
    low = np.array([bounds.get(c.channel, Bounds()).minimum for c in curves], dtype=float)
    maxima = [bounds.get(c.channel, Bounds()).maximum for c in curves]
    if all(m is not None for m in maxima):
        return low, np.array(maxima, dtype=float)
    cap = max(float(low.sum()), max(c.b for c in curves), 1.0)
    for _ in range(200):
        total_of = sum(c.value(cap) for c in curves)
        if total_of < ratio * cap:
            break
        cap *= 2
    else:
        raise RoiInputError(
            "these curves never fall below the target: give each channel a maximum",
            field="bounds",
        )
    high = np.array([cap if m is None else m for m in maxima], dtype=float)
    return low, np.maximum(high, low)


class _Gains:
    """The split that maximises Σ(r_i(x_i) - μ·x_i) within the box, for any multiplier μ: each
    channel at its own argmax (the problem separates). For a log curve it is a ÷ μ - b within
    the bounds; for a Hill curve the best of its bounds and the point past the bend (the
    inflection b·((s - 1) ÷ (s + 1))^(1/s)) where r'(x) = μ, found by bisection on the falling
    branch of r', all channels at once."""

    def __init__(self, curves: Sequence[Curve], low: np.ndarray, high: np.ndarray) -> None:
        self.r, self.dr = curve_arrays(curves)
        self.low, self.high = low, high
        self.a = np.array([c.a for c in curves])
        self.b = np.array([c.b for c in curves])
        s = np.array([float(getattr(c, "s", 1.0)) for c in curves])
        self.hill = np.array([getattr(c, "kind", "log") == "hill" for c in curves])
        bend = np.where(s > 1, self.b * ((s - 1) / (s + 1)) ** (1 / s), 0.0)
        self.left = np.clip(np.where(self.hill, bend, low), low, high)

    def split(self, mu: float) -> np.ndarray:
        log = np.clip(self.a / max(mu, 1e-300) - self.b, self.low, self.high)
        if not self.hill.any():
            return np.asarray(log, dtype=float)
        lo, hi = self.left.copy(), self.high.copy()
        for _ in range(80):
            mid = (lo + hi) / 2
            rising = self.dr(mid) > mu
            lo, hi = np.where(rising, mid, lo), np.where(rising, hi, mid)
        root = (lo + hi) / 2
        candidates = np.stack([self.low, root, self.high])
        gains = np.stack([self.r(c) - mu * c for c in candidates])
        best = candidates[np.argmax(gains, axis=0), np.arange(len(self.low))]
        return np.asarray(np.where(self.hill, best, log), dtype=float)

    def totals(self, x: np.ndarray) -> tuple[float, float]:
        """(Σ r_i(x_i), Σ x_i)."""
        return float(np.sum(self.r(x))), float(np.sum(x))


def best_ratio(
    curves: Sequence[Curve], low: np.ndarray, high: np.ndarray
) -> tuple[float, np.ndarray, int]:
    """The largest Σr_i(x_i) ÷ Σx_i over the box low ≤ x ≤ high, the x that reaches it, and
    Dinkelbach's iterations (each the split that maximises Σr - q·Σx at the last ratio q).
    Where every low is 0 the ratio is highest as the spend shrinks to nothing; the answer is
    then the limit (the best channel's r'(0))."""
    gains = _Gains(curves, low, high)
    q = 0.0
    x = high.copy()
    previous = high.copy()
    for iteration in range(1, 101):
        x = gains.split(q) if q > 0 else high.copy()
        ret, spend = gains.totals(x)
        if spend <= 1e-12 * max(float(high.sum()), 1.0):
            # No spend ties with (or beats) every split at q: either q is already the best
            # ratio (an S-curve's, reached at some spend), or the ratio is best as the spend
            # shrinks to nothing (a log curve's r'(0)).
            limit = max(c.marginal(0.0) for c, hi in zip(curves, high, strict=True) if hi > 0)
            if q >= limit:
                return float(q), previous, iteration
            return float(limit), x, iteration
        previous = x
        new = ret / spend
        if abs(new - q) <= 1e-12 * max(abs(new), 1.0):
            return float(new), x, iteration
        q = new
    return q, x, 100


def _to_target(
    curves: Sequence[Curve],
    bounds: Mapping[str, Bounds],
    current: Mapping[str, float],
    notes: list[str],
    stepped: bool,
    max_move: float,
    objective: str,
    target: float | None,
    customers: Sequence[Curve],
) -> Recommendation:
    if target is None or not np.isfinite(target) or target <= 0:
        what = "ROAS (return per unit spent)" if objective == "roas" else "CPA (cost per customer)"
        raise RoiInputError(f"give the target {what}, a number above 0", field="target")
    if objective == "cpa":
        by_channel = {c.channel: c for c in customers}
        missing = [c.channel for c in curves if c.channel not in by_channel]
        if missing:
            raise RoiInputError(
                "the CPA objective needs new-customer history per channel (imported first "
                f"orders or closed deals by channel); none for {', '.join(missing)}",
                field="objective",
            )
        optimised = [by_channel[c.channel] for c in curves]
        ratio = 1.0 / target
    else:
        optimised = list(curves)
        ratio = target
    low, high = _arrays(optimised, bounds, ratio)
    best, _, _ = best_ratio(optimised, low, high)
    if best < ratio * (1 - 1e-9):
        limits = f" with steps of at most ±{max_move * 100:g} %" if stepped else ""
        if objective == "roas":
            message = (
                f"no split{limits} reaches a ROAS of {target:g}: the best achievable is "
                f"{best:.4g}; lower the target"
            )
        else:
            message = (
                f"no split{limits} reaches a CPA of {target:g}: the best achievable is "
                f"{1 / best:.4g} per new customer; raise the target"
            )
        raise RoiInputError(message + (" or allow larger steps" if stepped else ""), field="target")
    # The most Σr with Σr ≥ T·Σx is, by its KKT conditions, the split maximising Σ(r_i - μ·x_i)
    # for the μ in [0, T] where Σr = T·Σx (the surplus rises with μ: a lower μ spends more).
    gains = _Gains(optimised, low, high)
    solves = 0

    def surplus(mu: float) -> float:
        nonlocal solves
        solves += 1
        ret, spend = gains.totals(gains.split(mu) if mu > 0 else high)
        return ret - ratio * spend

    if surplus(0.0) >= 0:  # every split within the box meets the target: spend all of it
        x = high.copy()
    else:
        mu = brentq(surplus, 0.0, ratio, xtol=ratio * 1e-14, rtol=1e-14, maxiter=200)
        x = gains.split(mu)
        if surplus(mu) < 0:  # the root's feasible side
            x = gains.split(mu * (1 + 1e-12))
    x = np.clip(x, low, high)
    spend = float(x.sum())
    tol = max(spend, 1.0) * 1e-6
    splits = []
    for curve, c, v, lo, hi in zip(curves, optimised, x, low, high, strict=True):
        amount, now = float(v), current.get(curve.channel)
        splits.append(
            StepSplit(
                channel=curve.channel,
                current=now,
                recommended=amount,
                current_return=None if now is None else curve.value(now),
                expected_return=curve.value(amount),
                marginal_roi=curve.marginal(amount),
                current_marginal_roi=None if now is None else curve.marginal(now),
                at_minimum=bool(v <= lo + tol),
                at_maximum=bool(v >= hi - tol),
                extrapolated=curve.max_x is not None and amount > EXTRAPOLATION * curve.max_x,
                expected_customers=c.value(amount) if objective == "cpa" else None,
            )
        )
    flagged = _step_flags(splits, current, max_move, tol, stepped)
    achieved = (
        sum(s.expected_return for s in flagged) / spend
        if objective == "roas"
        else spend / max(sum(s.expected_customers or 0.0 for s in flagged), 1e-12)
    )
    label = "ROAS" if objective == "roas" else "CPA"
    held = "higher" if objective == "roas" else "lower"
    notes = [
        *notes,
        f"the most spend whose expected {label} stays at {target:g} or {held}: {spend:,.2f} "
        f"(expected {label} {achieved:.4g}; the best any split reaches is "
        f"{best if objective == 'roas' else 1 / best:.4g}, at less spend)",
    ]
    return Recommendation(
        budget=spend,
        splits=flagged,
        unallocated=0.0,
        method="SciPy brentq on the equal-marginal multiplier, most "
        f"{'return' if objective == 'roas' else 'new customers'} with {label} "
        f"{'≥' if objective == 'roas' else '≤'} {target:g}, min ≤ x ≤ max"
        + (f", each within ±{max_move * 100:g} % of today" if stepped else ""),
        iterations=solves,
        notes=tuple(notes),
        objective=objective,
        target=target,
        max_move=max_move if stepped else 1.0,
    )
