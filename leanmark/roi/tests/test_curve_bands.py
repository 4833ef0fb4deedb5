"""Hill and adstock curves fitted from the workspace's history, with their bootstrap bands, on
the allocation page, in the API and in the CLI (domain/curves.py)."""

import json
import re
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.roi import queries
from leanmark.roi.models import AllocationPlan, Spend

from .test_api import api  # noqa: F401 (the fixture)
from .test_views import revenue

runner = CliRunner()


def s_shaped_months(world, channel="email"):
    """Twelve months of spend on a Hill curve (top 10,000, k 2,000, s 2.5), 2 % noise."""
    first = timezone.localdate().replace(day=1)
    rng = np.random.default_rng(4)
    spend = rng.uniform(300, 6_000, 12).round(2)
    values = {}
    for k, amount in enumerate(spend, start=1):
        month = domain.add_months(first, -k)
        Spend.objects.create(
            workspace=world.acme, on=month, amount=str(amount), channel=channel, stage="repeat"
        )
        values[month] = round(
            float(curve_fits.hill(amount, 10_000, 2_000, 2.5)) * rng.normal(1, 0.02), 2
        )
    revenue(world, channel, "repeat", values)
    return spend


def carried_over_weeks(world, channel="seo", theta=0.5):
    """A year of weekly spend (on Mondays) whose return carries over with θ = 0.5."""
    today = timezone.localdate()
    start = domain.add_months(today.replace(day=1), -12)
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    end = today.replace(day=1) - timedelta(days=1)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    rng = np.random.default_rng(8)
    spend = (rng.uniform(0, 2_400, len(weeks)) * (rng.uniform(size=len(weeks)) > 0.2)).round(2)
    ret = curve_fits.hill(curve_fits.adstock(spend, theta), 3_000, 1_200, 1.5)
    ret = (ret * rng.normal(1, 0.02, len(weeks))).round(2)
    Spend.objects.bulk_create(
        Spend(workspace=world.acme, on=w, amount=str(x), channel=channel, stage="know")
        for w, x in zip(weeks, spend, strict=True)
        if x
    )
    revenue(world, channel, "know", dict(zip(weeks, ret, strict=True)))
    return weeks


def url(world):
    return reverse("roi-allocation", kwargs={"ws": world.acme.slug})


# ---- the fit from the workspace's history ---------------------------------------------------


def test_it_fits_hill_to_s_shaped_months_and_keeps_log_when_asked(world):
    s_shaped_months(world)
    today = timezone.localdate()
    auto = queries.curves(world.acme, unit="money", today=today).curves["email"]
    assert (auto.kind, auto.granularity, auto.points, auto.adstock) == ("hill", "month", 12, 0)
    assert auto.a == pytest.approx(10_000, rel=0.05)
    assert auto.b == pytest.approx(2_000, rel=0.05)
    assert auto.s == pytest.approx(2.5, rel=0.08)
    assert auto.bootstrap.seed == 1 and len(auto.bootstrap.params) == 200
    forced = queries.curves(world.acme, unit="money", today=today, model="log").curves["email"]
    assert (forced.kind, forced.selection) == ("log", "chosen by hand")


def test_it_fits_weekly_history_with_carry_over(world):
    weeks = carried_over_weeks(world)
    curve = queries.curves(world.acme, unit="money", today=timezone.localdate()).curves["seo"]
    assert (curve.granularity, curve.kind) == ("week", "hill")
    assert len(weeks) - 3 <= curve.points <= len(weeks)  # from the first week with spend
    assert curve.adstock == pytest.approx(0.5, abs=0.03)
    assert curve.s == pytest.approx(1.5, rel=0.1)
    assert curve.a == pytest.approx(3_000 * curve_fits.WEEKS_PER_MONTH, rel=0.06)


def test_monthly_spend_entries_are_not_read_as_weekly_history(world):
    s_shaped_months(world)
    assert queries.curves(world.acme, unit="money", today=timezone.localdate()).weeks["email"]
    curve = queries.curves(world.acme, unit="money", today=timezone.localdate()).curves["email"]
    assert curve.granularity == "month"  # 12 weeks with spend, fewer than 26


# ---- the page -------------------------------------------------------------------------------


def test_the_allocation_page_shows_the_hill_curve_and_the_range_of_each_split(world, client_for):
    s_shaped_months(world)
    carried_over_weeks(world)
    html = client_for(world.carol).get(url(world) + "?budget=8000&max_move=100").content.decode()
    view = queries.allocation(
        world.acme, unit="money", today=timezone.localdate(), budget=8000, max_move=1.0
    )
    assert "Range (10–90 %)" in html
    for split in view.allocation.splits:
        low, high = view.band.recommended[split.channel]
        assert low <= split.recommended <= high
        assert f'<td class="num range">{low:,.0f}–{high:,.0f}</td>' in html
    low, high = view.band.total_return
    expected = (
        f"<b>€{low:,.0f}–€{high:,.0f}</b>"
        "<small>8 times in 10 it falls here (10–90 % of 200 resamples)</small>"
    )
    assert expected in html
    theta = view.curves.curves["seo"].adstock
    assert "fitted to 12 months" in html and f"with carry-over θ {theta:.2f}" in html
    assert "band from 200 bootstrap resamples, seed 1" in html
    assert f"{theta:.0%} of a week's effect lasts into the next".replace("%", " %") in html
    assert "Range: 8 times in 10 the best amount for a channel falls between" in html
    assert "<sup>2.5" in html  # the Hill shape of email's curve, s ≈ 2.5


def test_the_page_draws_the_band_under_the_curves(world, client_for):
    s_shaped_months(world)
    response = client_for(world.carol).get(url(world) + "?budget=4000&model=hill")
    chart = response.context["curves_chart"]
    area = chart["layer"][0]
    assert area["mark"]["type"] == "area"
    assert {v["channel"] for v in area["data"]["values"]} == {"Email"}
    assert response.context["model"] == "hill"


def test_an_unknown_model_on_the_page_falls_back_to_the_best_fit(world, client_for):
    s_shaped_months(world)
    response = client_for(world.carol).get(url(world) + "?model=spline")
    assert response.status_code == 200
    assert response.context["model"] == "auto"


def test_a_stranger_still_cannot_see_the_allocation(world, client_for):
    s_shaped_months(world)
    assert client_for(world.mallory).get(url(world) + "?model=hill").status_code == 404


# ---- the API --------------------------------------------------------------------------------


def test_the_api_gives_each_split_its_range_and_each_curve_its_band(world, api):  # noqa: F811
    s_shaped_months(world)
    body = {"workspace": world.acme.slug}  # last month's total, each channel within ±20 %
    response = api(world.carol)("post", "/allocation", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["band"] == {"seed": 1, "resamples": 200, "failed": 0, "percentiles": [10, 90]}
    split = data["splits"][0]
    assert split["recommended_range"]["low"] <= split["recommended"]
    assert split["recommended"] <= split["recommended_range"]["high"]
    total = data["expected_return_range"]
    assert total["low"] < data["expected_return"] < total["high"]
    curve = data["curves"][0]
    assert (curve["kind"], curve["granularity"], curve["points"]) == ("hill", "month", 12)
    assert curve["band"]["a"]["low"] < curve["a"] < curve["band"]["a"]["high"]
    assert curve["band"]["adstock"] == {"low": 0.0, "high": 0.0}
    assert curve["selection"].startswith("hill: AICc log ")
    again = api(world.carol)("post", "/allocation", body).json()
    assert again == data  # the same seed, the same figures
    other = api(world.carol)("post", "/allocation", body | {"seed": 2}).json()
    assert other["curves"][0]["band"] != curve["band"]


def test_the_api_leaves_the_band_out_with_no_resamples(world, api):  # noqa: F811
    s_shaped_months(world)
    body = {"workspace": world.acme.slug, "resamples": 0}
    data = api(world.carol)("post", "/allocation", body).json()
    assert (data["band"], data["expected_return_range"]) == (None, None)
    assert data["splits"][0]["recommended_range"] is None
    assert data["curves"][0]["band"] is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"resamples": 5000}, "resamples: at most 1000"),
        ({"model": "spline"}, "model: "),
        ({"curves": {"email": {"a": 1, "b": 1, "kind": "hill", "s": 0}}}, "curves.email.s: "),
    ],
)
def test_the_api_refuses_bad_band_options(world, api, extra, message):  # noqa: F811
    response = api(world.carol)("post", "/allocation", {"workspace": world.acme.slug} | extra)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


def test_the_api_takes_hill_curves_for_one_request(world, api):  # noqa: F811
    """Two Hill curves with s = 1: x_i = √(top_i·k_i/λ) - k_i (the closed form)."""
    curves = {
        "email": {"a": 10_000, "b": 2_000, "kind": "hill", "s": 1},
        "seo": {"a": 6_000, "b": 1_000, "kind": "hill", "s": 1},
    }
    body = {"workspace": world.acme.slug, "budget": 6_000, "curves": curves}
    data = api(world.carol)("post", "/allocation", body).json()
    root = np.sqrt([10_000 * 2_000, 6_000 * 1_000])
    expected = root * (6_000 + 3_000) / root.sum() - np.array([2_000, 1_000])
    splits = {s["channel"]: s["recommended"] for s in data["splits"]}
    assert [splits["email"], splits["seo"]] == pytest.approx(expected, abs=0.05)
    assert data["band"] is None  # curves given by hand have no bootstrap
    assert {c["formula"] for c in data["curves"]} == {
        "10000·x^1 ÷ (x^1 + 2000^1)",
        "6000·x^1 ÷ (x^1 + 1000^1)",
    }


# ---- the CLI --------------------------------------------------------------------------------


def test_the_cli_prints_the_range_column_and_the_return_range(world):
    s_shaped_months(world)
    result = runner.invoke(app, ["allocate", "-w", "acme"])
    assert result.exit_code == 0, result.output
    data = json.loads(runner.invoke(app, ["allocate", "--json", "-w", "acme"]).stdout)
    r = data["expected_return_range"]
    assert (
        f"Range of the expected return: {r['low']:,.0f}–{r['high']:,.0f}. A range is the 10th to "
        "90th percentile over 200 bootstrap resamples (seed 1)." in result.stdout
    )
    rec = data["splits"][0]["recommended_range"]
    assert f"Range of each recommendation: email {rec['low']:,.0f}–{rec['high']:,.0f}\n" in (
        result.stdout
    )
    assert "email: " in result.stdout and "fitted to 12 months (hill: AICc log" in result.stdout


def test_the_cli_refuses_an_unknown_model_and_too_many_resamples(world):
    result = runner.invoke(app, ["allocate", "--model", "spline", "-w", "acme"])
    assert result.exit_code == 1 and "the curve model is auto, log or hill, not 'spline'" in (
        result.stderr
    )
    s_shaped_months(world)
    result = runner.invoke(app, ["allocate", "--resamples", "5000", "-w", "acme"])
    assert result.exit_code == 1
    assert "the bootstrap takes 0 to 1,000 resamples, not 5,000" in result.stderr


def test_the_cli_takes_a_hill_curve_by_hand(world):
    result = runner.invoke(
        app,
        ["allocate", "--budget", "6000", "--curve", "email=10000,2000,1", "--curve",
         "seo=6000,1000,1", "--json", "-w", "acme"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    splits = {s["channel"]: s["recommended"] for s in json.loads(result.stdout)["splits"]}
    root = np.sqrt([10_000 * 2_000, 6_000 * 1_000])
    expected = root * 9_000 / root.sum() - np.array([2_000, 1_000])
    assert [splits["email"], splits["seo"]] == pytest.approx(expected, abs=0.05)


def test_a_saved_plan_keeps_the_hill_curve_it_was_computed_with(world, client_for):
    s_shaped_months(world)
    client = client_for(world.bob)
    month = domain.add_months(timezone.localdate().replace(day=1), 1).strftime("%Y-%m")
    form = {"unit": "money", "budget": "4000", "max_move": "100", "month": month}
    client.post(reverse("roi-plan-save", kwargs={"ws": world.acme.slug}), form)
    line = AllocationPlan.objects.get().lines.get()
    curve = queries.curves(world.acme, unit="money", today=timezone.localdate()).curves["email"]
    assert (line.curve_kind, line.curve_s, line.curve_a) == ("hill", curve.s, curve.a)
    plan = reverse("roi-plan", kwargs={"ws": world.acme.slug, "plan_id": line.plan_id})
    html = client.get(plan).content.decode()
    assert line.formula in html and "÷ (x^" in line.formula


def test_the_api_gives_the_same_figures_for_the_same_history_and_seed(world, api):  # noqa: F811
    """The fit, its band and the range are deterministic: these are the figures of
    ``s_shaped_months`` with seed 1 (Hill top 10,000, k 2,000, s 2.5 generated)."""
    s_shaped_months(world)
    body = {"workspace": world.acme.slug, "budget": 4000, "max_move": 1}
    data = api(world.carol)("post", "/allocation", body).json()
    curve = data["curves"][0]
    assert curve["selection"] == "hill: AICc log 163.4, Hill 125.3 (Hill needs 2 lower)"
    assert curve["formula"] == "9859.14·x^2.51 ÷ (x^2.51 + 1968.81^2.51)"
    assert (curve["a"], curve["b"], curve["s"]) == pytest.approx(
        (9859.14, 1968.81, 2.5128), abs=0.01
    )
    band = curve["band"]
    assert (band["a"]["low"], band["a"]["high"]) == pytest.approx((9687.14, 10021.92), abs=0.05)
    assert (band["s"]["low"], band["s"]["high"]) == pytest.approx((2.3993, 2.665), abs=1e-3)
    assert data["expected_return"] == pytest.approx(8437.97, abs=0.01)
    total = data["expected_return_range"]
    assert (total["low"], total["high"]) == pytest.approx((8377.47, 8501.36), abs=0.05)


# ---- the fitted curves and their range are cached by what they depend on ----------------------


def test_a_warm_allocation_page_reads_the_data_marker_not_the_history(
    world, client_for, django_assert_num_queries
):
    s_shaped_months(world)
    client = client_for(world.carol)
    first = client.get(url(world) + "?budget=8000").content.decode()
    with django_assert_num_queries(10):
        again = client.get(url(world) + "?budget=8000").content.decode()
    figures = re.compile(r'<td class="num[^"]*">[^<]*</td>')
    assert figures.findall(again) == figures.findall(first) != []


def test_a_new_spend_row_refits_the_curves(world):
    s_shaped_months(world)
    today = timezone.localdate()
    before = queries.curves(world.acme, unit="money", today=today)
    assert queries.curves(world.acme, unit="money", today=today).key == before.key
    Spend.objects.create(
        workspace=world.acme,
        on=domain.add_months(today.replace(day=1), -1),
        amount="900",
        channel="email",
        stage="repeat",
        campaign="test",
    )
    after = queries.curves(world.acme, unit="money", today=today)
    assert after.key != before.key
    assert after.history["email"][-1].x == before.history["email"][-1].x + 900


def test_an_edited_amount_refits_the_curves(world):
    s_shaped_months(world)
    today = timezone.localdate()
    before = queries.curves(world.acme, unit="money", today=today)
    Spend.objects.filter(workspace=world.acme).update(amount=100)
    after = queries.curves(world.acme, unit="money", today=today)
    assert after.key != before.key
    assert {m.x for m in after.history["email"]} == {100}


def test_one_workspace_is_never_served_another_ones_curves(world):
    s_shaped_months(world)
    today = timezone.localdate()
    assert "email" in queries.curves(world.acme, unit="money", today=today).curves
    other = queries.curves(world.evil, unit="money", today=today)
    assert (
        other.curves == {}
        and other.key != queries.curves(world.acme, unit="money", today=today).key
    )


def test_a_what_if_change_shows_the_split_at_once_and_fetches_its_range_after(world, client_for):
    s_shaped_months(world)
    client = client_for(world.carol)
    html = client.get(url(world) + "?budget=7000", HTTP_HX_REQUEST="true").content.decode()
    view = queries.allocation(
        world.acme, unit="money", today=timezone.localdate(), budget=7000, with_band=False
    )
    assert view.band is None and view.band_pending
    assert '<td class="num range muted">…</td>' in html
    assert 'id="band-loader"' in html and "budget=7000&amp;band=1" in html
    later = client.get(url(world) + "?budget=7000&band=1", HTTP_HX_REQUEST="true")
    full = queries.allocation(world.acme, unit="money", today=timezone.localdate(), budget=7000)
    low, high = full.band.recommended["email"]
    assert f'<td class="num range">{low:,.0f}–{high:,.0f}</td>' in later.content.decode()
    assert 'id="band-loader"' not in later.content.decode()
    # once worked out, the same what-if is answered with its range at once
    again = client.get(url(world) + "?budget=7000", HTTP_HX_REQUEST="true").content.decode()
    assert f'<td class="num range">{low:,.0f}–{high:,.0f}</td>' in again


def test_a_changed_measurement_refits_the_curves(world):
    from django.db.models import F

    from leanmark.dashboard import queries as dashboard_queries

    s_shaped_months(world)
    today = timezone.localdate()
    before = queries.curves(world.acme, unit="money", today=today)
    measurements = {n: rows for n, rows, *_ in dashboard_queries.marker_rows(world.acme.pk)}
    assert measurements["measure"].update(value=F("value") * 2) == 12
    after = queries.curves(world.acme, unit="money", today=today)
    assert after.key != before.key
    assert after.curves["email"].a == pytest.approx(2 * before.curves["email"].a, rel=1e-3)
