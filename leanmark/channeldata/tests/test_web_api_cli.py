"""The marketing-data import from the page, the API and the CLI alike, with their role checks."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from leanmark.channeldata.models import ChannelDay, CurrencyRate, DataImport
from leanmark.cli import app

FIXTURES = Path(__file__).resolve().parents[2] / "domain" / "tests" / "fixtures" / "channeldata"
GA4 = FIXTURES / "ga4_traffic_acquisition.csv"


def page(world) -> str:
    return f"/w/{world.acme.slug}/data/"


def upload(name="ga4.csv", path=GA4):
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def test_the_page_checks_a_file_then_imports_it_on_confirmation(world, client_for):
    bob = client_for(world.bob)
    assert "No data imported yet." in bob.get(page(world)).content.decode()
    checked = bob.post(page(world) + "check", {"file": upload()})
    html = checked.content.decode()
    assert checked.status_code == 200
    assert "Check before importing: ga4.csv" in html
    assert "Google Analytics 4</strong>, 23 Nov 2026 to 6 Dec 2026: 98 rows to write" in html
    assert not ChannelDay.objects.exists()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = bob.post(page(world) + "import", {"token": token, "dates": ""}, follow=True)
    text = done.content.decode()
    assert (
        "Imported 98 rows from Google Analytics 4 (23 Nov 2026 to 6 Dec 2026): "
        "14 days changed, 0 earlier rows replaced." in text
    )
    assert ChannelDay.objects.count() == 98
    assert "coffee-partner.example" in text  # listed as unassigned traffic
    again = bob.post(page(world) + "import", {"token": token})
    assert again.status_code == 422
    assert "the checked file is gone; choose it again" in again.content.decode()


def test_a_bad_file_is_shown_with_its_lines_and_nothing_is_kept(world, client_for):
    bob = client_for(world.bob)
    data = GA4.read_bytes().replace(
        b"20261201,google / cpc,Brand search,59,", b"20261201,google / cpc,Brand search,lots,"
    )
    bad = SimpleUploadedFile("x.csv", data)
    answer = bob.post(page(world) + "check", {"file": bad})
    assert answer.status_code == 422
    assert "Nothing was imported." in answer.content.decode()
    assert not DataImport.objects.exists()


def test_viewers_look_outsiders_get_404_and_only_owners_set_rates(world, client_for):
    carol = client_for(world.carol)
    assert carol.get(page(world)).status_code == 200
    assert carol.post(page(world) + "check", {"file": upload()}).status_code == 403
    assert client_for(world.mallory).get(page(world)).status_code == 404
    assert (
        client_for(world.bob)
        .post(page(world) + "rates", {"currency": "USD", "rate": "0.79"})
        .status_code
        == 403
    )
    owner = client_for(world.alice).post(
        page(world) + "rates", {"currency": "usd", "rate": "0.79"}, follow=True
    )
    assert "1 USD is now 0.79." in owner.content.decode()
    assert str(CurrencyRate.objects.get().rate) == "0.79000000"


def test_owners_edit_the_grouping_as_lines(world, client_for):
    alice = client_for(world.alice)
    bad = alice.post(page(world) + "grouping", {"rules": "Partners | .*partner.*"})
    assert (
        "line 1: write &#x27;Channel | source pattern | medium pattern&#x27; (two |)"
        in bad.content.decode()
    )
    saved = alice.post(
        page(world) + "grouping",
        {"rules": "# ours\nPartners | .*partner.* |\nEmail | | email"},
        follow=True,
    )
    assert "Saved 2 channel rules" in saved.content.decode()
    assert "This workspace has its own rules." in saved.content.decode()


@pytest.fixture
def api(client_for, token_for):
    def make(user):
        client, headers = client_for(None), {"Authorization": f"Bearer {token_for(user)}"}
        return client, headers

    return make


def test_the_api_imports_a_file_with_a_dry_run_first(world, api):
    client, headers = api(world.bob)
    url = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/import"
    dry = client.post(url, {"file": upload(), "dry_run": "true"}, headers=headers)
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["dry_run"], body["id"], body["source"], body["rows"], body["changed_days"]) == (
        True, None, "ga4", 98, 14,
    )  # fmt: skip
    assert body["totals"]["sessions"] == [None, "5029"]
    assert body["unassigned"] == [["coffee-partner.example", "partner"]]
    assert not ChannelDay.objects.exists()
    real = client.post(url, {"file": upload()}, headers=headers).json()
    assert real["dry_run"] is False and DataImport.objects.get().pk == real["id"]
    listed = client.get(
        f"/api/v1/workspaces/{world.acme.slug}/marketing-data?from=2026-12-01&to=2026-12-01&channel=paid_search",
        headers=headers,
    ).json()
    assert listed["total"] == 1
    assert listed["items"][0] | {} == listed["items"][0]
    assert (listed["items"][0]["sessions"], listed["items"][0]["campaign"]) == (59, "Brand search")
    history = client.get(
        f"/api/v1/workspaces/{world.acme.slug}/marketing-data/imports", headers=headers
    ).json()
    assert [h["rows"] for h in history] == [98]


def test_the_api_refuses_bad_input_and_strangers(world, api):
    client, headers = api(world.bob)
    url = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/import"
    bad = client.post(url, {"file": upload(), "mapping": "[1]"}, headers=headers)
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (422, ["mapping"])
    unknown = client.post(url, {"file": SimpleUploadedFile("n.csv", NEWSLETTER)}, headers=headers)
    error = unknown.json()["error"]
    assert (unknown.status_code, error["code"], error["headers"][:2]) == (
        422, "needs_mapping", ["Sent on", "Newsletter"],
    )  # fmt: skip
    mapping = json.dumps({"day": "Sent on", "clicks": "Clicks"})
    read = client.post(
        url,
        {"file": SimpleUploadedFile("n.csv", NEWSLETTER), "mapping": mapping, "dry_run": "true"},
        headers=headers,
    )
    assert (read.json()["source"], read.json()["totals"]["clicks"]) == ("csv", [None, "108"])
    viewer, viewer_headers = api(world.carol)
    assert viewer.post(url, {"file": upload()}, headers=viewer_headers).status_code == 403
    outsider, outsider_headers = api(world.mallory)
    assert outsider.get(url.replace("/import", ""), headers=outsider_headers).status_code == 404
    rate = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/rates/USD"
    payload = json.dumps({"rate": "0.79"})
    assert (
        client.put(rate, payload, content_type="application/json", headers=headers).status_code
        == 403
    )
    owner, owner_headers = api(world.alice)
    answer = owner.put(rate, payload, content_type="application/json", headers=owner_headers)
    assert answer.json() == [{"currency": "USD", "rate": "0.79000000"}]
    grouping = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/grouping"
    rules = json.dumps({"rules": [{"channel": "Partners", "source": "(", "medium": ""}]})
    refused = owner.put(grouping, rules, content_type="application/json", headers=owner_headers)
    assert refused.status_code == 422
    assert (
        "rule 1: the source pattern '(' is not a regular expression"
        in refused.json()["error"]["message"]
    )
    assert owner.get(grouping, headers=owner_headers).json()["default"] is True


runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_the_cli_imports_with_a_dry_run_and_lists_sources(world):
    dry = run("import", "marketing-data", GA4, "-w", "acme", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert (
        "Would import 98 rows from Google Analytics 4, 23 Nov 2026 to 6 Dec 2026: "
        "14 days of 14 change, 0 earlier rows replaced." in dry.stdout
    )
    assert not ChannelDay.objects.exists()
    done = run("import", "marketing-data", GA4, "-w", "acme", "--json")
    assert json.loads(done.stdout[done.stdout.index("{") :])["rows"] == 98
    listed = run("data", "sources", "-w", "acme", "--json")
    assert json.loads(listed.stdout)[0]["rows"] == 98
    missing = run("import", "marketing-data", "nowhere.csv", "-w", "acme")
    assert (missing.exit_code, missing.stderr.strip()) == (1, "Error: no file nowhere.csv")


def test_a_viewer_cannot_import_from_the_cli(world):
    result = run("import", "marketing-data", GA4, "-w", "acme", "--as", "carol@acme.example")
    assert result.exit_code == 1
    assert "is a viewer" in result.stderr


def test_a_measure_per_day_in_the_workspace_currency(world, api):
    from leanmark.channeldata import services

    ads = (FIXTURES / "google_ads_campaigns.csv").read_bytes()
    services.import_file(world.acme, "ads.tsv", ads, actor=None)
    client, headers = api(world.carol)
    base = f"/api/v1/workspaces/{world.acme.slug}/marketing-data/daily"
    span = "from=2026-11-23&to=2026-11-23"
    clicks = client.get(f"{base}/clicks?{span}", headers=headers).json()
    assert clicks == [{"date": "2026-11-23", "value": 56 + 169 + 74}]
    assert client.get(f"{base}/spend?{span}", headers=headers).json() == []  # GBP, no rate to EUR
    services.set_rate(world.acme, "GBP", "2", actor=None)
    spend = client.get(f"{base}/spend?{span}", headers=headers).json()
    assert spend == [{"date": "2026-11-23", "value": (46.23 + 47.50 + 16.01) * 2}]
    assert client.get(f"{base}/likes?{span}", headers=headers).status_code == 422


NEWSLETTER = (
    b"Sent on,Newsletter,Opens,Clicks,Orders value\n"
    b"2026-12-01,Advent #1,420,61,180.50\n"
    b"2026-12-02,Advent #2,388,47,95.00\n"
)


def test_an_unknown_csv_is_mapped_once_and_read_by_itself_after(world, client_for):
    bob = client_for(world.bob)
    asked = bob.post(page(world) + "check", {"file": SimpleUploadedFile("news.csv", NEWSLETTER)})
    html = asked.content.decode()
    assert "Map the columns of news.csv" in html
    assert '<option value="Orders value">Orders value</option>' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    fields = {"token": token, "map_day": "Sent on", "map_campaign": "Newsletter"}
    missing = bob.post(page(world) + "map", fields)
    assert missing.status_code == 422
    assert "map at least one measure" in missing.content.decode()
    mapped = fields | {
        "map_clicks": "Clicks",
        "map_revenue": "Orders value",
        "preset": "Newsletter tool",
    }
    checked = bob.post(page(world) + "map", mapped)
    text = checked.content.decode()
    assert "Other CSV (mapped columns)</strong>, 1 Dec 2026 to 2 Dec 2026: 2 rows to write" in text
    assert "The mapping is saved as &#x27;Newsletter tool&#x27; for the next file." in text
    mapping = re.search(r'name="mapping" value="([^"]+)"', text).group(1)
    bob.post(page(world) + "import", {"token": token, "mapping": mapping.replace("&quot;", '"')})
    rows = ChannelDay.objects.order_by("day")
    assert [(r.campaign, r.clicks, str(r.revenue), r.source) for r in rows] == [
        ("Advent #1", 61, "180.50", "csv"),
        ("Advent #2", 47, "95.00", "csv"),
    ]
    again = bob.post(page(world) + "check", {"file": SimpleUploadedFile("news-2.csv", NEWSLETTER)})
    assert (
        "Read with the saved column mapping &#x27;Newsletter tool&#x27;." in again.content.decode()
    )
    carol = client_for(world.carol)
    from leanmark.channeldata.models import MappingPreset

    preset = MappingPreset.objects.get()
    assert carol.post(page(world) + f"mappings/{preset.pk}/delete").status_code == 403
    assert (
        client_for(world.mallory)
        .post(f"/w/{world.evil.slug}/data/mappings/{preset.pk}/delete")
        .status_code
        == 404
    )
    bob.post(page(world) + f"mappings/{preset.pk}/delete")
    assert not MappingPreset.objects.exists()


def test_days_outside_the_calendar_are_refused_not_a_server_error(world, api):
    client, headers = api(world.carol)
    base = f"/api/v1/workspaces/{world.acme.slug}/marketing-data"
    for query in ("to=0001-01-01", "from=0001-01-01", "to=9999-12-31"):
        answer = client.get(f"{base}?{query}", headers=headers)
        assert answer.status_code == 422, query
        assert "must be a day from 1900-01-01 to 2100-12-31" in answer.json()["error"]["message"]
    assert client.get(f"{base}/daily/clicks?to=0001-01-01", headers=headers).status_code == 422
