"""Signing up writes the account and what it signs up for together, or nothing; an e-mail address
is one person in any case."""

import importlib

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from leanmark.accounts import services
from leanmark.accounts.models import Invitation, Membership, MembershipQuerySet, User, Workspace
from leanmark.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {
    "email": "dan@acme.example",
    "name": "Dan",
    "password": "another-long-password",
    "password2": "another-long-password",
}


def _invitation_path(world, role="member") -> str:
    return f"/invite/{services.invite(workspace=world.acme, role=role, actor=world.alice).token}/"


def test_it_writes_no_user_when_the_membership_cannot_be_written(world, monkeypatch):
    path = _invitation_path(world)

    def broken(self, **kwargs):
        raise RuntimeError("membership table on fire")

    monkeypatch.setattr(MembershipQuerySet, "get_or_create", broken)
    response = Client(raise_request_exception=False).post(path, NEW)
    assert response.status_code == 500
    assert not User.objects.filter(username="dan@acme.example").exists()
    assert Invitation.objects.get().accepted_at is None  # still usable once the fault is fixed
    monkeypatch.undo()
    assert Client().post(path, NEW).status_code == 302
    assert Membership.objects.get(user__username="dan@acme.example").role == "member"


def test_it_writes_no_user_when_the_workspace_of_the_first_owner_is_refused(db):
    response = Client().post("/setup/", {**NEW, "workspace": "n" * 101})
    assert response.status_code == 422
    assert "a workspace name has at most 100 characters" in response.content.decode()
    assert User.objects.count() == 0
    assert Client().get("/setup/").status_code == 200  # sign-up is still open to fix the name


def test_it_writes_no_user_when_the_first_workspace_cannot_be_written(db, monkeypatch):
    def broken(self, **kwargs):
        raise RuntimeError("workspace table on fire")

    monkeypatch.setattr(MembershipQuerySet, "create", broken)
    response = Client(raise_request_exception=False).post("/setup/", {**NEW, "workspace": "W"})
    assert response.status_code == 500
    assert (User.objects.count(), Workspace.objects.count()) == (0, 0)


def test_a_signed_in_member_who_submits_twice_is_told_it_is_done(world, client_for):
    path = _invitation_path(world)
    dan = services.create_user(email="dan@acme.example", password=PASSWORD, validate=False)
    client = client_for(dan)
    assert client.post(path).status_code == 302
    again = client.post(path)
    assert again.status_code == 409
    assert "has just been accepted; sign in instead" in again.content.decode()
    assert Membership.objects.filter(user=dan).count() == 1


def test_it_refuses_a_stale_acceptance_under_the_lock(world):
    """The invitation was read open, then accepted by someone else before this one wrote."""
    path = _invitation_path(world)
    invitation = services.find_invitation(path.split("/")[2])
    assert Client().post(path, NEW).status_code == 302
    with pytest.raises(services.InvitationTaken):
        services.sign_up_by_invitation(
            invitation, email="eve@acme.example", password="another-long-password"
        )
    assert not User.objects.filter(username="eve@acme.example").exists()


@pytest.mark.parametrize("typed", ["Bob@ACME.example", "BOB@ACME.EXAMPLE", " bob@acme.example "])
def test_it_signs_in_with_the_address_in_any_case(world, typed):
    client = Client()
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.bob.pk)


@pytest.mark.parametrize("email", ["BOB@acme.example", "bob@ACME.EXAMPLE", " Bob@Acme.Example "])
def test_it_refuses_a_second_account_for_an_address_in_another_case(world, email):
    response = Client().post(_invitation_path(world), {**NEW, "email": email})
    assert response.status_code == 422
    assert "a user with e-mail bob@acme.example already exists" in response.content.decode()
    assert User.objects.filter(username__iexact="bob@acme.example").count() == 1


def test_the_database_refuses_two_accounts_that_differ_only_in_case(world):
    for fields in (
        {"username": "Bob@Acme.example"},
        {"username": "b2", "email": "BOB@acme.example"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(**{"email": "", **fields})


def test_accounts_made_outside_the_sign_up_form_are_stored_lower_case(db):
    user = User.objects.create_user("Root@Example.COM", "Root@Example.COM", PASSWORD)
    assert (user.username, user.email) == ("root@example.com", "root@example.com")
    assert (
        Client()
        .post(reverse("login"), {"username": "ROOT@example.com", "password": PASSWORD})
        .status_code
        == 302
    )


MIGRATION = importlib.import_module("leanmark.accounts.migrations.0002_lowercase_addresses")


@pytest.mark.parametrize(
    ("addresses", "found"),
    [
        (["a@x.example", "b@x.example"], []),
        (
            ["a@x.example", "A@x.example", "b@x.example"],
            [("a@x.example", ["A@x.example", "a@x.example"])],
        ),
        (["", "", "c@x.example"], []),  # no address is nobody's duplicate
        (["Mixed@X.example"], []),  # one spelling: lowered, not a clash
    ],
)
def test_the_migration_finds_addresses_that_are_one_in_any_case(addresses, found):
    assert MIGRATION.clashes(addresses) == found


def test_the_migration_lowers_the_addresses_already_stored(world):
    from django.apps import apps

    User.objects.filter(pk=world.bob.pk).update(
        username="Bob@Acme.Example", email="Bob@Acme.Example"
    )
    MIGRATION.lowercase_addresses(apps, None)
    world.bob.refresh_from_db()
    assert (world.bob.username, world.bob.email) == ("bob@acme.example", "bob@acme.example")
