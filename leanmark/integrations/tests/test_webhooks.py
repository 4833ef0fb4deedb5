"""Webhooks: registered by owners, queued in the change's transaction, signed, retried."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from leanmark.accounts.models import AuditEntry
from leanmark.board import services as board
from leanmark.integrations import services
from leanmark.integrations.models import Delivery, Webhook
from leanmark.lib.errors import LeanmarkError

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records what it receives and answers the statuses it is given."""

    def __init__(self, statuses=(200,)):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def hook_for(world, url, events=("card.*",)):
    return services.create_webhook(world.acme, url=url, events=list(events), actor=world.alice)


def run_worker():
    """What the worker does with the jobs that are due, inside the test's transaction (the real
    worker closes connections between jobs; test_the_worker_command_* runs it for real)."""
    for job in DBTaskResult.objects.ready().order_by("enqueued_at"):
        job.claim("test")
        job.set_successful(job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]))


def add(world, title="Spring newsletter"):
    return board.create_card(
        world.board, title=title, column=world.column("Ready"), actor=world.bob
    )


def test_a_card_move_is_delivered_signed_by_the_worker_not_the_request(world, receiver):
    hook = hook_for(world, receiver.url)
    card = add(world)
    board.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    assert receiver.received == []  # nothing is sent inside the change
    assert Delivery.objects.filter(webhook=hook, status="pending").count() == 2
    run_worker()
    assert [json.loads(b)["event"] for _, b in receiver.received] == ["card.created", "card.moved"]
    headers, body = receiver.received[1]
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Leanmark-Signature"] == expected
    assert headers["X-Leanmark-Event"] == "card.moved"
    moved = json.loads(body)
    assert moved["workspace"] == "acme"
    assert (moved["payload"]["from_column"], moved["payload"]["to_column"]) == ("Ready", "Writing")
    assert set(Delivery.objects.values_list("status", "response_status")) == {("delivered", 200)}


def test_a_change_that_rolls_back_queues_nothing(world, receiver):
    hook_for(world, receiver.url)
    for i in range(3):  # Writing's hard limit is 3
        board.move_card(add(world, f"d{i}"), to_column=world.column("Writing"), actor=None)
    queued = Delivery.objects.count()
    fourth = add(world, "One too many")
    with pytest.raises(LeanmarkError):
        board.move_card(fourth, to_column=world.column("Writing"), actor=world.bob)
    assert Delivery.objects.count() == queued + 1  # only the fourth card's creation


def test_only_matching_events_of_active_hooks_of_the_workspace_are_queued(world, receiver):
    ideas = hook_for(world, receiver.url, events=["idea.*"])
    everything = hook_for(world, receiver.url + "2", events=["*"])
    paused = hook_for(world, receiver.url + "3", events=["*"])
    services.set_active(paused, False, actor=world.alice)
    board.create_card(world.evil_board, title="Elsewhere", actor=world.mallory)
    add(world)
    assert Delivery.objects.filter(webhook=ideas).count() == 0
    assert Delivery.objects.filter(webhook=paused).count() == 0
    assert list(Delivery.objects.filter(webhook=everything).values_list("event", flat=True)) == [
        "card.created"
    ]


def test_a_failing_receiver_is_retried_with_growing_waits_then_given_up(world):
    failing = Receiver(statuses=[500])
    try:
        hook = hook_for(world, failing.url)
        delivery = services.send_test(hook, actor=world.alice)
        now = timezone.now()
        waits = []
        for _ in range(services.MAX_ATTEMPTS):
            delivery = services.attempt(delivery, now=now)
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - now)
        assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480)]
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 6, 500)
        assert delivery.error == "the receiver answered 500"
        assert len(failing.received) == 6
        # the first send and each retry went on the queue, a retry to run no earlier than its time
        runs = [job.run_after for job in DBTaskResult.objects.all()]
        assert len(runs) == 6
        assert {now + wait for wait in waits} <= set(runs)
    finally:
        failing.close()


def test_an_unreachable_receiver_is_logged_with_the_reason(world):
    hook = services.create_webhook(
        world.acme, url="http://127.0.0.1:9/nothing", events=["*"], actor=world.alice
    )
    delivery = services.attempt(services.send_test(hook, actor=world.alice))
    assert delivery.status == "retrying"
    assert delivery.error.startswith("could not send:")
    assert delivery.response_status is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "give the URL to send events to"),
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http://user:pw@example.com/", "put no user name or password in the URL"),
        ("http://example.com:99999/", "port is not a number"),
        ("http://127.0.0.1:8000/api", "points at Leanmark itself"),
        ("http://localhost:8000/", "points at Leanmark itself"),
        ("http://testserver/hook", "points at Leanmark itself"),
        ("https://" + "a" * 500 + ".com", "more than 500 characters"),
    ],
)
def test_bad_webhook_urls_are_refused_with_a_reason_and_the_form_kept(
    world, client_for, url, message
):
    page = reverse("webhooks", kwargs={"ws": world.acme.slug})
    response = client_for(world.alice).post(page, {"url": url, "events": ["card.*"]})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Webhook.objects.count() == 0


def test_no_events_chosen_is_refused(world):
    with pytest.raises(services.WebhookError, match="choose at least one kind of event"):
        services.create_webhook(world.acme, url="https://h.example/x", events=[], actor=world.alice)


def test_the_owner_adds_tests_and_reads_the_log_and_the_audit_trail_records_it(
    world, client_for, receiver
):
    owner = client_for(world.alice)
    page = reverse("webhooks", kwargs={"ws": world.acme.slug})
    response = owner.post(page, {"url": receiver.url, "events": ["card.*", "idea.*"]})
    hook = Webhook.objects.get()
    assert response.url == reverse("webhook", kwargs={"ws": "acme", "hook_id": hook.pk})
    assert hook.events == ["card.*", "idea.*"]
    owner.post(
        reverse("webhook_action", kwargs={"ws": "acme", "hook_id": hook.pk, "action": "test"})
    )
    run_worker()
    log = owner.get(response.url).content.decode()
    assert "webhook.test" in log and "HTTP 200" in log and "1 delivered" in log
    assert json.loads(receiver.received[0][1])["payload"]["by"] == world.alice.email
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "webhook.created" in actions


def test_deleting_a_hook_drops_its_queued_deliveries_quietly(world, receiver):
    hook = hook_for(world, receiver.url)
    add(world)
    with transaction.atomic():
        services.delete_webhook(hook, actor=world.alice)
    run_worker()  # the job finds no delivery and does nothing
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_sends_what_is_queued(receiver):
    from leanmark.integrations.cli import worker
    from leanmark.testing.personas import build_world

    world = build_world()
    hook = hook_for(world, receiver.url)
    services.send_test(hook, actor=world.alice)
    worker(batch=True, interval=0.1)
    assert [json.loads(b)["event"] for _, b in receiver.received] == ["webhook.test"]
    assert Delivery.objects.get().status == "delivered"


class HoldingReceiver(Receiver):
    """Holds the first request unanswered until ``release`` is set (the worker gets killed
    meanwhile); later requests are answered at once. What a deduplicating receiver keeps is
    ``effects``: one per Idempotency-Key."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.effects: set[str] = set()
        handler = self.server.RequestHandlerClass
        receiver = self

        class Holding(handler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                key = self.headers["Idempotency-Key"]
                first = not receiver.received
                receiver.effects.add(key)
                if first:
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                    receiver.received.append((dict(self.headers), body))
                    receiver.release.wait(timeout=60)
                    self.send_response(200)
                    self.end_headers()
                else:
                    super().do_POST()

        self.server.RequestHandlerClass = Holding


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_is_retried_with_the_same_idempotency_key(tmp_path):
    import os
    import subprocess
    import sys
    import time

    from leanmark.testing.databases import url_of_test_database
    from leanmark.testing.personas import build_world

    world = build_world()
    receiver = HoldingReceiver()
    delivery = services.send_test(hook_for(world, receiver.url), actor=world.alice)
    env = {
        **os.environ,
        "DATABASE_URL": url_of_test_database(),
        "LEANMARK_DATA_DIR": str(tmp_path),
        "LEANMARK_WEBHOOK_TIMEOUT": "1",  # abandoned after 2 * 1 + 5 = 7 s
    }
    command = [sys.executable, "-m", "leanmark.cli", "worker"]
    try:
        worker = subprocess.Popen(  # noqa: S603 (our own CLI, fixed arguments)
            [*command, "--interval", "0.1"], env=env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.received, "the worker never sent the delivery"
        worker.kill()  # mid-delivery: the receiver has the request, the worker recorded nothing
        worker.wait(timeout=10)
        assert Delivery.objects.get().status == "pending"
        assert DBTaskResult.objects.running().count() == 1

        time.sleep(7.5)
        again = subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
            [*command, "--batch", "--interval", "0.1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 0, again.stderr
        assert "Put back 1 delivery job(s)" in again.stdout
    finally:
        receiver.release.set()
        receiver.close()
    keys = [headers["Idempotency-Key"] for headers, _ in receiver.received]
    assert keys == [f"leanmark-delivery-{delivery.pk}"] * 2  # sent twice, one key
    assert receiver.effects == {f"leanmark-delivery-{delivery.pk}"}  # one effect
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
