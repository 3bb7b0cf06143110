"""Which of two copies is the original: what the copies say first, then time."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from wirebrief.storage.models import Article


def names_as_origin(copy: Article, other: Article, other_urls: set[str]) -> bool:
    """True when ``copy`` says it was first published by ``other`` (provenance)."""
    named = [(copy.origin_name, copy.origin_url)]
    named += [(step.get("name"), step.get("url")) for step in copy.origin_chain or []]
    other_names = {n.casefold() for n in (other.site_name, _host(other.url)) if n}
    for name, url in named:
        if url and _normal(url) in other_urls:
            return True
        if name and name.casefold() in other_names:
            return True
    return False


def pick_origin(
    a: Article, a_urls: set[str], b: Article, b_urls: set[str]
) -> tuple[Article, Article]:
    """``(origin, copy)``: provenance wins over timestamps; ties go to the one stored first."""
    if names_as_origin(a, b, b_urls) and not names_as_origin(b, a, a_urls):
        return b, a
    if names_as_origin(b, a, a_urls) and not names_as_origin(a, b, b_urls):
        return a, b
    if _earlier(b.published_at, a.published_at):
        return b, a
    if _earlier(a.published_at, b.published_at):
        return a, b
    return (a, b) if (a.id or 0) <= (b.id or 0) else (b, a)


def urls_of(article: Article, sighting_urls: list[str]) -> set[str]:
    """Every URL an article is known by, normalised for comparison."""
    return {_normal(u) for u in [article.url, article.canonical_url, *sighting_urls] if u}


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a < b)


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}"


def _host(url: str) -> str | None:
    return urlsplit(url).hostname
