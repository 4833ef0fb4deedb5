"""Loaded by pytest with ``-p leanmark.testing.env`` before Django: the test environment.

Tests run with production settings (DEBUG off), so they need a secret key; this one is
for tests only.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("LEANMARK_DEBUG", "0")
