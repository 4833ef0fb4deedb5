import json
from datetime import date

import pytest
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.dashboard import services
from leanmark.dashboard.models import Measurement, Metric, TargetRevision

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def visits(world):
    return services.create_metric(world.acme, name="Website visits", kind="output", stage="know")


@pytest.fixture
def signups(world):
    return services.create_metric(world.acme, name="Sign-ups", kind="output", stage="trust")


def test_import_a_long_csv_twice_changes_nothing_the_second_time(world, visits, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "date,metric,value,channel\n"
        "2026-03-02,website-visits,120,seo\n"
        "2026-03-03,Website visits,140,\n"
    )
    first = run("metrics", "import", path, "-w", "acme", "--json")
    assert (first.exit_code, json.loads(first.stdout)["created"]) == (0, 2)
    second = run("metrics", "import", path, "-w", "acme")
    assert second.exit_code == 0
    assert second.stdout.endswith("m.csv: 0 new, 0 changed, 2 unchanged.\n")


def test_import_a_wide_csv_with_a_dry_run(world, visits, signups, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("date,website-visits,Sign-ups\n2026-03-02,120,4\n2026-03-03,,5\n")
    result = run("metrics", "import", path, "-w", "acme", "--dry-run")
    assert result.exit_code == 0
    assert "line 2: website-visits 2026-03-02: new → 120" in result.stdout
    assert "3 new, 0 changed, 0 unchanged (dry run: nothing saved)" in result.stdout
    assert Measurement.objects.count() == 0


def test_a_bad_file_is_refused_with_every_line_and_nothing_saved(world, visits, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,metric,value\n"
        "2026-03-02,website-visits,120\n"
        "2026-13-01,website-visits,1\n"
        "2026-03-03,page-views,1\n"
        "2026-03-04,website-visits,NaN\n"
        "2026-03-02,website-visits,121\n"
    )
    result = run("metrics", "import", path, "-w", "acme")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: bad.csv has 4 bad row(s); nothing was saved.",
        "  line 3: '2026-13-01' is not a date (YYYY-MM-DD)",
        "  line 4: unknown metric 'page-views'",
        "  line 5: the value must be a finite number, not 'NaN'",
        "  line 6: duplicate of line 2 (website-visits on 2026-03-02)",
    ]
    assert Measurement.objects.count() == 0


def test_a_wide_csv_with_an_unknown_column_is_refused(world, visits, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("date,website-visits,bounce rate\n2026-03-02,120,0.4\n")
    result = run("metrics", "import", path, "-w", "acme")
    assert result.exit_code == 1
    assert "line 1: unknown column(s) 'bounce rate'" in result.stderr


def test_rollup_by_month_as_json(world, visits):
    services.upsert_measurements(
        world.acme,
        [
            services.RowIn(1, "website-visits", date(2026, 1, 31), 10),
            services.RowIn(2, "website-visits", date(2026, 2, 1), 30),
        ],
        source="api",
    )
    result = run(
        "metrics",
        "rollup",
        "website-visits",
        "--period",
        "month",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-28",
        "-w",
        "acme",
        "--json",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(b["period"], b["value"], b["change"]) for b in data["buckets"]] == [
        ("2026-01", 10.0, None),
        ("2026-02", 30.0, 20.0),
    ]


def test_rollup_of_an_unknown_metric_lists_the_known_ones(world, visits):
    result = run("metrics", "rollup", "nope", "-w", "acme")
    assert result.exit_code == 1
    assert "no metric 'nope' in acme; metrics are: website-visits, flow-throughput" in result.stderr


def test_metrics_create_defines_a_typed_metric(world):
    result = run(
        "metrics", "create", "Newsletter sign-ups", "--kind", "output", "--stage", "trust",
        "--unit", "people", "--value-per-unit", "4.5", "-w", "acme", "--as", "bob@acme.example",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (
        0,
        "Metric Newsletter sign-ups created (key newsletter-sign-ups, output, trust).\n",
    )
    metric = Metric.objects.get(workspace=world.acme, key="newsletter-sign-ups")
    assert (metric.kind, metric.stage, metric.unit, str(metric.value_per_unit)) == (
        "output",
        "trust",
        "people",
        "4.5000",
    )


def test_metrics_create_refuses_a_taken_name(world, visits):
    result = run(
        "metrics", "create", "website visits", "--kind", "output", "--stage", "know", "-w", "acme"
    )
    assert result.exit_code == 1
    assert "a metric named 'website visits' already exists" in result.stderr


def test_metrics_target_sets_then_changes_a_target_with_a_reason(world, visits):
    result = run("metrics", "target", "website-visits", "week", "500", "-w", "acme")
    assert (result.exit_code, result.stdout) == (0, "Website visits: target 500 per week.\n")
    refused = run("metrics", "target", "website-visits", "week", "600", "-w", "acme")
    assert refused.exit_code == 1
    assert "say why the target changes" in refused.stderr
    changed = run(
        "metrics", "target", "Website visits", "week", "600", "--reason", "new campaign",
        "-w", "acme", "--json",
    )  # fmt: skip
    assert changed.exit_code == 0
    assert json.loads(changed.stdout)["targets"] == [{"period": "week", "value": 600.0}]
    revisions = TargetRevision.objects.filter(metric=visits).order_by("at")
    assert [(r.old_value, r.new_value, r.reason) for r in revisions] == [
        (None, 500.0, ""),
        (500.0, 600.0, "new campaign"),
    ]
