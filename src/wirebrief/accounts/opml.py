"""OPML in and out, for the desk or for one account, categories kept as folders."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from wirebrief.feeds.opml import Subscription, write_opml
from wirebrief.redaction import redact_url
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store


@dataclass(frozen=True)
class ImportReport:
    """What an import did: sources new to the desk, sources already known, folders, and
    feeds left out (new to the desk, listed by an account that may not add sources)."""

    added: int
    known: int
    folders: int
    skipped: int = 0


def import_subscriptions(
    session: Session,
    subscriptions: list[Subscription],
    user_name: str | None = None,
    *,
    may_add_sources: bool = True,
) -> ImportReport:
    """Follow every feed of an OPML list. Feeds new to the desk are added (and fetched once
    for everyone), in the OPML category as the desk's folder, unless ``may_add_sources`` is
    False (a reader's import: they are left out). Without ``user_name``, every account
    follows the new ones and known sources without a folder get the category; with it,
    that account follows every feed listed, each in its category's folder."""
    user = user_store.get_user(session, user_name) if user_name else None
    added = skipped = 0
    for sub in subscriptions:
        title = sub.title or urlsplit(sub.url).hostname or sub.url
        if not may_add_sources and source_store.find_source_by_url(session, sub.url) is None:
            skipped += 1
            continue
        source, created = source_store.ensure_source(session, sub.url, title, site_url=sub.site_url)
        if created or not source.category:
            source.category = sub.category
        added += created
        if user is not None:
            subs.subscribe(session, user, source, folder=sub.category or "")
        elif created:
            subs.subscribe_everyone(session, source)
    folders = len({sub.category for sub in subscriptions if sub.category})
    return ImportReport(added, len(subscriptions) - added - skipped, folders, skipped)


def export_subscriptions(
    session: Session, user_name: str | None = None, *, redact: bool = False
) -> tuple[bytes, int]:
    """The desk's sources (or one account's subscriptions) as OPML 2.0, grouped by folder,
    and how many feeds it lists; ``redact`` hides the credentials in the URLs."""
    show = redact_url if redact else str
    if user_name is None:
        listed = [
            Subscription(show(s.url), s.name, s.site_url and show(s.site_url), s.category)
            for s in source_store.list_sources(session)
        ]
        return write_opml(listed), len(listed)
    user = user_store.get_user(session, user_name)
    listed = [
        Subscription(
            show(f.source.url),
            f.title,
            f.source.site_url and show(f.source.site_url),
            f.folder.name if f.folder else None,
        )
        for f in subs.followed(session, user)
    ]
    return write_opml(listed, title=f"{user.name}'s subscriptions in Wirebrief"), len(listed)
