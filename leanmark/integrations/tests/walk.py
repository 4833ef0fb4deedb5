"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.testing.walk import ApiCase, Case

PAGES: list[Case] = []
API: list[ApiCase] = []
