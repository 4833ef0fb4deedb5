"""Health and readiness checks, as a load balancer sees them."""

import pytest
from django.db import DatabaseError

from leanmark.integrations import health

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz_answer_ok_without_a_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    assert ready["Cache-Control"].startswith("max-age=0")


def test_readyz_is_503_with_the_reason_when_migrations_are_missing(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [(_M(), False)]
    )
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "database": "1 migrations not applied; run `leanmark migrate`",
        "pending": ["board.0009_future"],
    }


def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken(self):
        raise DatabaseError("connection refused\nsecond line")

    monkeypatch.setattr(health, "_pending_migrations", lambda: broken(None))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "cannot be reached: connection refused"


class _M:
    app_label = "board"
    name = "0009_future"
