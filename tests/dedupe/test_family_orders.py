"""Each article in its own words, whatever order its copy family arrives in.

For families of three and four pages (an origin, an exact copy, a trimmed near copy, a copy
of that copy dated before the origin; an AMP teaser naming its page as canonical), every
arrival order stores the same rows, ids aside: every field of a row comes from its own page,
and the family, its origin and its story are the same. On SQLite one page after another; on
PostgreSQL two workers storing at once, the second inside the first's open transaction.

These are the store stage's invariants: a faster store stage must keep them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.support.concurrency import at_once
from tests.support.copies import ORCHARD, article, draft_of, footer
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.article import ArticleDraft
from wirebrief.extract.provenance import Origin
from wirebrief.pipeline import store_article
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, LshBand, Story

SIGNAL = Origin("Signal", "https://signal.example/trimmed")
# Set by the store stage or the database, not by the page: left out of the comparison.
_NOT_FROM_THE_PAGE = {"id", "fetched_at", "updated_at", "duplicate_of", "story_id"}


@dataclass(frozen=True)
class Member:
    """One page of a family: how to make it, and the origin the family must end up with."""

    url: str
    make: Callable[[Settings], ArticleDraft]


def _page(url: str, paragraphs: list[str], **page: Any) -> Member:
    return Member(url, lambda settings: draft_of(settings, url, paragraphs, **page))


TEXT = article(41)
# Origin, exact copy, trimmed near copy naming it, and a copy of that copy dated first.
FOUR = (
    _page("https://orchard.example/fares", TEXT, hours=0.0, author="Ada Byline", lang="en",
          description="Fares rise by eight percent.", image="https://orchard.example/f.jpg"),
    _page("https://ledger.example/verbatim", TEXT, hours=3.0, title="Ferry fares up 8%",
          author="Ledger Desk", description="The council voted.", lang="en-GB"),
    _page("https://signal.example/trimmed", [*TEXT[:6], footer("Orchard")], hours=2.0,
          chain=[ORCHARD], title="Island ferries cost more from April"),
    _page("https://summit.example/via-signal",
          ["TLDR: fares rise.", *TEXT[:6], footer("Orchard"), "Sign up for our newsletter."],
          hours=-1.0, chain=[SIGNAL, ORCHARD], title="Fares: what changes"),
)  # fmt: skip
TEASER = article(42)
# A page, its AMP teaser naming it as canonical (dated first), an uncredited exact copy.
THREE = (
    _page("https://orchard.example/budget", TEASER, hours=1.0, title="Budget passes"),
    _page("https://orchard.example/amp/budget", [" ".join(TEASER[0].split()[:20])], hours=0.0,
          canonical="https://orchard.example/budget", title="Budget passes (AMP)"),
    _page("https://ledger.example/budget", TEASER, hours=2.0, title="Council budget passes"),
)  # fmt: skip
FAMILIES = {"four": (FOUR, FOUR[0].url), "three": (THREE, THREE[0].url)}


def signature(session: Session) -> dict[str, Any]:
    """Every stored row by URL, ids aside: its fields, its family's origin, its story and
    band buckets; and each story's headline and counts."""
    articles = list(session.scalars(select(Article)))
    url_of = {a.id: a.url for a in articles}
    stories = {s.id: s for s in session.scalars(select(Story))}
    buckets: dict[int, list[int]] = {}
    for band in session.scalars(select(LshBand).order_by(LshBand.band)):
        buckets.setdefault(band.article_id, []).append(band.bucket)
    rows = {}
    for a in articles:
        story = stories[a.story_id] if a.story_id is not None else None
        rows[a.url] = {
            **{c.key: getattr(a, c.key) for c in Article.__table__.columns
               if c.key not in _NOT_FROM_THE_PAGE},
            "origin": url_of[a.duplicate_of] if a.duplicate_of else None,
            "story": story and (story.headline, story.article_count, story.source_count,
                                url_of.get(story.representative_article_id),
                                story.tldr_headline, story.first_seen_at, story.last_seen_at),
            "buckets": buckets.get(a.id),
        }  # fmt: skip
    return {"rows": rows, "stories": sum(1 for s in stories.values() if s.article_count)}


def check_family(found: dict[str, Any], origin: str, drafts: dict[str, ArticleDraft]) -> None:
    """One story, every copy pointing at ``origin``, every field its own page's."""
    rows = found["rows"]
    assert found["stories"] == 1
    for url, row in rows.items():
        page = drafts[url].extracted
        assert row["origin"] == (None if url == origin else origin)
        assert (row["title"], row["description"], row["author"], row["lang"]) == (
            drafts[url].title, page.description, page.author, page.lang,
        )  # fmt: skip
        assert row["published_at"] == drafts[url].published
    assert {row["story"] for row in rows.values()} == {rows[origin]["story"]}
    assert rows[origin]["story"][3] == origin  # the story is led by the origin


@pytest.fixture(scope="module")
def drafts() -> dict[str, ArticleDraft]:
    """Every member through the text stages once (the store stage does not change a draft)."""
    settings = Settings(database_url="sqlite://", extract_workers=0)
    return {m.url: m.make(settings) for members, _ in FAMILIES.values() for m in members}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_arrival_order_stores_the_same_rows_on_sqlite(
    family: str, drafts: dict[str, ArticleDraft], tmp_path: Path
) -> None:
    members, origin = FAMILIES[family]
    template = tmp_path / "template.db"
    migrated = Database(f"sqlite:///{template}")
    migrated.upgrade()
    migrated.dispose()
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    for n, order in enumerate(permutations(m.url for m in members)):
        copy = tmp_path / f"order-{n}.db"
        shutil.copy(template, copy)
        db = Database(f"sqlite:///{copy}")
        for url in order:
            with db.session() as session:
                store_article(session, drafts[url])
        with db.session() as session:
            seen[order] = signature(session)
        db.dispose()
    first = next(iter(seen.values()))
    assert set(first["rows"]) == {m.url for m in members}
    check_family(first, origin, drafts)
    for order, found in seen.items():
        assert found == first, f"arrival order {order} stored other rows"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_arrival_order_stores_the_same_rows_with_two_workers_on_postgresql(
    family: str,
    drafts: dict[str, ArticleDraft],
    pg_db: Database,  # noqa: F811
) -> None:
    members, origin = FAMILIES[family]
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    for order in permutations(m.url for m in members):
        with pg_db.session() as session:
            session.execute(text("TRUNCATE articles, stories RESTART IDENTITY CASCADE"))
        pairs = [order[i : i + 2] for i in range(0, len(order), 2)]
        for pair in pairs:
            steps = [_storing(drafts[url]) for url in pair]
            if len(steps) == 2:
                at_once(pg_db, steps[0], steps[1])
            else:
                with pg_db.session() as session:
                    steps[0](session)
        with pg_db.session() as session:
            seen[order] = signature(session)
    first = next(iter(seen.values()))
    assert set(first["rows"]) == {m.url for m in members}
    check_family(first, origin, drafts)
    for order, found in seen.items():
        assert found == first, f"arrival order {order} stored other rows"


def _storing(draft: ArticleDraft) -> Callable[[Session], object]:
    return lambda session: store_article(session, draft)
