"""Removal decisions and source blocking, as the admin area makes them: the rows change
(``storage/removals.py``), the copy families choose their origins again, then the accounts'
unread lists, the search index and the stories' TLDRs follow, in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wirebrief.dedupe.collapse import settle
from wirebrief.search.service import index_articles
from wirebrief.storage import reading, removals
from wirebrief.stories import tldr as story_tldr


def approve_removal(
    session: Session, request_id: int, reader_host: str | None = None, actor: str = "admin"
) -> list[int]:
    """Hide the requested article and its copies, block them, and take them out of search;
    returns the hidden ids."""
    hidden = removals.approve(session, request_id, reader_host, actor)
    if hidden:
        _follow(session, hidden)
    return hidden


def block_source(
    session: Session, source_id: int, blocked: bool, actor: str = "admin"
) -> list[int]:
    """Block a source (its articles hidden and out of search) or unblock it (back in);
    returns the ids of the articles hidden or shown."""
    changed = removals.set_source_blocked(session, source_id, blocked, actor)
    if changed:
        settle(session, changed)  # a family shows under a visible member while it has one
        reading.file_families(session, reading.roots_of(session, changed).values())
        _follow(session, changed)
    return changed


def _follow(session: Session, article_ids: list[int]) -> None:
    """Search and the story TLDRs follow articles hidden or shown again."""
    index_articles(session, article_ids)
    story_tldr.update_stories(session, story_tldr.stories_of(session, article_ids))
