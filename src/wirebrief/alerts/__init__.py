"""Saved searches and alerts: feeds of a saved search, and signed webhooks for new matches."""
