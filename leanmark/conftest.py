import pytest
from django.test import Client

from leanmark.accounts import services as accounts
from leanmark.testing.personas import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def token_for():
    def make(user) -> str:
        return accounts.create_token(user, "tests").secret

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at full strength costs ~0.3 s per user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_flow_cache():
    """The flow cache is per process and keyed by board and last event id. A rolled-back test
    gives those ids out again (SQLite's sequence rolls back with it), so a later test's board
    could be served an earlier test's log; a live database never reuses them."""
    from leanmark.flow.queries import clear_cache

    clear_cache()


@pytest.fixture(autouse=True)
def fresh_board_cache():
    """The board page's drawn cells are cached per process by board, creation time and change
    counter; a rolled-back test gives board ids and counters out again, so start empty."""
    from django.core.cache import caches

    caches["board"].clear()


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Production settings hash static names via collectstatic's manifest; tests skip that."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
