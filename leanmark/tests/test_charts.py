"""Charts: the tag writes a themed spec as inert JSON; Chromium draws it under the strict CSP."""

import json
import re

import pytest
from django.template import Context, Template

from leanmark.lib.charts import SCHEMA, spec_with_theme

pytest_plugins = ["leanmark.testing.browser"]


def render(spec, label="Leads"):
    return Template("{% load charts %}{% vega_chart spec label=label %}").render(
        Context({"spec": spec, "label": label})
    )


def test_the_spec_travels_as_json_with_the_theme_filled_in():
    html = render({"mark": "bar", "data": {"values": [{"n": 1}]}})
    spec_id = re.search(r'data-spec="(vega-spec-[0-9a-f]+)"', html).group(1)
    data = re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', html)
    spec = json.loads(data.group(1))
    assert spec["$schema"] == SCHEMA
    assert spec["width"] == "container"
    assert spec["data"] == {"values": [{"n": 1}]}
    assert spec["config"]["font"].startswith("system-ui")
    assert 'aria-label="Leads"' in html


def test_a_label_or_datum_cannot_close_the_script_or_inject_markup():
    html = render({"data": {"values": [{"t": "</script><script>alert(1)</script>"}]}}, "<b>x")
    assert "</script><script>" not in html
    assert "<b>x" not in html
    assert html.count("</script>") == 1


def test_a_spec_keeps_its_own_width_and_config():
    spec = spec_with_theme({"width": 300, "config": {"font": "serif"}})
    assert spec["width"] == 300
    assert spec["config"]["font"] == "serif"
    assert spec["config"]["axis"]["gridColor"] == "#e6eaee"


def test_two_charts_on_a_page_have_different_ids():
    html = render({}) + render({})
    ids = re.findall(r'data-spec="(vega-spec-[0-9a-f]+)"', html)
    assert len(set(ids)) == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_draws_each_chart_without_breaking_the_csp(ui, settings):
    from playwright.sync_api import expect

    settings.ROOT_URLCONF = "leanmark.tests.chart_urls"
    ui.page.goto("/chart-test/")
    # Two SVG charts: the bars carry their data, the line needed the expression interpreter.
    expect(ui.page.locator(".vega-chart svg.marks")).to_have_count(2)
    bars = ui.page.locator(".vega-chart").first.locator("path[aria-roledescription='bar']")
    expect(bars).to_have_count(2)
    assert ui.page.locator(".chart-error").count() == 0
    bars.nth(1).hover()
    expect(ui.page.locator("#vg-tooltip-element")).to_contain_text("5")
    ui.screenshot("charts.png")
    # The `ui` fixture fails the test on any console error, CSP violations included.
