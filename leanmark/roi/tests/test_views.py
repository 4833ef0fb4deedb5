from datetime import date
from decimal import Decimal as D  # noqa: N817 (short in tables of reference values)

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leanmark.board import services as board_services
from leanmark.dashboard import services as dashboard
from leanmark.domain import roi as domain
from leanmark.roi import services
from leanmark.roi.models import AllocationPlan, MemberCost, Spend, TimeLog
from leanmark.roi.services import SpendIn


def url(world, name, **kwargs):
    return reverse(name, kwargs={"ws": world.acme.slug, **kwargs})


@pytest.fixture
def card(world):
    card = board_services.create_card(
        world.board, title="Summer newsletter", column=world.column("Ready"), actor=world.bob
    )
    return board_services.edit_card(
        card,
        changes={"stage": "repeat", "channel": "email"},
        expected_version=None,
        actor=world.bob,
    )


def revenue(world, channel, stage, values):
    """Revenue measurements on the dashboard: {date: amount}."""
    key = f"revenue-{channel}"
    dashboard.create_metric(
        world.acme,
        name=f"Revenue {channel}",
        key=key,
        kind="output",
        stage=stage,
        channel=channel,
        is_revenue=True,
    )
    rows = [
        dashboard.RowIn(i + 2, key, day, float(value), channel)
        for i, (day, value) in enumerate(values.items())
    ]
    dashboard.upsert_measurements(world.acme, rows, source="web")


# ---- hourly costs are the owner's --------------------------------------------------------------


def test_the_hourly_cost_is_hidden_from_members_and_viewers(world, client_for, card):
    services.set_hourly_cost(world.acme, world.bob, "47.35", actor=world.alice)
    services.log_time(card, member=world.bob, on="2026-07-01", hours="2", actor=world.bob)
    owner = client_for(world.alice).get(url(world, "roi-settings"))
    assert owner.status_code == 200 and 'value="47.35"' in owner.content.decode()
    for person in (world.bob, world.carol):
        client = client_for(person)
        assert client.get(url(world, "roi-settings")).status_code == 403
        for page in (
            url(world, "roi"),
            url(world, "roi-time"),
            reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}),
        ):
            html = client.get(page).content.decode()
            assert "47.35" not in html, page
            assert "Settings &amp; hourly costs" not in html
        api = client.get(f"/api/v1/workspaces/{world.acme.slug}/hourly-costs")
        assert api.status_code == 403


def test_a_member_cannot_set_an_hourly_cost(world, client_for):
    response = client_for(world.bob).post(
        url(world, "roi-hourly-cost", user_id=world.bob.pk), {"hourly_cost": "100"}
    )
    assert response.status_code == 403
    assert not MemberCost.objects.exists()


def test_a_bad_hourly_cost_is_refused_and_the_input_kept(world, client_for):
    response = client_for(world.alice).post(
        url(world, "roi-hourly-cost", user_id=world.bob.pk), {"hourly_cost": "-3"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "the hourly cost cannot be negative (it is -3)" in html
    assert 'value="-3"' in html


# ---- spend --------------------------------------------------------------------------------------


def test_negative_spend_is_refused_with_the_form_kept(world, client_for):
    data = {"on": "2026-07-01", "amount": "-250", "channel": "email", "campaign": "Summer"}
    response = client_for(world.bob).post(url(world, "roi-spend"), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "the amount cannot be negative (it is -250)" in html
    assert 'value="-250"' in html and 'value="Summer"' in html
    assert not Spend.objects.exists()


def test_an_unknown_currency_is_refused(world, client_for):
    data = {"on": "2026-07-01", "amount": "250", "currency": "ABC"}
    response = client_for(world.bob).post(url(world, "roi-spend"), data)
    assert response.status_code == 422
    assert "unknown currency &#x27;ABC&#x27;" in response.content.decode()


def test_spend_is_recorded_and_listed(world, client_for):
    client = client_for(world.bob)
    data = {"on": "2026-07-01", "amount": "1,250.5", "channel": "Email", "stage": "buy"}
    response = client.post(url(world, "roi-spend"), data, follow=True)
    html = response.content.decode()
    assert "Recorded €1,250.50 on 1 Jul 2026 (Email)." in html
    assert '<td class="num">€1,250.50</td>' in html  # the list keeps the pennies as entered


def test_a_csv_upload_reports_what_changed(world, client_for, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"date,amount,channel\n2026-07-01,10,seo\n2026-07-02,20,seo\n"
    client = client_for(world.bob)
    upload = SimpleUploadedFile("spend.csv", body, content_type="text/csv")
    response = client.post(url(world, "roi-spend-import"), {"file": upload}, follow=True)
    assert "Imported 2 rows: 2 added, 0 updated, 0 unchanged." in response.content.decode()
    bad = SimpleUploadedFile("spend.csv", b"date,amount\n2026-07-01,-1\n")
    response = client.post(url(world, "roi-spend-import"), {"file": bad})
    assert response.status_code == 422
    assert "line 2: the amount cannot be negative (it is -1)" in response.content.decode()


def test_the_spend_list_makes_the_same_number_of_queries_for_5_and_100_entries(world, client_for):
    client = client_for(world.carol)

    def add(n, offset):
        for i in range(n):
            entry = SpendIn(
                on=date(2026, 1, 1 + (offset + i) % 28), amount="1", campaign=str(i + offset)
            )
            services.record_spend(world.acme, entry, actor=world.bob)

    add(5, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(url(world, "roi-spend"))
    add(95, 5)
    with CaptureQueriesContext(connection) as large:
        client.get(url(world, "roi-spend"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_spend_list_shows_50_a_page_and_its_links_keep_the_filter(world, client_for):
    for i in range(60):
        entry = SpendIn(on=date(2026, 2, 1 + i % 28), amount="1", channel="email", campaign=str(i))
        services.record_spend(world.acme, entry, actor=world.bob)
    services.record_spend(world.acme, SpendIn(on=date(2026, 2, 1), amount="9"), actor=world.bob)
    client = client_for(world.bob)
    first = client.get(url(world, "roi-spend"), {"channel": "email"})
    assert len(first.context["paging"].rows) == 50
    html = first.content.decode()
    assert '<span class="muted">Page 1 of 2 · 60 entries</span>' in html
    assert 'href="/w/acme/roi/spend/?channel=email&amp;page=2" rel="next"' in html
    second = client.get(url(world, "roi-spend"), {"channel": "email", "page": "2"})
    assert len(second.context["paging"].rows) == 10
    html = second.content.decode()
    assert '<span class="muted">Page 2 of 2 · 60 entries</span>' in html
    assert 'href="/w/acme/roi/spend/?channel=email" rel="prev"' in html
    assert 'rel="next"' not in html


# ---- the time log ------------------------------------------------------------------------------


def test_the_time_log_pages_its_entries_and_deletes_quietly_after_asking(world, client_for, card):
    TimeLog.objects.bulk_create(
        TimeLog(workspace=world.acme, card=card, member=world.bob, on=date(2026, 3, 1), hours=1)
        for _ in range(120)
    )
    client = client_for(world.bob)
    page = client.get(url(world, "roi-time"), {"page": "3"})
    html = page.content.decode()
    assert len(page.context["paging"].rows) == 20
    assert '<span class="muted">Page 3 of 3 · 120 entries</span>' in html
    assert 'class="danger"' not in html
    assert html.count('<button class="quiet" data-confirm="Delete 1 h logged by Bob Member') == 20
    oldest = list(page.context["paging"].rows)[-1]
    delete = url(world, "roi-time-delete", log_id=oldest.pk)
    response = client.post(delete, {"next": "time", "page": "3"})
    assert response.url == "/w/acme/roi/time/?page=3"  # back where the person was
    assert TimeLog.objects.count() == 119
    # A page past the end shows the last one, a page that is not a number the first.
    assert client.get(url(world, "roi-time"), {"page": "9"}).context["paging"].page.number == 3
    assert client.get(url(world, "roi-time"), {"page": "x"}).context["paging"].page.number == 1


# ---- time logs from the card page --------------------------------------------------------------


def test_a_member_logs_time_from_the_card_page(world, client_for, card):
    client = client_for(world.bob)
    card_url = reverse("card", kwargs={"ws": world.acme.slug, "number": card.number})
    assert 'name="hours"' in client.get(card_url).content.decode()
    response = client.post(
        url(world, "roi-time-log", number=card.number),
        {"member": world.alice.pk, "on": "2026-07-01", "hours": "1.5"},
        follow=True,
    )
    html = response.content.decode()
    assert "Logged 1.5 h on #1 for Alice Owner." in html
    assert "1.5 h logged" in html
    assert TimeLog.objects.get().member == world.alice


def test_a_viewer_sees_the_time_but_no_form(world, client_for, card):
    services.log_time(card, member=world.bob, on="2026-07-01", hours="2", actor=world.bob)
    html = (
        client_for(world.carol)
        .get(reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}))
        .content.decode()
    )
    assert "2 h logged" in html and 'name="hours"' not in html


def test_bad_hours_on_the_card_page_say_why(world, client_for, card):
    response = client_for(world.bob).post(
        url(world, "roi-time-log", number=card.number),
        {"member": world.bob.pk, "on": "2026-07-01", "hours": "30"},
        follow=True,
    )
    assert (
        "Time not logged on #1: the hours must be between 0 and 24 (you entered 30 h on "
        "2026-07-01)." in response.content.decode()
    )
    assert not TimeLog.objects.exists()


# ---- the report ---------------------------------------------------------------------------------


def test_the_report_shows_cost_return_and_roi_per_stage(world, client_for, card):
    services.set_hourly_cost(world.acme, world.bob, "50", actor=world.alice)
    services.log_time(card, member=world.bob, on="2026-07-01", hours="10", actor=world.bob)
    for channel, stage, amount in (("email", "repeat", "500"), ("seo", "know", "2000")):
        entry = SpendIn(on="2026-07-02", amount=amount, channel=channel, stage=stage)
        services.record_spend(world.acme, entry, actor=world.bob)
    revenue(world, "email", "repeat", {date(2026, 7, 3): 3_000})
    revenue(world, "seo", "know", {date(2026, 7, 3): 1_000})
    html = client_for(world.carol).get(url(world, "roi") + "?period=2026-07").content.decode()
    # repeat: cost 500 spend + 10 h * 50 = 1,000; return 3,000; ROI 200 %
    assert "200.0 %" in html
    # know: cost 2,000, return 1,000: ROI -50 %
    assert "−50.0 %" in html  # one minus sign
    assert "1 Jul 2026 – 31 Jul 2026" in html
    # ROMI of repeat with the default 60 % margin: (3000 * 0.6 - 500) ÷ 500 = 260 %
    assert "260.0 %" in html
    assert "100.0 % of hours" in html


def test_a_bad_period_says_so_and_shows_the_default(world, client_for):
    response = client_for(world.carol).get(url(world, "roi") + "?period=2026-Q9")
    html = response.content.decode()
    assert response.status_code == 422
    assert "unknown period &#x27;2026-Q9&#x27;" in html
    assert 'value="2026-Q9"' in html


# ---- allocation ---------------------------------------------------------------------------------


def hand_curves(world):
    services.save_curve(world.acme, channel="email", unit="money", a=1000, b=100, actor=world.bob)
    services.save_curve(world.acme, channel="seo", unit="money", a=2000, b=300, actor=world.bob)


def test_the_allocation_page_recommends_the_closed_form_split(world, client_for):
    hand_curves(world)
    html = (
        client_for(world.carol).get(url(world, "roi-allocation") + "?budget=1000").content.decode()
    )
    # x_email = 1100/3 = 366.67, x_seo = 1900/3 = 633.33; marginal ROI 3000/1400 = 2.14 for both
    assert "<b>367</b>" in html and "<b>633</b>" in html
    assert html.count("<b>2.14</b>") == 2
    assert "entered by hand" in html


def test_the_what_if_slider_answers_with_the_result_fragment(world, client_for):
    hand_curves(world)
    response = client_for(world.carol).get(
        url(world, "roi-allocation") + "?budget=2000", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="result">')
    assert "on 2,000" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("budget=100&min_email=80&min_seo=50", "the budget (100) is below the sum of the minimums"),
        ("budget=1000&min_email=500&max_email=100", "the minimum (500) is above the maximum (100)"),
        ("budget=ten", "the budget &#x27;ten&#x27; is not a number"),
    ],
)
def test_impossible_bounds_say_why(world, client_for, query, message):
    hand_curves(world)
    response = client_for(world.carol).get(url(world, "roi-allocation") + "?" + query)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_curve_with_b_at_zero_is_refused_and_nothing_saved(world, client_for):
    response = client_for(world.bob).post(
        url(world, "roi-curve-save"),
        {"channel": "email", "unit": "money", "a": "10", "b": "0"},
        follow=True,
    )
    assert "Curve not saved: b must be above 0 (it is 0.0)" in response.content.decode()
    from leanmark.roi.models import ChannelCurve

    assert not ChannelCurve.objects.exists()


def test_a_saved_plan_is_compared_with_what_happened(world, client_for):
    hand_curves(world)
    client = client_for(world.bob)
    response = client.post(
        url(world, "roi-plan-save"),
        {"unit": "money", "budget": "1000", "month": "2026-07", "name": "July plan"},
        follow=True,
    )
    assert response.status_code == 200
    plan = AllocationPlan.objects.get()
    assert (plan.name, plan.month, plan.budget) == ("July plan", date(2026, 7, 1), D("1000.00"))
    entry = SpendIn(on="2026-07-09", amount="400", channel="email", stage="repeat")
    services.record_spend(world.acme, entry, actor=world.bob)
    revenue(world, "email", "repeat", {date(2026, 7, 10): 2_500})
    html = client.get(url(world, "roi-plan", plan_id=plan.pk)).content.decode()
    assert "€367" in html  # planned for email (whole euros from 100 up)
    assert "€400" in html  # spent on email
    assert "€33.33" in html  # the difference (pennies below 100)
    assert "€2,500" in html  # email's actual return


def test_a_plan_needs_a_month(world, client_for):
    hand_curves(world)
    response = client_for(world.bob).post(
        url(world, "roi-plan-save"), {"unit": "money", "budget": "1000", "month": "July"}
    )
    assert response.status_code == 422
    assert "the month &#x27;July&#x27; is not a month (YYYY-MM)" in response.content.decode()
    assert not AllocationPlan.objects.exists()


def test_fitted_curves_warn_with_fewer_than_six_months(world, client_for):
    today = timezone.localdate()
    months = [domain.add_months(today.replace(day=1), -k) for k in (1, 2, 3)]
    values = {}
    for month, spend in zip(months, (1000, 2000, 4000), strict=True):
        entry = SpendIn(on=month, amount=str(spend), channel="email", stage="repeat")
        services.record_spend(world.acme, entry, actor=world.bob)
        values[month] = 3000 * (spend / 1000) ** 0.5
    revenue(world, "email", "repeat", values)
    html = client_for(world.carol).get(url(world, "roi-allocation")).content.decode()
    assert "fitted to 3 months" in html
    assert "only 3 months of history (fewer than 6): treat the curve as a guess" in html


def test_a_spend_entry_is_edited_and_a_bad_amount_keeps_the_input(world, client_for):
    row = services.record_spend(
        world.acme, SpendIn(on="2026-07-01", amount="10", channel="seo"), actor=world.bob
    )
    client = client_for(world.bob)
    edit = url(world, "roi-spend-edit", spend_id=row.pk)
    response = client.post(edit, {"on": "2026-07-01", "amount": "-2", "channel": "seo"})
    assert response.status_code == 422
    assert 'value="-2"' in response.content.decode()
    response = client.post(
        edit, {"on": "2026-07-02", "amount": "12", "channel": "seo"}, follow=True
    )
    assert "Saved the spend of €12.00 on 2 Jul 2026." in response.content.decode()
    row.refresh_from_db()
    assert (row.on, row.amount) == (date(2026, 7, 2), D(12))


def test_a_plan_for_the_running_month_is_pro_rated(world, client_for):
    hand_curves(world)
    client = client_for(world.bob)
    month = timezone.localdate().strftime("%Y-%m")
    client.post(url(world, "roi-plan-save"), {"unit": "money", "budget": "1000", "month": month})
    plan = AllocationPlan.objects.get()
    html = client.get(url(world, "roi-plan", plan_id=plan.pk)).content.decode()
    assert "of it has passed" in html and "Planned so far" in html and "Expected so far" in html


def test_the_report_names_channels_in_words_not_their_keys(world, client_for):
    entry = SpendIn(on="2026-07-02", amount="250", channel="paid_search")
    services.record_spend(world.acme, entry, actor=world.bob)
    page = url(world, "roi") + "?period=2026-07&by=channel"
    html = client_for(world.carol).get(page).content.decode()
    assert '<th scope="row">Paid search</th>' in html
    assert ">paid_search<" not in html
