import json
from datetime import date

import pytest
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.dashboard import services
from leanmark.dashboard.models import FunnelStep, Measurement, Metric, TargetRevision

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


def test_a_viewer_cannot_import_measurements(world, visits, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("date,metric,value\n2026-03-02,website-visits,120\n")
    refused = run("metrics", "import", path, "-w", "acme", "--as", "carol@acme.example")
    assert refused.exit_code == 1
    assert "carol@acme.example is a viewer of acme and cannot change anything" in refused.stderr
    assert not Measurement.objects.exists()


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


def test_metrics_record_saves_a_measurement_and_a_second_one_replaces_it(world, visits):
    result = run(
        "metrics", "record", "website-visits", "120", "--date", "2026-03-02", "--channel", "seo",
        "-w", "acme", "--as", "bob@acme.example",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (
        0,
        "Website visits on 2026-03-02, channel seo: 120 recorded.\n",
    )
    again = run(
        "metrics", "record", "Website visits", "140", "--date", "2026-03-02", "--channel", "seo",
        "-w", "acme", "--json",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert (data["created"], data["updated"], data["unchanged"], data["dry_run"]) == (
        0,
        1,
        0,
        False,
    )
    assert data["changes"] == [
        {
            "line": 1,
            "metric": "website-visits",
            "date": "2026-03-02",
            "channel": "seo",
            "campaign": "",
            "old": 120.0,
            "new": 140.0,
        }
    ]
    saved = Measurement.objects.get(metric=visits)
    assert (saved.day, saved.value, saved.channel, saved.source) == (
        date(2026, 3, 2),
        140.0,
        "seo",
        "cli",
    )


def test_metrics_record_refuses_a_bad_value_an_unknown_metric_and_a_viewer(world, visits):
    bad = run("metrics", "record", "website-visits", "lots", "--date", "2026-03-02", "-w", "acme")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: the measurement has 1 bad row(s), nothing was saved")
    unknown = run("metrics", "record", "nope", "1", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no metric 'nope' in this workspace\n",
    )
    viewer = run(
        "metrics", "record", "website-visits", "1", "-w", "acme", "--as", "carol@acme.example"
    )
    assert viewer.exit_code == 1
    assert "carol@acme.example is a viewer" in viewer.stderr
    assert not Measurement.objects.exists()


def test_metrics_edit_changes_what_is_given(world, visits):
    result = run(
        "metrics", "edit", "website-visits", "--name", "Site visits", "--unit", "visits",
        "--lower-is-better", "-w", "acme", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["name"], data["key"], data["unit"], data["higher_is_better"]) == (
        "Site visits",
        "website-visits",
        "visits",
        False,
    )
    assert data["revisions"] == []
    plain = run("metrics", "edit", visits.pk, "--stage", "like", "-w", "acme")
    assert (plain.exit_code, plain.stdout) == (
        0,
        "Metric Site visits saved (key website-visits, output, like).\n",
    )
    visits.refresh_from_db()
    assert (visits.name, visits.unit, visits.higher_is_better, visits.stage) == (
        "Site visits",
        "visits",
        False,
        "like",
    )


def test_metrics_edit_refuses_a_taken_name_and_a_bad_stage(world, visits, signups):
    taken = run("metrics", "edit", "website-visits", "--name", "sign-ups", "-w", "acme")
    assert (taken.exit_code, taken.stderr) == (
        1,
        "Error: a metric named 'sign-ups' already exists\n",
    )
    bad = run("metrics", "edit", "website-visits", "--stage", "awareness", "-w", "acme")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ")
    visits.refresh_from_db()
    assert (visits.name, visits.stage) == ("Website visits", "know")


def test_metrics_delete_is_for_owners_and_takes_the_measurements(world, visits):
    run("metrics", "record", "website-visits", "120", "--date", "2026-03-02", "-w", "acme")
    member = run("metrics", "delete", "website-visits", "-w", "acme", "--as", "bob@acme.example")
    assert (member.exit_code, member.stderr) == (
        1,
        "Error: bob@acme.example is a member of acme; only an owner can do this\n",
    )
    assert Metric.objects.filter(pk=visits.pk).exists()
    result = run("metrics", "delete", "website-visits", "-w", "acme", "--as", "alice@acme.example")
    assert (result.exit_code, result.stdout) == (
        0,
        "Metric Website visits deleted with 1 measurement(s).\n",
    )
    assert not Metric.objects.exists() and not Measurement.objects.exists()


def test_metrics_funnel_set_and_show(world, visits, signups):
    for day, metric, value in (
        ("2026-03-02", "website-visits", "200"),
        ("2026-03-03", "sign-ups", "10"),
    ):
        run("metrics", "record", metric, value, "--date", day, "-w", "acme")
    result = run(
        "metrics", "funnel", "set", "know=website-visits", "trust=Sign-ups", "-w", "acme",
        "--as", "bob@acme.example",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Funnel of acme saved.\nStages: know = website-visits, trust = sign-ups\n"
    )
    shown = run(
        "metrics", "funnel", "show", "--from", "2026-03-01", "--to", "2026-03-31", "-w", "acme",
        "--json",
    )  # fmt: skip
    data = json.loads(shown.stdout)
    assert data["stages"] == {"know": "website-visits", "trust": "sign-ups"}
    (march,) = data["periods"]
    assert march["volumes"] == {"know": 200.0, "trust": 10.0}
    assert (march["biggest_drop"]["from_stage"], march["biggest_drop"]["rate"]) == ("know", 0.05)


def test_metrics_funnel_set_refuses_a_bad_pair_an_unknown_stage_and_a_viewer(world, visits):
    bad = run("metrics", "funnel", "set", "know", "-w", "acme")
    assert (bad.exit_code, bad.stderr) == (
        1,
        "Error: 'know' is not STAGE=METRIC (for example know=website-visits)\n",
    )
    unknown = run("metrics", "funnel", "set", "awareness=website-visits", "-w", "acme")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: ")
    viewer = run(
        "metrics", "funnel", "set", "know=website-visits", "-w", "acme",
        "--as", "carol@acme.example",
    )  # fmt: skip
    assert viewer.exit_code == 1
    assert not FunnelStep.objects.exists()
