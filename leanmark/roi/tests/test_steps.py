"""Bounded allocation steps you can act on (issue 23, item 8): the step limit and the objectives
on the page, API and CLI; the moves turned into test cards; their results refitting the curve.

Reference: hand-entered curves email 1000·ln(1 + x/100) and seo 2000·ln(1 + x/300), last month's
split 800 / 200. Within ±20 % seo is held at 240 and email takes 760 of the 1,000 (see
leanmark/domain/tests/test_roi_steps.py); the moves are -40 on email and +40 on seo.
"""

import json
import math
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.board.models import Card
from leanmark.domain import roi as domain
from leanmark.lib import formats
from leanmark.roi import queries, services
from leanmark.roi.models import AllocationPlan, AllocationStep
from leanmark.roi.services import SpendIn


def url(world, name, **kwargs):
    return reverse(name, kwargs={"ws": world.acme.slug, **kwargs})


def last_month():
    return domain.add_months(timezone.localdate().replace(day=1), -1)


@pytest.fixture
def today_split(world):
    """The hand-entered curves and last month's spend of 800 on email and 200 on seo."""
    services.save_curve(world.acme, channel="email", unit="money", a=1000, b=100, actor=world.bob)
    services.save_curve(world.acme, channel="seo", unit="money", a=2000, b=300, actor=world.bob)
    for channel, amount in (("email", "800"), ("seo", "200")):
        entry = SpendIn(on=last_month(), amount=amount, channel=channel, stage="know")
        services.record_spend(world.acme, entry, actor=world.bob)


STEPS = {
    "unit": "money",
    "budget": "1000",
    "max_move": "20",
    "check": "before_after",
    "starts_on": "2027-01-01",
    "ends_on": "2027-01-31",
}


# ---- the page ---------------------------------------------------------------------------------


def test_the_page_holds_each_channel_within_twenty_percent_of_today(world, client_for, today_split):
    html = client_for(world.carol).get(url(world, "roi-allocation")).content.decode()
    assert "<b>760</b>" in html and "<b>240</b>" in html
    assert "step limit</span>" in html  # seo is held by it
    assert 'name="max_move" value="20"' in html


def test_a_step_limit_of_100_percent_gives_the_free_optimum(world, client_for, today_split):
    html = client_for(world.carol).get(url(world, "roi-allocation") + "?max_move=100").content
    assert b"<b>367</b>" in html and b"<b>633</b>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("max_move=120", "the step limit must be between 0 and 100"),
        ("budget=500", "the budget (500) is below what steps of at most ±20 % from today&#x27;s "
                       "split allow (at least 800)"),
        ("objective=roas", "give the target ROAS (a number above 0)"),
        ("objective=roas&target=30", "no split with steps of at most ±20 % reaches a ROAS of 30: "
                                     "the best achievable is 3.61"),
        ("objective=cpa&target=50", "the CPA objective needs new-customer history per channel"),
        ("objective=fame", "the objective is one of return, roas, cpa, not &#x27;fame&#x27;"),
    ],
)  # fmt: skip
def test_impossible_steps_and_targets_say_why(world, client_for, today_split, query, message):
    response = client_for(world.carol).get(url(world, "roi-allocation") + "?" + query)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_target_roas_spends_what_keeps_the_roas_at_the_target(world, client_for, today_split):
    html = (
        client_for(world.carol)
        .get(url(world, "roi-allocation") + "?objective=roas&target=3")
        .content.decode()
    )
    assert "<b>929</b>" in html and "<b>240</b>" in html  # 928.87 and the step limit's 240
    assert "the most spend whose expected ROAS stays at 3 or higher: 1,168.87" in html
    assert "<b>3.00</b>" in html and "target 3" in html


# ---- test cards ---------------------------------------------------------------------------------


def test_each_move_becomes_a_test_card_with_its_check(world, client_for, today_split):
    data = STEPS | {"board": world.board.pk}
    response = client_for(world.bob).post(url(world, "roi-steps-create"), data, follow=True)
    assert response.status_code == 200
    steps = {s.channel: s for s in AllocationStep.objects.all()}
    assert set(steps) == {"email", "seo"}
    email, seo = steps["email"], steps["seo"]
    assert (email.card.title, seo.card.title) == ("Test: −€40 on Email", "Test: +€40 on SEO")
    assert (email.card.channel, email.card.board, email.card.column.name) == (
        "email", world.board, "Ready"
    )  # fmt: skip
    # the expected change in return: 2000·(ln 1.8 - ln(5/3)) = 153.92
    assert round(2000 * (math.log(1.8) - math.log(5 / 3)), 2) == 153.92
    assert seo.expected_return_change == Decimal("153.92")
    link = reverse("roi-step", kwargs={"ws": world.acme.slug, "step_id": seo.pk})
    assert seo.card.description == (
        f"A step of the allocation run **Plan for January 2027**: seo from €200 to €240 a month "
        f"(+€40). Expected change in return: +€154 a month, on the curve 2,000·ln(1 + x/300) "
        f"(manual).\n\n"
        f"**Check (before and after):** make the change from 2027-01-01 to 2027-01-31 (31 days) "
        f"and compare with the same 31 days before, 2026-12-01 to 2026-12-31, at today's €200 a "
        f"month.\n\n"
        f"When the window is over, record the spend and return seo saw in it on "
        f"[the step's page]({link}); the channel's curve is then refitted with that point."
    )
    plan = AllocationPlan.objects.get()
    assert (plan.objective, str(plan.max_move), plan.month) == (
        "return",
        "0.2000",
        date(2027, 1, 1),
    )
    assert "2 test card(s) on Marketing" in response.content.decode()


def test_a_holdout_card_states_the_share_kept_at_todays_spend(world, client_for, today_split):
    data = STEPS | {"board": world.board.pk, "check": "holdout", "holdout_share": "25"}
    client_for(world.bob).post(url(world, "roi-steps-create"), data)
    card = AllocationStep.objects.get(channel="email").card
    assert (
        "**Check (holdout):** from 2027-01-01 to 2027-01-31 (31 days) keep 25 % of email's "
        "audience or regions at today's €800 a month and make the change on the other 75 %"
    ) in card.description


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"board": ""}, "choose the board the test cards go on"),
        ({"check": "vibes"}, "the check is holdout or before_after"),
        ({"ends_on": "2026-12-01"}, "the test window ends (2026-12-01) before it starts"),
        ({"check": "holdout", "holdout_share": "95"}, "the holdout share is between 1 % and 90 %"),
        ({"check": "holdout"}, "a holdout needs the share of the channel kept at today"),
        ({"max_move": "0"}, "the recommendation moves no channel, so there is nothing to test"),
    ],
)
def test_bad_test_steps_are_refused_and_nothing_is_created(
    world, client_for, today_split, change, message
):
    data = STEPS | {"board": world.board.pk} | change
    response = client_for(world.bob).post(url(world, "roi-steps-create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not AllocationStep.objects.exists() and not Card.objects.exists()
    assert not AllocationPlan.objects.exists()


def test_another_workspaces_board_is_refused(world, client_for, today_split):
    data = STEPS | {"board": world.evil_board.pk}
    response = client_for(world.bob).post(url(world, "roi-steps-create"), data)
    assert response.status_code == 422
    assert not Card.objects.exists()


def test_a_viewer_cannot_create_test_cards_and_an_outsider_sees_nothing(
    world, client_for, today_split
):
    data = STEPS | {"board": world.board.pk}
    assert client_for(world.carol).post(url(world, "roi-steps-create"), data).status_code == 403
    assert client_for(world.mallory).post(url(world, "roi-steps-create"), data).status_code == 404
    assert not AllocationStep.objects.exists()


# ---- results and the refit ----------------------------------------------------------------------


@pytest.fixture
def seo_step(world, client_for, today_split):
    client_for(world.bob).post(url(world, "roi-steps-create"), STEPS | {"board": world.board.pk})
    return AllocationStep.objects.get(channel="seo")


def test_a_result_refits_the_channels_curve_with_that_point(world, client_for, seo_step):
    page = url(world, "roi-step", step_id=seo_step.pk)
    response = client_for(world.bob).post(page, {"spend": "248", "return": "1550"}, follow=True)
    assert response.status_code == 200
    step = AllocationStep.objects.get(pk=seo_step.pk)
    # the history (last month: 200 spent, nothing returned) and the test, scaled to a month
    scale = 30.4375 / 31
    expected = domain.fit_curve("seo", [200.0, 248 * scale], [0.0, 1550 * scale])
    assert (step.refit_a, step.refit_b) == pytest.approx((expected.a, expected.b), rel=1e-9)
    assert step.refit_points == 2
    assert queries.observations(world.acme, unit="money") == {
        "seo": [pytest.approx((248 * scale, 1550 * scale))]
    }
    html = response.content.decode()
    assert "2,000·ln(1 + x/300)" in html  # the curve before
    assert f"<b>{formats.significant(expected.a)}</b>" in html  # and after
    assert "has a curve entered by hand, which the allocation keeps using" in html
    card = Card.objects.get(pk=step.card_id)
    assert "**Result (" in card.description and "€248 spent and €1,550 returned" in card.description


def test_a_fitted_curve_reads_the_measured_steps(world, client_for, seo_step):
    from leanmark.roi.models import ChannelCurve

    ChannelCurve.objects.filter(channel="seo").delete()  # seo's curve is fitted from now on
    client_for(world.bob).post(
        url(world, "roi-step", step_id=seo_step.pk), {"spend": "248", "return": "1550"}
    )
    found = queries.curves(world.acme, unit="money", today=timezone.localdate())
    scale = 30.4375 / 31
    expected = domain.fit_curve("seo", [200.0, 248 * scale], [0.0, 1550 * scale])
    assert (found.curves["seo"].a, found.curves["seo"].b) == pytest.approx((expected.a, expected.b))
    assert found.current["seo"] == 200.0  # the observation is not today's split


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"spend": "", "return": "10"}, "the observed spend is missing"),
        ({"spend": "-5", "return": "10"}, "the observed spend cannot be negative (it is -5)"),
        ({"spend": "5", "return": "lots"}, "the observed return &#x27;lots&#x27; is not a number"),
    ],
)
def test_a_bad_result_is_refused_and_nothing_recorded(world, client_for, seo_step, data, message):
    response = client_for(world.bob).post(url(world, "roi-step", step_id=seo_step.pk), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert AllocationStep.objects.get(pk=seo_step.pk).observed_spend is None


def test_a_viewer_reads_a_step_but_cannot_record_its_result(world, client_for, seo_step):
    page = url(world, "roi-step", step_id=seo_step.pk)
    assert client_for(world.carol).get(page).status_code == 200
    assert client_for(world.carol).post(page, {"spend": "1", "return": "1"}).status_code == 403
    assert client_for(world.mallory).get(page).status_code == 404
    assert client_for(world.bob).get(url(world, "roi-step", step_id=999_999)).status_code == 404


def test_the_allocation_page_lists_the_steps_with_old_and_new_curves(world, client_for, seo_step):
    client_for(world.bob).post(
        url(world, "roi-step", step_id=seo_step.pk), {"spend": "248", "return": "1550"}
    )
    html = client_for(world.carol).get(url(world, "roi-allocation")).content.decode()
    assert 'id="steps-table"' in html
    assert "Test: +€40 on SEO" in html and "Test: −€40 on Email" in html
    assert "2,000·ln(1 + x/300) → <b>" in html


# ---- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(client_for, token_for):
    def make(user):
        client, headers = client_for(None), {"Authorization": f"Bearer {token_for(user)}"}

        def call(method, path, body=None):
            kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
            return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)

        return call

    return make


def test_post_allocation_keeps_to_the_step_limit_and_reports_it(world, api, today_split):
    body = api(world.carol)("post", "/allocation", {"workspace": world.acme.slug}).json()
    splits = {s["channel"]: s for s in body["splits"]}
    assert (splits["email"]["recommended"], splits["seo"]["recommended"]) == (760.0, 240.0)
    assert (splits["email"]["change"], splits["seo"]["change"]) == (-40.0, 40.0)
    assert (splits["email"]["step_bound"], splits["seo"]["step_bound"]) == (False, True)
    assert (body["objective"], body["max_move"], body["total"]) == ("return", 0.2, 1000.0)
    assert body["method"].endswith("; each channel within ±20 % of today")


def test_post_allocation_reaches_a_target_roas(world, api, today_split):
    body = api(world.carol)(
        "post", "/allocation",
        {"workspace": world.acme.slug, "objective": "roas", "target": 3, "max_move": 1},
    ).json()  # fmt: skip
    splits = {s["channel"]: s["recommended"] for s in body["splits"]}
    assert splits == {
        "email": pytest.approx(584.31, abs=0.01),
        "seo": pytest.approx(1068.62, abs=0.01),
    }
    assert body["roas"] == 3.0 and body["total"] == pytest.approx(1652.93, abs=0.01)
    assert (body["objective"], body["target"], body["max_move"]) == ("roas", 3.0, 1.0)


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"objective": "roas", "target": 30}, 422,
         "no split with steps of at most ±20 % reaches a ROAS of 30: the best achievable is 3.61"),
        ({"objective": "roas"}, 422, "give the target ROAS (return per unit spent), a number "
                                     "above 0"),
        ({"budget": 500}, 422, "the budget (500) is below what steps of at most ±20 % from "
                               "today's"),
        ({"max_move": 2}, 422, "invalid input (max_move: at most 1)"),
    ],
)  # fmt: skip
def test_impossible_targets_and_steps_are_422s(world, api, today_split, extra, status, message):
    response = api(world.carol)("post", "/allocation", {"workspace": world.acme.slug} | extra)
    assert response.status_code == status
    assert message in json.dumps(response.json()["error"], ensure_ascii=False)


API_STEPS = {
    "check": "holdout",
    "holdout_share": "0.2",
    "starts_on": "2027-01-01",
    "ends_on": "2027-01-31",
    "name": "January tests",
}


def test_the_api_creates_test_cards_and_records_a_result(world, api, today_split):
    bob = api(world.bob)
    path = f"/workspaces/{world.acme.slug}/allocation/steps"
    created = bob("post", path, API_STEPS | {"board_id": world.board.pk})
    assert created.status_code == 201
    steps = {s["channel"]: s for s in created.json()["steps"]}
    seo = steps["seo"]
    assert seo["card_title"] == "Test: +€40 on SEO"
    assert (seo["current"], seo["recommended"], seo["change"]) == ("200.00", "240.00", "40.00")
    assert (seo["check"], seo["holdout_share"], seo["compared_with"]) == ("holdout", "0.2000", None)
    assert seo["curve"] == {
        "kind": "log", "a": 2000.0, "b": 300.0, "s": 1.0, "formula": "2,000·ln(1 + x/300)"
    }  # fmt: skip
    assert seo["result"] is None and seo["refit"] is None
    plan = AllocationPlan.objects.get(pk=created.json()["plan_id"])
    assert plan.name == "January tests"
    answered = bob("post", f"{path}/{seo['id']}/result", {"spend": "248", "return": "1550"})
    assert answered.status_code == 200
    body = answered.json()
    assert body["result"]["spend"] == "248.00" and body["result"]["return"] == "1550.00"
    scale = 30.4375 / 31
    expected = domain.fit_curve("seo", [200.0, 248 * scale], [0.0, 1550 * scale])
    assert body["refit"]["curve"]["a"] == pytest.approx(expected.a, rel=1e-9)
    assert body["refit"]["points"] == 2
    listed = bob("get", path).json()
    assert [s["channel"] for s in listed] == ["seo", "email"]  # newest first
    assert bob("get", f"{path}/{seo['id']}").json() == body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"board_id": 999_999}, "no board 999999 in this workspace"),
        ({"check": "holdout", "holdout_share": None}, "a holdout needs the share"),
        ({"ends_on": "2026-12-31"}, "the test window ends (2026-12-31) before it starts"),
        ({"max_move": 0}, "the recommendation moves no channel"),
    ],
)
def test_bad_api_steps_are_422s_and_create_nothing(world, api, today_split, change, message):
    body = API_STEPS | {"board_id": world.board.pk} | change
    response = api(world.bob)("post", f"/workspaces/{world.acme.slug}/allocation/steps", body)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]
    assert not AllocationStep.objects.exists() and not Card.objects.exists()


def test_the_api_checks_roles_on_steps(world, api, today_split):
    path = f"/workspaces/{world.acme.slug}/allocation/steps"
    body = API_STEPS | {"board_id": world.board.pk}
    assert api(world.carol)("post", path, body).status_code == 403
    assert api(world.mallory)("post", path, body).status_code == 404
    api(world.bob)("post", path, body)
    step = AllocationStep.objects.get(channel="seo")
    result = {"spend": "1", "return": "1"}
    assert api(world.carol)("post", f"{path}/{step.pk}/result", result).status_code == 403
    assert api(world.mallory)("get", f"{path}/{step.pk}").status_code == 404
    assert api(world.mallory)("get", path).status_code == 404
    assert api(world.carol)("get", f"{path}/{step.pk}").status_code == 200
    negative = api(world.bob)("post", f"{path}/{step.pk}/result", {"spend": "-1", "return": "1"})
    assert negative.status_code == 422


# ---- the CLI -------------------------------------------------------------------------------------


def cli(*args):
    from typer.testing import CliRunner

    from leanmark.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_allocate_keeps_to_the_step_limit_from_the_cli(world, today_split):
    result = cli("allocate", "-w", "acme", "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert [s["recommended"] for s in body["splits"]] == [760.0, 240.0]
    text = cli("allocate", "-w", "acme", "--objective", "roas", "--target", "3").stdout
    assert "Spend 1,169, expected ROAS 3.00; steps of at most ±20 %" in text
    assert "step limit" in text


def test_allocate_refuses_a_step_limit_above_one(world, today_split):
    result = cli("allocate", "-w", "acme", "--max-move", "1.5")
    assert result.exit_code == 1
    assert "--max-move is a share from 0 to 1 (0.2 for ±20 %), not 1.5" in result.stderr


def test_steps_create_list_and_result_from_the_cli(world, today_split):
    created = cli(
        "roi", "steps", "create", "-w", "acme", "--board", world.board.pk,
        "--check", "before_after", "--from", "2027-01-01", "--to", "2027-01-31",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    email, seo = (
        AllocationStep.objects.get(channel="email"),
        AllocationStep.objects.get(channel="seo"),
    )
    assert created.stdout == (
        "2 test card(s) on Marketing; the run is saved as 'Plan for January 2027'.\n"
        f"Step {email.pk}: #{email.card.number} Test: −€40 on Email · before_after "
        "2027-01-01..2027-01-31\n"
        f"Step {seo.pk}: #{seo.card.number} Test: +€40 on SEO · before_after "
        "2027-01-01..2027-01-31\n"
    )
    recorded = cli(
        "roi", "steps", "result", seo.pk, "--spend", "248", "--return", "1550", "-w", "acme"
    )
    assert recorded.exit_code == 0, recorded.stderr
    scale = 30.4375 / 31
    expected = domain.fit_curve("seo", [200.0, 248 * scale], [0.0, 1550 * scale])
    assert recorded.stdout == (
        f"Step {seo.pk} on seo: result recorded; curve 2,000·ln(1 + x/300) → "
        f"{formats.significant(expected.a)}·ln(1 + x/{formats.significant(expected.b)}) "
        "(2 points).\n"
    )
    listed = json.loads(cli("roi", "steps", "list", "-w", "acme", "--json").stdout)
    assert [s["channel"] for s in listed] == ["seo", "email"]
    assert listed[0]["result"]["return"] == "1550.00"


def test_steps_result_of_an_unknown_step_says_where_the_ids_are(world):
    result = cli("roi", "steps", "result", "999", "--spend", "1", "--return", "1", "-w", "acme")
    assert result.exit_code == 1
    assert "no test step 999 in acme; `leanmark roi steps list` shows the ids" in result.stderr


def test_steps_create_on_an_unknown_board_fails(world, today_split):
    result = cli(
        "roi", "steps", "create", "-w", "acme", "--board", "999999", "--check", "before_after",
        "--from", "2027-01-01", "--to", "2027-01-31",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "no board 999999 in acme" in result.stderr
    assert not AllocationStep.objects.exists()


def test_listing_steps_reads_the_same_number_of_queries_whatever_their_count(
    world, api, client_for, today_split
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bob = api(world.bob)
    path = f"/workspaces/{world.acme.slug}/allocation/steps"
    counts = []
    for _ in range(2):  # 2 steps, then 4
        bob("post", path, API_STEPS | {"board_id": world.board.pk})
        with CaptureQueriesContext(connection) as api_read:
            assert bob("get", path).status_code == 200
        with CaptureQueriesContext(connection) as page_read:
            client_for(world.carol).get(url(world, "roi-allocation") + "?max_move=100")
        counts.append((len(api_read), len(page_read)))
    assert counts[0] == counts[1]
    assert AllocationStep.objects.count() == 4


# ---- the CPA objective with imported new customers -----------------------------------------------


def test_a_target_cpa_uses_customer_curves_fitted_from_the_imported_months(
    world, client_for, today_split, monkeypatch
):
    from leanmark.domain import roi_steps

    months = [domain.add_months(last_month(), -k) for k in (2, 1)]  # two more months of spend
    for month, (email, seo) in zip(months, ((600, 100), (700, 150)), strict=True):
        for channel, amount in (("email", email), ("seo", seo)):
            entry = SpendIn(on=month, amount=str(amount), channel=channel, stage="know")
            services.record_spend(world.acme, entry, actor=world.bob)
    spend = {"email": [600, 700, 800], "seo": [100, 150, 200]}
    counted = {"email": [18, 20, 22], "seo": [11, 16, 20]}  # new customers in those months
    by_month = {
        month: {c: counted[c][i] for c in counted}
        for i, month in enumerate([*months, last_month()])
    }
    monkeypatch.setattr(
        queries.channeldata_queries,
        "new_customers_by_channel",
        lambda workspace, *, start, end: by_month.get(start, {}),
    )
    found = queries.curves(world.acme, unit="money", today=timezone.localdate())
    fitted = {c: domain.fit_curve(c, spend[c], counted[c]) for c in spend}
    assert {c: (k.a, k.b) for c, k in queries.customer_curves(
        world.acme, found, today=timezone.localdate()
    ).items()} == {c: (k.a, k.b) for c, k in fitted.items()}  # fmt: skip
    expected = roi_steps.recommend(
        list(found.curves.values()), 0, current={"email": 800.0, "seo": 200.0},
        objective="cpa", target=24, customers=list(fitted.values()),
    )  # fmt: skip
    assert expected.cpa == pytest.approx(24, abs=1e-6)  # email 879.07, seo held at 240
    assert [s.recommended for s in expected.splits] == pytest.approx([879.07, 240], abs=0.01)
    html = (
        client_for(world.carol)
        .get(url(world, "roi-allocation") + "?objective=cpa&target=24")
        .content.decode()
    )
    for split in expected.splits:
        assert f"<b>{formats.whole(split.recommended)}</b>" in html
    assert 'id="alloc-cpa"' in html and "<b>€24</b>" in html
