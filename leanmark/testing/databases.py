"""The test database as a URL, for subprocesses (app servers, workers, the CLI) that must see
the rows a ``transaction=True`` test committed."""

from django.db import connection


def url_of_test_database(name: str | None = None) -> str:
    """``DATABASE_URL`` for the test database, or for database ``name`` on the same server."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{name or db['NAME']}"
