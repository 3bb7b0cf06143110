"""Sanitizing: the last step before storage, so stored HTML is always safe to render."""
