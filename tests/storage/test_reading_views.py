"""Views, counts, stars, "mark all read" and the unread horizon of an account, on a desk
written straight to the database (families by ``duplicate_of``; every page a row), each
page then filed in the unread lists as the store stage files it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.articles import START, add_article, story
from tests.support.unread import assert_filed_as_rebuilt
from wirebrief import moderation
from wirebrief.storage import reading
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Source, User
from wirebrief.storage.reading import Cursor, Scope, View


@dataclass(frozen=True)
class Desk:
    user: int
    wire: int
    blog: int
    copier: int
    original: int  # wire, in folder News
    near_copy: int  # copier's copy of it
    second: int  # wire, a later original in the same story
    blog_post: int  # blog, in folder Blogs
    old: int  # wire, published before the account's horizon


def text(n: int) -> str:
    return f"Article number {n} with words enough to be an article of its own."


def build(session: Session) -> Desk:
    wire = source_store.add_source(session, "https://wire.example/feed", "Wire")
    blog = source_store.add_source(session, "https://blog.example/feed", "Blog")
    copier = source_store.add_source(session, "https://copier.example/feed", "Copier")
    user = User(name="ana", role="reader", password_hash="-", created_at=START,
                updated_at=START, read_before=START - timedelta(days=7))  # fmt: skip
    session.add(user)
    session.flush()
    subs.subscribe(session, user, wire, folder="News")
    subs.subscribe(session, user, copier, folder="News")
    subs.subscribe(session, user, blog, folder="Blogs")
    event = story(session, "Harbour fares")
    original = add_article(session, "Fares rise", text(1), hours=1, source_id=wire.id,
                           story_id=event.id, index=False)  # fmt: skip
    near = add_article(session, "Fares rise (copy)", text(1) + " Copied.", hours=2,
                       source_id=copier.id, story_id=event.id, duplicate_of=original.id,
                       index=False)  # fmt: skip
    second = add_article(session, "Fares: the audit", text(2), hours=3, source_id=wire.id,
                         story_id=event.id, index=False)  # fmt: skip
    post = add_article(session, "A blog post", text(3), hours=4, source_id=blog.id, index=False)
    old = add_article(session, "Old news", text(4), hours=-24 * 30, source_id=wire.id, index=False)
    session.flush()
    reading.file_families(session, [original.id, second.id, post.id, old.id])
    return Desk(user.id, wire.id, blog.id, copier.id, original.id, near.id, second.id, post.id,
                old.id)  # fmt: skip


@pytest.fixture
def desk(any_db: Database) -> Desk:
    with any_db.session() as session:
        return build(session)


def roots(any_db: Database, desk: Desk, view: View = View.ALL, scope: Scope = Scope(),
          **options: object) -> list[int]:  # fmt: skip
    with any_db.session() as session:
        user = session.get(User, desk.user)
        return [ref.root_id for ref in reading.item_roots(session, user, view, scope, **options)]


def test_views_fold_copies_and_honour_the_horizon(any_db: Database, desk: Desk) -> None:
    newest_first = [desk.blog_post, desk.second, desk.original, desk.old]
    assert roots(any_db, desk) == newest_first
    assert roots(any_db, desk, View.UNREAD) == newest_first[:3]  # old news starts read
    assert roots(any_db, desk, View.READ) == [desk.old]
    assert roots(any_db, desk, oldest_first=True) == newest_first[::-1]
    with any_db.session() as session:
        news = subs.folder_named(session, session.get(User, desk.user), "News", create=False)
    assert roots(any_db, desk, scope=Scope(folder_id=news.id)) == [desk.second, desk.original,
                                                                  desk.old]  # fmt: skip
    # the copier carries only the copy: its list shows the family once, as the original
    assert roots(any_db, desk, scope=Scope(source_id=desk.copier)) == [desk.original]
    assert roots(any_db, desk, since=START + timedelta(hours=2)) == newest_first[:2]
    assert roots(any_db, desk, until=START + timedelta(hours=3)) == newest_first[1:]


def test_paging_by_cursor_visits_every_item_once(any_db: Database, desk: Desk) -> None:
    seen: list[int] = []
    after = None
    with any_db.session() as session:
        user = session.get(User, desk.user)
        while True:
            page = reading.item_roots(session, user, limit=1, after=after)
            if not page:
                break
            seen += [ref.root_id for ref in page]
            after = Cursor(page[-1].time, page[-1].root_id)
    assert seen == roots(any_db, desk)


def test_unread_counts_per_source_folder_and_total(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        counts = reading.unread_counts(session, user)
        folders = {f.name: f.id for f in subs.list_folders(session, user)}
    assert counts.total == 3
    # the family carried by wire and the copier counts once in News
    assert counts.by_source == {desk.wire: 2, desk.copier: 1, desk.blog: 1}
    assert counts.by_folder == {folders["News"]: 2, folders["Blogs"]: 1}
    assert counts.newest_by_source[desk.wire] == START + timedelta(hours=3)


def test_marking_a_copy_read_reads_the_family_and_unread_brings_it_back(
    any_db: Database, desk: Desk
) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        reading.mark_read(session, user, [desk.near_copy])
        assert reading.states(session, user, [desk.original])[desk.original].read
        reading.mark_unread(session, user, [desk.original])
        assert not reading.states(session, user, [desk.original])[desk.original].read
        # old news can be kept unread on purpose, past the horizon
        reading.mark_unread(session, user, [desk.old])
    assert desk.old in roots(any_db, desk, View.UNREAD)
    with any_db.session() as session:
        reading.mark_read(session, session.get(User, desk.user), [desk.old])
    assert desk.old not in roots(any_db, desk, View.UNREAD)


def test_stars_belong_to_the_family_and_outlive_the_subscription(
    any_db: Database, desk: Desk
) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        reading.set_starred(session, user, [desk.near_copy, desk.blog_post], True)
        assert reading.states(session, user, [desk.original])[desk.original].starred
        subs.unsubscribe(session, user, desk.blog)
    assert roots(any_db, desk, View.STARRED) == [desk.blog_post, desk.original]
    assert desk.blog_post not in roots(any_db, desk)
    with any_db.session() as session:
        reading.set_starred(session, session.get(User, desk.user), [desk.original], False)
    assert roots(any_db, desk, View.STARRED) == [desk.blog_post]


def test_mark_all_read_by_source_folder_time_and_story(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        blogs = subs.folder_named(session, user, "Blogs", create=False)
        assert reading.mark_all_read(session, user, Scope(folder_id=blogs.id)) == 1
        assert reading.mark_all_read(session, user, until=START + timedelta(hours=1)) == 1
    assert roots(any_db, desk, View.UNREAD) == [desk.second]
    with any_db.session() as session:
        user = session.get(User, desk.user)
        event = session.get(Article, desk.second).story_id
        assert reading.story_state(session, user, event) == reading.StoryState(False, [desk.second])
        assert reading.mark_all_read(session, user, story_id=event) == 1
        assert reading.story_state(session, user, event).read
        # what arrives afterwards is unread: marking all read is no watermark
        later = add_article(session, "Later", text(9), hours=5, source_id=desk.wire, index=False)
        session.flush()
        reading.file_families(session, [later.id])
    assert roots(any_db, desk, View.UNREAD) == [later.id]


def test_a_removed_root_leaves_its_visible_copy_as_the_item(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        session.get(Article, desk.original).hidden = True
    assert roots(any_db, desk, scope=Scope(source_id=desk.copier)) == [desk.original]
    with any_db.session() as session:
        session.get(Article, desk.near_copy).hidden = True
    assert desk.original not in roots(any_db, desk)


def test_first_members_are_stable_item_ids(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        assert reading.first_members(session, [desk.original]) == {desk.original: desk.original}
        # a copy stored first, its original later: the family keeps the copy's id
        session.get(Article, desk.near_copy).duplicate_of = None
        session.get(Article, desk.original).duplicate_of = desk.near_copy
        session.flush()
        assert reading.first_members(session, [desk.near_copy]) == {desk.near_copy: desk.original}
        firsts = dict(session.execute(
            select(Article.id, reading.first_member_id()).where(
                Article.id.in_([desk.near_copy, desk.second]))
        ).all())  # fmt: skip
        assert firsts == {desk.near_copy: desk.original, desk.second: desk.second}


def test_labels_belong_to_the_family_and_make_a_list(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        reading.set_label(session, user, [desk.near_copy, desk.blog_post], "Follow up", True)
        reading.set_label(session, user, [desk.near_copy], "Follow up", True)  # idempotent
        assert reading.labels(session, user) == ["Follow up"]
        assert reading.labels_of(session, user, [desk.original]) == {desk.original: {"Follow up"}}
        subs.unsubscribe(session, user, desk.blog)
    assert roots(any_db, desk, scope=Scope(label="Follow up")) == [desk.blog_post, desk.original]
    with any_db.session() as session:
        user = session.get(User, desk.user)
        reading.set_label(session, user, [desk.original], "Follow up", False)
        assert reading.rename_label(session, user, "Follow up", "Later") == 1
        assert reading.labels(session, user) == ["Later"]
        assert reading.mark_all_read(session, user, Scope(label="Later")) == 1
        assert reading.delete_label(session, user, "Later") == 1
        assert reading.labels(session, user) == []


def test_filters_combine_and_crawl_time_bounds_apply_to_the_root(
    any_db: Database, desk: Desk
) -> None:
    with any_db.session() as session:
        user = session.get(User, desk.user)
        reading.set_starred(session, user, [desk.second, desk.old], True)
        for article in session.scalars(select(Article)):
            article.fetched_at = START + timedelta(days=1 if article.id == desk.second else 0)
    unread_starred = reading.Filter(read=False, starred=True)
    assert roots(any_db, desk, unread_starred) == [desk.second]
    assert roots(any_db, desk, reading.Filter(read=False, starred=False)) == [
        desk.blog_post, desk.original]  # fmt: skip
    assert roots(any_db, desk, crawled_since=START + timedelta(hours=12)) == [desk.second]
    with any_db.session() as session:
        user = session.get(User, desk.user)
        marked = reading.mark_all_read(session, user, crawled_until=START + timedelta(hours=12))
    assert marked == 2 and roots(any_db, desk, View.UNREAD) == [desk.second]


def test_carriers_list_every_visible_page_of_a_family(any_db: Database, desk: Desk) -> None:
    with any_db.session() as session:
        add_article(session, "Fares rise", text(1), url="https://mirror.example/fares",
                    site_name="Mirror", duplicate_of=desk.original, index=False)  # fmt: skip
        pages = reading.carriers(session, [desk.original])[desk.original]
        original = session.get(Article, desk.original)
        assert pages[0].url == original.url
        assert {p.url for p in pages} == {original.url, "https://mirror.example/fares",
                                          session.get(Article, desk.near_copy).url}  # fmt: skip


def unread_of(any_db: Database, user_id: int, scope: Scope = Scope()) -> list[int]:
    with any_db.session() as session:
        user = session.get(User, user_id)
        return [r.root_id for r in reading.item_roots(session, user, View.UNREAD, scope)]


def test_unread_rows_follow_every_account_through_every_change(
    any_db: Database, desk: Desk
) -> None:
    """Each change files the families it touches, for each account on its own terms (its
    subscriptions, marks and horizon); after every step the rows are what a rebuild writes."""
    with any_db.session() as session:
        ben = User(name="ben", role="reader", password_hash="-", created_at=START,
                   updated_at=START)  # no horizon: old news is unread for ben  # fmt: skip
        session.add(ben)
        session.flush()
        subs.subscribe(session, ben, session.get_one(Source, desk.copier))
        ben_id = ben.id
    assert unread_of(any_db, ben_id) == [desk.original]  # the copier's copy, as its family
    assert_filed_as_rebuilt(any_db)
    with any_db.session() as session:
        reading.mark_read(session, session.get_one(User, ben_id), [desk.near_copy])
    assert unread_of(any_db, ben_id) == []
    assert desk.original in unread_of(any_db, desk.user)  # ana's state is her own
    with any_db.session() as session:
        ben = session.get_one(User, ben_id)
        subs.unsubscribe(session, ben, desk.copier)
        subs.subscribe(session, ben, session.get_one(Source, desk.wire))
    # ben read the family through the copy: from the wire too it stays read
    assert unread_of(any_db, ben_id) == [desk.second, desk.old]
    assert_filed_as_rebuilt(any_db)
    with any_db.session() as session:
        moderation.block_source(session, desk.wire, True)
    # the wire's pages are hidden: the copier's copy, now the family's origin, still
    # carries it for ana
    assert unread_of(any_db, desk.user) == [desk.blog_post, desk.near_copy]
    assert unread_of(any_db, ben_id) == []
    assert_filed_as_rebuilt(any_db)
    with any_db.session() as session:
        moderation.block_source(session, desk.wire, False)
        reading.mark_unread(session, session.get_one(User, desk.user), [desk.old])
    # kept unread on purpose, old news joins ana's list; ben's list is back
    assert unread_of(any_db, desk.user) == [desk.blog_post, desk.second, desk.original, desk.old]
    assert unread_of(any_db, ben_id) == [desk.second, desk.old]
    assert_filed_as_rebuilt(any_db)


def test_unread_pages_by_cursor_visit_every_unread_item_once(any_db: Database, desk: Desk) -> None:
    seen: list[int] = []
    after = None
    with any_db.session() as session:
        user = session.get_one(User, desk.user)
        while page := reading.item_roots(session, user, View.UNREAD, limit=1, after=after):
            seen += [ref.root_id for ref in page]
            after = Cursor.after(page[-1])
    assert seen == unread_of(any_db, desk.user) == [desk.blog_post, desk.second, desk.original]
