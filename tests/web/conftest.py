"""Fixtures shared by the web tests."""

from tests.support.appdesk import app_desk  # noqa: F401 (fixture)
