import pytest


@pytest.fixture(autouse=True)
def fresh_roi_cache():
    """Fitted curve sets are cached by workspace and a marker of its data; a rolled-back test
    gives the same ids out again, so start each test with an empty cache."""
    from django.core.cache import cache

    cache.clear()
