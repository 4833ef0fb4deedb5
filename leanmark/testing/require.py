"""Skip a test whose service is missing, except in CI: LEANMARK_REQUIRE_ALL=1 makes it fail."""

import os

import pytest


def require_all() -> bool:
    return os.environ.get("LEANMARK_REQUIRE_ALL", "") == "1"


def unavailable(reason: str) -> None:
    if require_all():
        pytest.fail(f"{reason} (LEANMARK_REQUIRE_ALL=1 turns this skip into a failure)")
    pytest.skip(reason)
