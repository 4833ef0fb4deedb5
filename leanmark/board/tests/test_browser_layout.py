"""The board fits the screen: no page wider than the window, long queues collapsed, the card menu,
and one column at a time on a phone (`pytest -m browser`)."""

import pytest

from leanmark.board import services
from leanmark.board.models import CardEvent, Column, Lane

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EIGHT_COLUMNS = ["Ready", "Writing", "Review", "Design", "Scheduled", "Live", "Measuring", "Done"]


def add(world, title, column="Ready", **kw):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.alice, **kw
    )


def busy_board(world):
    """The demo's eight columns, with long queues of long titles in several of them."""
    board = world.board
    for name in ("Design", "Scheduled"):
        spec = services.ColumnSpec(name, Column.Kind.ACTIVE, 6)
        services.add_column(board, spec, before=world.column("Live"))
    services.add_column(board, services.ColumnSpec("Measuring", Column.Kind.QUEUE), before=None)
    services.move_column(world.column("Measuring"), -1)  # before Done
    for column, n in (("Ready", 12), ("Live", 14), ("Measuring", 30), ("Done", 40)):
        for i in range(n):
            lane = Lane.FIXED_DATE if i % 3 == 0 else Lane.STANDARD
            add(
                world,
                f"{column} card {i}: subscriber-only release newsletter",
                column,
                lane=lane,
                reason="a busy week",
                tags=["newsletter", "espresso"],
                assignees=[world.bob],
            )


def page_width(ui):
    return ui.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("width,height", [(1280, 800), (1440, 900)])
def test_a_busy_board_is_no_wider_than_the_window(ui, world, width, height):
    busy_board(world)
    ui.page.set_viewport_size({"width": width, "height": height})
    ui.log_in(world.bob)
    ui.open_board(world.board)
    expect(ui.page.locator(".col-head .name")).to_have_text(EIGHT_COLUMNS)
    scroll_width, inner_width = page_width(ui)
    assert scroll_width <= inner_width
    # Every column's header is on screen: the Done column is not cut off.
    box = ui.page.locator("#board .board").bounding_box()
    done = ui.header(world.column("Done")).bounding_box()
    assert done["x"] + done["width"] <= box["x"] + box["width"] + 1
    # One scroll for the whole board, none per cell.
    scrolling = ui.page.evaluate(
        "[...document.querySelectorAll('.cell')]"
        ".filter(c => c.scrollHeight > c.clientHeight + 1).length"
    )
    assert scrolling == 0
    ui.screenshot(f"board-busy-{width}.png")


def test_the_column_headers_stay_on_screen_while_the_board_scrolls(ui, world):
    busy_board(world)
    ui.log_in(world.bob)
    ui.open_board(world.board)
    header = ui.header(world.column("Ready"))
    top = header.bounding_box()["y"]
    ui.page.locator("#board .board").evaluate("box => box.scrollBy(0, 600)")
    ui.page.wait_for_timeout(100)
    assert abs(header.bounding_box()["y"] - top) < 1
    assert page_width(ui)[0] <= page_width(ui)[1]


def test_a_live_update_keeps_the_board_where_it_was_scrolled(ui, world):
    busy_board(world)
    ui.page.set_viewport_size({"width": 390, "height": 844})
    ui.log_in(world.carol)  # a viewer, watching the board on a phone
    ui.open_board(world.board)
    ui.page.get_by_label("Column", exact=True).select_option(label="Measuring (30)")
    ui.page.wait_for_function(f"(name) => ({SHOWN})() === name", arg="Measuring")
    box = ui.page.locator("#board .board")
    box.evaluate("box => box.scrollTo({top: 400, left: box.scrollLeft})")
    add(world, "Measured elsewhere", "Measuring")  # Bob, elsewhere
    expect(ui.header(world.column("Measuring")).locator(".count")).to_have_text("31", timeout=5_000)
    assert shown_columns(ui) == "Measuring"
    assert box.evaluate("box => box.scrollTop") == 400


def test_a_long_queue_cell_shows_eight_cards_and_all_on_request(ui, world):
    for i in range(12):
        add(world, f"Idea {i}", reason="a long queue")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ready = ui.cell(world.column("Ready"))
    expect(ready.locator(".card")).to_have_count(8)
    expect(ui.header(world.column("Ready")).locator(".count")).to_have_text("12/8")
    ui.page.evaluate("window.notReloaded = true")
    ready.get_by_role("link", name="Show all 12").click()
    expect(ready.locator(".card")).to_have_count(12)
    assert "open=" in ui.page.url
    ready.get_by_role("link", name="Show the first 8").click()
    expect(ready.locator(".card")).to_have_count(8)
    assert ui.page.evaluate("window.notReloaded") is True


def test_a_member_blocks_and_unblocks_a_card_from_its_menu_on_the_board(ui, world):
    card = add(world, "Spring newsletter")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.evaluate("window.notReloaded = true")
    tile = ui.card(card.number)
    tile.get_by_label(f"Actions for card #{card.number}").click()
    tile.get_by_role("link", name="Block…").click()
    dialog = ui.page.locator("#block-card")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(f"Block #{card.number} Spring newsletter")
    dialog.get_by_label("What blocks it?").fill("waiting for the printer")
    dialog.get_by_role("button", name="Block").click()
    expect(tile.locator(".blocked")).to_contain_text("Blocked waiting for the printer")
    expect(dialog).to_be_hidden()
    event = CardEvent.objects.get(card=card, kind="blocked")
    assert (event.reason, event.actor) == ("waiting for the printer", world.bob)
    tile.get_by_label(f"Actions for card #{card.number}").click()
    tile.get_by_role("button", name="Unblock").click()
    expect(tile.locator(".blocked")).to_have_count(0)
    assert ui.page.evaluate("window.notReloaded") is True
    card.refresh_from_db()
    assert not card.is_blocked


def test_a_viewer_sees_no_card_menu(ui, world):
    add(world, "Spring newsletter")
    ui.log_in(world.carol)
    ui.open_board(world.board)
    expect(ui.card(1)).to_be_visible()
    expect(ui.page.locator(".card-menu")).to_have_count(0)


# The names of the columns whose header is wholly inside the board's scroll box.
SHOWN = """() => { const box = document.querySelector('#board .board').getBoundingClientRect();
  return [...document.querySelectorAll('.col-head')].filter(h => {
    const r = h.getBoundingClientRect(); return r.left >= box.left - 1 && r.right <= box.right + 1;
  }).map(h => h.querySelector('.name').textContent).join(); }"""


def shown_columns(ui):
    return ui.page.evaluate(SHOWN)


def test_a_phone_shows_one_column_and_the_picker_moves_between_them(ui, world):
    busy_board(world)
    ui.page.set_viewport_size({"width": 390, "height": 844})
    ui.log_in(world.bob)
    ui.open_board(world.board)
    picker = ui.page.get_by_label("Column", exact=True)
    expect(picker).to_be_visible()
    assert shown_columns(ui) == "Ready"
    expect(picker).to_have_value(str(world.column("Ready").pk))
    picker.select_option(label="Measuring (30)")
    ui.page.wait_for_function(f"(name) => ({SHOWN})() === name", arg="Measuring")
    ui.page.wait_for_timeout(300)  # the smooth scroll has ended: the column stays put
    assert shown_columns(ui) == "Measuring"
    # A short swipe snaps on to the whole next column, and the picker follows.
    ui.page.locator("#board .board").evaluate("box => box.scrollBy({left: 120})")
    ui.page.wait_for_function(f"(name) => ({SHOWN})() === name", arg="Done")
    expect(picker).to_have_value(str(world.column("Done").pk))
    ui.screenshot("board-phone.png")


def test_the_column_picker_is_hidden_on_a_wide_screen(ui, world):
    ui.log_in(world.bob)
    ui.open_board(world.board)
    expect(ui.page.get_by_label("Column", exact=True)).to_be_hidden()
