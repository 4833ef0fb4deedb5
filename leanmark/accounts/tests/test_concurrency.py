"""One invitation, many people at once: one gets in, the others are told so, nothing half-written.

The security review saw one 302, six 404s and a 500 from 8 threads, and a user without a membership.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from leanmark.accounts import services
from leanmark.accounts.models import Invitation, Membership, User
from leanmark.testing.personas import build_world

PASSWORD = "another-long-password"


def _race(path: str, emails: list[str]) -> list[tuple[int, str]]:
    """POST the sign-up form of `path` from one thread per address, all at once."""
    barrier = threading.Barrier(len(emails))
    results: list[tuple[int, str]] = [(0, "")] * len(emails)

    def join(i: int, email: str) -> None:
        client = Client(raise_request_exception=False)  # a 500 is an outcome, not a crash
        form = {"email": email, "name": "Dan", "password": PASSWORD, "password2": PASSWORD}
        try:
            barrier.wait()
            response = client.post(path, form)
            results[i] = (response.status_code, response.content.decode())
        except Exception as error:
            results[i] = (-1, repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(i, e)) for i, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _assert_one_joined_and_nobody_is_orphaned(users_before: int, members_before: set[int]):
    assert User.objects.count() == users_before + 1
    joined = Membership.objects.exclude(pk__in=members_before).get()
    assert Invitation.objects.get().accepted_by == joined.user
    assert list(User.objects.filter(memberships__isnull=True)) == []


def _counts() -> tuple[int, set[int]]:
    return User.objects.count(), set(Membership.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_eight_people_racing_for_an_invitation_in_and_tells_the_others():
    world = build_world()
    path = (
        f"/invite/{services.invite(workspace=world.acme, role='viewer', actor=world.alice).token}/"
    )
    before = _counts()
    results = _race(path, [f"racer{i}@acme.example" for i in range(8)])
    statuses = sorted(status for status, _ in results)
    assert statuses.count(302) == 1, statuses
    # Who waited for the lock hears it was just taken; who came after the commit finds the link
    # used up, as anybody opening a used link does. Never a 500, never a half-made account.
    assert set(statuses) <= {302, 404, 409}, results
    for status, html in results:
        if status == 409:
            assert "This invitation has just been accepted" in html
        if status == 404:
            assert "This invitation link does not work" in html
    _assert_one_joined_and_nobody_is_orphaned(*before)


@pytest.mark.django_db(transaction=True)
def test_it_tells_someone_who_submits_an_invitation_eight_times_to_sign_in():
    world = build_world()
    path = (
        f"/invite/{services.invite(workspace=world.acme, role='viewer', actor=world.alice).token}/"
    )
    before = _counts()
    results = _race(path, ["Dan@Acme.example"] * 8)
    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * 7, results
    for status, html in results:
        if status == 409:
            assert "has just been accepted; sign in instead" in html
    _assert_one_joined_and_nobody_is_orphaned(*before)
    assert User.objects.filter(username="dan@acme.example").exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_second_acceptance_waits_for_the_invitation_row_and_then_writes_nothing():
    """PostgreSQL: the loser blocks on the invitation's row lock (SELECT … FOR NO KEY UPDATE),
    not on a unique index after its user is written; it then sees the acceptance and stops."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers (the PostgreSQL run)")
    world = build_world()
    invitation = services.invite(workspace=world.acme, role="viewer", actor=world.alice).invitation
    first_in, commit_first = threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def run(name, work):
        try:
            work()
            results[name] = "ok"
        except services.InvitationTaken:
            results[name] = "taken"
        except Exception as error:
            results[name] = repr(error)
        finally:
            connections.close_all()

    def first():
        with transaction.atomic():
            services.sign_up_by_invitation(
                invitation, email="first@acme.example", password=PASSWORD
            )
            first_in.set()
            commit_first.wait(timeout=30)

    def second():
        first_in.wait(timeout=30)
        services.sign_up_by_invitation(invitation, email="second@acme.example", password=PASSWORD)

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    first_in.wait(timeout=30)
    deadline = time.monotonic() + 20
    waiting = None
    with connection.cursor() as cursor:  # commit the first only once the second is waiting
        while time.monotonic() < deadline and waiting is None:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            waiting = (cursor.fetchone() or [None])[0]
            time.sleep(0.05)
    commit_first.set()
    for thread in threads:
        thread.join(timeout=60)
    assert waiting is not None, "the second acceptance never waited for the first"
    assert "accounts_invitation" in waiting and "FOR NO KEY UPDATE" in waiting, waiting
    assert results == {"first": "ok", "second": "taken"}
    assert not User.objects.filter(username="second@acme.example").exists()
    assert Invitation.objects.get().accepted_by.username == "first@acme.example"
