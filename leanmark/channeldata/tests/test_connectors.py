"""Pull connectors against recorded API answers replayed by a local server (fakeapi.py, on
127.0.0.1:8671): no internet is needed, the HTTP, the JWT signing, the paging and the errors
are real."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from leanmark.channeldata import connectors, vault
from leanmark.channeldata.models import ChannelDay, Connection, DataImport
from leanmark.channeldata.tests import fakeapi
from leanmark.cli import app

pytestmark = pytest.mark.fake_api

PORT = 8671
TODAY = date(2026, 12, 7)
META_TOKEN = "EAAGrecordedsystemusertoken0123456789"
GA4_PATH = "/v1beta/properties/412345678:runReport"
META_PATH = "/v23.0/act_1234567890/insights"
D = Decimal


@pytest.fixture(scope="module")
def server():
    fake, running = fakeapi.serve(PORT)
    yield fake
    running.shutdown()
    running.server_close()


@pytest.fixture
def fake(server, settings):
    server.replies.clear()
    server.seen.clear()
    settings.LEANMARK_GA4_API_URL = server.base
    settings.LEANMARK_GOOGLE_TOKEN_URL = f"{server.base}/token"
    settings.LEANMARK_META_API_URL = server.base
    settings.LEANMARK_META_API_VERSION = "v23.0"
    settings.LEANMARK_CONNECTOR_TIMEOUT = 5
    return server


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service_key(fake, private_key) -> bytes:
    fake.public_key = private_key.public_key()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "acme-analytics",
            "private_key_id": "0a1b2c3d4e5f",
            "private_key": pem,
            "client_email": "leanmark@acme-analytics.iam.gserviceaccount.com",
            "client_id": "104000000000000000001",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    ).encode()


def ga4(world, key, *, report="ga4_run_report.json", fake=None):
    fake.replies[("POST", "/token")] = [(200, "google_token.json")]
    fake.replies[("POST", GA4_PATH)] = [(200, report)]
    return connectors.connect(
        world.acme, "ga4", account="412345678", credentials=key, name="Shop GA4", actor=world.alice
    )


def table():
    return [
        (
            r.day.isoformat(),
            r.channel,
            r.campaign,
            r.utm_source,
            r.sessions,
            r.conversions,
            r.revenue,
            r.currency,
        )
        for r in ChannelDay.objects.order_by("day", "channel", "campaign")
    ]


def test_a_ga4_pull_asks_the_documented_report_and_imports_its_rows(world, fake, service_key):
    connection = ga4(world, service_key, fake=fake)
    pulled = connectors.pull(connection, actor=None, today=TODAY)
    assert pulled.error == ""
    assert (pulled.first_day, pulled.last_day) == (date(2026, 11, 9), date(2026, 12, 6))
    token_call, report_call = fake.seen
    assert token_call.path == "/token"
    assert report_call.headers["Authorization"] == "Bearer ya29.c.recorded-access-token"
    asked = json.loads(report_call.body)
    assert asked["dateRanges"] == [{"startDate": "2026-11-09", "endDate": "2026-12-06"}]
    assert [d["name"] for d in asked["dimensions"]] == [
        "date", "sessionSource", "sessionMedium", "sessionCampaignName",
    ]  # fmt: skip
    assert [m["name"] for m in asked["metrics"]] == ["sessions", "keyEvents", "totalRevenue"]
    assert table() == [
        ("2026-12-04", "direct", "", "(direct)", 120, D("2"), D("61"), "EUR"),
        ("2026-12-04", "email", "december-roast", "newsletter", 40, D("1"), D("32"), "EUR"),
        ("2026-12-04", "paid_search", "Brand search", "google", 59, D("3"), D("184.5"), "EUR"),
        ("2026-12-05", "organic_search", "", "google", 210, D("5"), D("140.25"), "EUR"),
        ("2026-12-05", "paid_search", "Brand search", "google", 64, D("4"), D("246"), "EUR"),
        ("2026-12-06", "paid_search", "Brand search", "google", 71, D("2"), D("98"), "EUR"),
        ("2026-12-06", "unassigned", "", "coffee-partner.example", 12, D("0"), D("0"), "EUR"),
    ]  # fmt: skip
    connection.refresh_from_db()
    record = DataImport.objects.get()
    assert (connection.last_import, connection.last_error) == (record, "")
    assert connection.last_pulled_at is not None
    assert (record.source, record.file_name, record.first_day, record.last_day, record.rows) == (
        "ga4", "Shop GA4 (API pull)", date(2026, 11, 9), date(2026, 12, 6), 7,
    )  # fmt: skip


def test_a_second_pull_replaces_the_window_with_the_revised_figures(world, fake, service_key):
    connection = ga4(world, service_key, fake=fake)
    connectors.pull(connection, today=TODAY)
    fake.replies[("POST", GA4_PATH)] = [(200, "ga4_run_report_revised.json")]
    again = connectors.pull(connection, today=TODAY)
    assert again.error == ""
    rows = table()
    assert len(rows) == 6
    assert rows[3:] == [
        ("2026-12-05", "organic_search", "", "google", 210, D("5"), D("140.25"), "EUR"),
        ("2026-12-05", "paid_search", "Brand search", "google", 66, D("4"), D("262.4"), "EUR"),
        ("2026-12-06", "paid_search", "Brand search", "google", 73, D("3"), D("121.9"), "EUR"),
    ]  # fmt: skip
    revision = DataImport.objects.order_by("-id").first()
    assert (revision.rows, revision.replaced, revision.changed_days) == (6, 7, 2)
    assert revision.totals["sessions"] == [
        "576",
        "568",
    ]  # 12 partner sessions gone, 2 + 2 revised up


def test_an_expired_meta_token_says_so_and_writes_nothing(world, fake):
    fake.replies[("GET", META_PATH)] = [(400, "meta_token_expired.json")]
    connection = connectors.connect(
        world.acme, "meta_ads", account="act_1234567890", credentials=META_TOKEN.encode(),
        actor=world.alice,
    )  # fmt: skip
    pulled = connectors.pull(connection, today=TODAY)
    expected = (
        "The Meta access token has expired or was revoked: connect the ad account again with a "
        "new token"
    )
    assert pulled.error == expected
    connection.refresh_from_db()
    assert (connection.last_error, connection.last_pulled_at, connection.last_import) == (
        expected, None, None,
    )  # fmt: skip
    assert not ChannelDay.objects.exists() and not DataImport.objects.exists()


def test_a_meta_pull_follows_the_pages_and_keeps_the_token_on_metas_address(world, fake):
    fake.replies[("GET", META_PATH)] = [
        (200, "meta_insights_page1.json"),
        (200, "meta_insights_page2.json"),
    ]
    connection = connectors.connect(
        world.acme, "meta_ads", account="1234567890", credentials=META_TOKEN.encode(),
        actor=world.alice,
    )  # fmt: skip
    assert connectors.pull(connection, today=TODAY).error == ""
    first, second = fake.seen
    assert first.query["level"] == ["adset"] and first.query["time_increment"] == ["1"]
    assert json.loads(first.query["time_range"][0]) == {
        "since": "2026-11-09",
        "until": "2026-12-06",
    }
    assert first.query["access_token"] == [META_TOKEN] and second.query["after"] == ["MQZDZD"]
    found = [
        (r.day.isoformat(), r.ad_set, r.spend, r.impressions, r.clicks, r.conversions, r.revenue)
        for r in ChannelDay.objects.order_by("day", "ad_set")
    ]  # fmt: skip
    assert found == [
        ("2026-12-05", "Lookalike 1%", D("46.23"), 5210, 88, D("3"), D("129.5")),
        ("2026-12-05", "Retargeting 30d", D("12.8"), 1904, 41, D("2"), D("71")),
        ("2026-12-06", "Lookalike 1%", D("51.07"), 5633, 97, None, None),
    ]  # fmt: skip
    assert set(ChannelDay.objects.values_list("channel", "currency")) == {("paid_social", "EUR")}


def test_ga4_refusals_name_the_fix_and_import_nothing(world, fake, service_key):
    connection = ga4(world, service_key, fake=fake)
    fake.replies[("POST", GA4_PATH)] = [(401, "ga4_unauthenticated.json")]
    assert connectors.pull(connection, today=TODAY).error == (
        "Google Analytics refused the service account's credentials (UNAUTHENTICATED): connect "
        "the property again with a new key"
    )
    fake.replies[("POST", GA4_PATH)] = [(403, "ga4_permission_denied.json")]
    assert connectors.pull(connection, today=TODAY).error == (
        "the service account has no access to GA4 property 412345678 (PERMISSION_DENIED): add "
        "its email as a Viewer under Admin > Property access management, or connect the right "
        "property"
    )
    fake.public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    assert connectors.pull(connection, today=TODAY).error == (
        "Google refused the service account's key (Invalid JWT Signature.): the key was deleted "
        "or the service account disabled; connect the property again with a new key"
    )
    assert not ChannelDay.objects.exists()


def test_an_unreachable_api_is_a_clear_error_tried_again_later(world, fake, settings):
    settings.LEANMARK_META_API_URL = "http://127.0.0.1:8672"  # nothing listens there
    connection = connectors.connect(
        world.acme, "meta_ads", account="1234567890", credentials=META_TOKEN.encode(), actor=None
    )
    error = connectors.pull(connection, today=TODAY).error
    assert error.startswith("could not reach the Meta Marketing API (")
    assert error.endswith("); the pull is tried again at the next schedule")


def test_credentials_are_sealed_and_checked(world, fake, service_key):
    connection = ga4(world, service_key, fake=fake)
    assert b"PRIVATE KEY" not in connection.secret.encode()
    assert json.loads(vault.unseal(connection.secret))["client_email"].startswith("leanmark@")
    with pytest.raises(Exception, match="service account's JSON key file"):
        connectors.connect(world.acme, "ga4", account="1", credentials=b"{}", actor=None)
    with pytest.raises(Exception, match="a GA4 property id is its number"):
        connectors.connect(world.acme, "ga4", account="UA-1", credentials=service_key, actor=None)


def test_the_worker_pulls_and_queues_the_next_days_pull(world, fake, service_key, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TIME_ZONE = "Europe/Berlin"
    connection = ga4(world, service_key, fake=fake)
    assert DBTaskResult.objects.ready().count() == 1
    for job in DBTaskResult.objects.ready():  # what db_worker does, in the test's transaction
        job.claim("test")
        job.set_successful(job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]))
    assert DBTaskResult.objects.get(status="SUCCESSFUL").return_value == "pulled"
    connection.refresh_from_db()
    assert connection.last_import is not None and connection.last_error == ""
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after == connection.next_pull_at
    assert connection.next_pull_at.astimezone(ZoneInfo("Europe/Berlin")).hour == 5
    assert connectors.schedule_missing() == 0  # the next pull is queued
    waiting.delete()
    assert connectors.schedule_missing() == 1


def test_next_run_is_the_next_pull_hour(settings):
    settings.TIME_ZONE = "UTC"
    settings.LEANMARK_PULL_HOUR = 5
    at = datetime(2026, 12, 7, 4, 0, tzinfo=ZoneInfo("UTC"))
    assert connectors.next_run(at) == datetime(2026, 12, 7, 5, 0, tzinfo=ZoneInfo("UTC"))
    assert connectors.next_run(at.replace(hour=5)) == datetime(
        2026, 12, 8, 5, tzinfo=ZoneInfo("UTC")
    )


@pytest.fixture
def api(client_for, token_for):
    def make(user):
        return client_for(None), {"Authorization": f"Bearer {token_for(user)}"}

    return make


def test_the_api_connects_pulls_and_never_answers_the_credentials(world, fake, api):
    fake.replies[("GET", META_PATH)] = [
        (200, "meta_insights_page1.json"),
        (200, "meta_insights_page2.json"),
    ]
    url = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/connections"
    body = json.dumps({"source": "meta_ads", "account": "1234567890", "credentials": META_TOKEN})
    for user in (world.carol, world.bob):  # viewers and members do not connect
        client, headers = api(user)
        refused = client.post(url, body, content_type="application/json", headers=headers)
        assert refused.status_code == 403
    owner, owner_headers = api(world.alice)
    made = owner.post(url, body, content_type="application/json", headers=owner_headers)
    assert made.status_code == 201, made.content
    assert META_TOKEN not in made.content.decode()
    assert made.json()["credentials"].startswith("saved on ")
    assert (made.json()["name"], made.json()["next_pull_at"] is not None) == (
        "Meta Ads 1234567890", True,
    )  # fmt: skip
    member, member_headers = api(world.bob)
    pulled = member.post(f"{url}/{made.json()['id']}/pull", headers=member_headers)
    assert pulled.status_code == 200, pulled.content
    answer = pulled.json()
    assert META_TOKEN not in pulled.content.decode()
    assert (answer["error"], answer["imported"]["rows"], answer["imported"]["source"]) == (
        "", 3, "meta_ads",
    )  # fmt: skip
    assert answer["connection"]["last_import_id"] == answer["imported"]["id"]
    viewer, viewer_headers = api(world.carol)
    listed = viewer.get(url, headers=viewer_headers)
    assert [c["account"] for c in listed.json()] == ["1234567890"]
    assert META_TOKEN not in listed.content.decode() and "secret" not in listed.json()[0]
    assert viewer.post(f"{url}/{made.json()['id']}/pull", headers=viewer_headers).status_code == 403
    outsider, outsider_headers = api(world.mallory)
    theirs = f"/api/v1/workspaces/{world.evil.slug}/marketing-data/connections/{made.json()['id']}"
    assert outsider.post(f"{theirs}/pull", headers=outsider_headers).status_code == 404
    assert outsider.delete(theirs, headers=outsider_headers).status_code == 404
    assert outsider.get(url, headers=outsider_headers).status_code == 404
    assert owner.delete(f"{url}/{made.json()['id']}", headers=owner_headers).status_code == 204
    assert not Connection.objects.exists() and ChannelDay.objects.count() == 3


def test_the_api_refuses_a_bad_key_by_its_field(world, fake, api):
    owner, headers = api(world.alice)
    url = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/connections"
    body = json.dumps({"source": "ga4", "account": "412345678", "credentials": "not json"})
    refused = owner.post(url, body, content_type="application/json", headers=headers)
    assert refused.status_code == 422
    assert list(refused.json()["error"]["fields"]) == ["credentials"]
    assert b"not json" not in refused.content  # a refused credential is not said back either
    broken = json.dumps(
        {"source": "ga4", "account": "412345678", "credentials": '{"type": "service_account", '
         '"client_email": "a@b.iam.gserviceaccount.com", "private_key": "-----BEGIN nonsense"}'}
    )  # fmt: skip
    refused = owner.post(url, broken, content_type="application/json", headers=headers)
    assert refused.json()["error"]["message"] == (
        "the JSON key's private_key is not a PEM RSA key; download a new key"
    )
    assert not Connection.objects.exists()


runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_the_cli_connects_lists_and_pulls_without_printing_the_token(world, fake, tmp_path):
    fake.replies[("GET", META_PATH)] = [(400, "meta_token_expired.json")]
    token_file = tmp_path / "meta-token.txt"
    token_file.write_text(META_TOKEN + "\n")
    viewer = run(
        "data", "connect", "meta", "--account", "1234567890", "--token-file", token_file,
        "-w", "acme", "--as", "carol@acme.example",
    )  # fmt: skip
    assert viewer.exit_code == 1 and "is a viewer" in viewer.stderr
    made = run(
        "data", "connect", "meta", "--account", "act_1234567890", "--token-file", token_file,
        "-w", "acme",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert "Connected Meta Ads 1234567890 as 'Meta Ads 1234567890'" in made.stdout
    assert META_TOKEN not in made.stdout + made.stderr
    listed = run("data", "connections", "-w", "acme", "--json")
    assert META_TOKEN not in listed.stdout
    assert json.loads(listed.stdout)[0]["credentials"].startswith("saved on ")
    failed = run("data", "pull", "-w", "acme")
    assert failed.exit_code == 1
    assert "Pulling Meta Ads 1234567890 (Meta Ads 1234567890), " in failed.stdout
    assert (
        "Nothing imported from Meta Ads 1234567890: The Meta access token has expired or was "
        "revoked: connect the ad account again with a new token" in " ".join(failed.stdout.split())
    )
    fake.replies[("GET", META_PATH)] = [
        (200, "meta_insights_page1.json"),
        (200, "meta_insights_page2.json"),
    ]
    connection = Connection.objects.get()
    done = run("data", "pull", "--connection", connection.pk, "-w", "acme")
    assert done.exit_code == 0, done.stdout
    assert "Imported 3 rows from Meta Ads 1234567890" in done.stdout
    assert META_TOKEN not in done.stdout
    connection.refresh_from_db()
    assert connection.last_error == ""


def test_the_page_shows_the_status_and_lets_owners_connect(world, fake, client_for, service_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake.replies[("POST", "/token")] = [(200, "google_token.json")]
    fake.replies[("POST", GA4_PATH)] = [(403, "ga4_permission_denied.json")]
    page = f"/w/{world.acme.slug}/data/"
    key = SimpleUploadedFile("key.json", service_key, content_type="application/json")
    form = {"source": "ga4", "account": "412345678", "name": "Shop GA4", "key_file": key}
    assert client_for(world.bob).post(page + "connections", form).status_code == 403
    key.seek(0)
    alice = client_for(world.alice)
    done = alice.post(page + "connections", form, follow=True).content.decode()
    assert "Connected Shop GA4." in done
    assert "PRIVATE KEY" not in done and "saved on " in done
    connection = Connection.objects.get()
    pulled = alice.post(page + f"connections/{connection.pk}/pull", follow=True).content.decode()
    assert "Nothing was imported from Shop GA4: the service account has no access" in pulled
    html = client_for(world.carol).get(page).content.decode()
    assert "PERMISSION_DENIED" in html and "Pull now" not in html
    assert (
        client_for(world.carol).post(page + f"connections/{connection.pk}/pull").status_code == 403
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_the_first_pull_and_queues_tomorrows(fake, private_key):
    from django_tasks_db.models import DBTaskResult

    from leanmark.integrations.cli import worker
    from leanmark.testing.personas import build_world

    world = build_world()
    fake.public_key = private_key.public_key()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = json.dumps(
        {
            "type": "service_account",
            "client_email": "l@p.iam.gserviceaccount.com",
            "private_key": pem,
        }
    ).encode()
    fake.replies[("POST", "/token")] = [(200, "google_token.json")]
    # today is the machine's: the recorded rows are of early December 2026, so answer none
    fake.replies[("POST", GA4_PATH)] = [(403, "ga4_permission_denied.json")]
    connection = connectors.connect(
        world.acme, "ga4", account="412345678", credentials=key, actor=None
    )
    DBTaskResult.objects.all().delete()  # a lost job: the worker queues it again as it starts
    worker(batch=True, interval=0.1)
    connection.refresh_from_db()
    assert connection.last_tried_at is not None
    assert "(PERMISSION_DENIED)" in connection.last_error
    assert [r.return_value for r in DBTaskResult.objects.filter(status="SUCCESSFUL")] == [
        connection.last_error
    ]
    assert DBTaskResult.objects.get(status="READY").run_after == connection.next_pull_at


def test_a_workspace_export_leaves_the_credentials_out(world, fake):
    from leanmark.integrations import exports

    connectors.connect(
        world.acme, "meta_ads", account="1234567890", credentials=META_TOKEN.encode(), actor=None
    )
    document = json.dumps(exports.document(world.acme), cls=exports.Encoder)
    assert "1234567890" in document  # the connection is exported
    assert Connection.objects.get().secret not in document and META_TOKEN not in document
