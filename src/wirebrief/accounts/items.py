"""Items: what an account's lists and apps show, one per family (an original and its copies).

An item is the family's original as the reader shows it (its root, or the first visible
member when the root was removed), with the account's state, the feed it is filed under for
this account, and every other page that carried it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from wirebrief.storage import families, reading
from wirebrief.storage.models import Article, Source, Subscription, User
from wirebrief.storage.reading import Page


@dataclass(frozen=True)
class Item:
    """One family for one account."""

    item_id: int  # the family's first stored article: apps' id for it, never changing
    root_id: int
    article: Article  # what is shown: the original
    source_id: int | None  # the feed the account files it under
    read: bool
    starred: bool
    labels: frozenset[str]
    elsewhere: tuple[Page, ...]  # the other pages that carried it, the original's first

    @property
    def crawled_at(self) -> datetime:
        """When the shown article was fetched."""
        return self.article.fetched_at

    @property
    def published_at(self) -> datetime:
        """When it was published (else fetched)."""
        return self.article.published_at or self.article.fetched_at


def build_items(session: Session, user: User, roots: Sequence[int]) -> list[Item]:
    """The items for these family roots, in the order given (unknown or removed ones are
    left out)."""
    if not roots:
        return []
    shown = _shown_articles(session, roots)
    states = reading.states(session, user, roots)
    labels = reading.labels_of(session, user, roots)
    firsts = reading.first_members(session, roots)
    pages = reading.carriers(session, roots)
    followed = set(
        session.scalars(select(Subscription.source_id).where(Subscription.user_id == user.id))
    )
    items = []
    for root in roots:
        article = shown.get(root)
        if article is None:
            continue
        carried = pages.get(root, [])
        items.append(
            Item(
                item_id=firsts[root], root_id=root, article=article,
                source_id=_filed_under(article, carried, followed),
                read=states[root].read, starred=states[root].starred,
                labels=frozenset(labels.get(root, ())),
                elsewhere=tuple(p for p in carried if p.url != article.url),
            )
        )  # fmt: skip
    return items


def _shown_articles(session: Session, roots: Sequence[int]) -> dict[int, Article]:
    """Each family's article to show: the root, or its first visible member."""
    found = {
        a.id: a
        for a in session.scalars(
            select(Article).options(joinedload(Article.source)).where(Article.id.in_(roots))
        )
    }
    removed = [root for root, article in found.items() if article.hidden]
    if removed:
        stand_ins = dict(
            session.execute(
                select(families.origin_of_copy(), func.min(Article.id))
                .where(families.origin_of_copy().in_(removed), Article.hidden.is_(False))
                .group_by(families.origin_of_copy())
            ).all()
        )
        for root in removed:
            stand_in = stand_ins.get(root)
            if stand_in is None:
                del found[root]
            else:
                found[root] = session.get_one(
                    Article, stand_in, options=[joinedload(Article.source)]
                )
    return found


def _filed_under(article: Article, pages: list[Page], followed: set[int]) -> int | None:
    """The original's source when the account follows it, else the first followed source
    that carried a copy (a copy's reader sees the original, filed where they follow it)."""
    if article.source_id in followed:
        return article.source_id
    for page in pages:
        if page.source_id in followed:
            return page.source_id
    return article.source_id


def source_names(session: Session, items: Sequence[Item]) -> dict[int, str]:
    """The names of the sources these items are filed under or were carried by."""
    ids = {i.source_id for i in items} | {p.source_id for i in items for p in i.elsewhere}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())


def item_html(item: Item, names: dict[int, str]) -> str:
    """The item's body for an app: the TLDR, the article, and where else it appeared
    (the article's HTML was sanitized when stored; everything added here is escaped)."""
    article = item.article
    parts = []
    if article.tldr_bullets or article.tldr_headline:
        bullets = "".join(f"<li>{html.escape(b)}</li>" for b in article.tldr_bullets or [])
        headline = html.escape(article.tldr_headline or "")
        parts.append(f"<aside><p><strong>TLDR</strong> {headline}</p><ul>{bullets}</ul></aside>")
    parts.append(article.html)
    if item.elsewhere:
        links = ", ".join(
            f'<a href="{html.escape(p.url)}">{html.escape(_page_name(p, names))}</a>'
            for p in item.elsewhere
        )
        parts.append(f"<p><em>Also published by {links}.</em></p>")
    return "\n".join(parts)


def elsewhere_json(item: Item, names: dict[int, str]) -> list[dict[str, str | None]]:
    """Where else an item appeared, as apps' JSON."""
    return [
        {"title": _page_name(p, names), "href": p.url,
         "published": p.published_at.isoformat() if p.published_at else None}
        for p in item.elsewhere
    ]  # fmt: skip


def _page_name(page: Page, names: dict[int, str]) -> str:
    return (names.get(page.source_id) if page.source_id else None) or page.site_name or page.url
