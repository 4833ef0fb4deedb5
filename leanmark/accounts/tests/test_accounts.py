from django.urls import reverse

from leanmark.accounts import services
from leanmark.accounts.models import ApiToken, AuditEntry, Membership, User


def test_the_first_visitor_signs_up_as_owner(client, db):
    assert client.get("/").url == "/setup/"
    response = client.post(
        "/setup/",
        {
            "workspace": "Northwind",
            "name": "Olivia",
            "email": "Olivia@Example.com",
            "password": "a-long-coffee-password",
            "password2": "a-long-coffee-password",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get()
    assert (membership.user.username, membership.role, membership.workspace.name) == (
        "olivia@example.com",
        "owner",
        "Northwind",
    )
    assert client.get("/setup/").status_code == 404  # afterwards, sign-up is by invitation only


def test_sign_up_refuses_a_weak_password_with_the_reason(client, db):
    response = client.post(
        "/setup/", {"workspace": "W", "email": "a@b.example", "password": "123", "password2": "123"}
    )
    assert response.status_code == 422
    assert "This password is too short" in response.content.decode()
    assert User.objects.count() == 0


def test_an_invitation_link_adds_a_member_once(world, client, client_for):
    owner = client_for(world.alice)
    owner.post(reverse("invitation_create", kwargs={"ws": world.acme.slug}), {"role": "viewer"})
    link = owner.get(reverse("members", kwargs={"ws": world.acme.slug})).context["new_link"]
    path = link.split("127.0.0.1:8000")[1]
    response = client.post(
        path,
        {
            "email": "dan@acme.example",
            "name": "Dan",
            "password": "another-long-password",
            "password2": "another-long-password",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="dan@acme.example").role == "viewer"
    assert client.get(path).status_code == 404  # used up
    assert AuditEntry.objects.filter(action="member.joined").count() == 1


def test_the_last_owner_cannot_be_demoted(world):
    membership = Membership.objects.get(user=world.alice, workspace=world.acme)
    try:
        services.change_role(membership, "member", actor=world.alice)
    except services.LastOwner as error:
        assert "at least one owner" in error.message
    else:
        raise AssertionError("the last owner was demoted")


def test_a_token_is_shown_once_and_stored_hashed(world, client_for):
    client = client_for(world.bob)
    response = client.post(reverse("tokens"), {"name": "sheet sync"})
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=world.bob)
    assert secret.startswith("lm_") and token.token_hash == services.hash_secret(secret)
    assert secret not in client.get(reverse("tokens")).content.decode()
    assert secret[:10] in client.get(reverse("tokens")).content.decode()


def test_the_workspace_switcher_lists_every_workspace_of_the_user(world, client_for):
    services.create_workspace(name="Second shop", owner=world.bob)
    html = (
        client_for(world.bob)
        .get(reverse("members", kwargs={"ws": world.acme.slug}))
        .content.decode()
    )
    assert "Acme" in html and "Second shop" in html and "Evil Corp" not in html


def test_the_login_page_says_what_leanmark_is(world, client):
    html = client.get(reverse("login")).content.decode()
    assert (
        "Leanmark is a self-hosted lean marketing system: a backlog ranked by cost of delay, "
        "a Kanban board with WIP limits, Build-Measure-Learn experiments, the Marketing Hourglass "
        "value-stream map, a dashboard and the ROI of each channel."
    ) in html


def test_the_audit_trail_shows_50_entries_a_page(world, client_for):
    AuditEntry.objects.bulk_create(
        AuditEntry(workspace=world.acme, actor=world.alice, action="test", detail=f"entry {i}")
        for i in range(70)
    )
    total = AuditEntry.objects.filter(workspace=world.acme).count()
    url = reverse("audit", kwargs={"ws": world.acme.slug})
    second = client_for(world.alice).get(url, {"page": "2"})
    assert len(second.context["paging"].rows) == total - 50
    assert f'<span class="muted">Page 2 of 2 · {total} entries</span>' in second.content.decode()
    assert f'href="{url}" rel="prev"' in second.content.decode()
