from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leanmark.board import services as board_services
from leanmark.standups import queries, services
from leanmark.standups.models import AgendaRecord, Entry, Impediment


def url(world, name, **kw):
    return reverse(name, kwargs={"ws": world.acme.slug, **kw})


def today(world):
    return queries.local_day(world.acme, timezone.now())


def test_it_checks_in_from_the_stand_up_page_and_links_mentioned_cards(world, client_for):
    card = board_services.create_card(world.board, title="Brew guide", actor=world.bob)
    client = client_for(world.bob)
    response = client.post(
        url(world, "standup-checkin"),
        {"yesterday": f"drafted #{card.number}", "today": "edit", "blockers": ""},
    )
    assert response.status_code == 302
    html = client.get(url(world, "standup")).content.decode()
    assert f'<a href="/w/{world.acme.slug}/cards/{card.number}/" class="mention">' in html
    assert "Update check-in" in html
    assert 'Not checked in yet: <span class="person">Alice Owner</span>' in html


def test_a_second_post_the_same_day_changes_the_entry(world, client_for):
    client = client_for(world.bob)
    client.post(url(world, "standup-checkin"), {"today": "first"})
    client.post(url(world, "standup-checkin"), {"today": "second"})
    assert list(Entry.objects.values_list("today", flat=True)) == ["second"]


def test_an_empty_check_in_is_refused_and_keeps_nothing_lost(world, client_for):
    response = client_for(world.bob).post(
        url(world, "standup-checkin"), {"yesterday": "  ", "today": "", "blockers": ""}
    )
    assert response.status_code == 422
    assert "the check-in is empty" in response.content.decode()
    assert not Entry.objects.exists()


def test_a_mention_of_another_workspaces_card_is_refused_with_the_text_kept(world, client_for):
    theirs = board_services.create_card(world.evil_board, title="Secret", actor=world.mallory)
    mine = board_services.create_card(world.board, title="Ours", actor=world.bob)
    number = theirs.number + 100 if theirs.number == mine.number else theirs.number
    text = f"waiting for #{number} to land"
    response = client_for(world.bob).post(
        url(world, "standup-checkin"), {"today": "write", "blockers": text}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f"there is no card #{number} in this workspace" in html
    assert text in html
    assert 'id="checkin"' in html and "<html" not in html  # the fragment only


def test_the_htmx_check_in_answers_with_the_fragment_and_an_event(world, client_for):
    response = client_for(world.bob).post(
        url(world, "standup-checkin"), {"today": "write"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "checkedIn"
    assert "Saved." in response.content.decode()


def test_the_stand_up_page_shows_the_agenda_and_open_impediments_with_their_age(world, client_for):
    card = board_services.create_card(
        world.board,
        title="Launch",
        column=world.column("Writing"),
        actor=world.bob,
        at=timezone.now() - timedelta(days=3),
    )
    services.raise_impediment(
        world.acme,
        what="Legal approval",
        owner=world.alice,
        actor=world.bob,
        card=card,
        block_card=True,
        now=timezone.now() - timedelta(days=2, hours=1),
    )
    html = client_for(world.carol).get(url(world, "standup")).content.decode()
    assert "Legal approval" in html
    assert "open <b" in html and ">2.0 d</b>" in html
    assert "blocked for 2.0 d: Legal approval" in html
    assert "nobody owns this item" in html
    assert "Check in</button>" not in html  # a viewer reads only


def test_the_board_shows_open_impediments_with_a_constant_number_of_queries(world, client_for):
    client = client_for(world.bob)
    board_url = reverse("board", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    first = board_services.create_card(world.board, title="first", actor=world.bob)
    services.raise_impediment(
        world.acme, what="First", owner=world.bob, actor=world.bob, card=first
    )
    with CaptureQueriesContext(connection) as one:
        html = client.get(board_url).content.decode()
    assert "Open impediments" in html and "First" in html
    for i in range(5):
        card = board_services.create_card(world.board, title=f"c{i}", actor=world.bob)
        services.raise_impediment(
            world.acme, what=f"more {i}", owner=world.bob, actor=world.bob, card=card
        )
    with CaptureQueriesContext(connection) as six:
        client.get(board_url)
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_stand_up_page_makes_a_constant_number_of_queries(world, client_for):
    client = client_for(world.bob)

    def count():
        client.get(url(world, "standup"))  # the flow app caches a board's log between requests
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, "standup")).status_code == 200
        return len(ctx.captured_queries)

    services.check_in(world.acme, member=world.bob, actor=world.bob, today="x")
    small = count()
    for i in range(20):
        card = board_services.create_card(
            world.board, title=f"c{i}", actor=world.bob, assignees=[world.bob], reason="fill"
        )
        services.raise_impediment(
            world.acme, what=f"i{i}", owner=world.bob, actor=world.bob, card=card
        )
    services.check_in(world.acme, member=world.alice, actor=world.alice, today="y")
    assert count() == small


def test_stand_up_mode_quick_actions_write_through_the_board(world, client_for):
    card = board_services.create_card(
        world.board, title="Launch", column=world.column("Writing"), actor=world.bob
    )
    client = client_for(world.bob)

    def act(action, data):
        return client.post(
            url(world, "standup-card-action", number=card.number, action=action),
            data,
            HTTP_HX_REQUEST="true",
        )

    response = act("block", {"reason": "legal"})
    assert response.status_code == 200 and response["HX-Trigger"] == "agendaChanged"
    assert "blocked for 0.0 d: legal" in response.content.decode()
    act("assign", {"assignees": str(world.alice.pk)})
    card.refresh_from_db()
    assert list(card.assignees.all()) == [world.alice]
    assert card.events.filter(kind="blocked", actor=world.bob).exists()
    act("unblock", {})
    response = act("impediment", {"what": "Printer", "owner": str(world.alice.pk), "block": "on"})
    assert (
        f"Impediment raised on #{card.number}, owned by Alice Owner." in response.content.decode()
    )
    card.refresh_from_db()
    assert card.blocked_reason == "Printer"
    refused = act("block", {"reason": "again"})
    assert refused.status_code == 409  # the card's state, not the input, refuses it
    assert f"card #{card.number} is already blocked (Printer)" in refused.content.decode()


def test_starting_the_stand_up_keeps_the_agenda_for_the_history(world, client_for):
    board_services.create_card(world.board, title="Launch", actor=world.bob)
    client = client_for(world.bob)
    assert client.post(url(world, "standup-start")).status_code == 302
    record = AgendaRecord.objects.get()
    assert record.day == today(world)
    assert record.data["sections"][-1]["items"][0]["title"] == "Launch"
    board_services.create_card(world.board, title="Added later", actor=world.bob)
    html = client.get(url(world, "standup-day", day=today(world).isoformat())).content.decode()
    assert "Launch" in html and "Added later" not in html.split("Summary to paste")[0]


def test_a_past_day_shows_its_entries_read_only_and_its_summary(world, client_for):
    past = today(world) - timedelta(days=3)
    Entry.objects.create(
        workspace=world.acme,
        member=world.bob,
        day=past,
        yesterday="wrote",
        today="edited",
        blockers="",
        created_at=timezone.now() - timedelta(days=3),
        updated_at=timezone.now() - timedelta(days=3),
    )
    client = client_for(world.carol)
    html = client.get(url(world, "standup-day", day=past.isoformat())).content.decode()
    assert "wrote" in html and "No agenda was kept that day" in html
    summary = client.get(url(world, "standup-summary", day=past.isoformat()))
    assert summary["Content-Type"] == "text/markdown; charset=utf-8"
    assert summary.content.decode().startswith(f"## Stand-up {past.isoformat()}")
    assert "- Yesterday: wrote\n- Today: edited" in summary.content.decode()


def test_a_bad_or_future_day_is_not_found(world, client_for):
    client = client_for(world.bob)
    assert client.get(url(world, "standup-day", day="2026-02-30")).status_code == 404
    tomorrow = (today(world) + timedelta(days=1)).isoformat()
    assert client.get(url(world, "standup-day", day=tomorrow)).status_code == 404


def test_raising_from_a_check_in_and_resolving_an_impediment(world, client_for):
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    entry = services.check_in(world.acme, member=world.bob, actor=world.bob, blockers="legal")
    client = client_for(world.bob)
    response = client.post(
        url(world, "standup-impediment-new"),
        {
            "what": "legal",
            "card": f"#{card.number}",
            "owner": str(world.alice.pk),
            "entry": str(entry.pk),
            "block": "on",
        },
    )
    item = Impediment.objects.get()
    assert response["Location"] == url(world, "standup-impediment", impediment_id=item.pk)
    assert (item.entry, item.card, item.owner) == (entry, card, world.alice)
    page = client.get(response["Location"]).content.decode()
    assert "unblock #" in page
    refused = client.post(
        url(world, "standup-impediment-resolve", impediment_id=item.pk), {"how": ""}
    )
    assert (
        refused.status_code == 422
        and "say how the impediment was resolved" in refused.content.decode()
    )
    client.post(
        url(world, "standup-impediment-resolve", impediment_id=item.pk),
        {"how": "called them", "unblock": "on"},
    )
    item.refresh_from_db()
    card.refresh_from_db()
    assert item.resolution == "called them" and not card.is_blocked


def test_raising_with_an_unknown_card_keeps_the_input(world, client_for):
    response = client_for(world.bob).post(
        url(world, "standup-impediment-new"),
        {"what": "Printer jammed", "card": "#999", "owner": str(world.bob.pk)},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "there is no card #999 in this workspace" in html
    assert 'value="Printer jammed"' in html


def test_the_impediments_page_charts_raised_and_resolved_per_week(world, client_for):
    item = services.raise_impediment(world.acme, what="a", owner=world.bob, actor=world.bob)
    services.resolve_impediment(item, how="b", actor=world.bob)
    html = client_for(world.carol).get(url(world, "standup-impediments")).content.decode()
    assert 'class="vega-chart"' in html
    assert '"what": "resolved", "count": 1' in html


def test_stand_up_mode_can_walk_only_the_flagged_items(world, client_for):
    board_services.create_card(
        world.board,
        title="Owned",
        column=world.column("Writing"),
        assignees=[world.bob],
        actor=world.bob,
    )
    board_services.create_card(
        world.board, title="Orphan", column=world.column("Writing"), actor=world.bob
    )
    client = client_for(world.bob)
    everything = client.get(url(world, "standup-mode")).content.decode()
    assert "Owned" in everything and "Orphan" in everything
    flagged = client.get(url(world, "standup-mode") + "?flagged=1").content.decode()
    assert "Orphan" in flagged and "Owned" not in flagged
    assert "Show all items" in flagged


def test_a_blocker_is_offered_as_an_impediment_on_the_card_it_mentions(world, client_for):
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    services.check_in(
        world.acme, member=world.bob, actor=world.bob, blockers=f"#{card.number} waits for legal"
    )
    html = client_for(world.alice).get(url(world, "standup")).content.decode()
    assert "Raise as impediment" in html
    assert f'name="card" size="6" placeholder="#123" value="#{card.number}"' in html
    assert f'value="#{card.number} waits for legal"' in html


def test_impediments_and_blockers_can_start_an_improvement(world, client_for):
    entry = services.check_in(world.acme, member=world.bob, actor=world.bob, blockers="legal")
    item = services.raise_impediment(world.acme, what="Legal", owner=world.bob, actor=world.bob)
    client = client_for(world.bob)
    new = reverse("improvement-new", kwargs={"ws": world.acme.slug})
    assert (
        f"{new}?source=standup_blocker&amp;source_id={entry.pk}"
        in client.get(url(world, "standup")).content.decode()
    )
    page = client.get(url(world, "standup-impediment", impediment_id=item.pk)).content.decode()
    assert f"{new}?source=impediment&amp;source_id={item.pk}" in page
    started = client.get(f"{new}?source=impediment&source_id={item.pk}")
    assert started.status_code == 200
    assert item.get_absolute_url() in started.content.decode()


def test_the_card_page_lists_its_impediments(world, client_for):
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    services.raise_impediment(
        world.acme, what="Legal", owner=world.alice, actor=world.bob, card=card
    )
    old = services.raise_impediment(
        world.acme, what="Printer", owner=world.bob, actor=world.bob, card=card
    )
    services.resolve_impediment(old, how="fixed", actor=world.bob)
    page = (
        client_for(world.carol)
        .get(reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}))
        .content.decode()
    )
    assert "<h2>Impediments</h2>" in page
    assert page.index("Legal") < page.index("Printer")
    assert "open 0.0 d</b>, owner Alice Owner" in page


def test_assigning_past_a_soft_per_person_limit_asks_for_a_reason(world, client_for):
    review = world.column("Review")
    board_services.update_column(
        review, board_services.ColumnSpec("Review", review.kind, 5, "soft", per_person_limit=1)
    )
    board_services.create_card(
        world.board, title="Held", column=review, assignees=[world.alice], actor=world.bob
    )
    card = board_services.create_card(world.board, title="Second", column=review, actor=world.bob)
    client = client_for(world.bob)
    action = url(world, "standup-card-action", number=card.number, action="assign")
    asked = client.post(action, {"assignees": str(world.alice.pk)}, HTTP_HX_REQUEST="true")
    html = asked.content.decode()
    assert asked.status_code == 409
    assert "Over the limit?" in html and "the per-person limit is 1" in html
    assert f'<input type="hidden" name="assignees" value="{world.alice.pk}">' in html
    done = client.post(
        action, {"assignees": str(world.alice.pk), "reason": "launch week"}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200
    card.refresh_from_db()
    assert list(card.assignees.all()) == [world.alice]
    assert card.events.filter(kind="wip_override", reason="launch week").exists()
