"""The board page's drawn cells, cached by the board's change counter (leanmark.board.drawing)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leanmark.board import drawing, queries, services
from leanmark.board.models import Card
from leanmark.board.tests.test_views import board_url, fill, queue_of

# The page's queries: session, user, membership, workspace and board, the people and the boards
# of the workspace, open impediments ...; drawing the cells adds the board's columns, the cell
# counts, the open cards, the done cards and the assignees of the cards drawn. Who is editing
# which card is read on every request (it changes with the clock and the viewer).
COLD, WARM = 14, 9


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("cards", "drawn"), [(6, 6), (150, 126)])  # 150: long cells collapse
def test_it_draws_the_board_in_the_same_number_of_queries_at_any_size(
    world, client_for, django_assert_num_queries, cards, drawn
):
    fill(world, cards)
    client = client_for(world.bob)
    with django_assert_num_queries(COLD):
        cold = page(client, board_url(world))
    with django_assert_num_queries(WARM):
        warm = page(client, board_url(world))
    assert warm.count('data-card="') == cold.count('data-card="') == drawn


def test_it_shows_a_moved_card_on_the_next_render(world, client_for):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    client = client_for(world.bob)
    before = page(client, board_url(world))
    assert before.count(f'id="card-{card.number}"') == 1
    ready, writing = world.column("Ready").pk, world.column("Writing").pk
    cell = f'data-column="{writing}" data-lane="standard"'
    assert f'{cell} data-move-base="{board_url(world)}">\n        \n' in before  # empty
    services.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    after = page(client, board_url(world))
    assert f'{cell} data-move-base="{board_url(world)}">\n        <article' in after
    assert f'data-column="{ready}" data-lane="standard" data-move-base' in after
    assert f'data-number="{card.number}" data-version="2"' in after


def test_it_shows_an_edited_title_on_the_next_render(world, client_for):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    client = client_for(world.carol)
    assert '<p class="title">Roast notes</p>' in page(client, board_url(world))
    services.edit_card(
        card, changes={"title": "Roast & <notes>"}, expected_version=card.version, actor=world.bob
    )
    html = page(client, board_url(world))
    assert '<p class="title">Roast notes</p>' not in html
    assert '<p class="title">Roast &amp; &lt;notes&gt;</p>' in html


def test_it_never_gives_a_viewer_a_members_menus(world, client_for):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    menu = f'aria-label="Actions for card #{card.number}"'
    assert page(client_for(world.bob), board_url(world)).count(menu) == 1
    assert menu not in page(client_for(world.carol), board_url(world))  # carol is a viewer
    assert page(client_for(world.alice), board_url(world)).count(menu) == 1  # the owner


def test_it_never_gives_a_member_a_viewers_drawing(world, client_for):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    menu = f'aria-label="Actions for card #{card.number}"'
    assert menu not in page(client_for(world.carol), board_url(world))
    assert page(client_for(world.bob), board_url(world)).count(menu) == 1


def test_it_filters_a_board_whose_cells_are_cached(world, client_for):
    services.create_card(world.board, title="Roast notes", actor=world.bob)
    services.create_card(world.board, title="Price list", actor=world.bob)
    client = client_for(world.bob)
    assert page(client, board_url(world)).count('data-card="') == 2
    html = page(client, board_url(world, q="roast"))
    assert html.count('data-card="') == 1
    assert '<p class="title">Roast notes</p>' in html
    assert page(client, board_url(world)).count('data-card="') == 2


def test_it_draws_the_ages_of_the_moment_from_the_cache(world, django_assert_num_queries):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    board = queries.board_for(world.acme, world.board.pk)
    now = timezone.now()

    def cell(at):
        view, editing = drawing.board_drawing(
            board,
            now=at,
            filters=queries.Filters(),
            done_shown=queries.DONE_PAGE,
            opened=(),
            viewer=world.bob,
            can_write=True,
            card_base="/cards/",
            people=[],
        )
        return drawing.draw_cell(view.columns[0].cells["standard"], at, editing)

    assert "0.0d · 0.0d" in cell(now)
    with django_assert_num_queries(1):  # who is editing: the cells come from the cache
        assert "2.5d · 2.5d" in cell(card.created_at + timedelta(days=2.5))


def test_it_shows_who_else_is_editing_whoever_drew_the_cells(world, client_for):
    card = services.create_card(world.board, title="Roast notes", actor=world.bob)
    page(client_for(world.bob), board_url(world))  # drawn and cached before anyone edits
    services.start_editing(Card.objects.get(pk=card.pk), world.alice)
    editing = '<p class="editing" title="has the card open to edit it">✎ Alice Owner editing</p>'
    assert editing in page(client_for(world.bob), board_url(world))
    assert editing in page(client_for(world.carol), board_url(world))
    assert "editing</p>" not in page(client_for(world.alice), board_url(world))


def test_it_keeps_boards_of_other_workspaces_apart(world, client_for):
    services.create_card(world.evil_board, title="Evil plan", actor=world.mallory)
    page(client_for(world.mallory), f"/w/{world.evil.slug}/boards/{world.evil_board.pk}/")
    html = page(client_for(world.bob), board_url(world))
    assert "Evil plan" not in html
    assert html.count('data-card="') == 0


def test_it_counts_a_filtered_long_cell_by_the_cards_the_filter_keeps(world, client_for):
    queue_of(world, 11)
    for i in range(3):
        services.create_card(
            world.board,
            title=f"other {i}",
            column=world.column("Ready"),
            reason="a long queue",
            actor=world.bob,
        )
    client = client_for(world.bob)
    assert ">Show all 14</a>" in page(client, board_url(world))
    html = page(client, board_url(world, q="queued"))
    assert html.count('data-card="') == 8
    assert ">Show all 11</a>" in html
