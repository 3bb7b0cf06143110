"""Removal requests and their effects: hidden articles, blocked URLs, hashes and sources.

Approval hides the article and its whole copy family (every copy points at the family's
origin), recounts their stories, and blocks their URLs and content hashes so the store
stage never takes them in again. Every step is written to the audit log in the same
transaction. The search index follows in ``moderation.py``, which is what the admin area
calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from wirebrief.errors import NotFoundError, RemovalStateError
from wirebrief.storage import audit, families, reading
from wirebrief.storage import stories as story_store
from wirebrief.storage.models import (
    Article,
    BlockedContent,
    RemovalRequest,
    Source,
    Story,
)
from wirebrief.times import utcnow

STATUSES = ("pending", "approved", "rejected")
# The store stage asks this of every page: one statement, built once.
_IS_BLOCKED = select(
    or_(
        exists().where(Source.id == bindparam("source_id"), Source.blocked.is_(True)),
        exists().where(BlockedContent.kind == "hash", BlockedContent.value == bindparam("hash")),
        exists().where(
            BlockedContent.kind == "url",
            BlockedContent.value.in_(bindparam("urls", expanding=True)),
        ),
    )
)
_READER_PATH = re.compile(r"^/articles/(\d+)/?$")


def create_request(session: Session, url: str, reason: str, contact_email: str) -> RemovalRequest:
    """Queue a request (fields already validated) and log it."""
    request = RemovalRequest(url=url, reason=reason, contact_email=contact_email)
    session.add(request)
    session.flush()
    audit.record(session, "public", "removal_requested", url, f"request {request.id}")
    return request


def list_requests(
    session: Session, status: str | None = None, limit: int = 200
) -> list[RemovalRequest]:
    """Requests, pending first, newest first within a status."""
    query = select(RemovalRequest).order_by(
        (RemovalRequest.status != "pending"), RemovalRequest.created_at.desc()
    )
    if status:
        query = query.where(RemovalRequest.status == status)
    return list(session.scalars(query.limit(limit)))


def get_request(session: Session, request_id: int) -> RemovalRequest:
    """A request by id, or :class:`NotFoundError`."""
    found = session.get(RemovalRequest, request_id)
    if found is None:
        raise NotFoundError(f"there is no removal request {request_id}")
    return found


def find_article(session: Session, url: str, reader_host: str | None = None) -> Article | None:
    """The stored article a URL names: its own or canonical URL, or a reader page."""
    parts = urlsplit(url)
    reader = _READER_PATH.match(parts.path)
    if reader and (reader_host is None or parts.netloc == reader_host):
        found = session.get(Article, int(reader.group(1)))
        if found is not None:
            return found
    return session.scalars(
        select(Article)
        .where(or_(Article.url == url, Article.canonical_url == url))
        .order_by(Article.url != url, Article.id)
    ).first()


def approve(
    session: Session, request_id: int, reader_host: str | None = None, actor: str = "admin"
) -> list[int]:
    """Hide the requested article and its copies and block them; returns the hidden ids."""
    request = _pending(session, request_id)
    article = find_article(session, request.url, reader_host)
    family = _family(session, article) if article else []
    urls, hashes = {request.url}, set()
    for member in family:
        urls |= _urls_of(member)
        hashes.add(member.content_hash)
    _block(session, "url", urls, request.id)
    _block(session, "hash", {h for h in hashes if h}, request.id)
    hidden = _hide(session, family)
    request.status, request.decided_at = "approved", utcnow()
    audit.record(
        session, actor, "removal_approved", request.url,
        f"request {request.id}; hid articles {sorted(hidden) or 'none'}; blocked {len(urls)} "
        f"URLs and {len(hashes)} content hashes",
    )  # fmt: skip
    return hidden


def reject(session: Session, request_id: int, actor: str = "admin") -> None:
    """Decline a request; nothing is hidden."""
    request = _pending(session, request_id)
    request.status, request.decided_at = "rejected", utcnow()
    audit.record(session, actor, "removal_rejected", request.url, f"request {request.id}")


def set_source_blocked(
    session: Session, source_id: int, blocked: bool, actor: str = "admin"
) -> list[int]:
    """Block a source (no more polls, its articles hidden) or unblock it (shown again,
    except articles removed on request); returns the ids of the articles hidden or shown."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"there is no source {source_id}")
    source.blocked = blocked
    articles = list(session.scalars(select(Article).where(Article.source_id == source_id)))
    if blocked:
        changed = _hide(session, articles)
    else:
        removed = blocked_urls(session, [a.url for a in articles])
        changed = _hide(session, [a for a in articles if a.url not in removed], hidden=False)
    action = "source_blocked" if blocked else "source_unblocked"
    audit.record(session, actor, action, source.url, f"source {source.id} ({source.name}); "
                 f"{len(changed)} articles {'hidden' if blocked else 'shown'}")  # fmt: skip
    return changed


def blocked_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` were removed on request."""
    wanted = list(set(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            session.scalars(
                select(BlockedContent.value).where(
                    BlockedContent.kind == "url",
                    BlockedContent.value.in_(wanted[start : start + 500]),
                )
            )
        )
    return found


def is_blocked(session: Session, incoming: Article) -> bool:
    """Whether a page about to be stored is removed content, a copy of it, or from a blocked
    source (checked by the store stage before anything is written)."""
    names = {
        "source_id": incoming.source_id,
        "hash": incoming.content_hash or None,
        "urls": sorted(_urls_of(incoming)),
    }
    return bool(session.scalar(_IS_BLOCKED, names))


def _pending(session: Session, request_id: int) -> RemovalRequest:
    request = get_request(session, request_id)
    if request.status != "pending":
        raise RemovalStateError(f"removal request {request_id} was {request.status} already")
    return request


def _family(session: Session, article: Article) -> list[Article]:
    """An article, its origin and every copy of that origin."""
    return list(session.scalars(select(Article).where(families.in_families([article.family]))))


def _urls_of(article: Article) -> set[str]:
    urls = {article.url, article.canonical_url, article.origin_url}
    urls |= {step.get("url") for step in article.origin_chain or [] if isinstance(step, dict)}
    return {u for u in urls if u}


def _block(session: Session, kind: str, values: set[str], request_id: int) -> None:
    existing = set(
        session.scalars(
            select(BlockedContent.value).where(
                BlockedContent.kind == kind, BlockedContent.value.in_(list(values))
            )
        )
    )
    session.add_all(
        BlockedContent(kind=kind, value=v[:2048], removal_request_id=request_id)
        for v in sorted(values - existing)
    )


def _hide(session: Session, articles: list[Article], hidden: bool = True) -> list[int]:
    """Set ``hidden``, recount the stories and refile the families in unread lists;
    returns the ids that changed."""
    changed = [a for a in articles if a.hidden != hidden]
    if not changed:
        return []
    ids = [a.id for a in changed]
    session.execute(update(Article).where(Article.id.in_(ids)).values(hidden=hidden))
    session.flush()
    for a in changed:
        session.refresh(a)
    for story_id in sorted({a.story_id for a in changed if a.story_id is not None}):
        story = session.get(Story, story_id)
        if story is not None:
            story_store.refresh(session, story)
            story_store.tldr_changed(session, story)
    reading.file_families(session, reading.roots_of(session, ids).values())
    return ids
