"""The four personas: alice owns Acme, bob is a member, carol a viewer; mallory is outside."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanmark.accounts import services as accounts
from leanmark.accounts.models import Membership, Role, User, Workspace
from leanmark.board import services as board_services
from leanmark.board.choices import ColumnKind, ColumnPolicy

if TYPE_CHECKING:  # annotations only: the board's rows are made through its services
    from leanmark.board.models import Board, Column

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    mallory: User
    acme: Workspace
    evil: Workspace
    board: "Board"
    evil_board: "Board"

    def column(self, name: str, board: "Board | None" = None) -> "Column":
        return (board or self.board).columns.get(name=name)


COLUMNS = [
    board_services.ColumnSpec("Ready", ColumnKind.QUEUE, 8),
    board_services.ColumnSpec(
        "Writing", ColumnKind.ACTIVE, 3, ColumnPolicy.HARD, per_person_limit=2
    ),
    board_services.ColumnSpec("Review", ColumnKind.QUEUE, 2, ColumnPolicy.SOFT),
    board_services.ColumnSpec("Live", ColumnKind.ACTIVE),
    board_services.ColumnSpec("Done", ColumnKind.QUEUE),
]


def make_user(email: str, name: str) -> User:
    return accounts.create_user(email=email, password=PASSWORD, display_name=name, validate=False)


def build_world() -> World:
    alice = make_user("alice@acme.example", "Alice Owner")
    bob = make_user("bob@acme.example", "Bob Member")
    carol = make_user("carol@acme.example", "Carol Viewer")
    mallory = make_user("mallory@evil.example", "Mallory Outsider")
    acme = accounts.create_workspace(name="Acme", owner=alice)
    Membership.objects.create(workspace=acme, user=bob, role=Role.MEMBER)
    Membership.objects.create(workspace=acme, user=carol, role=Role.VIEWER)
    evil = accounts.create_workspace(name="Evil Corp", owner=mallory)
    board = board_services.create_board(acme, "Marketing", COLUMNS, start="Writing", done="Done")
    evil_board = board_services.create_board(evil, "Evil board")
    return World(alice, bob, carol, mallory, acme, evil, board, evil_board)
