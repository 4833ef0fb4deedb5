"""What each app's demo part gets: the Northwind workspace, its people and board, the clock and
the seed. Apps load in the order of ``leanmark.demo.generator.DEMO_PARTS``."""

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leanmark.accounts.models import User, Workspace
    from leanmark.board.models import Board


@dataclass(frozen=True)
class DemoContext:
    workspace: "Workspace"
    board: "Board"
    people: "list[User]"  # in DEMO_PEOPLE order: owner, member, member, viewer
    now: datetime  # timezone-aware; the demo's history ends here
    seed: int
    step: Callable[[], None] = lambda: None  # a finished progress step (generator.Steps) of a
    # part that counts more than its one

    @property
    def owner(self) -> "User":
        return self.people[0]

    @property
    def workers(self) -> "list[User]":
        """Everyone who does the work (not the viewer)."""
        return self.people[:3]

    def rng(self, part: str) -> random.Random:
        """A generator of this part's own: adding randomness to one app's demo never changes
        another's."""
        return random.Random(self.seed * 1_000_003 + zlib.crc32(part.encode()))
