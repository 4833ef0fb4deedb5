"""Live updates: every change a viewer would see bumps the board's counter, and the poll answers
204 while nothing changed and the redrawn board once something did."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leanmark.board import services
from leanmark.board.models import Board
from leanmark.lib import notify
from leanmark.lib.errors import LeanmarkError

pytestmark = pytest.mark.django_db


def changes(world):
    return Board.objects.get(pk=world.board.pk).changes


def poll_url(world, v, **query):
    url = reverse("board_changes", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    return url + "?" + "&".join(f"{k}={val}" for k, val in {"v": v, **query}.items())


def add(world, title="Spring newsletter", column="Ready"):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.bob
    )


def test_each_kind_of_change_moves_the_counter_by_one(world):
    steps = [
        lambda: add(world),
        lambda: services.move_card(
            world.board.cards.get(), to_column=world.column("Writing"), actor=world.bob
        ),
        lambda: services.block_card(world.board.cards.get(), reason="legal", actor=world.bob),
        lambda: services.unblock_card(world.board.cards.get(), actor=world.bob),
        lambda: services.edit_card(
            world.board.cards.get(),
            changes={"title": "Summer newsletter"},
            expected_version=None,
            actor=world.bob,
        ),
        lambda: services.update_column(
            world.column("Review"), services.ColumnSpec("Edit", "active", 4, "soft")
        ),
    ]
    seen = [changes(world)]
    for step in steps:
        step()
        seen.append(changes(world))
    assert seen == list(range(seen[0], seen[0] + len(steps) + 1))


def test_a_refused_change_leaves_the_counter_alone(world):
    for i in range(3):  # Writing has a hard limit of 3
        services.move_card(add(world, f"Draft {i}"), to_column=world.column("Writing"), actor=None)
    fourth = add(world, "One too many")
    before = changes(world)
    with pytest.raises(LeanmarkError):
        services.move_card(fourth, to_column=world.column("Writing"), actor=world.bob)
    assert changes(world) == before


def test_the_idle_poll_answers_204_with_one_board_query(world, client_for):
    client = client_for(world.carol)  # a viewer sees live updates too
    v = changes(world)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(poll_url(world, v))
    assert response.status_code == 204
    assert response.content == b""
    board_queries = [q["sql"] for q in ctx.captured_queries if '"board_board"' in q["sql"]]
    assert len(board_queries) == 1
    # session, user, membership, board: nothing grows with the board's size
    assert len(ctx.captured_queries) == 4


def test_after_a_change_the_poll_answers_the_board_with_the_change_and_a_new_counter(
    world, client_for
):
    client = client_for(world.carol)
    v = changes(world)
    card = add(world)
    services.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    response = client.get(poll_url(world, v), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert f"v={v + 2}" in html  # the next poll asks from the counter this drawing shows
    assert "Spring newsletter" in html
    assert client.get(poll_url(world, v + 2)).status_code == 204


def test_the_redrawn_board_keeps_the_viewers_filters(world, client_for):
    client = client_for(world.carol)
    v = changes(world)
    add(world, "About SEO")
    add(world, "About email")
    html = client.get(poll_url(world, v, q="SEO"), headers={"HX-Request": "true"}).content.decode()
    assert "About SEO" in html
    assert "About email" not in html
    assert "q=SEO" in html


def test_a_bad_counter_redraws_and_another_workspaces_board_is_404(world, client_for):
    client = client_for(world.carol)
    assert client.get(poll_url(world, "abc")).status_code == 200
    url = reverse("board_changes", kwargs={"ws": world.acme.slug, "board_id": world.evil_board.pk})
    assert client.get(url + "?v=0").status_code == 404


def test_card_events_are_published_for_subscribers(world):
    heard = []

    def listener(workspace_id, event, payload):
        heard.append((workspace_id, event, payload))

    notify.subscribe(listener)
    try:
        card = add(world)
        services.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    finally:
        notify._subscribers.remove(listener)
    assert [event for _, event, _ in heard] == ["card.created", "card.moved"]
    workspace_id, _, moved = heard[1]
    assert workspace_id == world.acme.pk
    assert moved["card"] == {"id": card.pk, "number": card.number, "title": "Spring newsletter"}
    assert (moved["from_column"], moved["to_column"]) == ("Ready", "Writing")
    assert moved["actor"] == world.bob.email


def card_url(world, card, suffix=""):
    return reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}) + suffix


def test_someone_editing_a_card_is_marked_on_other_boards_but_not_their_own(world, client_for):
    card = add(world)
    bob, carol = client_for(world.bob), client_for(world.carol)
    v = changes(world)
    assert bob.get(card_url(world, card)).status_code == 200  # Bob opens the edit form
    html = carol.get(poll_url(world, v), headers={"HX-Request": "true"}).content.decode()
    assert "✎ Bob" in html and "editing" in html
    own = bob.get(poll_url(world, 0), headers={"HX-Request": "true"}).content.decode()
    assert "✎" not in own


def test_renewing_presence_does_not_redraw_boards_and_leaving_does(world, client_for):
    card = add(world)
    bob = client_for(world.bob)
    bob.get(card_url(world, card))
    v = changes(world)
    assert bob.post(card_url(world, card, "editing")).status_code == 204
    assert changes(world) == v  # a renewal changes nothing anyone sees
    assert bob.post(card_url(world, card, "editing"), {"left": "1"}).status_code == 204
    assert changes(world) == v + 1
    html = client_for(world.carol).get(poll_url(world, v), headers={"HX-Request": "true"})
    assert "✎" not in html.content.decode()


def test_a_closed_tab_stops_counting_as_an_editor_after_45_seconds(world):
    from datetime import timedelta

    from django.utils import timezone

    from leanmark.board import queries

    card = add(world)
    now = timezone.now()
    services.start_editing(card, world.bob, now=now - timedelta(seconds=44))
    assert queries.editors_of(world.board, now=now) == {card.pk: ["Bob Member"]}
    assert queries.editors_of(world.board, now=now + timedelta(seconds=2)) == {}


def test_a_viewer_reading_a_card_is_not_an_editor_and_the_page_warns_editors(world, client_for):
    card = add(world)
    client_for(world.carol).get(card_url(world, card))  # a viewer cannot edit
    assert card.editors.count() == 0
    client_for(world.alice).get(card_url(world, card))
    page = client_for(world.bob).get(card_url(world, card)).content.decode()
    assert 'id="other-editors"' in page
    assert "is editing this card too" in page
