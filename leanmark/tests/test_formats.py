"""One way to write numbers, shares, money and names (leanmark/lib/formats.py), and the pages use
it in the workspace's currency."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.template import Context, Template

from leanmark.lib import formats

M = "\u2212"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1610, "1,610"), (1234.5, "1,235"), (152.24, "152.2"), (39.9, "39.9"), (4.25, "4.25"),
        (7.5, "7.5"), (7.666, "7.67"), (12.0, "12"), (0, "0"), (-3, f"{M}3"), (-0.001, "0"),
        (Decimal("2000.00"), "2,000"), (Fraction(1, 3), "0.33"), (None, "—"), ("", "—"),
        ("x", "—"), (float("nan"), "—"), (True, "—"),
    ],
)  # fmt: skip
def test_numbers_are_written_as_people_write_them(value, text):
    assert formats.number(value) == text


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: formats.count(39, "item"), "39 items"),
        (lambda: formats.count(1, "item"), "1 item"),
        (lambda: formats.count(0, "cycle"), "0 cycles"),
        (lambda: formats.count(2, "entry", "entries"), "2 entries"),
        (lambda: formats.whole(1610.4), "1,610"),
        (lambda: formats.percent(0.4567), "45.7 %"),
        (lambda: formats.percent(0.92, 0), "92 %"),
        (lambda: formats.percent(-0.5), f"{M}50.0 %"),
        (lambda: formats.percent(None), "—"),
        (lambda: formats.signed_percent(0.12), "+12 %"),
        (lambda: formats.signed_percent(-0.034), f"{M}3 %"),
        (lambda: formats.signed_percent(0.001), "0 %"),
        (lambda: formats.signed(1234), "+1,234"),
        (lambda: formats.signed(-4.25), f"{M}4.25"),
        (lambda: formats.signed(0.0001), "0"),  # reads as zero: no sign
        (lambda: formats.signed(None), "—"),
        (lambda: formats.signed_percent(0.0004, 1), "0.0 %"),
        (lambda: formats.points(0.00001), "0.0 pp"),
        (lambda: formats.points(0.012), "+1.2 pp"),
        (lambda: formats.points(-0.012), f"{M}1.2 pp"),
        (lambda: formats.significant(1.959964), "1.96"),
        (lambda: formats.significant(4352.1), "4,352"),
        (lambda: formats.significant(0.0123), "0.0123"),
        (lambda: formats.day(date(2026, 12, 7)), "7 Dec 2026"),
    ],
)
def test_counts_shares_and_changes_have_one_style(call, text):
    assert call() == text


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("155459.37"), "GBP", "£155,459"),
        (Decimal("4.37"), "GBP", "£4.37"),
        (Decimal("12.00"), "GBP", "£12"),
        (Decimal("366.67"), "EUR", "€367"),
        (Decimal("-3.5"), "USD", f"{M}$3.50"),
        (Decimal("-0.001"), "GBP", "£0"),
        (Decimal("1234"), "CHF", "CHF 1,234"),
        (Decimal("1234"), "", "1,234"),
        (None, "GBP", "—"),
    ],
)
def test_money_has_the_currency_symbol_and_pennies_only_where_they_matter(amount, currency, text):
    assert formats.money(amount, currency) == text


def test_exact_money_keeps_the_pennies_as_entered():
    assert formats.money(Decimal("1250.5"), "EUR", exact=True) == "€1,250.50"


@pytest.mark.parametrize(
    ("name", "text"),
    [("paid_search", "Paid search"), ("cycle_time", "Cycle time"), ("email", "Email"),
     ("Google Ads", "Google Ads"), ("", "—"), ("seo", "SEO"), ("paid_sms", "Paid SMS")],
)  # fmt: skip
def test_internal_names_are_shown_as_words(name, text):
    assert formats.label(name) == text


def test_template_filters_write_money_in_the_current_workspaces_currency():
    page = Template("{{ a|money }} · {{ b|money:'exact' }} · {{ s|pct }} · {{ n|num }}")
    context = Context({"a": Decimal("155459.2"), "b": Decimal("12.3"), "s": 0.25, "n": 1610})
    formats.look_up_currency_with(lambda workspace: {"acme": "GBP"}.get(workspace))
    try:
        with formats.currency_of("acme"):
            assert page.render(context) == "£155,459 · £12.30 · 25.0 % · 1,610"
        assert page.render(context) == "155,459 · 12.30 · 25.0 % · 1,610"  # outside a workspace
    finally:
        from leanmark.roi.queries import currency_of

        formats.look_up_currency_with(currency_of)


@pytest.mark.django_db
def test_a_workspace_page_writes_money_in_the_workspaces_currency(world, client_for):
    from leanmark.roi import services
    from leanmark.roi.services import SpendIn

    services.update_settings(world.acme, actor=world.alice, currency="GBP")
    entry = SpendIn(on="2026-07-02", amount="1234.5", channel="paid_search")
    services.record_spend(world.acme, entry, actor=world.bob)
    html = client_for(world.bob).get(f"/w/{world.acme.slug}/roi/spend/").content.decode()
    assert '<td class="num">£1,234.50</td>' in html
