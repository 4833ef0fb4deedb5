import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leanmark.board import services
from leanmark.board.models import Card, CardEvent, Lane


def fill(world, n):
    """n cards spread over every column and lane, with assignees and tags, some blocked."""
    columns = list(world.board.columns.order_by("position"))
    for column in columns:
        services.update_column(
            column, services.ColumnSpec(column.name, column.kind, None, column.policy)
        )
    lanes = [Lane.STANDARD, Lane.FIXED_DATE, Lane.INTANGIBLE]
    for i in range(n):
        card = services.create_card(
            world.board,
            title=f"card {i}",
            column=columns[i % len(columns)],
            lane=lanes[i % 3],
            assignees=[world.bob] if i % 2 else [world.alice, world.bob],
            tags=["seo", f"t{i % 4}"],
            actor=world.bob,
        )
        if i % 10 == 0:
            services.block_card(card, reason="waiting", actor=world.bob)


def board_url(world, **query):
    url = reverse("board", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_page_makes_the_same_number_of_queries_for_10_and_300_cards(world, client_for):
    client = client_for(world.bob)
    fill(world, 10)
    small = page_queries(client, board_url(world))
    fill(world, 290)
    assert Card.objects.count() == 300
    assert page_queries(client, board_url(world)) == small


def test_the_card_list_api_makes_the_same_number_of_queries_for_10_and_300_cards(
    world, client_for, token_for
):
    client, headers = client_for(None), {"Authorization": f"Bearer {token_for(world.bob)}"}
    url = f"/api/v1/boards/{world.board.pk}/cards?limit=200"
    client.get(url, headers=headers)  # the token's last-used stamp is written at most once a minute
    fill(world, 10)
    with CaptureQueriesContext(connection) as small:
        client.get(url, headers=headers)
    fill(world, 290)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(url, headers=headers).json()["items"]) == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_board_shows_counts_limits_and_ages(world, client_for):
    card = services.create_card(
        world.board, title="Roast notes", column=world.column("Writing"), actor=world.bob
    )
    html = client_for(world.carol).get(board_url(world)).content.decode()
    assert '<span class="count" title="cards / WIP limit (Hard: refuse)">1/3</span>' in html
    assert f'id="card-{card.number}"' in html
    assert "0.0d · 0.0d" in html


def test_a_column_over_its_limit_is_marked_red_and_one_at_it_amber(world, client_for):
    for i in range(3):
        services.create_card(
            world.board, title=f"c{i}", column=world.column("Writing"), actor=world.bob
        )
    html = client_for(world.bob).get(board_url(world)).content.decode()
    assert "col-head limit-at kind-active" in html
    services.update_column(
        world.column("Writing"), services.ColumnSpec("Writing", "active", 2, "hard")
    )
    html = client_for(world.bob).get(board_url(world)).content.decode()
    assert "col-head limit-over kind-active" in html


def test_an_htmx_move_answers_the_board_fragment_with_the_new_count(world, client_for):
    card = services.create_card(
        world.board, title="Move me", column=world.column("Ready"), actor=world.bob
    )
    url = reverse(
        "card_move",
        kwargs={"ws": world.acme.slug, "board_id": world.board.pk, "number": card.number},
    )
    response = client_for(world.bob).post(
        url,
        {"column": world.column("Writing").pk, "lane": "standard", "version": card.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html
    assert ">1/3</span>" in html
    assert response["HX-Trigger"] == "cardMoved"


def test_a_refused_move_says_which_limit_and_what_to_do(world, client_for):
    cards = [
        services.create_card(
            world.board, title=f"c{i}", column=world.column("Ready"), actor=world.bob
        )
        for i in range(4)
    ]
    for c in cards[:3]:
        services.move_card(c, to_column=world.column("Writing"), actor=world.bob)
    url = reverse(
        "card_move",
        kwargs={"ws": world.acme.slug, "board_id": world.board.pk, "number": cards[3].number},
    )
    response = client_for(world.bob).post(
        url, {"column": world.column("Writing").pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert (
        "Writing is at its WIP limit (3/3, hard). Finish or move a card out of it first."
        in response.content.decode()
    )


def test_a_soft_limit_move_shows_the_reason_form_and_records_the_reason(world, client_for):
    cards = [
        services.create_card(
            world.board, title=f"c{i}", column=world.column("Ready"), actor=world.bob
        )
        for i in range(3)
    ]
    for c in cards[:2]:
        services.move_card(c, to_column=world.column("Review"), actor=world.bob)
    url = reverse(
        "card_move",
        kwargs={"ws": world.acme.slug, "board_id": world.board.pk, "number": cards[2].number},
    )
    client = client_for(world.bob)
    html = client.post(
        url, {"column": world.column("Review").pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'name="reason"' in html and "Move anyway" in html
    client.post(
        url,
        {"column": world.column("Review").pk, "reason": "press embargo lifts today"},
        headers={"HX-Request": "true"},
    )
    assert CardEvent.objects.get(kind="wip_override").reason == "press embargo lifts today"


def test_a_stale_edit_in_the_browser_answers_409_and_keeps_the_other_edit(world, client_for):
    card = services.create_card(
        world.board, title="Original", column=world.column("Ready"), actor=world.bob
    )
    services.edit_card(card, changes={"title": "Bob's title"}, expected_version=1, actor=world.bob)
    url = reverse("card_edit", kwargs={"ws": world.acme.slug, "number": card.number})
    response = client_for(world.alice).post(url, {"title": "Alice's title", "version": 1})
    assert response.status_code == 409
    assert "was changed by someone else" in response.content.decode()
    card.refresh_from_db()
    assert card.title == "Bob's title"


def test_filters_narrow_the_cards_shown(world, client_for):
    services.create_card(
        world.board, title="SEO page", column=world.column("Ready"), tags=["seo"], actor=world.bob
    )
    services.create_card(
        world.board,
        title="Reel",
        column=world.column("Ready"),
        tags=["social"],
        actor=world.bob,
        assignees=[world.bob],
    )
    client = client_for(world.bob)
    assert "Reel" not in client.get(board_url(world, tag="seo")).content.decode()
    html = client.get(board_url(world, person=world.bob.pk)).content.decode()
    assert "Reel" in html and "SEO page" not in html


def test_the_done_column_shows_the_latest_50_and_more_on_request(world, client_for):
    for i in range(55):
        services.create_card(
            world.board, title=f"done {i}", column=world.column("Done"), actor=world.bob
        )
    client = client_for(world.bob)
    html = client.get(board_url(world)).content.decode()
    assert html.count("data-card=") == 50
    assert "Show more done cards" in html
    html = client.get(board_url(world, done=100)).content.decode()
    assert html.count("data-card=") == 55


def test_the_board_escapes_every_text_a_user_wrote_on_a_tile(world, client_for):
    payload = '<img src=x onerror=alert(1)>"&'
    card = services.create_card(
        world.board,
        title=f"T {payload}",
        column=world.column("Writing"),
        actor=world.bob,
        tags=['<b>&"x'],
        assignees=[world.bob],
    )
    services.block_card(card, reason=f"R {payload}", actor=world.bob)
    html = client_for(world.bob).get(board_url(world)).content.decode()
    escaped = "&lt;img src=x onerror=alert(1)&gt;&quot;&amp;"
    assert f'<p class="title">T {escaped}</p>' in html
    assert '<span class="tag">&lt;b&gt;&amp;&quot;x</span>' in html
    assert f"<b>Blocked</b> R {escaped} · " in html
    assert "<img src=x" not in html


def test_card_page_sanitises_markdown(world, client_for):
    card = services.create_card(
        world.board,
        title="XSS",
        column=world.column("Ready"),
        actor=world.bob,
        description="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    html = (
        client_for(world.bob)
        .get(reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}))
        .content.decode()
    )
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("limit", ["-1", "abc"])
def test_board_settings_refuse_bad_limits(world, client_for, limit):
    column = world.column("Writing")
    url = reverse(
        "column_action",
        kwargs={
            "ws": world.acme.slug,
            "board_id": world.board.pk,
            "column_id": column.pk,
            "action": "save",
        },
    )
    response = client_for(world.alice).post(
        url,
        {"name": "Writing", "kind": "active", "policy": "hard", "wip_limit": limit},
        follow=True,
    )
    assert (
        "Writing: the limit" in response.content.decode()
        or "cannot be negative" in response.content.decode()
    )
    column.refresh_from_db()
    assert column.wip_limit == 3


def test_a_move_answers_the_board_as_it_was_filtered_not_filtered_by_the_card(world, client_for):
    """The POST body's lane describes the card; the view's filters come from the URL only."""
    card = services.create_card(
        world.board, title="Std", column=world.column("Ready"), actor=world.bob
    )
    services.create_card(
        world.board,
        title="Dated",
        column=world.column("Ready"),
        actor=world.bob,
        lane=Lane.FIXED_DATE,
    )
    url = reverse(
        "card_move",
        kwargs={"ws": world.acme.slug, "board_id": world.board.pk, "number": card.number},
    )
    html = (
        client_for(world.bob)
        .post(
            url,
            {"column": world.column("Writing").pk, "lane": "standard"},
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )
    assert "Dated" in html


def test_the_expedite_count_ignores_the_filters(world, client_for):
    card = services.create_card(
        world.board,
        title="Urgent",
        column=world.column("Writing"),
        actor=world.bob,
        lane=Lane.EXPEDITE,
    )
    html = client_for(world.bob).get(board_url(world, lane="standard")).content.decode()
    assert card.title not in html
    assert "Expedite in progress: 1/1" in html


def queue_of(world, n, column="Ready"):
    """n cards in one cell of a queue column (Ready's soft limit of 8 is overridden)."""
    return [
        services.create_card(
            world.board,
            title=f"queued {i}",
            column=world.column(column),
            reason="a long queue",
            actor=world.bob,
        )
        for i in range(n)
    ]


def test_a_long_queue_cell_shows_its_first_8_cards_and_a_link_to_all(world, client_for):
    queue_of(world, 11)
    ready = world.column("Ready")
    client = client_for(world.bob)
    html = client.get(board_url(world)).content.decode()
    assert html.count("data-card=") == 8
    assert ">Show all 11</a>" in html
    assert f"?open={ready.pk}-standard" in html
    html = client.get(board_url(world, open=f"{ready.pk}-standard")).content.decode()
    assert html.count("data-card=") == 11
    assert ">Show the first 8</a>" in html
    assert f'<input type="hidden" name="open" value="{ready.pk}-standard">' in html


def test_the_header_counts_every_card_of_a_collapsed_cell(world, client_for):
    queue_of(world, 11)
    html = client_for(world.bob).get(board_url(world)).content.decode()
    assert '(Soft: warn and ask for a reason)">11/8</span>' in html


def test_an_active_column_with_a_wip_limit_shows_every_card(world, client_for):
    writing = world.column("Writing")
    services.update_column(writing, services.ColumnSpec("Writing", writing.kind, 12, "soft"))
    queue_of(world, 10, column="Writing")
    html = client_for(world.bob).get(board_url(world)).content.decode()
    assert html.count("data-card=") == 10
    assert "Show all" not in html


def test_a_bad_open_cell_is_ignored(world, client_for):
    queue_of(world, 9)
    html = client_for(world.bob).get(board_url(world, open="x'><b>")).content.decode()
    assert html.count("data-card=") == 8
    assert "x'><b>" not in html


def block_from_board(client, card, reason="printer late", action="block"):
    url = reverse(
        "card_action",
        kwargs={"ws": card.board.workspace.slug, "number": card.number, "action": action},
    )
    return client.post(url, {"reason": reason, "next": "board"}, headers={"HX-Request": "true"})


def test_a_member_blocks_a_card_from_the_board_menu_and_gets_the_board_back(world, client_for):
    card = services.create_card(world.board, title="Flyer", actor=world.bob)
    response = block_from_board(client_for(world.bob), card)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "cardChanged"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')  # the fragment, not a whole page
    assert "<b>Blocked</b> printer late · " in html
    event = CardEvent.objects.get(card=card, kind="blocked")
    assert (event.reason, event.actor) == ("printer late", world.bob)
    response = block_from_board(client_for(world.bob), card, action="unblock")
    assert response.status_code == 200
    assert "<b>Blocked</b>" not in response.content.decode()


def test_blocking_from_the_board_without_a_reason_says_why_on_the_board(world, client_for):
    card = services.create_card(world.board, title="Flyer", actor=world.bob)
    response = block_from_board(client_for(world.bob), card, reason=" ")
    assert response.status_code == 422
    assert "Card #1 not blocked.</strong> say what blocks the card" in response.content.decode()
    card.refresh_from_db()
    assert not card.is_blocked


def test_the_board_menu_is_for_members_only(world, client_for):
    card = services.create_card(world.board, title="Flyer", actor=world.bob)
    assert 'class="card-menu"' in client_for(world.bob).get(board_url(world)).content.decode()
    html = client_for(world.carol).get(board_url(world)).content.decode()
    assert 'class="card-menu"' not in html
    assert block_from_board(client_for(world.carol), card).status_code == 403
    assert block_from_board(client_for(world.mallory), card).status_code == 404
    card.refresh_from_db()
    assert not card.is_blocked
