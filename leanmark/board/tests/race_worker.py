"""A separate process for the concurrency test: moves the given cards into a column at a set time.

Usage: python -m leanmark.board.tests.race_worker START_AT COLUMN_ID CARD_ID...
Prints one line per card: "<card id> ok" or "<card id> wip".
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django

django.setup()

from leanmark.board import services  # noqa: E402
from leanmark.board.errors import WipLimitExceeded  # noqa: E402
from leanmark.board.models import Card, Column  # noqa: E402


def main() -> None:
    start_at, column_id, *card_ids = sys.argv[1:]
    column = Column.objects.get(pk=int(column_id))
    cards = [Card.objects.get(pk=int(pk)) for pk in card_ids]
    time.sleep(max(0.0, float(start_at) - time.time()))
    for card in cards:
        try:
            services.move_card(card, to_column=column, actor=None)
            print(card.pk, "ok", flush=True)
        except WipLimitExceeded:
            print(card.pk, "wip", flush=True)


if __name__ == "__main__":
    main()
