"""Reposts: exact copies collapse into one article; near copies point at their origin."""
