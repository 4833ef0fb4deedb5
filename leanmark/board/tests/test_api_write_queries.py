"""The statements of one API move and one API create (issue 24: their count is their latency).

Counted with django_assert_num_queries, which sees every statement Django sends: inside the test's
transaction the service's own transaction is a SAVEPOINT and its RELEASE (on a real server they
are BEGIN and COMMIT). The counts are the same on SQLite and PostgreSQL (the locks are a clause
of the same SELECTs there); bench/board_write.py prints the statements and their time through a
real server.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leanmark.board import services
from leanmark.board.models import Card, CardEvent, Lane

MOVE = [
    "accounts_apitoken",  # who (the token and its user, one join)
    "board_card",  # the card's board and the caller's role in its workspace
    "SAVEPOINT",  # BEGIN on a server
    "board_column",  # the target column, locked, checked to be on the card's board
    "board_card",  # the card, locked, with its column, board and assignees (one JSON text)
    "board_card",  # the card to go before and the one above it (the gap)
    "board_card",  # the card's row: nothing else moves when there is a gap
    "board_cardevent",  # the event
    "board_board",  # the board's change counter (live pages)
    "RELEASE",  # COMMIT on a server; no webhook lookup: the card's workspace has none
]
CREATE = [
    "accounts_apitoken",  # who
    "board_board",  # the board, its workspace and the caller's role there
    "SAVEPOINT",
    "board_column",  # the column, locked, checked to be on the board
    "accounts_workspace",  # the card number (UPDATE … RETURNING)
    "board_card",  # the end of the cell
    "board_card",  # the card
    "board_cardevent",  # the event
    "board_board",  # the change counter
    "RELEASE",  # no webhook lookup: the workspace, read with the column, has none
]


@pytest.fixture
def post(world, client_for, token_for):
    token = token_for(world.bob)

    def call(path, body):
        client = client_for(None)
        headers = {"Authorization": f"Bearer {token}"}
        response = client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
        )
        return response.status_code, response.json()

    call.warm = lambda: call(f"/boards/{world.board.pk}/cards", {"title": "warm"})
    return call


def table_of(sql):
    """The table a statement reads or writes (not those of its subqueries)."""
    for match in re.finditer(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql):
        before = sql[: match.start()]
        if before.count("(") == before.count(")"):
            return match[1]
    raise AssertionError(f"no table in {sql}")


def tables(captured):
    return [
        q["sql"].split()[0] if q["sql"].startswith(("SAVEPOINT", "RELEASE")) else table_of(q["sql"])
        for q in captured
    ]


def add(world, title, column):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.bob
    )


def test_it_moves_a_card_to_the_top_of_a_cell_in_10_statements(
    world, post, django_assert_num_queries
):
    done = [add(world, f"done {i}", "Done") for i in range(3)]
    mover = add(world, "mover", "Live")
    target = world.column("Done").pk
    post("/cards/0/move", {"column_id": 1})  # stamps the token's last use (once a minute)
    with CaptureQueriesContext(connection) as seen, django_assert_num_queries(10):
        status, body = post(
            f"/cards/{mover.pk}/move", {"column_id": target, "before_id": done[0].pk}
        )
    assert (status, body["column"], body["position"]) == (200, "Done", -1)
    assert tables(seen.captured_queries) == MOVE
    cell = Card.objects.filter(column=world.column("Done"), lane=Lane.STANDARD)
    assert list(cell.order_by("position", "pk").values_list("title", "position")) == [
        ("mover", -1),
        ("done 0", 0),
        ("done 1", 1),
        ("done 2", 2),
    ]
    assert CardEvent.objects.filter(card=mover, kind="moved").count() == 1


def test_it_creates_a_card_in_10_statements(world, post, django_assert_num_queries):
    post.warm()
    live = world.column("Live").pk
    with CaptureQueriesContext(connection) as seen, django_assert_num_queries(10):
        status, body = post(f"/boards/{world.board.pk}/cards", {"title": "new", "column_id": live})
    assert (status, body["number"], body["column"], body["assignees"]) == (201, 2, "Live", [])
    assert tables(seen.captured_queries) == CREATE
    assert CardEvent.objects.filter(card_id=body["id"], kind="created").count() == 1


def test_a_create_with_assignees_answers_them_without_reading_them_back(world, post):
    post.warm()
    status, body = post(
        f"/boards/{world.board.pk}/cards",
        {"title": "ours", "column_id": world.column("Live").pk, "assignees": [world.alice.pk]},
    )
    assert (status, body["assignees"]) == (201, [world.alice.pk])
    assert list(Card.objects.get(pk=body["id"]).assignees.values_list("pk", flat=True)) == [
        world.alice.pk
    ]


def test_a_move_between_two_neighbours_without_a_gap_shifts_the_cards_below(world, post):
    _a, b, _c = (add(world, t, "Done") for t in "abc")  # positions 0, 1, 2: no gap
    mover = add(world, "m", "Live")
    status, body = post(
        f"/cards/{mover.pk}/move", {"column_id": world.column("Done").pk, "before_id": b.pk}
    )
    assert (status, body["position"]) == (200, 1)
    cell = Card.objects.filter(column=world.column("Done")).order_by("position", "pk")
    assert list(cell.values_list("title", "position")) == [("a", 0), ("m", 1), ("b", 2), ("c", 3)]


def test_a_move_into_a_gap_takes_the_position_above_the_card_and_moves_nothing_else(world, post):
    _a, b = (add(world, t, "Done") for t in "ab")
    Card.objects.filter(pk=b.pk).update(position=5)
    mover = add(world, "m", "Live")
    status, body = post(
        f"/cards/{mover.pk}/move", {"column_id": world.column("Done").pk, "before_id": b.pk}
    )
    assert (status, body["position"]) == (200, 4)
    cell = Card.objects.filter(column=world.column("Done")).order_by("position", "pk")
    assert list(cell.values_list("title", "position")) == [("a", 0), ("m", 4), ("b", 5)]


def test_a_move_before_a_card_sharing_its_position_lands_between_the_two(world, post):
    _a, b = (add(world, t, "Done") for t in "ab")
    Card.objects.filter(pk=b.pk).update(position=0)  # a and b both at 0: a first (lower id)
    mover = add(world, "m", "Live")
    status, _ = post(
        f"/cards/{mover.pk}/move", {"column_id": world.column("Done").pk, "before_id": b.pk}
    )
    assert status == 200
    cell = Card.objects.filter(column=world.column("Done")).order_by("position", "pk")
    assert list(cell.values_list("title", flat=True)) == ["a", "m", "b"]


def test_a_move_before_a_card_of_another_workspace_is_404_and_moves_nothing(world, post):
    theirs = services.create_card(world.evil_board, title="theirs", actor=world.mallory)
    mover = add(world, "m", "Live")
    status, body = post(
        f"/cards/{mover.pk}/move", {"column_id": world.column("Done").pk, "before_id": theirs.pk}
    )
    assert (status, body["error"]["message"]) == (404, "no such card")
    assert Card.objects.get(pk=mover.pk).column == world.column("Live")
    assert not CardEvent.objects.filter(card=mover, kind="moved").exists()


def test_with_an_active_webhook_a_move_looks_it_up_and_queues_the_delivery(
    world, post, django_assert_num_queries
):
    from leanmark.integrations import services as integrations
    from leanmark.integrations.models import Delivery

    hook = integrations.create_webhook(
        world.acme, url="https://hooks.example/in", events=["*"], actor=world.alice
    )
    mover = add(world, "m", "Live")
    target = world.column("Done").pk
    post("/cards/0/move", {"column_id": 1})
    with CaptureQueriesContext(connection) as seen, django_assert_num_queries(11 + 2):
        status, _ = post(f"/cards/{mover.pk}/move", {"column_id": target})
    assert status == 200
    # The end of the cell instead of the card to go before; then the lookup, the delivery and
    # its job.
    assert tables(seen.captured_queries)[-5:] == [
        "board_board",
        "integrations_webhook",
        "integrations_delivery",
        "django_tasks_database_dbtaskresult",
        "RELEASE",
    ]
    queued = Delivery.objects.filter(webhook=hook).order_by("pk")
    assert list(queued.values_list("event", flat=True)) == [
        "card.created",
        "card.moved",
    ]


def test_the_workspace_says_it_has_webhooks_only_while_one_is_active(world):
    from leanmark.accounts.models import Workspace
    from leanmark.integrations import services as integrations

    def flags():
        return Workspace.objects.get(pk=world.acme.pk).has_webhooks

    assert flags() is False
    first = integrations.create_webhook(
        world.acme, url="https://hooks.example/a", events=["*"], actor=world.alice
    )
    second = integrations.create_webhook(
        world.acme, url="https://hooks.example/b", events=["*"], actor=world.alice
    )
    assert flags() is True
    integrations.set_active(first, False, actor=world.alice)
    assert flags() is True  # the second still listens
    integrations.delete_webhook(second, actor=world.alice)
    assert flags() is False  # the first is paused
    integrations.set_active(first, True, actor=world.alice)
    assert flags() is True
    assert Workspace.objects.get(pk=world.evil.pk).has_webhooks is False
