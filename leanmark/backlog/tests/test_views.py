from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leanmark.backlog import services
from leanmark.backlog.models import Idea
from leanmark.board import services as board_services

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(world, name, **kw):
    return reverse(name, kwargs={"ws": world.acme.slug, **kw})


def cd3(idea, **values):
    return services.score_idea(
        idea, model="cd3", values={"profile": "standard", **values}, actor=None
    )


def test_the_backlog_ranks_ideas_and_explains_each_score(world, client_for):
    small = cd3(
        services.capture_idea(world.acme, title="Small", actor=None),
        value_rate=10,
        duration_weeks=2,
    )
    big = cd3(
        services.capture_idea(world.acme, title="Big", actor=None), value_rate=30, duration_weeks=4
    )
    services.capture_idea(world.acme, title="Unscored", actor=None)
    page = client_for(world.carol).get(url(world, "backlog")).content.decode()
    assert page.index("Big") < page.index("Small") < page.index("Unscored")
    assert "CD3 7.5 = 30/week ÷ 4 weeks" in page
    assert f'id="idea-{big.pk}"' in page and f'id="idea-{small.pk}"' in page
    assert "vega-chart" in page  # the CD3 against duration chart
    assert 'id="idea-capture"' not in page  # a viewer cannot capture


def test_the_backlog_ranks_for_another_date_and_model(world, client_for):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    services.score_idea(
        idea, model="ice", values={"impact": 8, "confidence": 8, "ease": 7}, actor=None
    )
    page = client_for(world.bob).get(url(world, "backlog") + "?model=ice&on=2030-01-01")
    text = page.content.decode()
    assert "ICE 7.67 = (impact 8 + confidence 8 + ease 7) ÷ 3" in text
    assert "for <b>2030-01-01</b> (not today" in text


def test_a_bad_date_falls_back_to_today_and_says_so(world, client_for):
    page = client_for(world.bob).get(url(world, "backlog") + "?on=tomorrow").content.decode()
    assert "&#x27;tomorrow&#x27; is not a date (YYYY-MM-DD); ranked for today instead" in page


def test_the_backlog_filters_by_stage_channel_tag_and_status(world, client_for):
    services.capture_idea(world.acme, title="Email idea", channel="Email", stage="buy", actor=None)
    services.capture_idea(
        world.acme, title="Events idea", channel="Events", tags="summer", actor=None
    )
    client = client_for(world.bob)
    page = client.get(url(world, "backlog") + "?channel=email").content.decode()
    assert "Email idea" in page and "Events idea" not in page
    page = client.get(url(world, "backlog") + "?tag=summer").content.decode()
    assert "Events idea" in page and "Email idea" not in page
    page = client.get(url(world, "backlog") + "?stage=buy").content.decode()
    assert "Email idea" in page and "Events idea" not in page
    page = client.get(url(world, "backlog") + "?status=rejected").content.decode()
    assert "Email idea" not in page


def test_the_backlog_page_makes_the_same_number_of_queries_for_5_and_60_ideas(world, client_for):
    client = client_for(world.bob)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, "backlog")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        cd3(
            services.capture_idea(world.acme, title=f"a{i}", actor=None),
            value_rate=i,
            duration_weeks=1,
        )
    small = count()
    for i in range(55):
        idea = cd3(
            services.capture_idea(world.acme, title=f"b{i}", actor=None),
            value_rate=i,
            duration_weeks=1,
        )
        if i % 5 == 0:
            idea = services.set_status(idea, status="accepted", actor=None)
        if i % 10 == 0:
            services.start_idea(idea, actor=None, reason="many")
    assert count() == small


def test_capture_with_htmx_answers_a_fresh_box_and_tells_the_page(world, client_for):
    response = client_for(world.bob).post(
        url(world, "backlog-capture"), {"title": "Loyalty stamp card", "stage": "repeat"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ideaCaptured"
    text = response.content.decode()
    assert "Saved:" in text and "Loyalty stamp card" in text
    assert 'value=""' in text  # the box is empty for the next idea
    idea = Idea.objects.get()
    assert (idea.stage, idea.created_by) == ("repeat", world.bob)


def test_capture_refused_keeps_what_was_typed(world, client_for):
    response = client_for(world.bob).post(
        url(world, "backlog-capture"), {"title": "x" * 201, "channel": "Email"}, **HTMX
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Not saved: the title has 201 characters; at most 200 are allowed" in text
    assert 'value="Email"' in text and "x" * 201 in text
    assert not Idea.objects.exists()


def test_capture_without_htmx_goes_back_where_it_came_from(world, client_for):
    board_url = reverse("board", kwargs={"ws": "acme", "board_id": world.board.pk})
    response = client_for(world.bob).post(
        url(world, "backlog-capture"), {"title": "From the board", "next": board_url}
    )
    assert response["Location"] == board_url
    response = client_for(world.bob).post(
        url(world, "backlog-capture"), {"title": "Elsewhere", "next": "https://evil.example/"}
    )
    assert response["Location"] == url(world, "backlog")


def test_every_workspace_page_carries_the_capture_box_for_members(world, client_for):
    board_url = reverse("board", kwargs={"ws": "acme", "board_id": world.board.pk})
    assert 'id="idea-capture"' in client_for(world.bob).get(board_url).content.decode()
    assert 'id="idea-capture"' not in client_for(world.carol).get(board_url).content.decode()


def test_a_refused_score_keeps_the_input_and_says_why(world, client_for):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    response = client_for(world.bob).post(
        url(world, "backlog-idea-score", idea_id=idea.pk),
        {"model": "cd3", "profile": "standard", "value_rate": "25", "duration_weeks": "0"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "The duration must be more than 0 weeks (CD3 divides by it)" in text
    assert 'name="value_rate" value="25"' in text
    idea.refresh_from_db()
    assert idea.value_rate is None


def test_scoring_from_the_page_shows_the_explanation(world, client_for):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    client = client_for(world.bob)
    response = client.post(
        url(world, "backlog-idea-score", idea_id=idea.pk),
        {"model": "rice", "reach": "800", "impact": "2", "confidence": "50", "effort": "1"},
        follow=True,
    )
    assert "RICE 800 = reach 800 × impact 2 × confidence 50% ÷ effort 1 person-months" in (
        response.content.decode()
    )


def test_park_without_a_reason_is_refused_on_the_page(world, client_for):
    idea = services.capture_idea(world.acme, title="Podcast", actor=None)
    response = client_for(world.bob).post(
        url(world, "backlog-idea-status", idea_id=idea.pk), {"status": "parked"}
    )
    assert response.status_code == 422
    assert "say why the idea is parked: a reason is required" in response.content.decode()


def test_start_into_a_full_column_shows_the_boards_message(world, client_for):
    ready = world.column("Ready")
    board_services.update_column(ready, board_services.ColumnSpec("Ready", ready.kind, 0, "hard"))
    idea = cd3(
        services.capture_idea(world.acme, title="Gift box", actor=None),
        value_rate=1,
        duration_weeks=1,
    )
    services.set_status(idea, status="accepted", actor=None)
    response = client_for(world.bob).post(url(world, "backlog-idea-start", idea_id=idea.pk))
    assert response.status_code == 409
    text = response.content.decode()
    assert "Not started." in text
    assert "Ready is at its WIP limit (0/0, hard). Finish or move a card out of it first." in text


def test_start_links_the_card_and_the_idea_both_ways(world, client_for):
    idea = cd3(
        services.capture_idea(world.acme, title="Gift box", actor=None),
        value_rate=1,
        duration_weeks=1,
    )
    services.set_status(idea, status="accepted", actor=None)
    client = client_for(world.bob)
    response = client.post(url(world, "backlog-idea-start", idea_id=idea.pk), follow=True)
    assert "On the board as" in response.content.decode()
    card_page = client.get(reverse("card", kwargs={"ws": "acme", "number": 1})).content.decode()
    assert "From idea" in card_page and url(world, "backlog-idea", idea_id=idea.pk) in card_page


def test_the_evidence_badge_shows_on_the_list_and_the_idea(world, client_for):
    idea = services.capture_idea(
        world.acme, title="Subject lines", stage="try", channel="Email", actor=None
    )
    services.flag_evidence_changed(
        workspace=world.acme, stage="try", channel="Email", source="Experiment 4 concluded"
    )
    client = client_for(world.carol)
    assert (
        "evidence changed — re-score confidence"
        in client.get(url(world, "backlog")).content.decode()
    )
    page = client.get(url(world, "backlog-idea", idea_id=idea.pk)).content.decode()
    assert "Evidence changed — re-score confidence." in page and "Experiment 4 concluded" in page


def test_bulk_park_needs_a_reason_and_changes_nothing_without(world, client_for):
    a = services.capture_idea(world.acme, title="a", actor=None)
    b = services.capture_idea(world.acme, title="b", actor=None)
    client = client_for(world.bob)
    response = client.post(
        url(world, "backlog-bulk"), {"ids": [a.pk, b.pk], "status": "parked"}, follow=True
    )
    assert "Nothing changed: say why the idea is parked" in response.content.decode()
    client.post(
        url(world, "backlog-bulk"), {"ids": [a.pk, b.pk], "status": "parked", "reason": "Q3"}
    )
    assert set(Idea.objects.values_list("status", flat=True)) == {"parked"}


def test_triage_walks_new_ideas_oldest_first(world, client_for):
    first = services.capture_idea(world.acme, title="First", actor=None)
    services.capture_idea(world.acme, title="Second", actor=None)
    client = client_for(world.bob)
    page = client.get(url(world, "backlog-triage")).content.decode()
    assert "First" in page and "this is 1 of 2" in page and "Skip to the next idea" in page
    response = client.post(
        url(world, "backlog-idea-score", idea_id=first.pk),
        {"model": "ice", "impact": "8", "confidence": "7", "ease": "9", "next": "triage"},
    )
    assert response["Location"] == url(world, "backlog-triage") + f"?idea={first.pk}"
    response = client.post(
        url(world, "backlog-idea-status", idea_id=first.pk),
        {"status": "accepted", "next": "triage"},
    )
    page = client.get(response["Location"]).content.decode()
    assert "Second" in page and "this is 1 of 1" in page


def test_the_import_form_lists_every_bad_line(world, client_for):
    data = b"title,ice_impact,ice_confidence,ice_ease\nok,5,5,5\nbad,0,5,5\n,1,1,1\n"
    response = client_for(world.bob).post(
        url(world, "backlog-import-upload"), {"file": SimpleUploadedFile("ideas.csv", data)}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Nothing was imported from ideas.csv." in text
    assert "line 3: Impact must be a whole number from 1 to 10, not 0" in text
    assert "line 4: the title cannot be empty" in text
    assert not Idea.objects.exists()


def test_the_import_form_imports_a_good_file(world, client_for):
    data = "title,channel\nCafé crème tasting,Events\n".encode()
    response = client_for(world.bob).post(
        url(world, "backlog-import-upload"),
        {"file": SimpleUploadedFile("ideas.csv", data)},
        follow=True,
    )
    assert "1 idea(s) imported from ideas.csv." in response.content.decode()
    assert Idea.objects.get().title == "Café crème tasting"


def test_only_the_owner_chooses_the_default_model(world, client_for):
    client_for(world.bob).post(url(world, "backlog-settings"), {"default_model": "ice"})
    client_for(world.alice).post(url(world, "backlog-settings"), {"default_model": "rice"})
    page = client_for(world.bob).get(url(world, "backlog")).content.decode()
    assert "Ranked by <b>RICE</b>" in page


def test_a_long_backlog_draws_the_top_hundred_and_offers_the_rest(world, client_for):
    for i in range(105):
        services.capture_idea(world.acme, title=f"idea {i}", actor=None)
    client = client_for(world.bob)
    page = client.get(url(world, "backlog")).content.decode()
    assert "Showing the top 100 of 105 ideas." in page
    assert page.count('name="ids"') == 100
    page = client.get(url(world, "backlog") + "?all=1").content.decode()
    assert page.count('name="ids"') == 105 and "Showing the top" not in page


def test_triage_comes_back_to_evaluated_ideas_after_the_new_ones(world, client_for):
    scored = cd3(
        services.capture_idea(world.acme, title="Scored, undecided", actor=None),
        value_rate=1,
        duration_weeks=1,
    )
    services.capture_idea(world.acme, title="Brand new", actor=None)
    page = client_for(world.bob).get(url(world, "backlog-triage")).content.decode()
    assert "Brand new" in page and "this is 1 of 2" in page
    assert f"?idea={scored.pk}" in page  # the skip link leads to the evaluated one
