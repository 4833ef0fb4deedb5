"""What a person sees on the board, in Debian's Chromium (`pytest -m browser`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leanmark.board import services
from leanmark.board.models import Card, CardEvent, Lane
from leanmark.testing.personas import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add(world, title, column="Ready", **kw):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.alice, **kw
    )


def put(world, card, column):
    return services.move_card(card, to_column=world.column(column), actor=world.alice)


def test_it_shows_the_board_with_its_columns_and_limits(ui, world):
    add(world, "Spring newsletter")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    expect(ui.page.locator(".col-head .name")).to_have_text(
        ["Ready", "Writing", "Review", "Live", "Done"]
    )
    expect(ui.page.locator(".col-head .count")).to_have_text(["1/8", "0/3", "0/2", "0", "0"])
    expect(ui.header(world.column("Writing"))).to_contain_text("hard")
    expect(ui.header(world.column("Writing"))).to_contain_text("2/person")
    expect(ui.card(1)).to_contain_text("Spring newsletter")
    expect(ui.page.locator("#new-card-open")).to_be_visible()


def test_it_moves_a_dragged_card_without_reloading_the_page(ui, world):
    card = add(world, "Spring newsletter")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.evaluate("window.notReloaded = true")
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    expect(ui.header(world.column("Writing")).locator(".count")).to_have_text("1/3")
    expect(ui.cell(world.column("Writing")).locator("#card-1")).to_be_visible()
    expect(ui.header(world.column("Ready")).locator(".count")).to_have_text("0/8")
    assert ui.page.evaluate("window.notReloaded") is True
    card.refresh_from_db()
    assert card.column.name == "Writing"
    moved = CardEvent.objects.get(card=card, kind="moved")
    assert (moved.from_column.name, moved.to_column.name, moved.actor) == (
        "Ready",
        "Writing",
        world.bob,
    )


def test_it_refuses_a_drag_into_a_full_hard_limited_column(ui, world):
    for i in range(3):
        put(world, add(world, f"Draft {i}"), "Writing")
    fourth = add(world, "One too many")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    writing = ui.header(world.column("Writing"))
    expect(writing).to_have_class("col-head limit-at kind-active")
    ui.drag(ui.card(fourth.number), ui.cell(world.column("Writing")))
    expect(ui.page.locator("#board-error")).to_contain_text(
        "Writing is at its WIP limit (3/3, hard)"
    )
    expect(ui.page.locator("#board-error")).to_contain_text("Not moved.")
    expect(ui.cell(world.column("Ready")).locator(f"#card-{fourth.number}")).to_be_visible()
    expect(writing.locator(".count")).to_have_text("3/3")
    expect(writing).to_have_class("col-head limit-at kind-active")
    ui.page.click("#board-error .dismiss")
    expect(ui.page.locator("#board-error")).to_have_count(0)
    fourth.refresh_from_db()
    assert fourth.column.name == "Ready"
    assert not fourth.events.filter(kind="moved").exists()


def test_it_asks_for_a_reason_to_go_over_a_soft_limit(ui, world):
    for i in range(2):
        put(world, add(world, f"Proof {i}"), "Review")
    third = add(world, "Urgent proof")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.drag(ui.card(third.number), ui.cell(world.column("Review")))
    prompt = ui.page.locator("#board-error")
    expect(prompt).to_contain_text("Over the limit?")
    expect(prompt).to_contain_text("Review is at its WIP limit (2/2, soft)")
    expect(ui.cell(world.column("Ready")).locator(f"#card-{third.number}")).to_be_visible()
    prompt.get_by_label("Reason to go over the limit").fill("launch is tomorrow")
    prompt.get_by_role("button", name="Move anyway").click()
    expect(ui.cell(world.column("Review")).locator(f"#card-{third.number}")).to_be_visible()
    expect(ui.page.locator("#board-error")).to_have_count(0)
    review = ui.header(world.column("Review"))
    expect(review.locator(".count")).to_have_text("3/2")
    expect(review).to_have_class("col-head limit-over kind-queue")
    override = CardEvent.objects.get(kind="wip_override")
    assert (override.card_id, override.reason, override.actor) == (
        third.pk,
        "launch is tomorrow",
        world.bob,
    )


def test_it_shows_a_card_blocked_from_its_page_and_will_not_drag_it(ui, world):
    card = add(world, "Case study")
    ui.log_in(world.bob)
    ui.open_card(card)
    ui.page.get_by_label("Blocker reason").fill("waiting for the client's quote")
    ui.page.get_by_role("button", name="Block", exact=True).click()
    expect(ui.page.locator(".card-main .alert")).to_contain_text("waiting for the client's quote")
    ui.open_board(world.board)
    expect(ui.card(card.number)).to_have_class("card is-blocked")
    expect(ui.card(card.number).locator(".blocked")).to_contain_text(
        "Blocked waiting for the client's quote"
    )
    ui.drag(ui.card(card.number), ui.cell(world.column("Writing")))
    ui.page.wait_for_timeout(300)  # a move would be posted at once; give it the time to happen
    assert [url for url in ui.posts if url.endswith("/move")] == []
    expect(ui.cell(world.column("Ready")).locator(f"#card-{card.number}")).to_be_visible()
    expect(ui.header(world.column("Writing")).locator(".count")).to_have_text("0/3")
    card.refresh_from_db()
    assert card.column.name == "Ready"


def test_it_shows_fifty_done_cards_then_more_on_request(ui, world):
    at = timezone.now() - timedelta(days=1)
    for i in range(55):
        add(world, f"Shipped {i}", column="Done", at=at + timedelta(minutes=i))
    ui.log_in(world.bob)
    ui.open_board(world.board)
    done = ui.page.locator(".cell.done .card")
    expect(done).to_have_count(50)
    expect(ui.page.locator(".cell.done #card-55")).to_be_visible()  # the latest come first
    expect(ui.page.locator(".cell.done #card-1")).to_have_count(0)
    ui.page.evaluate("window.notReloaded = true")
    ui.page.get_by_role("link", name="Show more done cards").click()
    expect(done).to_have_count(55)
    expect(ui.page.get_by_role("link", name="Show more done cards")).to_have_count(0)
    assert ui.page.evaluate("window.notReloaded") is True


def test_it_shows_more_done_cards_again_and_again(ui, world):
    at = timezone.now() - timedelta(days=1)
    for i in range(105):
        add(world, f"Shipped {i}", column="Done", at=at + timedelta(minutes=i))
    ui.log_in(world.bob)
    ui.open_board(world.board)
    done = ui.page.locator(".cell.done .card")
    more = ui.page.get_by_role("link", name="Show more done cards")
    more.click()
    expect(done).to_have_count(100)
    more.click()
    expect(done).to_have_count(105)


def test_it_opens_the_new_card_dialog_with_n_and_the_filter_with_slash(ui, world):
    ui.log_in(world.bob)
    ui.open_board(world.board)
    dialog = ui.page.locator("#new-card")
    expect(dialog).to_be_hidden()
    ui.page.keyboard.press("n")
    expect(dialog).to_be_visible()
    ui.page.keyboard.type("Webinar landing page")
    ui.page.keyboard.press("Enter")
    expect(ui.cell(world.column("Ready")).locator(".card")).to_contain_text(
        ["Webinar landing page"]
    )
    expect(dialog).to_be_hidden()
    expect(ui.header(world.column("Ready")).locator(".count")).to_have_text("1/8")
    card = Card.objects.get(title="Webinar landing page")
    assert (card.column.name, card.lane) == ("Ready", Lane.STANDARD)
    ui.page.keyboard.press("/")
    expect(ui.page.locator("#filter-text")).to_be_focused()
    expect(ui.page.locator("#filter-text")).to_have_value("")


def test_it_filters_cards_as_one_types(ui, world):
    add(world, "Webinar landing page")
    add(world, "Podcast episode")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.keyboard.press("/")
    ui.page.keyboard.type("webinar")
    expect(ui.page.locator(".card")).to_have_count(1)
    expect(ui.page.locator(".card")).to_contain_text("Webinar landing page")
    expect(ui.page.locator("#filter-text")).to_be_focused()


def test_it_shows_a_viewer_the_board_without_drag_or_new_card(ui, world):
    add(world, "Spring newsletter")
    ui.log_in(world.carol)
    ui.open_board(world.board)
    expect(ui.card(1)).to_contain_text("Spring newsletter")
    expect(ui.page.locator("#new-card-open")).to_have_count(0)
    assert (
        ui.page.evaluate(
            "[...document.querySelectorAll('.cell')].filter(c => Sortable.get(c)).length"
        )
        == 0
    )
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    ui.page.keyboard.press("n")
    ui.page.wait_for_timeout(300)
    assert [url for url in ui.posts if url.endswith("/move")] == []
    expect(ui.cell(world.column("Ready")).locator("#card-1")).to_be_visible()
    expect(ui.page.locator("dialog[open]")).to_have_count(0)


# After a drag or a new card the board keeps showing every lane: filters come from the URL, never
# from the POST body, where "lane" and "stage" describe the card.


def test_it_keeps_the_board_unfiltered_after_a_drag(ui, world):
    add(world, "Spring newsletter")
    add(world, "Price change", lane=Lane.FIXED_DATE)
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    expect(ui.header(world.column("Writing")).locator(".count")).to_have_text("1/3")
    expect(ui.page.locator("#filters select[name=lane]")).to_have_value("", timeout=1_000)
    expect(ui.card(2)).to_be_visible()


def test_it_keeps_the_board_unfiltered_after_a_new_card(ui, world):
    add(world, "Price change", lane=Lane.FIXED_DATE)
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.keyboard.press("n")
    ui.page.keyboard.type("Webinar landing page")
    ui.page.keyboard.press("Enter")
    expect(ui.page.get_by_text("Webinar landing page")).to_be_visible()
    expect(ui.page.locator("#filters select[name=lane]")).to_have_value("", timeout=1_000)
    expect(ui.card(1)).to_be_visible()


def busy_board(world):
    """About thirty cards in every column and lane, three blocked, Live over its (lowered) limit."""
    now = timezone.now()
    bob, alice = world.bob, world.alice
    rows = [
        ("Ready", Lane.FIXED_DATE, "Black Friday e-mail sequence", [alice], ["email", "q4"], "buy"),
        ("Ready", Lane.STANDARD, "Refresh the pricing page screenshots", [], [], "try"),
        (
            "Ready",
            Lane.STANDARD,
            "Guest post for the Lean Marketing Weekly newsletter about WIP limits",
            [bob],
            ["content"],
            "know",
        ),
        (
            "Ready",
            Lane.STANDARD,
            "https://example.com/a-very-long-landing-page-slug-without-any-spaces-at-all",
            [],
            ["seo"],
            "",
        ),
        ("Ready", Lane.STANDARD, "Customer interview: Acme Logistics", [alice, bob], [], "trust"),
        ("Ready", Lane.INTANGIBLE, "Clean up the UTM naming scheme", [], ["ops"], ""),
        ("Ready", Lane.INTANGIBLE, "Archive 2023 campaign assets", [], [], ""),
        ("Ready", Lane.EXPEDITE, "Fix broken signup link in footer", [bob], ["bug"], "try"),
        (
            "Writing",
            Lane.EXPEDITE,
            "Press release: security incident statement",
            [alice],
            ["pr", "urgent"],
            "trust",
        ),
        (
            "Writing",
            Lane.STANDARD,
            "Case study: how Beta Corp halved lead time",
            [bob],
            ["case-study"],
            "like",
        ),
        (
            "Writing",
            Lane.FIXED_DATE,
            "Webinar slides for 14 March",
            [bob, alice],
            ["webinar"],
            "like",
        ),
        ("Review", Lane.STANDARD, "Onboarding e-mail #3 rewrite", [alice], ["email"], "repeat"),
        ("Review", Lane.INTANGIBLE, "Brand voice guide v2", [], ["brand"], ""),
        ("Live", Lane.STANDARD, "Referral programme launch", [bob], ["growth"], "refer"),
        ("Live", Lane.STANDARD, "LinkedIn ads A/B test", [alice], ["ads", "experiment"], "know"),
        ("Live", Lane.FIXED_DATE, "Spring sale banner", [], ["promo"], "buy"),
        ("Live", Lane.STANDARD, "Podcast episode 12", [bob], ["audio"], "like"),
        ("Live", Lane.INTANGIBLE, "Cookie banner copy", [], [], ""),
    ]
    cards = []
    for i, (column, lane, title, people, tags, stage) in enumerate(rows):
        at = now - timedelta(days=len(rows) - i, hours=i)
        cards.append(
            services.create_card(
                world.board,
                title=title,
                column=world.column(column),
                lane=lane,
                assignees=people,
                tags=tags,
                stage=stage,
                actor=alice,
                at=at,
                due_date=(now + timedelta(days=i)).date() if lane == Lane.FIXED_DATE else None,
            )
        )
    for i in range(12):
        add(
            world,
            f"Shipped campaign {i + 1}",
            column="Done",
            lane=Lane.STANDARD if i % 4 else Lane.INTANGIBLE,
            tags=["done"],
            at=now - timedelta(days=30 - i),
        )
    for card, reason in [
        (cards[4], "waiting for Acme to confirm a date"),
        (cards[9], "legal review of the numbers"),
        (cards[12], "design team on holiday until Monday"),
    ]:
        services.block_card(card, reason=reason, actor=bob, at=now - timedelta(days=2))
    services.update_column(world.column("Live"), services.ColumnSpec("Live", "active", 3, "soft"))
    return cards


def test_it_draws_a_busy_board(ui, world):
    busy_board(world)
    ui.log_in(world.bob)
    ui.open_board(world.board)
    expect(ui.header(world.column("Live"))).to_have_class("col-head limit-over kind-active")
    expect(ui.header(world.column("Live")).locator(".count")).to_have_text("5/3")
    expect(ui.header(world.column("Ready"))).to_have_class("col-head limit-at kind-queue")
    expect(ui.page.locator(".card.is-blocked")).to_have_count(3)
    ui.screenshot("board.png")
    ui.open_card(Card.objects.get(title__startswith="Case study"))
    ui.screenshot("card.png")


def test_it_refuses_a_new_card_in_a_full_column_and_keeps_what_was_typed(ui, world):
    for i in range(3):
        add(world, f"Draft {i}", column="Writing")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.keyboard.press("n")
    dialog = ui.page.locator("#new-card")
    dialog.get_by_label("Title").fill("Webinar landing page")
    dialog.get_by_label("Column").select_option(label="Writing")
    dialog.get_by_role("button", name="Create card").click()
    expect(ui.page.locator("#board-error")).to_contain_text(
        "Not created. Writing is at its WIP limit (3/3, hard)"
    )
    expect(dialog).to_be_hidden()
    ui.page.keyboard.press("n")
    expect(dialog.get_by_label("Title")).to_have_value("Webinar landing page")
    assert not Card.objects.filter(title="Webinar landing page").exists()


def test_it_puts_the_card_back_and_says_so_when_the_server_fails(ui, world):
    add(world, "Spring newsletter")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.route("**/move", lambda route: route.fulfill(status=500, body="Server Error (500)"))
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    expect(ui.page.locator("#request-error")).to_contain_text(
        "Nothing was saved: the server answered 500."
    )
    expect(ui.cell(world.column("Ready")).locator("#card-1")).to_be_visible()
    expect(ui.header(world.column("Writing")).locator(".count")).to_have_text("0/3")
    ui.page.click("#request-error .dismiss")
    expect(ui.page.locator("#request-error")).to_have_count(0)
    ui.errors[:] = [e for e in ui.errors if "500" not in e and "htmx:responseError" not in e]


def test_it_sends_a_person_whose_session_ended_to_log_in_and_back(ui, world):
    card = add(world, "Spring newsletter")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    board_url = ui.page.url
    ui.page.context.clear_cookies(name="sessionid")  # the CSRF cookie outlives the session
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    ui.page.wait_for_url("**/login/?next=*")
    ui.page.fill("input[name=username]", world.bob.email)
    ui.page.fill("input[name=password]", PASSWORD)
    ui.page.click("button.primary")
    ui.page.wait_for_url(board_url)
    expect(ui.cell(world.column("Ready")).locator("#card-1")).to_be_visible()
    card.refresh_from_db()
    assert card.column.name == "Ready"


def test_it_keeps_the_filter_after_a_drag(ui, world):
    add(world, "SEO: grinder guide", tags=["seo"])
    add(world, "Reel: latte art")
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.fill("input[name=tag]", "seo")
    ui.page.keyboard.press("Enter")
    expect(ui.page.locator("#card-2")).to_have_count(0)
    ui.drag(ui.card(1), ui.cell(world.column("Writing")))
    expect(ui.cell(world.column("Writing")).locator("#card-1")).to_be_visible()
    expect(ui.page.locator("#card-2")).to_have_count(0)
    expect(ui.page.locator("input[name=tag]")).to_have_value("seo")


def test_another_persons_change_appears_within_five_seconds_without_reloading(ui, world):
    card = add(world, "Spring newsletter")
    ui.log_in(world.carol)  # a viewer, watching the board
    ui.open_board(world.board)
    ui.page.evaluate("window.notReloaded = true")
    put(world, card, "Writing")  # Bob, elsewhere
    services.block_card(card, reason="legal review", actor=world.bob)
    writing = ui.cell(world.column("Writing"))
    expect(writing.locator("#card-1")).to_contain_text("legal review", timeout=5_000)
    expect(ui.header(world.column("Writing")).locator(".count")).to_have_text("1/3")
    assert ui.page.evaluate("window.notReloaded") is True


def test_a_card_open_for_editing_elsewhere_is_marked_and_unmarked_when_closed(
    ui, world, chromium, live_server
):
    from leanmark.testing.browser import VIEWPORT, Ui

    add(world, "Spring newsletter")
    ui.log_in(world.carol)
    ui.open_board(world.board)
    other = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    try:
        bob = Ui(other.new_page())
        bob.log_in(world.bob)
        bob.open_card(world.board.cards.get())
        expect(ui.card(1).locator(".editing")).to_have_text("✎ Bob Member editing")
        ui.screenshot("board-someone-editing.png")
        bob.open_board(world.board)  # leaving the card page ends the marker at once
        expect(ui.card(1).locator(".editing")).to_have_count(0)
        expect(bob.card(1).locator(".editing")).to_have_count(0)
        assert bob.errors == []
    finally:
        other.close()
