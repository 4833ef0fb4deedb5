"""Security-relevant actions reach the owners' audit trail."""

import pytest
from django.urls import reverse

from leanmark.accounts import services
from leanmark.accounts.models import AuditEntry
from leanmark.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def trail(world):
    return list(
        AuditEntry.objects.filter(workspace=world.acme)
        .order_by("id")
        .values_list("action", "detail")
    )


def test_sign_ins_and_failed_ones_are_recorded_with_the_address(world, client):
    client.post(reverse("login"), {"username": world.bob.email, "password": "wrong"})
    client.post(reverse("login"), {"username": world.bob.email, "password": PASSWORD})
    actions = trail(world)[-2:]
    assert actions == [
        ("sign_in.failed", "failed sign-in as bob@acme.example from 127.0.0.1"),
        ("sign_in", "Bob Member signed in from 127.0.0.1"),
    ]


def test_an_unknown_email_records_nothing(world, client):
    before = AuditEntry.objects.count()
    client.post(reverse("login"), {"username": "nobody@x.example", "password": "x"})
    assert AuditEntry.objects.count() == before


def test_tokens_created_and_revoked_are_recorded_in_each_workspace_of_the_person(world):
    new = services.create_token(world.bob, "sheet sync")
    services.revoke_token(new.token)
    assert trail(world)[-2:] == [
        ("token.created", f"Bob Member created API token 'sheet sync' ({new.token.prefix}…)"),
        ("token.revoked", "Bob Member revoked API token 'sheet sync'"),
    ]
    assert not AuditEntry.objects.filter(workspace=world.evil, action__startswith="token").exists()
