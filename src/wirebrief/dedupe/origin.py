"""Which member of a copy family is its origin: what the copies say first, then time.

The choice reads the whole family, never the order its members arrived in, so every
arrival order of the same pages gives the same origin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from wirebrief.storage.models import Article


def origin_of(family: Sequence[Article]) -> Article:
    """The family's origin: a visible page before a hidden one; then a page that names no
    other member as its origin; then one that another member names as its origin (a repost's
    footer, chain or canonical URL); then the earliest publication; then the URL."""
    named_by: dict[int, set[int]] = _naming(family)
    names_other = {i for i, names in named_by.items() if names - {i}}
    named = {j for i, names in named_by.items() for j in names if j != i}

    def rank(i: int) -> tuple[bool, bool, bool, bool, float, str]:
        page, when = family[i], family[i].published_at
        return (bool(page.hidden), i in names_other, i not in named, when is None,
                when.timestamp() if when else 0.0, page.url)  # fmt: skip

    return family[min(range(len(family)), key=rank)]


def names_as_origin(copy: Article, other: Article) -> bool:
    """True when ``copy`` says it was first published by ``other`` (provenance)."""
    return bool(_naming([copy, other])[0] - {0})


def urls_of(article: Article) -> set[str]:
    """Every URL a page is known by, normalised for comparison."""
    return {_normal(u) for u in (article.url, article.canonical_url) if u}


def _naming(family: Sequence[Article]) -> dict[int, set[int]]:
    """For each member (by index), the members it names as where it first appeared."""
    by_url: dict[str, set[int]] = defaultdict(set)
    by_name: dict[str, set[int]] = defaultdict(set)
    for i, page in enumerate(family):
        for own in urls_of(page):
            by_url[own].add(i)
        for site in (page.site_name, _host(page.url)):
            if site:
                by_name[site.casefold()].add(i)
    naming: dict[int, set[int]] = {}
    for i, page in enumerate(family):
        found: set[int] = set()
        for name, url in _stated(page):
            if url:
                found |= by_url.get(_normal(url), set())
            if name:
                found |= by_name.get(name.casefold(), set())
        naming[i] = found
    return naming


def _stated(page: Article) -> list[tuple[str | None, str | None]]:
    """Every (name, url) the page states as a step back towards its origin; a canonical URL
    other than its own says the page at that URL is the real one."""
    named = [(page.origin_name, page.origin_url)]
    named += [(step.get("name"), step.get("url")) for step in page.origin_chain or []]
    if page.canonical_url and page.canonical_url != page.url:
        named.append((None, page.canonical_url))
    return named


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}"


def _host(url: str) -> str | None:
    return urlsplit(url).hostname
