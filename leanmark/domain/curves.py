"""Response curves fitted from history, with their uncertainty (docs/roi.md). No Django here.

- Two kinds (``roi.KINDS``): ``log`` r(x) = a·ln(1 + x/b), and ``hill`` r(x) = top·x^s ÷
  (x^s + k^s) (stored as a = top, b = k, s).
- Weekly history: geometric adstock a_t = x_t + θ·a_(t-1), 0 ≤ θ < 1, is applied to the weekly
  spend before the curve, and θ is fitted with the curve. The curve the allocation uses is the
  steady state of a month of even spend: with m = 365.25 ÷ 7 ÷ 12 weeks a month, monthly X means
  weekly X/m carried over to X/(m·(1 - θ)), so log a_month = m·a, b_month = m·(1 - θ)·b and
  Hill top_month = m·top, k_month = m·(1 - θ)·k, s unchanged: the same kind of curve.
- The kind, unless the user picks one: ``log`` with fewer than ``MIN_HILL_POINTS`` points;
  otherwise Hill when its AICc (n·ln(RSS/n) + 2p + 2p(p + 1)/(n - p - 1)) is lower than log's by
  more than ``AICC_MARGIN``.
- Fitted with SciPy's ``least_squares`` (bounded, in log-parameters, from several starts).
- Uncertainty: a residual bootstrap (the spend series is kept, so the carry-over is too):
  ``resamples`` new returns = fitted + resampled centred residuals, refitted all at once (one
  ``least_squares`` over a block-diagonal Jacobian, warm-started at the fit), drawn from a
  ``numpy.random.Generator`` seeded with [seed, crc32(channel)], so the same seed gives the
  same band. The band is the 10th to 90th percentile of the refitted curves; the allocation's
  range re-solves the allocation once per resample. A fit with fewer than two points more than
  its parameters has no band (its residuals say next to nothing), and a warning says so.
"""

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import least_squares  # type: ignore[import-untyped]

from .roi import KINDS, MIN_MONTHS, Allocation, Curve, RoiInputError, fit_curve, response

WEEKS_PER_MONTH = 365.25 / 7 / 12
MIN_HILL_POINTS = 8  # fewer points than this and the log curve is used (Hill is not tried)
MIN_WEEKS = 26  # weekly history needs spend and return in this many weeks, else months are used
MIN_FREEDOM = 2  # a band needs at least this many more points than parameters
AICC_MARGIN = 2.0  # Hill must lower the AICc by more than this to replace the log curve
MAX_ADSTOCK = 0.9  # the largest carry-over θ a fit may find
SHAPE = (0.5, 5.0)  # the Hill shape s a fit may find
RESAMPLES = 200
MAX_RESAMPLES = 1_000
SEED = 1
BAND = (10.0, 90.0)  # the percentiles of the band
AUTO = "auto"


@dataclass(frozen=True)
class Bootstrap:
    """The refitted curves of a residual bootstrap, as monthly (a, b, s) rows."""

    seed: int
    resamples: int  # asked for
    params: np.ndarray  # (kept, 3): a, b, s of each refitted monthly curve
    adstock: np.ndarray  # (kept,): θ of each (zeros for monthly fits)
    failed: int = 0  # resamples whose refit did not give a valid curve (left out)

    def curve(self, curve: Curve, j: int) -> Curve:
        """The ``j``-th refitted curve (wrapping around when fewer were kept)."""
        a, b, s = self.params[j % len(self.params)]
        return Curve(curve.channel, float(a), float(b), source="bootstrap", kind=curve.kind, s=s)

    def interval(self, name: str) -> tuple[float, float]:
        """The band of one parameter: ``a``, ``b``, ``s`` or ``adstock``."""
        column = self.adstock if name == "adstock" else self.params[:, "abs".index(name)]
        low, high = np.percentile(column, BAND)
        return float(low), float(high)


def adstock(x: Any, theta: Any) -> np.ndarray:
    """a_t = x_t + θ·a_(t-1), a_0 = x_0; ``x`` is (n,) or (rows, n), θ a number or (rows, 1)."""
    given = np.atleast_2d(np.asarray(x, dtype=float))
    carry = np.asarray(theta, dtype=float).reshape(-1)
    rows, weeks = max(len(given), len(carry)), int(given.shape[-1])
    spend = np.broadcast_to(given, (rows, weeks))
    carry = np.broadcast_to(carry, (rows,))
    by_week = np.ascontiguousarray(spend.T)  # (weeks, rows): each step reads a contiguous row
    out = np.empty((weeks, rows))
    out[0] = by_week[0]
    for t in range(1, weeks):
        np.multiply(out[t - 1], carry, out=out[t])
        out[t] += by_week[t]
    out = out.T
    return out if np.ndim(x) > 1 or np.ndim(theta) > 0 else out[0]


def hill(x: Any, top: float, k: float, s: float) -> np.ndarray:
    """top·x^s ÷ (x^s + k^s)."""
    u = (np.maximum(np.asarray(x, dtype=float), 0.0) / k) ** s
    return np.asarray(top * u / (1.0 + u), dtype=float)


# ---- the fit --------------------------------------------------------------------------------


def _predict(kind: str, p: np.ndarray, x: np.ndarray, weekly: bool) -> np.ndarray:
    """(rows, n) predictions in scaled units; ``p`` is (rows, k) log-parameters (then θ)."""
    return _curve(kind, p, adstock(x, p[:, -1]) if weekly else x[None, :])


def _curve(kind: str, p: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """The curve of ``p`` at the (carried-over) amounts ``xs``."""
    if kind == "log":
        return np.asarray(np.exp(p[:, 0:1]) * np.log1p(xs / np.exp(p[:, 1:2])), dtype=float)
    u = (xs / np.exp(p[:, 1:2])) ** np.exp(p[:, 2:3])
    return np.asarray(np.exp(p[:, 0:1]) * u / (1.0 + u), dtype=float)


def _limits(kind: str, weekly: bool) -> tuple[np.ndarray, np.ndarray]:
    low = [-20.0, -12.0] + ([np.log(SHAPE[0])] if kind == "hill" else [])
    high = [20.0, 12.0] + ([np.log(SHAPE[1])] if kind == "hill" else [])
    if weekly:
        low, high = [*low, 0.0], [*high, MAX_ADSTOCK]
    return np.array(low), np.array(high)


def _solve(
    kind: str, x: np.ndarray, y: np.ndarray, start: np.ndarray, weekly: bool, max_nfev: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares for each row of ``y`` (rows, n) at once, from ``start`` (rows, k).

    The rows are independent, so the Jacobian is block-diagonal: SciPy is told its sparsity
    and estimates it with k + 1 evaluations whatever the number of rows."""
    rows, n = y.shape
    k = start.shape[1]
    low, high = _limits(kind, weekly)
    begin = np.clip(start, low + 1e-9, high - 1e-9).ravel()

    def residuals(flat: np.ndarray) -> np.ndarray:
        return np.ravel(_predict(kind, flat.reshape(rows, k), x, weekly) - y)

    options: dict[str, Any] = {}
    if rows > 1:
        options = {
            "jac_sparsity": sparse.kron(sparse.eye(rows), np.ones((n, k))),
            "tr_solver": "lsmr",
        }
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        found = least_squares(
            residuals,
            begin,
            bounds=(np.tile(low, rows), np.tile(high, rows)),
            max_nfev=max_nfev,
            **options,
        )
        p = found.x.reshape(rows, k)
        rss = np.sum((_predict(kind, p, x, weekly) - y) ** 2, axis=1)
    return p, rss


def _starts(kind: str, weekly: bool) -> list[list[float]]:
    """Starting points in scaled log-parameters (x and y divided by their means)."""
    if kind == "log":
        base = [[float(np.log(1.0 / np.log(2.0))), 0.0]]
    else:
        base = [
            [float(np.log(top)), float(np.log(k)), float(np.log(s))]
            for top, k, s in ((1.5, 0.7, 1.0), (2.0, 1.5, 2.5), (3.0, 2.0, 1.0), (1.2, 0.6, 3.0))
        ]
    if not weekly:
        return base
    return [[*p, theta] for p in base for theta in (0.1, 0.6)]


def aicc(rss: float, n: int, k: int) -> float:
    """Akaike's criterion with the small-sample correction, for least squares."""
    if n - k - 1 <= 0:
        return float("inf")
    return float(n * np.log(max(rss, 1e-300) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1))


@dataclass(frozen=True)
class _Fit:
    kind: str
    p: np.ndarray  # scaled log-parameters (then θ)
    rss: float  # scaled


def _best(kind: str, x: np.ndarray, y: np.ndarray, weekly: bool) -> _Fit:
    """All the starts at once through the vectorised ``_refit``, then SciPy's ``least_squares``
    from the best of them (the answer is SciPy's)."""
    starts = np.array(_starts(kind, weekly))
    rough = _refit(kind, x, np.repeat(y[None, :], len(starts), axis=0), starts, weekly)
    with np.errstate(over="ignore", invalid="ignore"):
        costs = np.nan_to_num(
            np.sum((_predict(kind, rough, x, weekly) - y) ** 2, axis=1), nan=np.inf
        )
    p, rss = _solve(kind, x, y[None, :], rough[int(np.argmin(costs))][None, :], weekly, None)
    return _Fit(kind, p[0], float(rss[0]))


def _monthly(kind: str, p: np.ndarray, sx: float, sy: float, weekly: bool) -> np.ndarray:
    """Scaled log-parameters (rows, k) → monthly (a, b, s) rows, and θ (the steady state)."""
    a = np.exp(p[:, 0]) * sy
    b = np.exp(p[:, 1]) * sx
    s = np.exp(p[:, 2]) if kind == "hill" else np.ones(len(p))
    if weekly:
        theta = p[:, -1]
        a, b = a * WEEKS_PER_MONTH, b * WEEKS_PER_MONTH * (1.0 - theta)
    return np.column_stack([a, b, s])


def fit_response(
    channel: str,
    spend: Sequence[float],
    ret: Sequence[float],
    *,
    kind: str = AUTO,
    weekly: bool = False,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    months: int | None = None,
) -> Curve:
    """The curve of one channel from its history: months, or weeks (``weekly``: a contiguous
    series, zero-spend weeks included, fitted with carry-over); ``kind`` ``auto`` (the rule in
    the module's docstring), ``log`` or ``hill``; ``resamples`` bootstrap refits (0: none).

    A monthly log fit is ``roi.fit_curve``'s, exactly. ``months`` is the months of history the
    weeks span (for the "fewer than 6 months" warning)."""
    if kind != AUTO and kind not in KINDS:
        raise RoiInputError(
            f"the curve model is auto, {' or '.join(KINDS)}, not {kind[:20]!r}", field="model"
        )
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise RoiInputError(
            f"the bootstrap takes 0 to {MAX_RESAMPLES:,} resamples, not {resamples:,}",
            field="resamples",
        )
    x = np.asarray(spend, dtype=float)
    y = np.asarray(ret, dtype=float)
    n = len(x)
    used = x > 0 if weekly else np.ones(len(x), dtype=bool)  # fit_curve's months have spend
    base = fit_curve(channel, list(x[used]), list(y[used]))
    if kind == "hill" and n < 5:
        raise RoiInputError(
            f"{channel}: a Hill curve needs at least 5 points (there are {n}); use the log curve"
        )
    sx = max(float(x.mean()), 1e-9)
    sy = max(float(np.abs(y).mean()), 1e-9)
    xs, ys = x / sx, y / sy
    fits: dict[str, _Fit] = {}
    if not weekly and kind != "hill":
        fits["log"] = _Fit(
            "log",
            np.log([base.a / sy, base.b / sx]),
            float(np.sum((base.response(x) - y) ** 2)) / sy**2,
        )
    wanted = KINDS if kind == AUTO else (kind,)
    if "log" in wanted and "log" not in fits:
        fits["log"] = _best("log", xs, ys, weekly)
    if "hill" in wanted and (kind == "hill" or n >= MIN_HILL_POINTS):
        fits["hill"] = _best("hill", xs, ys, weekly)
    scores = {k: aicc(f.rss * sy**2, n, len(f.p)) for k, f in fits.items()}
    if kind != AUTO:
        chosen, selection = kind, "chosen by hand"
    elif "hill" not in fits:
        chosen, selection = "log", f"log: fewer than {MIN_HILL_POINTS} points, Hill not tried"
    else:
        chosen = "hill" if scores["hill"] < scores["log"] - AICC_MARGIN else "log"
        selection = (
            f"{chosen}: AICc log {scores['log']:.1f}, Hill {scores['hill']:.1f} "
            f"(Hill needs {AICC_MARGIN:g} lower)"
        )
    fit = fits[chosen]
    a, b, s = _monthly(chosen, fit.p[None, :], sx, sy, weekly)[0]
    theta = float(fit.p[-1]) if weekly else 0.0
    predicted = _predict(chosen, fit.p[None, :], xs, weekly)[0] * sy
    if chosen == "log" and not weekly:
        curve = base
    else:
        ss_res = float(np.sum((y - predicted) ** 2))
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        r_squared = 1 - ss_res / ss_tot if ss_tot > 0 else None
        curve = replace(
            base,
            a=float(a),
            b=float(b),
            r_squared=r_squared,
            rmse=float(np.sqrt(ss_res / n)),
            warnings=_warnings(base.warnings, r_squared, theta, months),
        )
    curve = replace(
        curve,
        kind=chosen,
        s=float(s),
        adstock=theta,
        granularity="week" if weekly else "month",
        points=n,
        months=months if months is not None else curve.months,
        selection=selection,
        max_x=float(x.max()) * (WEEKS_PER_MONTH if weekly else 1.0),
    )
    if resamples and n - len(fit.p) < MIN_FREEDOM:
        curve = replace(
            curve,
            warnings=(
                *curve.warnings,
                f"{n} points for {len(fit.p)} parameters: too few for an uncertainty band (it "
                f"needs at least {len(fit.p) + MIN_FREEDOM})",
            ),
        )
    elif resamples:
        rng = np.random.default_rng([seed, zlib.crc32(channel.encode())])
        curve = replace(
            curve,
            bootstrap=_bootstrap(
                chosen, xs, ys, fit.p, predicted / sy, weekly, resamples, rng, seed, sx, sy
            ),
        )
    return curve


def _warnings(
    old: tuple[str, ...], r_squared: float | None, theta: float, months: int | None
) -> tuple[str, ...]:
    """The log fit's warnings about the data, with the fit's own (R², θ at its limit)."""
    kept = [w for w in old if "explains little" not in w and "b is close to 0" not in w]
    if months is not None:
        kept = [w for w in kept if not w.startswith("only ")]
        if months < MIN_MONTHS:
            kept.append(
                f"only {months} months of history (fewer than {MIN_MONTHS}): "
                "treat the curve as a guess"
            )
    if r_squared is not None and r_squared < 0.3:
        kept.append(f"the curve explains little of the variation (R² {r_squared:.2f})")
    if theta >= MAX_ADSTOCK - 1e-6:
        kept.append(
            f"the carry-over θ is at its limit ({MAX_ADSTOCK:g}): the history cannot tell how "
            "long an effect lasts"
        )
    return tuple(kept)


def _refit(
    kind: str, x: np.ndarray, y: np.ndarray, start: np.ndarray, weekly: bool, steps: int = 25
) -> np.ndarray:
    """Levenberg-Marquardt on every row of ``y`` at once, from the fit ``start`` (a warm start:
    a resample lies close to the data), kept inside the same bounds as the fit. Vectorised over
    the rows: per step k + 1 predictions of all rows and a batch of k-by-k solves, where one
    ``least_squares`` call per resample would cost 200 times its set-up. ``start`` is one row
    of parameters for all, or one per row."""
    low, high = _limits(kind, weekly)
    rows, k = len(y), start.shape[-1]
    p = np.clip(np.broadcast_to(start, (rows, k)), low, high)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = _predict(kind, p, x, weekly) - y
        cost = np.sum(r**2, axis=1)
        damping = np.full(rows, 1e-3)
        jac = np.empty((rows, len(x), k))
        for _ in range(steps):
            h = 1e-6 * np.maximum(np.abs(p), 1.0)
            carried = adstock(x, p[:, -1]) if weekly else x[None, :]
            for j in range(k):
                moved = p.copy()
                moved[:, j] += h[:, j]
                at = adstock(x, moved[:, -1]) if weekly and j == k - 1 else carried
                jac[:, :, j] = (_curve(kind, moved, at) - y - r) / h[:, j : j + 1]
            jt = jac.transpose(0, 2, 1)
            jtj = jt @ jac
            grad = (jt @ r[:, :, None])[:, :, 0]
            diag = np.diagonal(jtj, axis1=1, axis2=2)
            system = jtj + (damping[:, None] * (diag + 1e-12))[:, :, None] * np.eye(k)
            bad = ~np.all(np.isfinite(system), axis=(1, 2))
            system[bad] = np.eye(k)
            step = np.linalg.solve(system, -np.nan_to_num(grad)[:, :, None])[:, :, 0]
            trial = np.clip(p + step, low, high)
            r_trial = _predict(kind, trial, x, weekly) - y
            cost_trial = np.sum(r_trial**2, axis=1)
            better = cost_trial < cost
            settled = np.all(~better | (cost - cost_trial <= 1e-12 * cost))
            p[better], r[better], cost[better] = trial[better], r_trial[better], cost_trial[better]
            damping = np.where(better, damping / 3.0, damping * 4.0)
            if settled:
                break
    return np.asarray(p, dtype=float)


def _bootstrap(
    kind: str,
    x: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    fitted: np.ndarray,
    weekly: bool,
    resamples: int,
    rng: np.random.Generator,
    seed: int,
    sx: float,
    sy: float,
) -> Bootstrap:
    residuals = y - fitted
    residuals = residuals - residuals.mean()
    draws = fitted[None, :] + rng.choice(residuals, size=(resamples, len(y)), replace=True)
    found = _refit(kind, x, draws, p, weekly)
    monthly = _monthly(kind, found, sx, sy, weekly)
    ok = np.all(np.isfinite(monthly), axis=1) & np.all(monthly[:, :2] > 0, axis=1)
    theta = found[:, -1] if weekly else np.zeros(resamples)
    return Bootstrap(seed, resamples, monthly[ok], theta[ok], failed=int((~ok).sum()))


# ---- bands ----------------------------------------------------------------------------------


def band(curve: Curve, xs: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The 10th and 90th percentile of the refitted curves at each amount of ``xs``; None for a
    curve without a bootstrap (entered by hand)."""
    boot = curve.bootstrap
    if boot is None or not len(boot.params):
        return None
    a, b, s = (boot.params[:, i : i + 1] for i in range(3))
    values = response(curve.kind, a, b, s, np.asarray(xs, dtype=float)[None, :])
    low, high = np.percentile(values, BAND, axis=0)
    return low, high


@dataclass(frozen=True)
class AllocationBand:
    """The allocation re-solved once per bootstrap resample (the refitted curves of resample j
    of every channel together; curves without a bootstrap stay as they are)."""

    seed: int
    resamples: int  # allocations solved
    failed: int  # resamples whose allocation failed (left out)
    recommended: dict[str, tuple[float, float]]  # channel → band of its recommended amount
    expected_return: dict[str, tuple[float, float]]  # the point split's return under each
    total_return: tuple[float, float]  # Σ of the point split's return under each resample
    percentiles: tuple[float, float] = BAND


def allocation_band(
    curves: Sequence[Curve],
    point: Allocation,
    solve: Callable[[list[Curve]], Allocation],
) -> AllocationBand | None:
    """10th-90th percentile of each channel's recommended amount when the allocation is
    re-solved with the refitted curves (``solve``: the same call, constraints and objective as
    the point allocation), and of the return the point recommendation would bring under them.
    None when no curve has a bootstrap."""
    boots = [c.bootstrap for c in curves if c.bootstrap is not None and len(c.bootstrap.params)]
    if not boots:
        return None
    count = max(len(b.params) for b in boots)
    names = [c.channel for c in curves]
    at = {s.channel: s.recommended for s in point.splits}
    recommended, returns, failed = [], [], 0
    for j in range(count):
        drawn = [c if c.bootstrap is None else c.bootstrap.curve(c, j) for c in curves]
        try:
            result = solve(drawn)
        except RoiInputError:
            failed += 1
            continue
        found = {s.channel: s.recommended for s in result.splits}
        recommended.append([found.get(n, 0.0) for n in names])
        returns.append([c.value(at.get(c.channel, 0.0)) for c in drawn])
    if not recommended:
        return None
    rec = np.percentile(np.array(recommended), BAND, axis=0)
    ret = np.percentile(np.array(returns), BAND, axis=0)
    total = np.percentile(np.array(returns).sum(axis=1), BAND)
    return AllocationBand(
        seed=boots[0].seed,
        resamples=len(recommended),
        failed=failed,
        recommended={n: (float(rec[0, i]), float(rec[1, i])) for i, n in enumerate(names)},
        expected_return={n: (float(ret[0, i]), float(ret[1, i])) for i, n in enumerate(names)},
        total_return=(float(total[0]), float(total[1])),
    )
