"""The whole-board read: ``GET /boards/{id}?include=cards`` (issue 24, item 1)."""

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leanmark.board import services
from leanmark.board.models import Card

TAGS = [["seo"], ["email", "launch"], [], ["video", "blog", "ads"]]


@pytest.fixture
def api(world, client_for, token_for):
    """api(who, path, **headers) → (status, parsed body or None, the answer's headers)."""
    tokens = {name: token_for(getattr(world, name)) for name in ("bob", "carol", "mallory")}
    client = client_for(None)

    def call(who, path, **headers):
        headers["Authorization"] = f"Bearer {tokens[who]}"
        response = client.get(f"/api/v1{path}", headers=headers)
        return response.status_code, (response.json() if response.content else None), response

    return call


def many_cards(world, n):
    """``n`` cards in Ready with tags, estimates and up to two assignees (no limit is checked:
    Ready's WIP limit of 8 is soft, so each card past it gives a reason)."""
    people = [[], [world.bob], [world.alice, world.bob], [world.carol]]
    cards = []
    for i in range(n):
        cards.append(
            services.create_card(
                world.board,
                title=f"Card {i}",
                column=world.column("Ready"),
                lane=["standard", "fixed_date", "intangible"][i % 3],
                assignees=people[i % 4],
                tags=TAGS[i % 4],
                estimate=["1.5", None, "3", "999999.99"][i % 4],
                due_date=date(2027, 1, 1 + i % 28) if i % 3 == 1 else None,
                stage=["", "try", "repeat"][i % 3],
                channel=["", "email"][i % 2],
                description='line one\nline "two" é' if i % 5 == 0 else "",
                reason="a batch for the test",
                actor=world.bob,
            )
        )
    return cards


@pytest.fixture
def thirty(world):
    """30 cards: some moved through Writing (started), some done (finished), blocked ones,
    logged time, archived ones, and date-times with and without microseconds."""
    cards = many_cards(world, 30)
    for card in cards[:6]:  # Writing holds 3 at most (hard): each goes on to Live, two to Done
        services.move_card(card, to_column=world.column("Writing"), actor=world.bob)
        services.move_card(card, to_column=world.column("Live"), actor=world.bob)
    for card in cards[:2]:
        services.move_card(card, to_column=world.column("Done"), actor=world.bob)
    for card in cards[6:9]:
        services.block_card(card, reason="waiting for legal", actor=world.bob)
    services.set_time_logged(cards[9], Decimal("2.25"))
    for card in cards[10:13]:
        services.archive_card(card, actor=world.bob)
    # Whole seconds (no fraction in the JSON) and a sub-millisecond fraction (".000").
    Card.objects.filter(pk=cards[14].pk).update(created_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    Card.objects.filter(pk=cards[15].pk).update(
        created_at=datetime(2026, 3, 1, 8, 0, 0, 450, tzinfo=UTC)
    )
    return cards


def paged(api, board_id):
    """Every live card through the paged endpoint, 7 a page."""
    cards, cursor = [], 0
    while cursor is not None:
        status, body, _ = api("bob", f"/boards/{board_id}/cards?limit=7&cursor={cursor}")
        assert status == 200
        cards += body["items"]
        cursor = body["next_cursor"]
    return cards


def test_the_whole_read_writes_every_live_card_as_the_paged_list_does(world, api, thirty):
    status, body, response = api("carol", f"/boards/{world.board.pk}?include=cards")  # a viewer
    assert status == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    archived = {c.pk for c in thirty[10:13]}
    expected = paged(api, world.board.pk)
    assert len(expected) == 27 and not archived & {c["id"] for c in expected}
    assert body["cards"] == expected  # field for field, in the same order (by id)
    # The board and its columns as without include, with the same counts.
    _, plain, _ = api("carol", f"/boards/{world.board.pk}")
    assert {k: v for k, v in body.items() if k != "cards"} == plain
    assert [(c["name"], c["count"]) for c in body["columns"]] == [
        ("Ready", 21),
        ("Writing", 0),
        ("Review", 0),
        ("Live", 4),
        ("Done", 2),
    ]


def test_the_whole_read_writes_values_as_the_api_does_everywhere(world, api, thirty):
    _, body, _ = api("bob", f"/boards/{world.board.pk}?include=cards")
    by_id = {c["id"]: c for c in body["cards"]}
    done, blocked, logged = by_id[thirty[0].pk], by_id[thirty[6].pk], by_id[thirty[9].pk]
    assert (done["column"], done["started_at"] is not None, done["finished_at"] is not None) == (
        "Done",
        True,
        True,
    )
    assert (blocked["blocked"], blocked["blocked_reason"]) == (True, "waiting for legal")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", blocked["blocked_since"])
    assert (logged["time_logged"], by_id[thirty[3].pk]["estimate"]) == ("2.25", "999999.99")
    assert (by_id[thirty[14].pk]["created_at"], by_id[thirty[15].pk]["created_at"]) == (
        "2026-03-01T08:00:00Z",
        "2026-03-01T08:00:00.000Z",
    )
    assert by_id[thirty[2].pk]["assignees"] == sorted([world.alice.pk, world.bob.pk])
    assert (by_id[thirty[3].pk]["tags"], by_id[thirty[4].pk]["due_date"]) == (
        ["video", "blog", "ads"],
        "2027-01-05",
    )
    assert by_id[thirty[5].pk]["description"] == 'line one\nline "two" é'


# A bearer call, whatever the number of cards: the token, the board with the caller's role, its
# live cards with their assignees and the counts per column (SQLite writes their JSON in one
# statement; PostgreSQL reads the assignees apart), its columns.
WHOLE_READ_QUERIES = 4 if connection.vendor == "sqlite" else 5


@pytest.mark.parametrize("n", [5, 50])
def test_the_whole_read_costs_the_same_queries_for_5_and_50_cards(
    world, api, django_assert_num_queries, n
):
    many_cards(world, n)
    api("bob", f"/boards/{world.board.pk}")  # the token's last-used stamp: once a minute
    with django_assert_num_queries(WHOLE_READ_QUERIES):
        status, body, _ = api("bob", f"/boards/{world.board.pk}?include=cards")
    assert (status, len(body["cards"])) == (200, n)


def test_an_unchanged_board_answers_304_without_reading_a_card(world, api):
    card = many_cards(world, 3)[0]
    path = f"/boards/{world.board.pk}?include=cards"
    status, _, first = api("carol", path)
    etag = first["ETag"]
    assert (status, etag) == (200, f'"board-{world.board.pk}-3-cards"')
    with CaptureQueriesContext(connection) as ctx:
        status, body, again = api("carol", path, if_none_match=etag)
    assert (status, body, again["ETag"]) == (304, None, etag)
    assert not [q for q in ctx.captured_queries if '"board_card"' in q["sql"]]
    # A weak form and a list naming it count too; the plain read has its own tag.
    assert api("carol", path, if_none_match=f'"x", W/{etag}')[0] == 304
    assert api("carol", f"/boards/{world.board.pk}", if_none_match=etag)[0] == 200

    services.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    status, body, moved = api("carol", path, if_none_match=etag)
    assert status == 200 and moved["ETag"] != etag
    assert next(c for c in body["cards"] if c["id"] == card.pk)["column"] == "Writing"
    assert api("carol", path, if_none_match=moved["ETag"])[0] == 304


def test_logged_time_changes_the_tag(world, api):
    card = many_cards(world, 1)[0]
    path = f"/boards/{world.board.pk}?include=cards"
    etag = api("bob", path)[2]["ETag"]
    services.set_time_logged(card, Decimal("1.50"))
    status, body, _ = api("bob", path, if_none_match=etag)
    assert (status, body["cards"][0]["time_logged"]) == (200, "1.50")


def test_an_outsider_and_another_workspaces_board_are_not_found(world, api):
    many_cards(world, 2)
    status, body, _ = api("mallory", f"/boards/{world.board.pk}?include=cards")
    assert (status, body["error"]["code"]) == (404, "not_found")
    etag = f'"board-{world.board.pk}-2-cards"'  # a guessed tag tells an outsider nothing
    assert api("mallory", f"/boards/{world.board.pk}?include=cards", if_none_match=etag)[0] == 404
    assert api("bob", f"/boards/{world.evil_board.pk}?include=cards")[0] == 404


def test_include_takes_only_cards(world, api):
    status, body, _ = api("bob", f"/boards/{world.board.pk}?include=events")
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert "include" in body["error"]["fields"]


def test_the_document_describes_the_whole_read(world):
    from leanmark.api import api as ninja_api

    document = json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix="/api/v1/")))
    op = document["paths"]["/api/v1/boards/{board_id}"]["get"]
    assert {"200", "304", "404"} <= set(op["responses"])
    include = next(p for p in op["parameters"] if p["name"] == "include")
    assert "cards" in json.dumps(include["schema"])


def test_a_board_without_live_cards_reads_an_empty_list_and_zero_counts(world, api):
    card = many_cards(world, 1)[0]
    services.archive_card(card, actor=world.bob)
    status, body, _ = api("carol", f"/boards/{world.board.pk}?include=cards")
    assert (status, body["cards"]) == (200, [])
    assert [c["count"] for c in body["columns"]] == [0, 0, 0, 0, 0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the database writes the JSON on SQLite")
def test_the_sqlite_statement_writes_what_the_rows_path_writes(world, thirty):
    from leanmark.board import exports, queries

    text, counts = queries.live_cards_json(world.board)
    cards, row_counts = exports.live_cards(world.board)  # the path other databases take
    assert json.loads(text) == json.loads(exports.dumps(cards))
    assert (len(json.loads(text)), counts) == (27, row_counts)
