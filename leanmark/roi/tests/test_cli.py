import json
from decimal import Decimal

from typer.testing import CliRunner

from leanmark.board import services as board_services
from leanmark.cli import app
from leanmark.roi import services
from leanmark.roi.models import MemberCost, RoiSettings, Spend, TimeLog

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_spend_add_prints_what_was_recorded(world):
    result = run("spend", "add", "2026-07-01", "120.5", "--channel", "seo", "-w", "acme")
    assert (result.exit_code, result.stdout) == (0, "Recorded €120.50 on 2026-07-01.\n")


def test_negative_spend_exits_1_with_the_reason(world):
    result = runner.invoke(app, ["spend", "add", "-w", "acme", "--", "2026-07-01", "-5"])
    assert result.exit_code == 1
    assert "the amount cannot be negative (it is -5)" in result.stderr
    assert not Spend.objects.exists()


def test_spend_import_twice_changes_nothing(world, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("date,amount,channel\n2026-07-01,10,seo\n2026-07-02,20,email\n")
    assert "2 added, 0 updated, 0 unchanged." in run("spend", "import", path, "-w", "acme").stdout
    assert "0 added, 0 updated, 2 unchanged." in run("spend", "import", path, "-w", "acme").stdout


def test_time_log_on_a_card(world):
    board_services.create_card(
        world.board, title="Ads", column=world.column("Ready"), actor=world.bob
    )
    result = run(
        "time", "log", "1", "1.5", "--date", "2026-07-01", "-w", "acme", "--as", "bob@acme.example"
    )
    assert (result.exit_code, result.stdout) == (0, "Logged 1.5 h on #1 for Bob Member.\n")
    assert TimeLog.objects.get().member == world.bob


def test_roi_report_as_json(world):
    services.record_spend(
        world.acme, services.SpendIn(on="2026-08-03", amount="300", stage="know"), actor=world.bob
    )
    result = run("roi", "report", "--period", "2026-Q3", "--json", "-w", "acme")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["start"], data["end"]) == ("2026-07-01", "2026-09-30")
    assert data["total"]["cost"] == "300.00"


def test_roi_report_refuses_an_unknown_period(world):
    result = runner.invoke(app, ["roi", "report", "--period", "Q3", "-w", "acme"])
    assert result.exit_code == 1 and "unknown period 'Q3'" in result.stderr


def test_allocate_with_hand_entered_curves_as_json(world):
    result = run(
        "allocate", "--budget", "1000", "--curve", "email=1000,100", "--curve", "seo=2000,300",
        "--json", "-w", "acme",
    )  # fmt: skip
    assert result.exit_code == 0
    splits = {s["channel"]: s["recommended"] for s in json.loads(result.stdout)["splits"]}
    assert splits == {"email": 366.67, "seo": 633.33}


def test_allocate_refuses_minimums_above_the_budget(world):
    result = runner.invoke(
        app,
        [
            "allocate",
            "--budget",
            "100",
            "--curve",
            "email=1000,100",
            "--min",
            "email=150",
            "-w",
            "acme",
        ],
    )
    assert result.exit_code == 1
    assert "the budget (100) is below the sum of the minimums (150)" in result.stderr


def test_allocate_without_any_curve_says_what_to_do(world):
    result = runner.invoke(app, ["allocate", "--budget", "100", "-w", "acme"])
    assert result.exit_code == 1
    assert "no channel has a response curve yet" in result.stderr


def test_roi_settings_changes_only_the_margins_given(world):
    result = run("roi", "settings", "--gross-margin", "0.55", "-w", "acme")
    assert (result.exit_code, result.stdout) == (
        0,
        "EUR; contribution margin 60.0 %, gross margin 55.0 %; revenue per customer —; "
        "monthly churn —; lifetime value —; customers metric —\n",
    )
    saved = RoiSettings.objects.get(workspace=world.acme)
    assert (saved.gross_margin, saved.contribution_margin) == (Decimal("0.55"), Decimal("0.6"))


def test_roi_settings_refuses_a_margin_above_one_and_members(world):
    result = run("roi", "settings", "--contribution-margin", "60", "-w", "acme")
    assert result.exit_code == 1
    assert "the contribution margin must be between 0 and 1" in result.stderr
    member = run(
        "roi", "settings", "--gross-margin", "0.5", "-w", "acme", "--as", "bob@acme.example"
    )
    assert member.exit_code == 1
    assert "bob@acme.example is a member of acme; only an owner can do this" in member.stderr
    assert not RoiSettings.objects.exists()


def test_hourly_cost_sets_and_clears_a_members_cost(world):
    result = run("roi", "hourly-cost", "bob@acme.example", "42.5", "-w", "acme")
    assert (result.exit_code, result.stdout) == (0, "Bob Member: €42.50 an hour.\n")
    assert MemberCost.objects.get(workspace=world.acme, user=world.bob).hourly_cost == Decimal(
        "42.50"
    )
    cleared = run("roi", "hourly-cost", "bob@acme.example", "--clear", "-w", "acme")
    assert (cleared.exit_code, cleared.stdout) == (0, "Bob Member: no hourly cost.\n")
    assert not MemberCost.objects.exists()


def test_hourly_costs_lists_every_member_as_json(world):
    services.set_hourly_cost(world.acme, world.bob, "40", actor=world.alice)
    result = run("roi", "hourly-costs", "-w", "acme", "--json")
    assert result.exit_code == 0
    rows = {row["member"]: row["hourly_cost"] for row in json.loads(result.stdout)}
    assert rows == {"Alice Owner": None, "Bob Member": "40.00", "Carol Viewer": None}


def _spend(world, amount="120", channel="seo"):
    entry = services.SpendIn("2026-07-01", amount, "", channel, "know", "", "")
    return services.record_spend(world.acme, entry, actor=world.alice)


def test_spend_edit_keeps_what_is_not_given(world):
    row = _spend(world)
    result = run(
        "spend", "edit", row.pk, "--amount", "99.5", "--campaign", "autumn", "-w", "acme",
        "--as", "bob@acme.example", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "id": row.pk,
        "date": "2026-07-01",
        "amount": "99.50",
        "currency": "EUR",
        "channel": "seo",
        "stage": "know",
        "campaign": "autumn",
        "note": "",
    }
    plain = run("spend", "edit", row.pk, "--date", "2026-07-02", "-w", "acme")
    assert (plain.exit_code, plain.stdout) == (0, f"Spend {row.pk} saved: €99.50 on 2026-07-02.\n")
    row.refresh_from_db()
    assert (str(row.on), row.amount, row.campaign, row.channel) == (
        "2026-07-02",
        Decimal("99.50"),
        "autumn",
        "seo",
    )


def test_spend_edit_refuses_a_negative_amount_an_unknown_id_and_a_viewer(world):
    row = _spend(world)
    negative = run("spend", "edit", row.pk, "--amount", "-5", "-w", "acme")
    assert negative.exit_code == 1
    assert "the amount cannot be negative (it is -5)" in negative.stderr
    unknown = run("spend", "edit", 99999, "--amount", "5", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no spend entry 99999 in acme; `leanmark spend list` shows the ids\n",
    )
    viewer = run(
        "spend", "edit", row.pk, "--amount", "5", "-w", "acme", "--as", "carol@acme.example"
    )
    assert viewer.exit_code == 1 and "carol@acme.example is a viewer" in viewer.stderr
    row.refresh_from_db()
    assert row.amount == Decimal("120")


def test_spend_remove_deletes_the_entry(world):
    row = _spend(world)
    viewer = run("spend", "remove", row.pk, "-w", "acme", "--as", "carol@acme.example")
    assert viewer.exit_code == 1 and Spend.objects.exists()
    result = run("spend", "remove", row.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Spend {row.pk} removed (€120.00 on 2026-07-01).\n",
    )
    assert not Spend.objects.exists()
    again = run("spend", "remove", row.pk, "-w", "acme")
    assert again.exit_code == 1 and f"no spend entry {row.pk} in acme" in again.stderr


def _two_logs(world):
    ads = board_services.create_card(
        world.board, title="Ads", column=world.column("Ready"), actor=world.bob
    )
    mail = board_services.create_card(
        world.board, title="Mail", column=world.column("Ready"), actor=world.bob
    )
    bob = services.log_time(ads, member=world.bob, on="2026-07-01", hours="1.5", actor=world.bob)
    alice = services.log_time(
        mail, member=world.alice, on="2026-07-02", hours="2", note="copy", actor=world.alice
    )
    return bob, alice


def test_time_list_filters_by_card_and_member(world):
    bob, alice = _two_logs(world)
    result = run("time", "list", "-w", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    assert [
        (r["id"], r["card_number"], r["member"], r["hours"]) for r in json.loads(result.stdout)
    ] == [
        (alice.pk, 2, "Alice Owner", "2.00"),
        (bob.pk, 1, "Bob Member", "1.50"),
    ]
    by_card = json.loads(run("time", "list", "--card", "1", "-w", "acme", "--json").stdout)
    assert [r["id"] for r in by_card] == [bob.pk]
    by_member = run("time", "list", "--member", "alice@acme.example", "-w", "acme")
    assert "1 time log(s)" in by_member.stdout and "copy" in by_member.stdout
    assert "Bob Member" not in by_member.stdout
    unknown = run("time", "list", "--card", "9", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (1, "Error: no card #9 in acme\n")


def test_time_remove_is_for_the_member_who_logged_it_or_an_owner(world):
    bob, alice = _two_logs(world)
    refused = run("time", "remove", alice.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: this time was logged by Alice Owner; only they, whoever logged it, or an owner "
        "can delete it\n",
    )
    mine = run("time", "remove", bob.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (mine.exit_code, mine.stdout) == (
        0,
        f"Time log {bob.pk} removed (1.5 h on #1 by Bob Member).\n",
    )
    owner = run("time", "remove", alice.pk, "-w", "acme", "--as", "alice@acme.example")
    assert owner.exit_code == 0, owner.stderr
    assert not TimeLog.objects.exists()
