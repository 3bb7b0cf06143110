"""Plain-text helpers every layer may use (pages, feeds, search snippets): no imports of ours."""

from __future__ import annotations


def excerpt(text: str | None, limit: int = 220) -> str:
    """The first ``limit`` characters of ``text``, whitespace folded, cut at a word boundary."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
