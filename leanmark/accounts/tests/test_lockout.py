"""Password guessing is stopped: five wrong passwords lock that e-mail from that address."""

import pytest
from django.urls import reverse

from leanmark.accounts.models import AuditEntry
from leanmark.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_the_sixth_try_is_refused_with_a_clear_message_even_with_the_right_password(world, client):
    for _ in range(4):
        assert sign_in(client, world.bob.email, "guess").status_code == 200
    locked = sign_in(client, world.bob.email, "guess")  # the fifth wrong one locks
    assert locked.status_code == 429
    page = sign_in(client, world.bob.email, PASSWORD)
    assert page.status_code == 429
    text = page.content.decode()
    assert "Too many wrong passwords" in text
    assert "signing in is paused for 15 minutes" in text
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="sign_in.failed").count() >= 5


def test_the_lock_is_per_address_and_a_right_password_resets_the_count(world, client):
    for _ in range(4):
        sign_in(client, world.bob.email, "guess")
    assert sign_in(client, world.bob.email, PASSWORD).status_code == 302  # resets
    for _ in range(4):
        assert sign_in(client, world.bob.email, "guess").status_code == 200
    for _ in range(5):
        sign_in(client, world.carol.email, "guess", address="198.51.100.1")
    # Carol locked from one address does not lock Carol elsewhere, nor Bob
    assert sign_in(client, world.carol.email, PASSWORD, address="192.0.2.9").status_code == 302


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(world, client, settings):
    from django.test import RequestFactory

    from leanmark.lib.client_ip import client_ip

    settings.LEANMARK_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_ip(request) == "203.0.113.7"  # the spoofable left entry is ignored
    settings.LEANMARK_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
