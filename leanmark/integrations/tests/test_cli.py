import json

from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.integrations import services
from leanmark.integrations.models import Webhook

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def a_hook(world, url="https://hooks.example/leanmark"):
    return services.create_webhook(world.acme, url=url, events=["card.*"], actor=world.alice)


def test_webhook_add_subscribes_a_url_and_prints_its_secret(world):
    result = run(
        "webhook", "add", "https://hooks.example/in", "--event", "idea.*", "--event", "card.*",
        "-w", "acme",
    )  # fmt: skip
    hook = Webhook.objects.get(workspace=world.acme)
    assert (result.exit_code, result.stdout) == (
        0,
        f"Webhook {hook.pk} sends card.*, idea.* to https://hooks.example/in. Deliveries are "
        f"signed in X-Leanmark-Signature with the secret {hook.secret}\n",
    )
    assert (hook.events, hook.created_by) == (["card.*", "idea.*"], world.alice)


def test_webhook_add_refuses_a_url_that_is_not_http_and_members(world):
    result = run("webhook", "add", "ftp://hooks.example/in", "-w", "acme")
    assert result.exit_code == 1
    assert "the URL must start with http:// or https://, not 'ftp'" in result.stderr
    member = run(
        "webhook", "add", "https://hooks.example/in", "-w", "acme", "--as", "bob@acme.example"
    )
    assert member.exit_code == 1
    assert "only an owner can do this" in member.stderr
    assert not Webhook.objects.exists()


def test_webhook_list_shows_the_workspaces_hooks_only(world):
    hook = a_hook(world)
    services.create_webhook(world.evil, url="https://evil.example/", events=["*"], actor=None)
    result = run("webhook", "list", "-w", "acme", "--json")
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert (row["id"], row["url"], row["events"], row["active"]) == (
        hook.pk,
        "https://hooks.example/leanmark",
        ["card.*"],
        True,
    )
    assert "secret" not in row


def test_webhook_remove_deletes_it(world):
    hook = a_hook(world)
    result = run("webhook", "remove", hook.pk, "-w", "acme")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Webhook {hook.pk} to https://hooks.example/leanmark deleted.\n",
    )
    assert not Webhook.objects.exists()
    again = run("webhook", "remove", hook.pk, "-w", "acme")
    assert again.exit_code == 1
    assert f"no webhook {hook.pk} in acme" in again.stderr
