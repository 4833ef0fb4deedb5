"""The holes an attack and real files found (issue 19): each test here failed before its fix.

Lone surrogates and invisible titles, a negative zero spend, broken CSV quoting, raw HTML in the
stand-up summary, anonymous API writes, bodies over the size limit, and non-JSON errors under
/api/.
"""

import json

import pytest
from django.test import Client

from leanmark.backlog import services as backlog
from leanmark.board import services as board
from leanmark.board.models import Card
from leanmark.lib import csvrows
from leanmark.lib.errors import InvalidInput
from leanmark.roi import services as roi
from leanmark.roi.models import Spend
from leanmark.standups import services as standups
from leanmark.standups.summary import md, summary_markdown

pytestmark = pytest.mark.django_db

SURROGATE_BODY = '{"title": "a\\ud800"}'  # JSON's escape of a lone surrogate, as sent on the wire


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


# ---- 2. lone surrogates answer 422, never 500 ---------------------------------------------------


def test_a_lone_surrogate_in_a_card_title_is_refused_with_422(world, token_for):
    client = api(token_for(world.bob))
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards", SURROGATE_BODY, content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "surrogate" in json.dumps(error)
    assert not Card.objects.filter(board=world.board).exists()


def test_a_lone_surrogate_in_an_idea_title_is_refused_with_422(world, token_for):
    client = api(token_for(world.bob))
    body = '{"title": "x\\udfff", "workspace": "acme"}'
    response = client.post("/api/v1/ideas", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "surrogate" in response.content.decode()


def test_a_lone_surrogate_in_a_spend_note_is_refused_with_422(world, token_for):
    client = api(token_for(world.bob))
    body = '{"date": "2026-12-01", "amount": "10", "channel": "email", "note": "n\\ud83d"}'
    response = client.post("/api/v1/workspaces/acme/spend", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "surrogate" in response.content.decode()
    assert not Spend.objects.exists()


def test_a_surrogate_from_the_command_line_is_refused_by_the_service(world):
    with pytest.raises(InvalidInput, match="surrogate"):
        board.create_card(world.board, title="bad \udcff byte", actor=world.bob)


# ---- 5. invisible titles, bidi overrides, negative zero, broken CSV ----------------------------


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200b \u2060\ufeff", "\u3164"])
def test_a_title_of_only_invisible_characters_is_refused(world, title):
    with pytest.raises(InvalidInput, match="title"):
        board.create_card(world.board, title=title, actor=world.bob)
    with pytest.raises(InvalidInput, match="title"):
        backlog.capture_idea(world.acme, title=title, actor=world.bob)


def test_a_bidi_override_in_a_title_is_refused_and_right_to_left_text_is_not(world):
    with pytest.raises(InvalidInput, match="U\\+202E"):
        board.create_card(world.board, title="invoice\u202efdp.exe", actor=world.bob)
    card = board.create_card(
        world.board, title="\u05e9\u05dc\u05d5\u05dd \u200fnews", actor=world.bob
    )
    assert card.title == "\u05e9\u05dc\u05d5\u05dd \u200fnews"


@pytest.mark.parametrize("typed", ["-0", "-0.00", "-0.0"])
def test_a_spend_of_minus_zero_is_stored_as_zero(world, typed):
    entry = roi.SpendIn(on="2026-12-01", amount=typed, channel="email")
    spend = roi.record_spend(world.acme, entry, actor=world.bob)
    spend.refresh_from_db()
    assert str(spend.amount) == "0.00"


def test_an_idea_csv_with_an_unterminated_quote_is_reported_not_imported(world):
    data = b'title,source\nFirst idea,team\n"Second idea, team\nThird idea,team\n'
    with pytest.raises(backlog.ImportRejected) as refused:
        backlog.import_csv(world.acme, data, actor=world.bob)
    message = refused.value.message
    assert "line 3" in message and "never closed" in message
    assert not backlog.Idea.objects.filter(workspace=world.acme).exists()


def test_a_stray_quote_inside_a_value_is_reported_with_its_line(world):
    data = b'title\nFine\n"Lau"nch day\n'  # the lenient reader stored "Launch day"
    with pytest.raises(backlog.ImportRejected, match="line 3"):
        backlog.import_csv(world.acme, data, actor=world.bob)


def test_a_spend_csv_with_an_unterminated_quote_names_its_line_and_saves_nothing(world):
    text = 'date,amount,channel,note\n2026-12-01,10,email,ok\n2026-12-02,5,email,"open\n'
    with pytest.raises(InvalidInput) as refused:
        roi.import_spend_csv(world.acme, text, actor=world.bob)
    assert "line 3: a quoted value starts on this line and is never closed" in refused.value.message
    assert not Spend.objects.exists()


def test_line_numbers_count_lines_when_a_quoted_value_spans_several():
    text = 'a,b\n"one\ntwo",1\n3,4\n5,"6\n'
    found = []
    with pytest.raises(csvrows.CsvMalformed) as broken:
        for line, values in csvrows.records(text):
            found.append((line, values))
    assert found == [(1, ["a", "b"]), (2, ["one\ntwo", "1"]), (4, ["3", "4"])]
    assert broken.value.line == 5


# ---- 6. the stand-up summary is Markdown that makes no HTML or link ----------------------------


def test_the_standup_summary_escapes_html_and_links_from_check_ins(world):
    entry = standups.check_in(
        world.acme,
        member=world.bob,
        actor=world.bob,
        yesterday="<img src=x onerror=alert(1)>",
        today="[the brief](javascript:alert(1)) and <javascript:alert(2)>",
        blockers="# not a heading\n1. not a list",
    )
    text = summary_markdown(world.acme, entry.day)
    assert "- Yesterday: \\<img src=x onerror=alert(1)\\>" in text
    assert "- Today: \\[the brief\\](javascript:alert(1)) and \\<javascript:alert(2)\\>" in text
    assert "- Blockers: \\# not a heading\n  1\\. not a list" in text
    assert "<img" not in text.replace("\\<img", "")


@pytest.mark.parametrize(
    ("typed", "pasted"),
    [
        ("plain words, (with) dots.", "plain words, (with) dots."),
        ("*bold* _it_ `code` ~~x~~ a|b", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~x\\~\\~ a\\|b"),
        ("R&D > sales", "R\\&D \\> sales"),
        ("- item", "\\- item"),
    ],
)
def test_markdown_escaping_keeps_plain_text_plain(typed, pasted):
    assert md(typed) == pasted


# ---- 4 and 8. every answer under /api/ is the JSON envelope -------------------------------------


def test_an_anonymous_api_write_answers_401_unauthenticated(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_signed_in_browser_without_csrf_token_is_still_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob)
    response = client.post(
        f"/api/v1/boards/{world.board.pk}/cards", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not Card.objects.exists()


def test_a_body_over_the_size_limit_answers_413_in_the_envelope(world, token_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"csv": "date,amount\n" + "2026-12-01,1\n" * 200})
    response = api(token_for(world.bob)).post(
        "/api/v1/workspaces/acme/spend/import", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert f"has {len(body):,} bytes" in error["message"] and "at most 1,000" in error["message"]
    assert not Spend.objects.exists()


def test_a_host_that_is_not_allowed_answers_json_under_api(world, settings):
    settings.ALLOWED_HOSTS = ["leanmark.example.com"]
    response = Client(raise_request_exception=False).get("/api/v1/boards", HTTP_HOST="evil.test")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
