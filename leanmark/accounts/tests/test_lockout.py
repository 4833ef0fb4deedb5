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


def _sign_out_keeping_the_device(client):
    device = client.cookies["leanmark_device"].value
    client.logout()  # the test client forgets every cookie; a browser keeps this one
    client.cookies["leanmark_device"] = device


def test_a_stranger_at_the_same_address_cannot_lock_out_a_known_browser(world, client_for):
    """Everyone behind one proxy has one address: the owner's browser, known from an earlier
    sign-in, keeps its own count, so a stranger's five wrong passwords do not lock it."""
    from django.test import Client

    owner = Client()
    assert sign_in(owner, world.alice.email, PASSWORD, address="10.0.0.2").status_code == 302
    assert "leanmark_device" in owner.cookies
    _sign_out_keeping_the_device(owner)
    stranger = Client()
    for _ in range(5):
        sign_in(stranger, world.alice.email, "guess", address="10.0.0.2")
    assert sign_in(stranger, world.alice.email, PASSWORD, address="10.0.0.2").status_code == 429
    assert sign_in(owner, world.alice.email, PASSWORD, address="10.0.0.2").status_code == 302


def test_a_known_browser_is_still_locked_after_five_wrong_passwords_of_its_own(world):
    from django.test import Client

    browser = Client()
    assert sign_in(browser, world.bob.email, PASSWORD).status_code == 302
    _sign_out_keeping_the_device(browser)
    for _ in range(5):
        sign_in(browser, world.bob.email, "guess", address="192.0.2.1")
    page = sign_in(browser, world.bob.email, PASSWORD, address="192.0.2.99")  # any address
    assert page.status_code == 429
    assert "from this browser" in page.content.decode()


def test_a_device_cookie_of_another_person_counts_for_nothing(world):
    from django.test import Client

    browser = Client()
    assert sign_in(browser, world.bob.email, PASSWORD).status_code == 302
    _sign_out_keeping_the_device(browser)
    for _ in range(5):  # bob's cookie does not give a stranger a fresh bucket for carol
        sign_in(browser, world.carol.email, "guess")
    assert sign_in(browser, world.carol.email, PASSWORD).status_code == 429


def test_wrong_passwords_in_another_case_count_against_the_same_address(world, client):
    for typed in ["BOB@acme.example", "Bob@Acme.Example", "bob@ACME.example", "bob@acme.EXAMPLE"]:
        sign_in(client, typed.replace("bob@acme.example", world.bob.email), "guess")
    for _ in range(1):
        sign_in(client, world.bob.email.upper(), "guess")
    assert sign_in(client, world.bob.email, PASSWORD).status_code == 429


def test_a_proxy_that_is_not_counted_is_reported_once(settings, monkeypatch):
    from django.test import RequestFactory

    from leanmark.lib import client_ip as module

    module._warned.clear()
    settings.LEANMARK_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    warnings: list[str] = []
    monkeypatch.setattr(module.log, "warning", lambda m, *a: warnings.append(m % a))
    assert module.client_ip(request) == "10.0.0.2"
    module.client_ip(request)
    assert len(warnings) == 1
    assert "LEANMARK_PROXY_COUNT is 0, so every client looks like 10.0.0.2" in warnings[0]
