"""What a demanding user or an attacker tries: other workspaces' ids, bad input, XSS, CSRF.

Every refused write must answer a clear 4xx naming the problem and change nothing: the whole
database is compared before and after (cards, assignees, events, columns, boards, memberships,
invitations, tokens).
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from leanmark.accounts import services as accounts
from leanmark.accounts.models import ApiToken, AuditEntry, Invitation, Membership, Role, User
from leanmark.board import services
from leanmark.board.models import Board, Card, CardEvent, Column
from leanmark.cli import app as cli_app

BIG = "99999999999999999999999"  # wider than any database integer
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no


# ---- helpers -------------------------------------------------------------------------------------


def web(user=None, **kwargs) -> Client:
    """A browser that answers 500 as a status instead of re-raising (so a 500 fails an assert)."""
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


HTMX = {"HX-Request": "true"}


BOARD_FIELDS = [f.attname for f in Board._meta.concrete_fields if f.name != "changes"]


def state() -> dict[str, list]:
    """Everything a refused write must leave as it was."""
    return {
        "cards": list(Card.objects.order_by("pk").values()),
        "assignees": list(
            Card.assignees.through.objects.order_by("pk").values_list("card_id", "user_id")
        ),
        "events": list(CardEvent.objects.order_by("pk").values()),
        "columns": list(Column.objects.order_by("pk").values()),
        # not the live-update counter: following the refusal's redirect opens the card page,
        # and someone opening a card to edit it is news for other viewers (test_live.py)
        "boards": list(Board.objects.order_by("pk").values(*BOARD_FIELDS)),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "name", "revoked_at")),
        "users": list(User.objects.order_by("pk").values_list("pk", "username")),
    }


def add(world, title="Post", column="Ready", **kwargs) -> Card:
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.bob, **kwargs
    )


@pytest.fixture
def api(world, token_for):
    """api(who, method, path, body=None, raw=None) → (status, parsed JSON or text)."""
    tokens = {n: token_for(getattr(world, n)) for n in ("alice", "bob", "carol", "mallory")}

    def call(who, method, path, body=None, raw=None, content_type="application/json"):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        client = web()
        if method == "get":
            response = client.get(f"/api/v1{path}", headers=headers)
        else:
            data = raw if raw is not None else (json.dumps(body) if body is not None else None)
            kwargs = {"content_type": content_type} if data is not None else {}
            response = getattr(client, method)(f"/api/v1{path}", data, headers=headers, **kwargs)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.content.decode(errors="replace")

    return call


def board_url(world, board=None, **query) -> str:
    url = reverse("board", kwargs={"ws": world.acme.slug, "board_id": (board or world.board).pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def move_url(world, card) -> str:
    return reverse(
        "card_move",
        kwargs={"ws": world.acme.slug, "board_id": card.board_id, "number": card.number},
    )


def create_url(world) -> str:
    return reverse("card_create", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})


def edit_url(world, card) -> str:
    return reverse("card_edit", kwargs={"ws": world.acme.slug, "number": card.number})


def action_url(world, card, action) -> str:
    return reverse(
        "card_action", kwargs={"ws": world.acme.slug, "number": card.number, "action": action}
    )


def card_form(card, **overrides) -> dict:
    """What the card page's edit form posts for this card, with some fields changed."""
    data = {
        "version": str(card.version),
        "title": card.title,
        "description": card.description,
        "stage": card.stage,
        "channel": card.channel,
        "due_date": card.due_date.isoformat() if card.due_date else "",
        "estimate": "" if card.estimate is None else str(card.estimate),
        "tags": ", ".join(card.tags),
        "assignees": [str(u.pk) for u in card.assignees.all()],
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- access control: another workspace's ids -----------------------------------------------------


def test_it_answers_404_to_an_outsider_on_every_api_path_and_changes_nothing(world, api):
    c = add(world)
    ready = world.column("Ready").pk
    paths = [
        ("get", f"/cards/{c.pk}", None),
        ("get", f"/cards/{c.pk}/events", None),
        ("patch", f"/cards/{c.pk}", {"version": 1, "title": "pwned"}),
        ("post", f"/cards/{c.pk}/move", {"column_id": world.column("Writing").pk}),
        ("post", f"/cards/{c.pk}/block", {"reason": "pwned"}),
        ("post", f"/cards/{c.pk}/unblock", None),
        ("post", f"/cards/{c.pk}/archive", None),
        ("get", f"/boards/{world.board.pk}", None),
        ("get", f"/boards/{world.board.pk}/cards", None),
        ("get", f"/boards/{world.board.pk}/events", None),
        ("post", f"/boards/{world.board.pk}/cards", {"title": "pwned"}),
        ("post", f"/boards/{world.board.pk}/columns", {"name": "pwned"}),
        ("patch", f"/boards/{world.board.pk}/columns/{ready}", {"wip_limit": 0}),
        ("get", f"/workspaces/{world.acme.slug}/members", None),
        ("get", f"/workspaces/{world.acme.slug}/boards", None),
        ("post", f"/workspaces/{world.acme.slug}/boards", {"name": "pwned"}),
    ]
    before = state()
    for method, path, body in paths:
        status, answer = api("mallory", method, path, body)
        assert (status, answer["error"]["code"]) == (404, "not_found"), f"{method} {path}"
    assert state() == before


def _evil_card(world) -> Card:
    return services.create_card(world.evil_board, title="Evil", actor=world.mallory)


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "message"),
    [
        (
            "bob",
            "post",
            lambda w, c, e: f"/cards/{c.pk}/move",
            lambda w, c, e: {"column_id": w.evil_board.columns.first().pk},
            404,
            "no such column",
        ),
        (
            "bob",
            "post",
            lambda w, c, e: f"/cards/{c.pk}/move",
            lambda w, c, e: {"column_id": w.column("Ready").pk, "before_id": e.pk},
            404,
            "no such card",
        ),
        (
            "bob",
            "post",
            lambda w, c, e: f"/boards/{w.board.pk}/cards",
            lambda w, c, e: {"title": "x", "column_id": w.evil_board.columns.first().pk},
            404,
            "no such column",
        ),
        (
            "bob",
            "post",
            lambda w, c, e: f"/boards/{w.board.pk}/cards",
            lambda w, c, e: {"title": "x", "assignees": [w.mallory.pk]},
            422,
            "every assignee must be a member of this workspace",
        ),
        (
            "bob",
            "patch",
            lambda w, c, e: f"/cards/{c.pk}",
            lambda w, c, e: {"version": 1, "assignees": [w.bob.pk, w.mallory.pk]},
            422,
            "every assignee must be a member of this workspace",
        ),
        (
            "mallory",
            "post",
            lambda w, c, e: f"/cards/{e.pk}/move",
            lambda w, c, e: {"column_id": w.column("Writing").pk},
            404,
            "no such column",
        ),
        (
            "mallory",
            "post",
            lambda w, c, e: f"/cards/{e.pk}/move",
            lambda w, c, e: {"column_id": e.column_id, "before_id": c.pk},
            404,
            "no such card",
        ),
        (
            "mallory",
            "patch",
            lambda w, c, e: f"/cards/{e.pk}",
            lambda w, c, e: {"version": 1, "assignees": [w.alice.pk]},
            422,
            "every assignee must be a member of this workspace",
        ),
        (
            "mallory",
            "patch",
            lambda w, c, e: f"/boards/{w.evil_board.pk}/columns/{w.column('Ready').pk}",
            lambda w, c, e: {"wip_limit": 0},
            404,
            "no such column",
        ),
        (
            "alice",
            "patch",
            lambda w, c, e: f"/boards/{w.board.pk}/columns/{w.evil_board.columns.first().pk}",
            lambda w, c, e: {"wip_limit": 0},
            404,
            "no such column",
        ),
    ],
    ids=[
        "move-to-foreign-column",
        "move-before-foreign-card",
        "create-in-foreign-column",
        "create-with-foreign-assignee",
        "patch-with-foreign-assignee",
        "outsider-moves-own-card-into-our-column",
        "outsider-moves-own-card-before-ours",
        "outsider-assigns-our-user",
        "outsider-patches-our-column-via-her-board",
        "owner-patches-foreign-column-via-own-board",
    ],
)
def test_it_refuses_another_workspaces_ids_in_api_bodies(
    world, api, who, method, path, body, status, message
):
    ours, theirs = add(world), _evil_card(world)
    before = state()
    code, answer = api(who, method, path(world, ours, theirs), body(world, ours, theirs))
    assert code == status, answer
    assert message in answer["error"]["message"]
    assert state() == before


def test_it_refuses_another_workspaces_ids_in_web_forms(world):
    ours, theirs = add(world), _evil_card(world)
    evil_column = world.evil_board.columns.first()
    bob, alice = web(world.bob), web(world.alice)
    before = state()
    moved = bob.post(move_url(world, ours), {"column": evil_column.pk}, headers=HTMX)
    assert moved.status_code == 404
    moved = bob.post(
        move_url(world, ours),
        {"column": world.column("Ready").pk, "before": theirs.pk},
        headers=HTMX,
    )
    assert moved.status_code == 404
    created = bob.post(create_url(world), {"title": "x", "assignees": [world.mallory.pk]})
    assert created.status_code == 422
    assert "every assignee must be a member of this workspace" in created.content.decode()
    edited = bob.post(edit_url(world, ours), card_form(ours, assignees=[str(world.mallory.pk)]))
    assert edited.status_code == 422
    assert "every assignee must be a member of this workspace" in edited.content.decode()
    settings_url = reverse(
        "board_settings", kwargs={"ws": world.acme.slug, "board_id": world.board.pk}
    )
    saved = alice.post(
        settings_url,
        {
            "name": "Marketing",
            "start_column": evil_column.pk,
            "done_column": world.column("Done").pk,
            "expedite_limit": "1",
        },
    )
    assert saved.status_code == 404
    column_save = reverse(
        "column_action",
        kwargs={
            "ws": world.acme.slug,
            "board_id": world.board.pk,
            "column_id": evil_column.pk,
            "action": "delete",
        },
    )
    assert alice.post(column_save).status_code == 404
    evil_membership = Membership.objects.get(workspace=world.evil, user=world.mallory)
    url = reverse(
        "member_update", kwargs={"ws": world.acme.slug, "membership_id": evil_membership.pk}
    )
    assert alice.post(url, {"role": "viewer"}).status_code == 404
    assert alice.post(url, {"remove": "1"}).status_code == 404
    assert state() == before
    evil_invitation = accounts.invite(workspace=world.evil, role="owner", actor=world.mallory)
    before = state()
    url = reverse(
        "invitation_revoke",
        kwargs={"ws": world.acme.slug, "invitation_id": evil_invitation.invitation.pk},
    )
    assert alice.post(url).status_code == 404
    assert state() == before
    bobs_token = accounts.create_token(world.bob, "bob's script").token
    before = state()
    url = reverse("token_revoke", kwargs={"token_id": bobs_token.pk})
    assert alice.post(url).status_code == 404
    assert state() == before


def test_an_outsider_cannot_reach_our_board_or_cards_through_her_own_workspace(world):
    ours = add(world, "Our secret launch", assignees=[world.alice])
    mallory = web(world.mallory)
    evil = world.evil.slug
    before = state()
    assert mallory.get(f"/w/{evil}/boards/{world.board.pk}/").status_code == 404
    assert mallory.get(f"/w/{evil}/cards/{ours.number}/").status_code == 404
    moved = mallory.post(
        f"/w/{evil}/boards/{world.evil_board.pk}/cards/{ours.number}/move",
        {"column": world.evil_board.columns.last().pk},
    )
    assert moved.status_code == 404
    assert mallory.post(f"/w/{evil}/cards/{ours.number}/archive").status_code == 404
    filtered = mallory.get(f"/w/{evil}/boards/{world.evil_board.pk}/?person={world.alice.pk}")
    assert filtered.status_code == 200
    assert "Our secret launch" not in filtered.content.decode()
    assert state() == before


def test_a_viewer_changes_nothing_through_the_web_or_the_api(world, api):
    c = add(world)
    carol = web(world.carol)
    before = state()
    response = carol.post(move_url(world, c), {"column": world.column("Writing").pk}, headers=HTMX)
    assert response.status_code == 403
    assert carol.post(create_url(world), {"title": "viewer card"}).status_code == 403
    assert carol.post(edit_url(world, c), card_form(c, title="viewer")).status_code == 403
    for action in ("block", "archive", "restore", "unblock"):
        assert carol.post(action_url(world, c, action), {"reason": "x"}).status_code == 403
    status, body = api("carol", "patch", f"/cards/{c.pk}", {"version": 1, "title": "viewer"})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert "your role (viewer) cannot do this; it needs member" in body["error"]["message"]
    assert state() == before


def test_a_member_cannot_do_an_owners_job(world, api):
    bob = web(world.bob)
    ws, board_id = world.acme.slug, world.board.pk
    writing = world.column("Writing")
    alice_membership = Membership.objects.get(workspace=world.acme, user=world.alice)
    before = state()
    posts = [
        (
            reverse(
                "column_action",
                kwargs={"ws": ws, "board_id": board_id, "column_id": writing.pk, "action": "save"},
            ),
            {"name": "Writing", "kind": "active", "policy": "soft", "wip_limit": "99"},
        ),
        (
            reverse(
                "column_action",
                kwargs={
                    "ws": ws,
                    "board_id": board_id,
                    "column_id": writing.pk,
                    "action": "delete",
                },
            ),
            {},
        ),
        (reverse("column_add", kwargs={"ws": ws, "board_id": board_id}), {"name": "Mine"}),
        (
            reverse("board_settings", kwargs={"ws": ws, "board_id": board_id}),
            {"name": "Mine", "start_column": writing.pk, "done_column": writing.pk},
        ),
        (reverse("board_create", kwargs={"ws": ws}), {"name": "Mine"}),
        (reverse("invitation_create", kwargs={"ws": ws}), {"role": "owner"}),
        (
            reverse("member_update", kwargs={"ws": ws, "membership_id": alice_membership.pk}),
            {"role": "viewer"},
        ),
    ]
    for url, data in posts:
        assert bob.post(url, data).status_code == 403, url
    assert bob.get(reverse("audit", kwargs={"ws": ws})).status_code == 403
    status, body = api(
        "bob", "patch", f"/boards/{board_id}/columns/{writing.pk}", {"wip_limit": 99}
    )
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = api("bob", "post", f"/boards/{board_id}/columns", {"name": "Mine"})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert state() == before


def test_a_removed_members_token_no_longer_reaches_the_workspace(world, api):
    c = add(world)
    assert api("bob", "get", f"/cards/{c.pk}")[0] == 200
    accounts.remove_member(
        Membership.objects.get(workspace=world.acme, user=world.bob), actor=world.alice
    )
    status, body = api("bob", "get", f"/cards/{c.pk}")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert api("bob", "patch", f"/cards/{c.pk}", {"version": 1, "title": "x"})[0] == 404


# ---- card numbers are unique in a workspace, across its boards, as card URLs are ----------------


@pytest.fixture
def two_boards(world):
    """Card #1 on Marketing and card #1 on a second board of the same workspace."""
    second = services.create_board(world.acme, "Second")
    first_card = add(world, "Marketing card one")
    second_card = services.create_card(second, title="Second board card one", actor=world.bob)
    assert (first_card.number, second_card.number) == (1, 2)  # numbers are unique per workspace
    return second, first_card, second_card


def test_the_card_link_on_a_second_board_opens_that_boards_card(world, two_boards):
    second, _first_card, second_card = two_boards
    bob = web(world.bob)
    page = bob.get(board_url(world, second)).content.decode()
    href = f'href="/w/{world.acme.slug}/cards/{second_card.number}/"'
    assert href in page
    response = bob.get(f"/w/{world.acme.slug}/cards/{second_card.number}/")
    assert response.status_code == 200
    assert "Second board card one" in response.content.decode()


def test_a_card_on_a_second_board_can_be_dragged(world, two_boards):
    second, first_card, second_card = two_boards
    doing = second.columns.get(name="Doing")
    response = web(world.bob).post(
        move_url(world, second_card),
        {"column": doing.pk, "lane": "standard", "version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:500]
    second_card.refresh_from_db()
    first_card.refresh_from_db()
    assert (second_card.column_id, first_card.column.name) == (doing.pk, "Ready")


# ---- bad input: the web forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"title": ""}, 422, "the title cannot be empty"),
        ({"title": "   \t "}, 422, "the title cannot be empty"),
        ({"title": "x" * 201}, 422, "the title has 201 characters; at most 200 are allowed"),
        ({"title": "ok", "lane": "fast"}, 422, "unknown lane &#x27;fast&#x27;"),
        ({"title": "ok", "stage": "moon"}, 422, "unknown hourglass stage &#x27;moon&#x27;"),
        ({"title": "ok", "reason": "r" * 301}, 422, "the reason has at most 300 characters"),
        pytest.param({"title": "ok", "column": "abc"}, 422, "column", id="column-abc"),
        pytest.param(
            {"title": "ok", "column": SUPERSCRIPT_TWO}, 422, "column", id="column-superscript"
        ),
        pytest.param(
            {"title": "ok", "assignees": SUPERSCRIPT_TWO},
            422,
            "assignee",
            id="assignees-superscript",
        ),
    ],
)
def test_the_new_card_form_refuses_bad_input_and_creates_nothing(world, data, status, message):
    before = state()
    response = web(world.bob).post(create_url(world), data, headers=HTMX)
    assert response.status_code == status
    assert message in response.content.decode()
    assert state() == before


def test_the_new_card_form_refuses_a_column_of_another_board_in_the_workspace(world):
    other = services.create_board(world.acme, "Second")
    before = state()
    response = web(world.bob).post(
        create_url(world), {"title": "ok", "column": other.columns.first().pk}, headers=HTMX
    )
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"column": "REVIEW", "lane": "fast"}, 422, "unknown lane &#x27;fast&#x27;"),
        ({"column": "REVIEW", "reason": "r" * 301}, 422, "the reason has at most 300 characters"),
        ({"column": "REVIEW", "version": "7"}, 409, "was changed by someone else"),
        ({"column": "0"}, 404, ""),
        ({"column": BIG}, 422, "the column must be a whole number"),
        pytest.param({"column": "abc"}, 422, "column", id="column-abc"),
        pytest.param(
            {"column": "REVIEW", "before": SUPERSCRIPT_TWO}, 422, "before", id="before-superscript"
        ),
        pytest.param(
            {"column": "REVIEW", "version": SUPERSCRIPT_TWO},
            422,
            "version",
            id="version-superscript",
        ),
        pytest.param({"column": "REVIEW", "before": "abc"}, 422, "before", id="before-abc"),
        pytest.param({"column": "REVIEW", "version": "abc"}, 422, "version", id="version-abc"),
    ],
)
def test_a_move_with_bad_input_answers_4xx_and_changes_nothing(world, data, status, message):
    c = add(world)
    data = {k: (world.column("Review").pk if v == "REVIEW" else v) for k, v in data.items()}
    if data.get("reason"):  # Review (soft, limit 2) is full, so the reason matters
        for i in range(2):
            add(world, f"r{i}", "Review")
    before = state()
    response = web(world.bob).post(move_url(world, c), data, headers=HTMX)
    assert response.status_code == status, response.content.decode()[:300]
    assert message in response.content.decode()
    assert state() == before


def test_a_blocked_card_cannot_be_dragged(world):
    c = add(world)
    services.block_card(c, reason="legal review", actor=world.bob)
    before = state()
    response = web(world.bob).post(
        move_url(world, c), {"column": world.column("Writing").pk}, headers=HTMX
    )
    assert response.status_code == 409
    assert (
        "card #1 is blocked (legal review); unblock it before moving it"
        in response.content.decode()
    )
    assert state() == before


def test_the_card_page_move_form_reports_a_refusal_and_keeps_the_card(world):
    c = add(world)
    for i in range(3):
        add(world, f"w{i}", "Writing")
    before = state()
    response = web(world.bob).post(
        move_url(world, c), {"column": world.column("Writing").pk, "version": "1"}, follow=True
    )
    assert response.status_code == 200
    assert (
        "Card #1 not moved: Writing is at its WIP limit (3/3, hard). Finish or move a card out of "
        "it first." in messages_of(response)
    )
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"title": ""}, 422, "the title cannot be empty"),
        ({"title": "     "}, 422, "the title cannot be empty"),
        ({"title": "x" * 201}, 422, "the title has 201 characters; at most 200 are allowed"),
        ({"due_date": "2026-02-30"}, 422, "&#x27;2026-02-30&#x27; is not a date (YYYY-MM-DD)"),
        ({"due_date": "tomorrow"}, 422, "is not a date (YYYY-MM-DD)"),
        ({"estimate": "NaN"}, 422, "the estimate must be between 0 and 999,999"),
        ({"estimate": "Infinity"}, 422, "the estimate must be between 0 and 999,999"),
        ({"estimate": "1e400"}, 422, "the estimate must be between 0 and 999,999"),
        ({"estimate": "-1"}, 422, "the estimate must be between 0 and 999,999"),
        ({"estimate": "three"}, 422, "the estimate &#x27;three&#x27; is not a number"),
        ({"tags": "ok, " + "t" * 31}, 422, "is longer than 30 characters"),
        ({"tags": ", ".join(f"t{i}" for i in range(21))}, 422, "a card has at most 20 tags"),
        ({"stage": "moon"}, 422, "unknown hourglass stage &#x27;moon&#x27;"),
        ({"version": "1", "title": "fine"}, 409, "was changed by someone else"),
        pytest.param(
            {"estimate": "999999.995"},
            422,
            "the estimate must be between 0 and 999,999",
            id="estimate-999999.995",
        ),
        pytest.param({"description": "d" * 20001}, 422, "at most 20,000", id="description-20001"),
        pytest.param({"channel": "c" * 61}, 422, "at most 60", id="channel-61"),
        pytest.param({"version": SUPERSCRIPT_TWO}, 422, "version", id="version-superscript"),
        pytest.param({"assignees": [SUPERSCRIPT_TWO]}, 422, "assignee", id="assignees-superscript"),
        pytest.param({"version": "abc", "title": "overwrites"}, 422, "version", id="version-abc"),
    ],
)
def test_the_card_form_refuses_bad_input_and_changes_nothing(world, overrides, status, message):
    c = add(world, "Original")
    if status == 409:
        services.edit_card(c, changes={"title": "Someone else's"}, expected_version=1, actor=None)
        c.refresh_from_db()
        overrides = {**overrides, "version": "1"}
    before = state()
    response = web(world.bob).post(edit_url(world, c), card_form(c, **overrides))
    assert response.status_code == status
    assert message in response.content.decode()
    assert state() == before


def test_one_out_of_range_estimate_does_not_break_the_board(world, api):
    c = add(world)
    web(world.bob).post(edit_url(world, c), card_form(c, estimate="999999.995"))
    assert web(world.carol).get(board_url(world)).status_code == 200
    assert api("carol", "get", f"/cards/{c.pk}")[0] == 200


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("block", {"reason": ""}, "say what blocks the card"),
        ("block", {"reason": "    "}, "say what blocks the card"),
        ("block", {"reason": "r" * 301}, "the reason has at most 300 characters"),
        ("unblock", {}, "card #1 is not blocked"),
        ("restore", {}, "card #1 is not archived"),
    ],
)
def test_card_actions_refuse_bad_input_with_a_message(world, action, data, message):
    c = add(world)
    before = state()
    response = web(world.bob).post(action_url(world, c, action), data, follow=True)
    assert response.status_code == 200
    assert message in " ".join(messages_of(response))
    assert state() == before


def test_an_unknown_card_action_is_404(world):
    c = add(world)
    before = state()
    response = web(world.bob).post(action_url(world, c, "delete"))
    assert response.status_code == 404
    assert state() == before


def test_a_300_character_block_reason_fits_the_card(world, api):
    c = add(world)
    status, body = api("bob", "post", f"/cards/{c.pk}/block", {"reason": "r" * 300})
    assert status == 200, body
    c.refresh_from_db()
    c.full_clean()  # what PostgreSQL's varchar(200) would enforce


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"expedite_limit": "-1"}, "a limit cannot be negative"),
        ({"expedite_limit": "abc"}, "the limit &#x27;abc&#x27; is not a whole number"),
        ({"expedite_limit": "1000"}, "a limit above 999 is no limit"),
        ({"name": "   "}, "a board needs a name of 1 to 100 characters"),
        ({"name": "n" * 101}, "a board needs a name of 1 to 100 characters"),
        ({"start_column": "abc"}, "the start column must be a whole number"),
        ({"start_column": SUPERSCRIPT_TWO}, "the start column must be a whole number"),
        ({"start_column": "DONE", "done_column": "READY"}, "the start column must come before"),
    ],
)
def test_board_settings_refuse_bad_input_and_change_nothing(world, data, message):
    names = {"DONE": "Done", "READY": "Ready"}
    form = {
        "name": "Marketing",
        "start_column": world.column("Writing").pk,
        "done_column": world.column("Done").pk,
        "expedite_limit": "1",
    }
    form.update({k: (world.column(names[v]).pk if v in names else v) for k, v in data.items()})
    before = state()
    url = reverse("board_settings", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    response = web(world.alice).post(url, form)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("save", {"name": "", "kind": "active", "policy": "soft"}, "a column needs a name"),
        ("save", {"name": "n" * 61, "kind": "active", "policy": "soft"}, "at most 60 characters"),
        ("save", {"name": "Review", "kind": "active", "policy": "soft"}, "already has a column"),
        ("save", {"name": "Live", "kind": "lazy", "policy": "soft"}, "unknown column kind"),
        ("save", {"name": "Live", "kind": "active", "policy": "meh"}, "unknown limit policy"),
        (
            "save",
            {"name": "Live", "kind": "active", "policy": "soft", "wip_limit": "1e3"},
            "is not a whole number",
        ),
        (
            "save",
            {"name": "Live", "kind": "active", "policy": "soft", "per_person_limit": "-2"},
            "a limit cannot be negative",
        ),
        ("delete", {}, "choose another start/done column"),  # Live is neither, so use Done below
        ("right", {}, "the column is already at that end of the board"),
    ],
)
def test_column_changes_refuse_bad_input_and_change_nothing(world, action, data, message):
    column = world.column("Done" if action in ("delete", "right") else "Live")
    url = reverse(
        "column_action",
        kwargs={
            "ws": world.acme.slug,
            "board_id": world.board.pk,
            "column_id": column.pk,
            "action": action,
        },
    )
    before = state()
    response = web(world.alice).post(url, data, follow=True)
    assert response.status_code == 200
    assert message in " ".join(messages_of(response))
    assert state() == before


def test_deleting_a_column_that_holds_an_archived_card_is_refused(world):
    column = services.add_column(
        world.board, services.ColumnSpec("QA"), before=world.board.done_column
    )
    c = services.create_card(world.board, title="x", column=column, actor=world.bob)
    services.archive_card(c, actor=world.bob)
    url = reverse(
        "column_action",
        kwargs={
            "ws": world.acme.slug,
            "board_id": world.board.pk,
            "column_id": column.pk,
            "action": "delete",
        },
    )
    before = state()
    response = web(world.alice).post(url, follow=True)
    assert "QA: QA still holds cards (archived ones count)" in " ".join(messages_of(response))
    assert state() == before


@pytest.mark.parametrize(
    "query",
    [
        "done=-1",
        "done=abc",
        f"done={BIG}",
        "lane=fast",
        "stage=" + "x" * 500,
        "tag=" + "%25_" * 50,
        "q=" + "%25" * 300,
        "person=abc",
        pytest.param(f"person={SUPERSCRIPT_TWO}", id="person-superscript"),
        pytest.param(f"done={SUPERSCRIPT_TWO}", id="done-superscript"),
        pytest.param(f"person={BIG}", id="person-huge"),
    ],
)
def test_the_board_survives_odd_query_strings(world, query):
    add(world)
    response = web(world.carol).get(board_url(world) + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/w/acme/cards/abc/"),
        ("get", "/w/acme/cards/-1/"),
        ("get", "/w/acme/boards/abc/"),
        ("get", "/w/acme/boards/1.5/"),
        ("post", "/w/acme/boards/abc/cards/new"),
        ("post", "/w/acme/boards/1/cards/abc/move"),
        ("post", "/w/acme/members/abc"),
        ("post", "/w/acme/members/invitations/abc/revoke"),
        ("post", "/account/tokens/abc/revoke"),
        ("get", "/w/no-such-workspace/"),
        ("get", f"/w/acme/cards/{BIG}/"),
        ("get", f"/w/acme/boards/{BIG}/settings"),
        ("post", f"/w/acme/cards/{BIG}/archive"),
        ("post", f"/w/acme/members/{BIG}"),
        ("post", f"/account/tokens/{BIG}/revoke"),
    ],
)
def test_odd_ids_in_page_urls_answer_404(world, method, path):
    add(world)
    before = state()
    assert getattr(web(world.alice), method)(path).status_code == 404
    assert state() == before


# ---- bad input: the API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"title": ""}, 422, "title", "the title cannot be empty"),
        ({"title": "   "}, 422, "title", "the title cannot be empty"),
        ({"title": "x" * 201}, 422, "title", "at most 200 are allowed"),
        ({"title": 5}, 422, "title", "must be text"),
        ({"title": None}, 422, "title", "must be text"),
        ({"title": ["a"]}, 422, "title", "must be text"),
        ({"title": "ok", "lane": "fast"}, 422, "lane", "Input should be"),
        ({"title": "ok", "stage": "moon"}, 422, "stage", "Input should be"),
        ({"title": "ok", "colour": "red"}, 422, "colour", "unknown field; remove it"),
        ({"title": "ok", "due_date": "2026-02-30"}, 422, "due_date", "day value is outside"),
        ({"title": "ok", "estimate": "NaN"}, 422, "estimate", "finite number"),
        ({"title": "ok", "estimate": "1e400"}, 422, "estimate", "between 0 and 999,999"),
        ({"title": "ok", "estimate": -1}, 422, "estimate", "between 0 and 999,999"),
        ({"title": "ok", "estimate": "abc"}, 422, "estimate", "valid decimal"),
        ({"title": "ok", "tags": ["t" * 31]}, 422, "tags", "longer than 30 characters"),
        ({"title": "ok", "tags": [f"t{i}" for i in range(21)]}, 422, "tags", "at most 20 tags"),
        ({"title": "ok", "tags": "seo"}, 422, "tags", "valid list"),
        ({"title": "ok", "tags": [1]}, 422, "tags.0", "must be text"),
        ({"title": "ok", "reason": "r" * 301}, 422, "reason", "at most 300 characters"),
        ({"title": "ok", "channel": "c" * 61}, 422, "channel", "at most 60 characters"),
        ({"title": "ok", "description": "d" * 20001}, 422, "description", "at most 20000"),
        (
            {"title": "ok", "assignees": ["bob"]},
            422,
            "assignees",
            "item 1: a whole number, not text",
        ),
        ({"title": "ok", "assignees": [999999]}, 422, "assignees", "must be a member"),
        ({"title": "ok", "column_id": "abc"}, 422, "column_id", "a whole number, not text"),
        ({"title": "ok", "column_id": 999999}, 404, None, "no such column"),
        pytest.param(
            {"title": "ok", "assignees": [int(BIG)]},
            422,
            "assignees.0",
            "at most",
            id="assignees-huge",
        ),
        pytest.param(
            {"title": "ok", "estimate": "999999.995"},
            422,
            "estimate",
            "between 0 and 999,999",
            id="estimate-999999.995",
        ),
        pytest.param({"title": "before\x00after"}, 422, "title", "title", id="title-nul"),
    ],
)
def test_api_create_refuses_bad_input_and_creates_nothing(world, api, body, status, field, message):
    before = state()
    code, answer = api("bob", "post", f"/boards/{world.board.pk}/cards", body)
    assert code == status, answer
    assert message in answer["error"]["message"]
    if field:
        assert field in answer["error"]["fields"]
    assert state() == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "message"),
    [
        ("{title: nope", "application/json", 400, "Cannot parse request body"),
        ('{"title": "a"', "application/json", 400, "Cannot parse request body"),
        (b"\xff\xfe", "application/json", 400, "Cannot parse request body"),
        ("title=x", "application/x-www-form-urlencoded", 400, "Cannot parse request body"),
        ("[]", "application/json", 422, "valid dictionary"),
        ("null", "application/json", 422, "valid dictionary"),
        ('"title"', "application/json", 422, "valid dictionary"),
        ("", "application/json", 422, "request: required"),
    ],
)
def test_api_create_refuses_malformed_bodies(world, api, raw, content_type, status, message):
    before = state()
    code, answer = api(
        "bob", "post", f"/boards/{world.board.pk}/cards", raw=raw, content_type=content_type
    )
    assert code == status, answer
    assert message in answer["error"]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"title": "no version"}, 422, "version", "required"),
        ({"version": "abc", "title": "x"}, 422, "version", "a whole number, not text"),
        ({"version": 1, "title": None}, 422, "title", "must be text"),
        ({"version": 1, "title": "  "}, 422, "title", "the title cannot be empty"),
        ({"version": 1, "title": "x" * 201}, 422, "title", "at most 200 are allowed"),
        ({"version": 1, "lane": "expedite"}, 422, "lane", "unknown field; remove it"),
        ({"version": 1, "column_id": 3}, 422, "column_id", "unknown field; remove it"),
        ({"version": 1, "due_date": "2026-02-30"}, 422, "due_date", "day value is outside"),
        ({"version": 1, "estimate": "NaN"}, 422, "estimate", "finite number"),
        ({"version": 1, "estimate": "-0.5"}, 422, "estimate", "between 0 and 999,999"),
        ({"version": 1, "tags": [f"t{i}" for i in range(21)]}, 422, "tags", "at most 20 tags"),
        ({"version": 1, "stage": "moon"}, 422, "stage", "Input should be"),
        ({"version": 2, "title": "stale"}, 409, "version", "was changed by someone else"),
        ({"version": int(BIG), "title": "stale"}, 409, "version", "was changed by someone else"),
        ({"version": -1, "title": "stale"}, 409, "version", "was changed by someone else"),
        pytest.param(
            {"version": 1, "assignees": None}, 422, "assignees", "assignees", id="assignees-null"
        ),
    ],
)
def test_api_patch_refuses_bad_input_and_changes_nothing(world, api, body, status, field, message):
    c = add(world, "Original", assignees=[world.bob])
    before = state()
    code, answer = api("bob", "patch", f"/cards/{c.pk}", body)
    assert code == status, answer
    assert message in answer["error"]["message"]
    assert field in answer["error"]["fields"]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "required"),
        ({"column_id": "abc"}, 422, "a whole number, not text"),
        ({"column_id": None}, 422, "valid integer"),
        ({"column_id": int(BIG)}, 422, "at most"),
        ({"column_id": "REVIEW", "before_id": int(BIG)}, 422, "at most"),
        ({"column_id": "REVIEW", "before_id": "abc"}, 422, "a whole number, not text"),
        ({"column_id": "REVIEW", "lane": "fast"}, 422, "Input should be"),
        ({"column_id": "REVIEW", "reason": "r" * 301}, 422, "at most 300 characters"),
        ({"column_id": "REVIEW", "version": 5}, 409, "was changed by someone else"),
        ({"column_id": "REVIEW", "version": "abc"}, 422, "a whole number, not text"),
        ({"column_id": "REVIEW", "position": 0}, 422, "unknown field; remove it"),
    ],
)
def test_api_move_refuses_bad_input_and_changes_nothing(world, api, body, status, message):
    c = add(world)
    body = {k: (world.column("Review").pk if v == "REVIEW" else v) for k, v in body.items()}
    before = state()
    code, answer = api("bob", "post", f"/cards/{c.pk}/move", body)
    assert code == status, answer
    assert message in answer["error"]["message"]
    assert state() == before


def test_a_stale_api_move_answers_409_with_the_current_card(world, api):
    c = add(world)
    services.edit_card(c, changes={"title": "Renamed"}, expected_version=1, actor=world.alice)
    before = state()
    code, answer = api(
        "bob",
        "post",
        f"/cards/{c.pk}/move",
        {"column_id": world.column("Writing").pk, "version": 1},
    )
    assert (code, answer["error"]["code"]) == (409, "stale_version")
    assert answer["error"]["current"]["version"] == 2
    assert answer["error"]["current"]["title"] == "Renamed"
    assert state() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "required"),
        ({"reason": ""}, "say what blocks the card"),
        ({"reason": "   "}, "say what blocks the card"),
        ({"reason": "r" * 301}, "at most 300 characters"),
        ({"reason": 5}, "must be text"),
        ({"reason": "ok", "until": "friday"}, "unknown field; remove it"),
    ],
)
def test_api_block_refuses_bad_input(world, api, body, message):
    c = add(world)
    before = state()
    code, answer = api("bob", "post", f"/cards/{c.pk}/block", body)
    assert code == 422, answer
    assert message in answer["error"]["message"]
    assert state() == before


def test_api_refuses_to_block_twice_unblock_twice_or_archive_twice(world, api):
    c = add(world)
    assert api("bob", "post", f"/cards/{c.pk}/block", {"reason": "legal"})[0] == 200
    before = state()
    code, answer = api("bob", "post", f"/cards/{c.pk}/block", {"reason": "again"})
    assert (code, answer["error"]["message"]) == (409, "card #1 is already blocked (legal)")
    assert state() == before
    assert api("bob", "post", f"/cards/{c.pk}/unblock")[0] == 200
    before = state()
    code, answer = api("bob", "post", f"/cards/{c.pk}/unblock")
    assert (code, answer["error"]["message"]) == (409, "card #1 is not blocked")
    assert state() == before
    assert api("bob", "post", f"/cards/{c.pk}/archive")[0] == 200
    before = state()
    code, answer = api("bob", "post", f"/cards/{c.pk}/archive")
    assert (code, answer["error"]["message"]) == (409, "card #1 is already archived")
    assert state() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=-1", "cursor"),
        ("cursor=abc", "cursor"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=201", "limit"),
        (f"limit={BIG}", "limit"),
        ("limit=abc", "limit"),
        ("lane=fast", "lane"),
        ("stage=moon", "stage"),
        ("archived=perhaps", "archived"),
        ("column_id=abc", "column_id"),
    ],
)
def test_api_card_list_refuses_bad_query_values(world, api, query, field):
    status, answer = api("carol", "get", f"/boards/{world.board.pk}/cards?{query}")
    assert (status, answer["error"]["code"]) == (422, "validation_error")
    assert field in answer["error"]["fields"]


@pytest.mark.parametrize(
    "query",
    [f"cursor={BIG}"],
)
def test_api_card_list_answers_huge_ids_with_an_empty_page(world, api, query):
    add(world)
    status, answer = api("carol", "get", f"/boards/{world.board.pk}/cards?{query}")
    assert (status, answer) == (200, {"items": [], "next_cursor": None})


@pytest.mark.parametrize("field", ["column_id", "assignee"])
def test_api_card_list_refuses_ids_wider_than_64_bits_naming_the_field(world, api, field):
    status, answer = api("carol", "get", f"/boards/{world.board.pk}/cards?{field}={BIG}")
    assert (status, answer["error"]["code"]) == (422, "validation_error")
    assert "at most" in answer["error"]["fields"][field]


@pytest.mark.parametrize("query", ["cursor=-1", "limit=0", "limit=5001", "cursor=x"])
def test_api_event_list_refuses_bad_query_values(world, api, query):
    status, answer = api("carol", "get", f"/boards/{world.board.pk}/events?{query}")
    assert (status, answer["error"]["code"]) == (422, "validation_error")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cards/abc", 422),
        ("/cards/-1", 404),
        (f"/cards/{BIG}", 404),
        (f"/boards/{BIG}", 404),
        (f"/boards/{BIG}/cards", 404),
        (f"/boards/{BIG}/events", 404),
        ("/workspaces/no-such-slug/boards", 404),
    ],
)
def test_api_odd_ids_in_paths_answer_4xx(world, api, path, status):
    code, answer = api("carol", "get", path)
    assert code == status
    assert set(answer["error"]) >= {"code", "message", "fields"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"wip_limit": -1}, "wip_limit: at least 0"),
        ({"wip_limit": 1000}, "wip_limit: at most 999"),
        ({"wip_limit": "abc"}, "a whole number, not text"),
        ({"wip_limit": 1.5}, "valid integer"),
        ({"per_person_limit": -3}, "per_person_limit: at least 0"),
        ({"name": ""}, "a column needs a name"),
        ({"name": None}, "name: must be text"),  # optional, not nullable
        ({"name": "n" * 61}, "at most 60 characters"),
        ({"kind": "lazy"}, "Input should be"),
        ({"kind": None}, "kind: Input should be 'queue' or 'active'"),
        ({"policy": "meh"}, "Input should be"),
        ({"position": 0}, "unknown field; remove it"),
    ],
)
def test_api_column_patch_refuses_bad_input(world, api, body, message):
    before = state()
    code, answer = api(
        "alice", "patch", f"/boards/{world.board.pk}/columns/{world.column('Live').pk}", body
    )
    assert code == 422, answer
    assert message in answer["error"]["message"]
    assert state() == before


def test_a_taken_column_name_is_a_conflict_and_changes_nothing(world, api):
    before = state()
    live = world.column("Live").pk
    for method, path, body, name in (
        ("patch", f"/boards/{world.board.pk}/columns/{live}", {"name": "Review"}, "Review"),
        ("post", f"/boards/{world.board.pk}/columns", {"name": "ready"}, "ready"),
    ):
        code, answer = api("alice", method, path, body)
        assert (code, answer["error"]["code"]) == (409, "duplicate"), answer
        assert answer["error"]["message"] == f"this board already has a column called {name}"
    assert state() == before


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/workspaces/acme/boards", {"name": ""}, "a board needs a name of 1 to 100 characters"),
        ("/workspaces/acme/boards", {"name": "  "}, "a board needs a name of 1 to 100 characters"),
        ("/workspaces/acme/boards", {"name": "n" * 101}, "at most 100 characters"),
        ("/workspaces/acme/boards", {"name": "ok", "columns": []}, "unknown field; remove it"),
        ("/boards/{board}/columns", {"name": "QA", "wip_limit": -1}, "at least 0"),
        ("/boards/{board}/columns", {"name": "QA", "kind": "lazy"}, "Input should be"),
    ],
)
def test_api_board_and_column_creation_refuse_bad_input(world, api, path, body, message):
    before = state()
    code, answer = api("alice", "post", path.format(board=world.board.pk), body)
    assert code == 422, answer
    assert message in answer["error"]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("delete", "/cards/{card}", 405, id="delete-card"),
        pytest.param("get", "/cards/{card}/move", 405, id="get-move"),
        pytest.param("get", "/no-such-endpoint", 404, id="unknown-path"),
    ],
)
def test_every_api_error_uses_the_envelope(world, api, method, path, status):
    c = add(world)
    code, answer = api("bob", method, path.format(card=c.pk))
    assert code == status
    assert isinstance(answer, dict), answer
    assert set(answer["error"]) >= {"code", "message", "fields"}


# ---- bad input: the CLI --------------------------------------------------------------------------


def cli(*args):
    return CliRunner().invoke(cli_app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("card", "add", "", "-w", "acme"), 1, "the title cannot be empty"),
        (("card", "add", "   ", "-w", "acme"), 1, "the title cannot be empty"),
        (("card", "add", "x" * 201, "-w", "acme"), 1, "the title has 201 characters"),
        (("card", "add", "ok", "-w", "acme", "--lane", "fast"), 1, "unknown lane 'fast'"),
        (("card", "add", "ok", "-w", "acme", "--stage", "moon"), 1, "unknown hourglass stage"),
        (("card", "add", "ok", "-w", "acme", "--column", "Nowhere"), 1, "no column 'Nowhere'"),
        (("card", "add", "ok", "-w", "nope"), 1, "no workspace 'nope'"),
        (("card", "add", "ok"), 1, "there are several workspaces"),
        (("card", "add", "ok", "-w", "acme", "--board", "999"), 1, "no board 999 in acme"),
        (
            ("card", "add", "ok", "-w", "acme", "--as", "mallory@evil.example"),
            1,
            "mallory@evil.example is not a member of acme",
        ),
        (
            ("card", "add", "ok", "-w", "acme", "--as", "carol@acme.example"),
            1,
            "carol@acme.example is a viewer of acme and cannot change anything there",
        ),
        (("card", "move", "99", "Writing", "-w", "acme"), 1, "no card #99 in acme"),
        (("card", "move", "-1", "Writing", "-w", "acme"), 2, "No such option: -1"),
        (("card", "move", "0", "Writing", "-w", "acme"), 1, "no card #0 in acme"),
        (("card", "move", "abc", "Writing", "-w", "acme"), 2, "Invalid value for 'card'"),
        (
            ("card", "move", "1", "Writing", "-w", "acme", "--lane", "fast"),
            1,
            "unknown lane 'fast'",
        ),
        (
            ("card", "move", "1", "Writing", "-w", "acme", "--reason", "r" * 301),
            1,
            "the reason has at most 300 characters",
        ),
        (("card", "list", "-w", "acme", "--column", "Nowhere"), 1, "no column 'Nowhere'"),
        (("token", "create", "bob@acme.example", "--name", ""), 1, "give the token a name"),
        (("token", "create", "nobody@acme.example"), 1, "no user with e-mail"),
        pytest.param(
            ("card", "list", "-w", "acme", "--lane", "fast"),
            1,
            "unknown lane 'fast'",
            id="list-lane-fast",
        ),
    ],
)
def test_the_cli_refuses_bad_input_with_a_message_and_changes_nothing(world, args, code, message):
    add(world)
    before = state()
    result = cli(*args)
    assert result.exit_code == code, result.stdout
    assert message in result.stderr
    assert state() == before


def test_the_cli_refuses_to_move_an_archived_card(world):
    c = add(world)
    services.archive_card(c, actor=world.bob)
    before = state()
    result = cli("card", "move", "1", "Writing", "-w", "acme")
    assert result.exit_code == 1
    assert "card #1 is archived; restore it before moving it" in result.stderr
    assert state() == before


def test_a_card_title_with_square_brackets_does_not_break_card_list(world):
    add(world, "[/red] launch [bold]plan")
    result = CliRunner().invoke(cli_app, ["card", "list", "-w", "acme"])
    assert result.exit_code == 0, repr(result.exception)
    assert "[/red] launch [bold]plan" in result.stdout


def test_an_error_quoting_square_brackets_is_printed_not_crashed(world):
    add(world)
    result = CliRunner().invoke(cli_app, ["card", "move", "1", "[/x]", "-w", "acme"])
    assert result.exit_code == 1, repr(result.exception)
    assert "no column '[/x]' on Marketing" in result.stderr


# ---- XSS -----------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TAG_IMG = "<img src=x onerror=alert(1)>"  # 28 characters: fits a tag


def _assert_no_markup(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html or "&lt;img" in html  # only ever as escaped text
    assert 'href="javascript:' not in html


def test_user_text_is_escaped_on_the_board_and_the_card_page(world):
    bob = User.objects.get(pk=world.bob.pk)
    bob.display_name = IMG
    bob.save(update_fields=["display_name"])
    Board.objects.filter(pk=world.board.pk).update(name=SCRIPT)
    services.update_column(world.column("Live"), services.ColumnSpec(TAG_IMG[:60]))
    c = services.create_card(
        world.board,
        title=SCRIPT + IMG,
        description=f"{SCRIPT}\n\n{TAG_IMG}\n\n[click](javascript:alert(1))",
        column=world.column("Writing"),
        assignees=[world.bob],
        tags=[TAG_IMG, '"onmouseover="alert(1)'],
        stage="know",
        actor=world.bob,
    )
    services.block_card(c, reason=SCRIPT + IMG, actor=world.bob)
    client = web(world.carol)
    board_page = client.get(board_url(world))
    board_html = board_page.content.decode()
    assert board_page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in board_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in board_html
    assert 'title="&quot;&gt;&lt;img' in board_html  # the avatar's title attribute
    assert '<span class="tag">&quot;onmouseover=&quot;alert(1)</span>' in board_html
    _assert_no_markup(board_html)
    fragment = client.get(board_url(world), headers=HTMX).content.decode()
    _assert_no_markup(fragment)
    card_html = client.get(f"/w/{world.acme.slug}/cards/{c.number}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card_html
    _assert_no_markup(card_html)
    assert "javascript:" not in card_html.split('class="description"')[1].split("</div>")[0]


@pytest.mark.parametrize(
    "markdown",
    [
        "[a](javascript:alert(1))",
        "[a](JaVaScRiPt:alert(1))",
        "[a](java&#x09;script:alert(1))",
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[a](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">a</a>',
        '<a href="https://ok.example" onclick="alert(1)">a</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '![x](https://evil.example/x.png" onerror="alert(1))',
        "<details open ontoggle=alert(1)>",
    ],
)
def test_the_card_description_cannot_carry_script(world, markdown):
    c = services.create_card(world.board, title="md", description=markdown, actor=world.bob)
    html = web(world.carol).get(f"/w/{world.acme.slug}/cards/{c.number}/").content.decode()
    description = html.split('<div class="description">')[1].split("</div>")[0]
    lowered = description.lower()
    for bad in (
        "javascript:",
        "vbscript:",
        "data:",
        "<svg",
        "<iframe",
        "<style",
        "<img",
        "<details",
    ):
        assert bad not in lowered, (bad, description)
    assert " on" not in lowered.replace(" only", ""), description  # no onclick=, onload=, …


def test_user_text_is_escaped_on_members_audit_tokens_and_settings_pages(world):
    alice = User.objects.get(pk=world.alice.pk)
    alice.display_name = SCRIPT
    alice.save(update_fields=["display_name"])
    world.acme.name = IMG
    world.acme.save(update_fields=["name"])
    accounts.audit(world.acme, alice, "x", f"{SCRIPT} did {IMG}")
    accounts.create_token(alice, SCRIPT)
    accounts.invite(workspace=world.acme, role="viewer", actor=alice)
    client = web(alice)
    pages = [
        reverse("members", kwargs={"ws": world.acme.slug}),
        reverse("audit", kwargs={"ws": world.acme.slug}),
        reverse("tokens"),
        reverse("workspaces"),
        reverse("board_settings", kwargs={"ws": world.acme.slug, "board_id": world.board.pk}),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "&lt;script&gt;" in html or "&quot;&gt;&lt;img" in html, url
        _assert_no_markup(html)


def test_an_error_that_quotes_the_input_is_escaped(world):
    response = web(world.bob).post(
        create_url(world), {"title": "ok", "lane": SCRIPT, "stage": TAG_IMG}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "unknown lane &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in html
    _assert_no_markup(html)


def test_a_refused_create_echoes_the_pending_form_escaped(world):
    for i in range(2):
        add(world, f"r{i}", "Review")
    response = web(world.bob).post(
        create_url(world),
        {"title": IMG, "column": world.column("Review").pk, "lane": "standard"},
        headers=HTMX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html
    _assert_no_markup(html)


# ---- CSRF ----------------------------------------------------------------------------------------


def test_forms_without_the_csrf_token_are_refused(world):
    c = add(world)
    client = web(world.alice, enforce_csrf_checks=True)
    before = state()
    posts = [
        create_url(world),
        move_url(world, c),
        edit_url(world, c),
        action_url(world, c, "archive"),
        reverse("invitation_create", kwargs={"ws": world.acme.slug}),
        reverse("tokens"),
        reverse("workspaces"),
    ]
    for url in posts:
        response = client.post(url, {"title": "x", "column": world.column("Writing").pk})
        assert response.status_code == 403, url
        assert b"Nothing was saved: the form&#x27;s security token was missing" in response.content
    assert state() == before


def test_htmx_posts_with_the_header_token_are_accepted(world):
    c = add(world)
    client = web(world.bob, enforce_csrf_checks=True)
    page = client.get(board_url(world))
    token = page.cookies["csrftoken"].value
    assert f'"X-CSRFToken": "{page.context["csrf_token"]}"' in page.content.decode()
    response = client.post(
        move_url(world, c),
        {"column": world.column("Writing").pk, "version": "1"},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert Card.objects.get(pk=c.pk).column.name == "Writing"


def test_the_api_with_a_bearer_token_needs_no_csrf_token(world, token_for):
    client = web(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards",
        json.dumps({"title": "from a script"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(world.bob)}"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_session_authenticated_api_writes_need_the_csrf_token(world, content_type):
    client = web(world.bob, enforce_csrf_checks=True)
    before = state()
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards",
        json.dumps({"title": "forged"}),
        content_type=content_type,
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "CSRF check Failed"
    assert state() == before
    if content_type == "application/json":
        token = client.get(board_url(world)).cookies["csrftoken"].value
        response = client.post(
            f"/api/v1/boards/{world.board.pk}/cards",
            json.dumps({"title": "real"}),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 201


def test_a_csrf_refusal_in_the_api_has_a_meaningful_code(world):
    response = web(world.bob, enforce_csrf_checks=True).post(
        f"/api/v1/boards/{world.board.pk}/cards",
        json.dumps({"title": "forged"}),
        content_type="application/json",
    )
    assert response.json()["error"]["code"] in {"forbidden", "csrf_failed"}


def test_a_bad_bearer_token_does_not_fall_back_to_a_csrf_free_session(world):
    client = web(world.bob, enforce_csrf_checks=True)
    before = state()
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards",
        json.dumps({"title": "forged"}),
        content_type="application/json",
        headers={"Authorization": "Bearer lm_not-a-token"},
    )
    assert response.status_code in (401, 403)
    assert state() == before


# ---- integrity -----------------------------------------------------------------------------------


def test_no_code_path_updates_or_deletes_an_event_row(world, api):
    """Every write the app offers, one after another; the event rows only ever grow."""
    c = add(world, assignees=[world.bob])
    other = add(world, "Other")
    seen: dict[int, dict] = {}

    def check():
        rows = {e["id"]: e for e in CardEvent.objects.values()}
        for pk, row in seen.items():
            assert rows.get(pk) == row, f"event {pk} changed"
        seen.update(rows)

    check()
    bob = web(world.bob)
    steps = [
        lambda: api(
            "bob", "post", f"/cards/{c.pk}/move", {"column_id": world.column("Writing").pk}
        ),
        lambda: api("bob", "patch", f"/cards/{c.pk}", {"version": 2, "title": "Edited"}),
        lambda: api("bob", "patch", f"/cards/{c.pk}", {"version": 3, "assignees": []}),
        lambda: api("bob", "post", f"/cards/{c.pk}/block", {"reason": "legal"}),
        lambda: api("bob", "post", f"/cards/{c.pk}/unblock"),
        lambda: bob.post(move_url(world, other), {"column": world.column("Review").pk}),
        lambda: api("bob", "post", f"/cards/{c.pk}/archive"),
        lambda: bob.post(action_url(world, c, "restore")),
        lambda: services.move_column(world.column("Live"), -1),
        lambda: services.update_column(world.column("Review"), services.ColumnSpec("Checked")),
        lambda: services.add_column(world.board, services.ColumnSpec("Spare")),
        lambda: services.delete_column(world.board.columns.get(name="Spare")),
    ]
    for step in steps:
        step()
        check()
    assert len(seen) >= 10


def test_deleting_a_column_keeps_the_history_of_cards_that_passed_through_it(world):
    qa = services.add_column(world.board, services.ColumnSpec("QA"), before=world.board.done_column)
    c = add(world)
    services.move_card(c, to_column=qa, actor=world.bob)
    services.move_card(c, to_column=world.column("Done"), actor=world.bob)
    events = list(CardEvent.objects.order_by("pk").values_list("pk", "from_column", "to_column"))
    url = reverse(
        "column_action",
        kwargs={
            "ws": world.acme.slug,
            "board_id": world.board.pk,
            "column_id": qa.pk,
            "action": "delete",
        },
    )
    web(world.alice).post(url)
    assert (
        list(CardEvent.objects.order_by("pk").values_list("pk", "from_column", "to_column"))
        == events
    )


def test_an_archived_card_cannot_be_moved_by_web_or_api(world, api):
    c = add(world)
    services.archive_card(c, actor=world.bob)
    before = state()
    status, answer = api(
        "bob", "post", f"/cards/{c.pk}/move", {"column_id": world.column("Live").pk}
    )
    assert (status, answer["error"]["message"]) == (
        409,
        "card #1 is archived; restore it before moving it",
    )
    response = web(world.bob).post(
        move_url(world, c), {"column": world.column("Live").pk}, headers=HTMX
    )
    assert response.status_code == 409
    assert "card #1 is archived; restore it before moving it" in response.content.decode()
    assert state() == before


def test_restoring_into_a_full_soft_column_needs_a_reason_and_records_it(world):
    c = add(world, "old", "Review")
    services.archive_card(c, actor=world.bob)
    for i in range(2):
        add(world, f"r{i}", "Review")
    bob = web(world.bob)
    before = state()
    response = bob.post(action_url(world, c, "restore"), follow=True)
    assert "Review is at its WIP limit (2/2, soft)" in " ".join(messages_of(response))
    assert state() == before
    bob.post(action_url(world, c, "restore"), {"reason": "launch week"})
    c.refresh_from_db()
    assert c.archived_at is None
    override = CardEvent.objects.get(card=c, kind="wip_override")
    assert override.reason == "launch week"


def test_restoring_into_a_full_hard_column_is_refused_even_with_a_reason(world):
    c = add(world, "old", "Writing")
    services.archive_card(c, actor=world.bob)
    for i in range(3):
        add(world, f"w{i}", "Writing")
    before = state()
    response = web(world.bob).post(
        action_url(world, c, "restore"), {"reason": "please"}, follow=True
    )
    assert "Writing is at its WIP limit (3/3, hard)" in " ".join(messages_of(response))
    assert state() == before


def test_assigning_someone_cannot_break_the_per_person_limit(world, api):
    add(world, "w1", "Writing", assignees=[world.bob])
    add(world, "w2", "Writing", assignees=[world.bob])
    third = add(world, "w3", "Writing")
    before = state()
    status, answer = api(
        "alice", "patch", f"/cards/{third.pk}", {"version": 1, "assignees": [world.bob.pk]}
    )
    assert status == 409, answer
    assert answer["error"]["code"] == "wip_limit_exceeded"
    assert state() == before


def test_a_stale_edit_in_the_browser_overwrites_nothing(world):
    c = add(world, "Original")
    mine = card_form(c, title="Mine", description="my text")
    services.edit_card(c, changes={"title": "Theirs"}, expected_version=1, actor=world.alice)
    before = state()
    response = web(world.bob).post(edit_url(world, c), mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "you had version 1, it is now version 2" in html
    assert "my text" in html  # kept under "Your version"
    assert state() == before


# ---- invitations, owners, tokens -----------------------------------------------------------------


def _invitation_path(world, role="member") -> str:
    return f"/invite/{accounts.invite(workspace=world.acme, role=role, actor=world.alice).token}/"


def _signup(email="dan@acme.example"):
    return {
        "email": email,
        "name": "Dan",
        "password": "another-long-password",
        "password2": "another-long-password",
    }


def test_a_used_invitation_cannot_be_used_again(world):
    path = _invitation_path(world)
    assert web().post(path, _signup()).status_code == 302
    before = state()
    again = web().post(path, _signup("eve@evil.example"))
    assert again.status_code == 404
    assert "This invitation link does not work" in again.content.decode()
    assert web(world.mallory).post(path).status_code == 404
    assert state() == before


def test_a_revoked_invitation_does_not_work(world):
    path = _invitation_path(world, "owner")
    invitation = Invitation.objects.get()
    url = reverse(
        "invitation_revoke", kwargs={"ws": world.acme.slug, "invitation_id": invitation.pk}
    )
    response = web(world.alice).post(url, follow=True)
    assert "Invitation revoked; its link no longer works." in messages_of(response)
    before = state()
    assert web().get(path).status_code == 404
    assert web().post(path, _signup()).status_code == 404
    assert web(world.mallory).post(path).status_code == 404
    assert state() == before


def test_an_expired_invitation_does_not_work(world):
    path = _invitation_path(world)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    before = state()
    assert web().get(path).status_code == 404
    assert web(world.mallory).post(path).status_code == 404
    assert state() == before


def test_an_invitation_does_not_lower_the_role_of_someone_already_in(world):
    path = _invitation_path(world, "viewer")
    response = web(world.alice).post(path)
    assert response.status_code == 302
    assert Membership.objects.get(workspace=world.acme, user=world.alice).role == Role.OWNER


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ."),
        ({"password": "short", "password2": "short"}, "This password is too short"),
        ({"email": "bob@acme.example"}, "a user with e-mail bob@acme.example already exists"),
        ({"email": ""}, "is not an e-mail address"),
        pytest.param({"email": "@"}, "is not an e-mail address", id="email-at-only"),
    ],
)
def test_signing_up_through_an_invitation_refuses_bad_input(world, overrides, message):
    path = _invitation_path(world)
    before = state()
    response = web().post(path, {**_signup(), **overrides})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert state() == before
    assert web().get(path).status_code == 200  # the invitation is still usable


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the workspace needs a name"),
        ("  ", "the workspace needs a name"),
        ("n" * 101, "a workspace name has at most 100 characters"),
    ],
)
def test_a_new_workspace_needs_a_sensible_name(world, name, message):
    before = state()
    response = web(world.mallory).post(reverse("workspaces"), {"name": name})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert state() == before


def test_the_last_owner_can_neither_leave_nor_step_down(world):
    alice = web(world.alice)
    mine = Membership.objects.get(workspace=world.acme, user=world.alice)
    url = reverse("member_update", kwargs={"ws": world.acme.slug, "membership_id": mine.pk})
    before = state()
    audit_before = AuditEntry.objects.count()
    for data in ({"role": "member"}, {"role": "viewer"}, {"remove": "1"}):
        response = alice.post(url, data, follow=True)
        assert "a workspace needs at least one owner; make someone else owner first" in messages_of(
            response
        )
    assert state() == before
    assert AuditEntry.objects.count() == audit_before


def test_an_owner_can_step_down_once_there_is_another(world):
    alice = web(world.alice)
    bobs = Membership.objects.get(workspace=world.acme, user=world.bob)
    mine = Membership.objects.get(workspace=world.acme, user=world.alice)
    alice.post(
        reverse("member_update", kwargs={"ws": world.acme.slug, "membership_id": bobs.pk}),
        {"role": "owner"},
    )
    alice.post(
        reverse("member_update", kwargs={"ws": world.acme.slug, "membership_id": mine.pk}),
        {"role": "member"},
    )
    mine.refresh_from_db()
    assert mine.role == "member"
    bob = web(world.bob)
    response = bob.post(
        reverse("member_update", kwargs={"ws": world.acme.slug, "membership_id": bobs.pk}),
        {"remove": "1"},
        follow=True,
    )
    assert "a workspace needs at least one owner" in " ".join(messages_of(response))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"role": "superuser"},
            "unknown role &#x27;superuser&#x27;; choose owner, member or viewer",
        ),
        ({"role": ""}, "unknown role &#x27;&#x27;"),
    ],
)
def test_role_changes_and_invitations_refuse_unknown_roles(world, data, message):
    bobs = Membership.objects.get(workspace=world.acme, user=world.bob)
    alice = web(world.alice)
    before = state()
    for url in (
        reverse("member_update", kwargs={"ws": world.acme.slug, "membership_id": bobs.pk}),
        reverse("invitation_create", kwargs={"ws": world.acme.slug}),
    ):
        response = alice.post(url, data, follow=True)
        assert message in response.content.decode()
    assert state() == before


def test_token_revocation_is_final_and_personal(world, api):
    new = accounts.create_token(world.bob, "script")
    headers = {"Authorization": f"Bearer {new.secret}"}
    url = reverse("token_revoke", kwargs={"token_id": new.token.pk})
    before = state()
    assert web(world.alice).post(url).status_code == 404  # not hers
    assert state() == before
    assert web(world.bob).post(url).status_code == 302
    response = web().get("/api/v1/workspaces", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert web(world.bob).post(url).status_code == 404  # already revoked
    for bad in ("lm_", "Bearer", new.secret[:-1], new.secret + "x", "x" * 5000):
        assert (
            web().get("/api/v1/workspaces", headers={"Authorization": f"Bearer {bad}"}).status_code
            == 401
        )


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "give the token a name"), ("   ", "give the token a name"), ("n" * 101, "at most 100")],
)
def test_token_creation_refuses_bad_names(world, name, message):
    before = state()
    response = web(world.bob).post(reverse("tokens"), {"name": name})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert state() == before


# ---- security headers and login throttling (docs/product.md §13) ---------------------------------


def test_pages_send_a_content_security_policy_without_inline_script(world):
    response = web(world.bob).get(board_url(world))
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy or "default-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[-1].split(";")[0]


def test_pages_refuse_framing_and_sniffing(world):
    response = web(world.bob).get(board_url(world))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_nul_character_in_a_query_parameter_is_a_422_not_a_500(world, client_for, token_for):
    # found by schemathesis on PostgreSQL: GET /api/v1/boards/{id}/cards?tag=%00 answered 500
    token = token_for(world.bob)
    url = f"/api/v1/boards/{world.board.pk}/cards?tag=a%00b"
    response = client_for(None).get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "the query parameter 'tag' contains a NUL character"
    )
    page = client_for(world.bob).get(f"/w/acme/boards/{world.board.pk}/?q=%00")
    assert page.status_code == 422


def test_the_hand_built_renderers_escape_what_users_wrote(world):
    """The three places that build markup in Python and mark it safe — the value stream map's
    SVG, stand-up text with #card links, chart placeholders — get the same payloads."""
    from django.urls import reverse

    from leanmark.lib.charts import vega_chart
    from leanmark.standups.templatetags.standup_tags import with_mentions
    from leanmark.valuestream import services as vsm

    stream = vsm.create_stream(world.acme, vsm.StreamSettings(name=SCRIPT[:60]), actor=None)
    step = {"name": IMG[:60], "stage": "try", "pt_value": "2", "pt_unit": "h"}
    vsm.add_step(stream, {**step, "lt_value": "1", "lt_unit": "d", "ca_percent": "90"}, actor=None)
    url = reverse("valuestream-map", kwargs={"ws": world.acme.slug, "stream_id": stream.pk})
    page = web(world.carol).get(url)
    assert page.status_code == 200
    _assert_no_markup(page.content.decode())
    assert "&lt;img src=x" in page.content.decode()  # the step name, shown as text in the SVG

    mentions = with_mentions(f"{SCRIPT} fixed #12\n{IMG}", "/w/acme/cards/")
    assert '<a href="/w/acme/cards/12/" class="mention">#12</a>' in mentions
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mentions
    _assert_no_markup(mentions)

    chart = vega_chart({"mark": "bar", "title": SCRIPT}, label=IMG)
    _assert_no_markup(chart)
    assert "\\u003Cscript\\u003E" in chart  # the spec's JSON, escaped by json_script
