"""What each account follows, in which folder: subscriptions over shared sources.

A source is fetched once however many accounts follow it; a subscription is only an
account's view of it (its folder, its own title). The desk's own folder for a source
(``sources.category``, from OPML) is where new subscriptions start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wirebrief.errors import FolderError, NotFoundError
from wirebrief.storage import reading
from wirebrief.storage.models import Folder, Source, Subscription, User
from wirebrief.times import utcnow

MAX_FOLDER_NAME = 200


@dataclass(frozen=True)
class Followed:
    """One subscription as lists show it: the source, the account's title and folder."""

    subscription: Subscription
    source: Source
    folder: Folder | None

    @property
    def title(self) -> str:
        """The account's own name for the source, else the source's."""
        return self.subscription.title or self.source.name


def folder_named(session: Session, user: User, name: str, *, create: bool = True) -> Folder:
    """The account's folder called ``name``, created when missing (unless ``create`` is
    False: then :class:`NotFoundError`)."""
    name = _clean_name(name)
    found = session.scalars(
        select(Folder).where(Folder.user_id == user.id, Folder.name == name)
    ).first()
    if found is not None:
        return found
    if not create:
        raise NotFoundError(f"there is no folder {name!r}")
    found = Folder(user_id=user.id, name=name)
    session.add(found)
    session.flush()
    return found


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise FolderError("a folder needs a name")
    if len(cleaned) > MAX_FOLDER_NAME or "/" in cleaned:
        raise FolderError(f"a folder name has at most {MAX_FOLDER_NAME} characters and no '/'")
    return cleaned


def list_folders(session: Session, user: User) -> list[Folder]:
    """The account's folders, by name."""
    query = select(Folder).where(Folder.user_id == user.id).order_by(Folder.name)
    return list(session.scalars(query))


def rename_folder(session: Session, user: User, old: str, new: str) -> Folder:
    """Rename a folder; renaming onto an existing folder merges the two."""
    folder = folder_named(session, user, old, create=False)
    new = _clean_name(new)
    if new == folder.name:
        return folder
    target = session.scalars(
        select(Folder).where(Folder.user_id == user.id, Folder.name == new)
    ).first()
    if target is None:
        folder.name = new
        session.flush()
        return folder
    session.execute(
        update(Subscription).where(Subscription.folder_id == folder.id).values(folder_id=target.id)
    )
    session.delete(folder)
    session.flush()
    return target


def delete_folder(session: Session, user: User, name: str) -> None:
    """Remove a folder; its subscriptions stay, outside any folder."""
    folder = folder_named(session, user, name, create=False)
    session.execute(
        update(Subscription).where(Subscription.folder_id == folder.id).values(folder_id=None)
    )
    session.delete(folder)
    session.flush()


def subscribe(
    session: Session,
    user: User,
    source: Source,
    *,
    folder: str | None = None,
    title: str | None = None,
) -> Subscription:
    """Follow ``source`` (idempotent); a folder or title given replaces the old one."""
    found = find_subscription(session, user, source.id)
    if found is None:
        found = Subscription(user_id=user.id, source_id=source.id, created_at=utcnow())
        session.add(found)
        session.flush()
        reading.file_subscription(session, user, source.id)
    if folder is not None:
        found.folder_id = folder_named(session, user, folder).id if folder.strip() else None
    if title is not None:
        found.title = title.strip()[:300] or None
    session.flush()
    return found


def find_subscription(session: Session, user: User, source_id: int) -> Subscription | None:
    """The account's subscription to a source, if it follows it."""
    query = select(Subscription).where(
        Subscription.user_id == user.id, Subscription.source_id == source_id
    )
    return session.scalars(query).first()


def unsubscribe(session: Session, user: User, source_id: int) -> None:
    """Stop following a source (it is still fetched for the desk and for others)."""
    reading.unfile_subscription(session, user, source_id)
    session.execute(
        delete(Subscription).where(
            Subscription.user_id == user.id, Subscription.source_id == source_id
        )
    )


def subscribe_to_desk(session: Session, user: User) -> int:
    """Follow every source the desk follows, each in the desk's folder for it; returns how
    many subscriptions were added."""
    followed = set(
        session.scalars(select(Subscription.source_id).where(Subscription.user_id == user.id))
    )
    added = 0
    for source in session.scalars(select(Source).order_by(Source.id)):
        if source.id not in followed:
            subscribe(session, user, source, folder=source.category or "")
            added += 1
    return added


def subscribe_everyone(session: Session, source: Source) -> None:
    """Every account follows a source the desk just added, in the desk's folder for it."""
    for user in session.scalars(select(User)):
        if find_subscription(session, user, source.id) is None:
            subscribe(session, user, source, folder=source.category or "")


def followed(session: Session, user: User, folder_id: int | None = None) -> list[Followed]:
    """The account's subscriptions (in one folder), by folder then title."""
    query = (
        select(Subscription, Source, Folder)
        .join(Source, Source.id == Subscription.source_id)
        .outerjoin(Folder, Folder.id == Subscription.folder_id)
        .where(Subscription.user_id == user.id)
    )
    if folder_id is not None:
        query = query.where(Subscription.folder_id == folder_id)
    rows = [Followed(*row) for row in session.execute(query)]
    return sorted(rows, key=lambda f: (f.folder is None, f.folder.name if f.folder else "",
                                       f.title.casefold()))  # fmt: skip
