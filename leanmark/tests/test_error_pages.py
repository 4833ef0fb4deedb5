"""A viewer is told the workspace is read-only; a refused form answers the product's own 403
page (the role needed, the role held, a way back); the API keeps its JSON envelope."""

import json

from django.test import Client
from django.urls import reverse

from leanmark.board.models import Card

NOTICE = (
    "You can look but not change anything here: you are a viewer in Acme. "
    "Ask an owner to make you a member."
)
HTMX = {"HX-Request": "true"}


def board_url(world):
    return reverse("workspace", kwargs={"ws": world.acme.slug})


def create_url(world):
    return reverse("card_create", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})


def test_a_viewer_is_told_on_every_workspace_page_that_it_is_read_only(world, client_for):
    viewer, member = client_for(world.carol), client_for(world.bob)
    for name in ("workspace", "backlog", "experiments", "roi-time", "members"):
        url = reverse(name, kwargs={"ws": world.acme.slug})
        assert NOTICE in viewer.get(url, follow=True).content.decode(), name
        assert "you are a viewer" not in member.get(url, follow=True).content.decode(), name
    page = viewer.get(board_url(world), follow=True).content.decode()
    assert 'id="new-card-open"' not in page  # no "+ New card" to be refused
    assert 'id="new-card-open"' in member.get(board_url(world), follow=True).content.decode()


def test_a_viewer_posting_a_form_gets_the_product_403_page(world, client_for):
    response = client_for(world.carol).post(
        create_url(world),
        {"title": "Not mine to add", "column": world.column("Ready").pk},
        HTTP_REFERER="http://testserver/w/acme/ideas",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Your role does not allow this</h1>" in html
    assert "<p>Changing things here needs the member role; you are a viewer in Acme.</p>" in html
    assert '<a href="http://testserver/w/acme/ideas">← Back</a>' in html
    assert "Log out" in html and 'aria-label="Workspaces"' in html  # in the app's layout
    assert not Card.objects.filter(title="Not mine to add").exists()


def test_a_member_posting_an_owner_form_is_told_it_needs_the_owner(world, client_for):
    url = reverse("invitation_create", kwargs={"ws": world.acme.slug})
    response = client_for(world.bob).post(
        url, {"role": "member"}, HTTP_REFERER="https://evil.example/"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<p>This needs the owner role; you are a member in Acme.</p>" in html
    assert '<a href="/w/acme/">← Back</a>' in html  # another site's Referer is not a way back


def test_an_htmx_write_by_a_viewer_gets_a_one_line_reason(world, client_for):
    response = client_for(world.carol).post(
        create_url(world), {"title": "x", "column": world.column("Ready").pk}, headers=HTMX
    )
    assert response.status_code == 403
    assert response.content.decode().strip() == (
        '<p class="alert error" role="alert">Changing things here needs the member role; '
        "you are a viewer in Acme.</p>"
    )


def test_the_api_keeps_its_json_403(world, client_for):
    response = client_for(world.carol).post(
        f"/api/v1/boards/{world.board.pk}/cards",
        json.dumps({"title": "x"}),
        content_type="application/json",
        headers={"X-CSRFToken": "x"},
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "forbidden"


def test_a_form_without_its_token_gets_a_page_saying_nothing_was_saved(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob)
    response = client.post(create_url(world), {"title": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>The form could not be sent</h1>" in html
    assert "Reload the page and send it again." in html
    assert "Log out" in html  # the app's layout, not Django's bare page
