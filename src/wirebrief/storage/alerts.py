"""Saved searches, their webhooks, and the delivery queue that doubles as the delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from wirebrief.errors import NotFoundError
from wirebrief.storage.articles import latest_article_id
from wirebrief.storage.families import family_of
from wirebrief.storage.models import AlertDelivery, AlertWebhook, Article, SavedSearch
from wirebrief.storage.related import story_key


def add_saved_search(
    session: Session,
    name: str,
    query: str,
    *,
    source_ids: list[int] | None = None,
    asset_symbols: list[str] | None = None,
    lang: str | None = None,
) -> SavedSearch:
    """Save a search; its alerts start with the articles stored after now."""
    saved = SavedSearch(
        name=name, query=query, source_ids=source_ids or None, asset_symbols=asset_symbols or None,
        lang=lang, checked_up_to_id=latest_article_id(session),
    )  # fmt: skip
    session.add(saved)
    session.flush()
    return saved


def get_saved_search(session: Session, key: int | str) -> SavedSearch:
    """A saved search by id or by name, or :class:`NotFoundError`."""
    query = select(SavedSearch).options(selectinload(SavedSearch.webhooks))
    if isinstance(key, int) or str(key).isdigit():
        query = query.where(SavedSearch.id == int(key))
    else:
        query = query.where(SavedSearch.name == key)
    found = session.scalars(query).first()
    if found is None:
        raise NotFoundError(f"there is no saved search {key}; see `wirebrief alerts list`")
    return found


def list_saved_searches(session: Session) -> list[SavedSearch]:
    """Every saved search with its webhooks, oldest first."""
    query = select(SavedSearch).options(selectinload(SavedSearch.webhooks)).order_by(SavedSearch.id)
    return list(session.scalars(query))


def remove_saved_search(session: Session, key: int | str) -> SavedSearch:
    """Delete a saved search with its webhooks and their deliveries."""
    saved = get_saved_search(session, key)
    session.delete(saved)
    return saved


def add_webhook(session: Session, saved: SavedSearch, url: str, secret: str) -> AlertWebhook:
    """Have ``saved``'s new matches POSTed to ``url``, signed with ``secret``."""
    webhook = AlertWebhook(saved_search_id=saved.id, url=url, secret=secret)
    session.add(webhook)
    session.flush()
    return webhook


def enqueue(
    session: Session, webhook: AlertWebhook, articles: list[Article], when: datetime
) -> int:
    """Queue deliveries of ``articles`` (one per story, never one the webhook already had)."""
    delivered = session.execute(
        select(Article.story_id, family_of().label("family"))
        .join(AlertDelivery, AlertDelivery.article_id == Article.id)
        .where(AlertDelivery.webhook_id == webhook.id)
    ).all()
    stories = {story_key(row.story_id, row.family) for row in delivered}
    queued = 0
    for article in articles:
        story = story_key(article.story_id, article.family)
        if story in stories:
            continue
        stories.add(story)
        session.add(AlertDelivery(webhook_id=webhook.id, article_id=article.id,
                                  next_attempt_at=when, created_at=when))  # fmt: skip
        queued += 1
    return queued


def due_deliveries(session: Session, now: datetime, limit: int) -> list[AlertDelivery]:
    """Pending deliveries whose time has come, oldest first."""
    query = (
        select(AlertDelivery)
        .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def get_delivery(session: Session, delivery_id: int) -> AlertDelivery:
    """A delivery by id, or :class:`NotFoundError`."""
    delivery = session.get(AlertDelivery, delivery_id)
    if delivery is None:
        raise NotFoundError(f"there is no delivery {delivery_id}")
    return delivery


def delivery_log(session: Session, limit: int = 50) -> list[tuple[AlertDelivery, AlertWebhook]]:
    """The most recent deliveries with their webhooks, newest first."""
    query = (
        select(AlertDelivery, AlertWebhook)
        .join(AlertWebhook, AlertWebhook.id == AlertDelivery.webhook_id)
        .options(joinedload(AlertWebhook.saved_search))
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    )
    return [(delivery, webhook) for delivery, webhook in session.execute(query).all()]
