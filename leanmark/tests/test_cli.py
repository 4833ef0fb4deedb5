import json

from typer.testing import CliRunner

from leanmark.accounts.models import ApiToken, User
from leanmark.accounts.services import hash_secret
from leanmark.board import services
from leanmark.board.models import Board
from leanmark.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_board_show_lists_columns_with_count_and_limit_as_json(world):
    services.create_card(world.board, title="a", column=world.column("Writing"), actor=world.bob)
    result = run("board", "show", "--workspace", "acme", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["columns"][1] == {
        "column": "Writing",
        "count": 1,
        "limit": 3,
        "policy": "hard",
        "kind": "active",
        "state": "ok",
    }


def test_board_show_prints_a_table(world):
    result = run("board", "show", "-w", "acme")
    assert result.exit_code == 0
    assert "Marketing (board" in result.stdout
    assert "Writing" in result.stdout and "hard" in result.stdout


def test_card_add_and_move(world):
    result = run("card", "add", "Autumn blend launch", "-w", "acme", "--as", "bob@acme.example")
    assert (result.exit_code, result.stdout) == (0, "Card #1 created in Ready.\n")
    result = run("card", "move", "1", "writing", "-w", "acme")
    assert (result.exit_code, result.stdout) == (0, "Card #1 moved to Writing.\n")


def test_card_move_into_a_full_column_exits_2_with_the_reason(world):
    for i in range(4):
        run("card", "add", f"c{i}", "-w", "acme")
    for number in (1, 2, 3):
        assert run("card", "move", number, "Writing", "-w", "acme").exit_code == 0
    result = run("card", "move", "4", "Writing", "-w", "acme")
    assert result.exit_code == 2
    assert "Writing is at its WIP limit (3/3, hard)" in result.stderr


def test_card_move_names_the_columns_when_one_is_unknown(world):
    run("card", "add", "x", "-w", "acme")
    result = run("card", "move", "1", "Nowhere", "-w", "acme")
    assert result.exit_code == 1
    assert (
        "no column 'Nowhere' on Marketing; columns are: Ready, Writing, Review, Live, Done"
        in result.stderr
    )


def test_a_viewer_cannot_change_cards_from_the_cli(world):
    result = run("card", "add", "x", "-w", "acme", "--as", "carol@acme.example")
    assert result.exit_code == 1
    assert "is a viewer" in result.stderr


def test_user_create_and_set_password(db):
    result = run(
        "user",
        "create",
        "dana@example.com",
        "--password",
        "a-long-enough-password",
        "--workspace",
        "Dana's shop",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("User dana@example.com created.\n")
    assert run("user", "set-password", "dana@example.com", "--password", "short").exit_code == 1
    assert (
        run(
            "user", "set-password", "dana@example.com", "--password", "another-long-password"
        ).exit_code
        == 0
    )
    assert User.objects.get(username="dana@example.com").check_password("another-long-password")


def test_user_commands_report_refusals_in_words_not_tracebacks(db):
    args = ("user", "create", "dana@example.com", "--password", "a-long-enough-password")
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 1
    assert "a user with e-mail dana@example.com already exists" in again.stderr
    weak = run("user", "set-password", "dana@example.com", "--password", "short")
    assert "This password is too short" in weak.stderr
    nameless = run("token", "create", "dana@example.com", "--name", " ")
    assert (nameless.exit_code, nameless.stdout) == (1, "")
    assert "give the token a name" in nameless.stderr


def test_token_create_prints_the_secret_once_and_stores_its_hash(world):
    result = run("token", "create", "bob@acme.example", "--name", "sheets")
    assert result.exit_code == 0
    secret = result.stdout.strip()
    assert ApiToken.objects.get(name="sheets").token_hash == hash_secret(secret)


def test_card_list_as_json(world):
    services.create_card(
        world.board, title="Grinder guide", column=world.column("Review"), actor=world.bob
    )
    services.create_card(
        world.board, title="Latte reel", column=world.column("Ready"), actor=world.bob
    )
    result = run("card", "list", "-w", "acme", "--column", "review", "--json")
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    del row["id"]
    assert row == {
        "number": 1,
        "title": "Grinder guide",
        "column": "Review",
        "lane": "standard",
        "version": 1,
        "blocked": False,
    }


def test_demo_refuses_to_load_twice_and_says_how_to_rebuild(db):
    assert run("demo", "--seed", "7").exit_code == 0
    result = run("demo")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: the demo workspace is already loaded. `leanmark demo --reset` rebuilds it.\n"
    )
    assert run("demo", "--reset", "--seed", "7").exit_code == 0


def test_demo_if_empty_leaves_a_database_with_users_alone(world):
    result = run("demo", "--if-empty")
    assert (result.exit_code, result.stdout) == (
        0,
        "The database already has users; the demo was not loaded.\n",
    )


def test_board_create_makes_a_board_with_the_default_columns(world):
    result = run("board", "create", "Launches", "-w", "acme")
    board = Board.objects.get(workspace=world.acme, name="Launches")
    assert (result.exit_code, result.stdout) == (0, f"Board {board.pk} created: Launches.\n")
    assert [c.name for c in board.columns.order_by("position")] == [
        "Ready",
        "Doing",
        "Review",
        "Done",
    ]


def test_board_create_is_for_owners(world):
    result = run("board", "create", "Launches", "-w", "acme", "--as", "bob@acme.example")
    assert result.exit_code == 1
    assert "bob@acme.example is a member of acme; only an owner can do this" in result.stderr
    assert not Board.objects.filter(name="Launches").exists()


def test_board_edit_renames_and_moves_start_done_and_the_expedite_limit(world):
    result = run(
        "board", "edit", "-w", "acme", "--name", "Content", "--start", "ready",
        "--done", "Live", "--expedite-limit", "2", "--json",
    )  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": world.board.pk,
        "name": "Content",
        "start_column": "Ready",
        "done_column": "Live",
        "expedite_limit": 2,
        "columns": ["Ready", "Writing", "Review", "Live", "Done"],
    }
    world.board.refresh_from_db()
    assert (world.board.name, world.board.start_column, world.board.done_column) == (
        "Content",
        world.column("Ready"),
        world.column("Live"),
    )
    assert world.board.expedite_limit == 2


def test_board_edit_refuses_a_start_after_done(world):
    result = run("board", "edit", "-w", "acme", "--start", "Done", "--done", "Ready")
    assert result.exit_code == 1
    assert "the start column must come before the done column" in result.stderr


def test_column_add_puts_the_column_before_done_with_its_limits(world):
    result = run(
        "column", "add", "Approval", "--kind", "queue", "--limit", "2", "--policy", "hard",
        "--per-person", "1", "-w", "acme",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (
        0,
        "Column added to Marketing: Approval: queue, WIP limit 2 (hard), 1 per person.\n",
    )
    names = [c.name for c in world.board.columns.order_by("position")]
    assert names == ["Ready", "Writing", "Review", "Live", "Approval", "Done"]
    approval = world.column("Approval")
    assert (approval.kind, approval.wip_limit, approval.policy, approval.per_person_limit) == (
        "queue",
        2,
        "hard",
        1,
    )


def test_column_add_refuses_a_taken_name(world):
    result = run("column", "add", "review", "-w", "acme")
    assert result.exit_code == 1
    assert "this board already has a column called review" in result.stderr


def test_column_edit_changes_only_what_is_given(world):
    result = run(
        "column", "edit", "writing", "--name", "Drafting", "--limit", "4", "--no-per-person",
        "-w", "acme", "--json",
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["name"], data["wip_limit"], data["policy"], data["per_person_limit"]) == (
        "Drafting",
        4,
        "hard",
        None,
    )
    drafting = world.column("Drafting")
    assert (drafting.kind, drafting.wip_limit, drafting.per_person_limit) == ("active", 4, None)


def test_column_edit_refuses_a_negative_limit(world):
    result = run("column", "edit", "Writing", "--limit", "-1", "-w", "acme")
    assert result.exit_code == 1
    assert "a limit cannot be negative" in result.stderr
    assert world.column("Writing").wip_limit == 3


def test_card_edit_changes_only_the_fields_given_and_records_them(world):
    run("card", "add", "Autumn blend launch", "-w", "acme")
    result = run(
        "card", "edit", "1", "-w", "acme", "--title", "Autumn blend: launch mail",
        "--tag", "email", "--tag", "autumn", "--due", "2026-12-20", "--estimate", "3",
        "--assignee", "bob@acme.example", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Autumn blend: launch mail"
    card = world.board.cards.get(number=1)
    assert (card.tags, str(card.due_date), str(card.estimate)) == (
        ["email", "autumn"],
        "2026-12-20",
        "3.00",
    )
    assert [u.username for u in card.assignees.all()] == ["bob@acme.example"]
    assert run("card", "edit", "1", "-w", "acme", "--no-tags", "--estimate", "").exit_code == 0
    card.refresh_from_db()
    assert (card.tags, card.estimate, card.title) == ([], None, "Autumn blend: launch mail")
    assert sorted(card.events.values_list("kind", flat=True)) == [
        "assigned", "created", "edited", "edited",
    ]  # fmt: skip


def test_card_edit_refuses_a_bad_date_a_stranger_and_nothing_to_do(world):
    run("card", "add", "x", "-w", "acme")
    bad = run("card", "edit", "1", "-w", "acme", "--due", "20/12/2026")
    assert (bad.exit_code, "the due date must be a date as YYYY-MM-DD") == (
        1,
        bad.stderr.split("Error: ")[1][:41],
    )
    stranger = run("card", "edit", "1", "-w", "acme", "--assignee", "eve@elsewhere.example")
    assert "not members of acme: eve@elsewhere.example" in stranger.stderr
    assert "nothing to change" in run("card", "edit", "1", "-w", "acme").stderr
    assert run("card", "edit", "9", "-w", "acme", "--title", "y").stderr.startswith(
        "Error: no card #9 in acme"
    )


def test_card_block_unblock_archive_restore(world):
    run("card", "add", "Autumn blend launch", "-w", "acme")
    blocked = run("card", "block", "1", "waiting for the roaster's photos", "-w", "acme")
    assert blocked.stdout == "Card #1 blocked: waiting for the roaster's photos.\n"
    again = run("card", "block", "1", "still", "-w", "acme")
    assert again.exit_code == 1
    assert "card #1 is already blocked (waiting for the roaster's photos)" in again.stderr
    assert run("card", "unblock", "1", "-w", "acme").stdout == "Card #1 is no longer blocked.\n"
    assert run("card", "archive", "1", "-w", "acme").stdout == "Card #1 archived.\n"
    listed = json.loads(run("card", "list", "-w", "acme", "--json").stdout)
    assert listed == []
    assert run("card", "restore", "1", "-w", "acme").stdout == "Card #1 is back in Ready.\n"
    kinds = list(
        world.board.cards.get(number=1).events.order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["created", "blocked", "unblocked", "archived", "restored"]


def test_a_viewer_cannot_block_a_card(world):
    run("card", "add", "x", "-w", "acme")
    result = run("card", "block", "1", "no", "-w", "acme", "--as", "carol@acme.example")
    assert (result.exit_code, world.board.cards.get(number=1).blocked_reason) == (1, "")


def test_members_lists_everyone_with_their_role_as_the_api_does(world):
    result = run("members", "-w", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["email"], r["name"], r["role"]) for r in rows] == [
        ("alice@acme.example", "Alice Owner", "owner"),
        ("bob@acme.example", "Bob Member", "member"),
        ("carol@acme.example", "Carol Viewer", "viewer"),
    ]
    assert rows[1]["user_id"] == world.bob.pk
    table = run("members", "-w", "acme")
    assert "Acme: 3 member(s)" in table.stdout and "Carol Viewer" in table.stdout
    assert "Mallory" not in table.stdout


def test_members_of_an_unknown_workspace_is_refused(world):
    result = run("members", "-w", "nope")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no workspace 'nope'; the web app's workspace switcher shows the slugs\n",
    )
