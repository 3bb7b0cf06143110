"""Offline sample newsroom used by ``make demo`` and the integration tests."""
