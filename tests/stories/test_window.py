"""The open stories' profiles: read once per process, read again when a story changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.support.concurrency import second_waits_for_first
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Story
from wirebrief.stories import article_features
from wirebrief.stories.assign import assign_story
from wirebrief.stories.grouping import StoryProfile
from wirebrief.stories.window import ProfileCache
from wirebrief.times import utcnow

WINDOW = timedelta(hours=72)
NOW = utcnow()


def _profile(term: str, size: int = 1) -> dict:
    return StoryProfile({term: 1.0}, {term.title(): 1.0}, size).to_json()


def _add_stories(database: Database, *terms: str, hours_ago: float = 0) -> list[int]:
    when = NOW - timedelta(hours=hours_ago)
    with database.session() as session:
        stories = [
            Story(headline=t, first_seen_at=when, last_seen_at=when, profile=_profile(t))
            for t in terms
        ]
        session.add_all(stories)
        session.flush()
        return [story.id for story in stories]


@pytest.fixture
def profile_reads(any_db: Database) -> Iterator[list[str]]:
    """The statements that read a story's profile column, as the database receives them."""
    reads: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "stories.profile" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    event.listen(any_db.engine, "before_cursor_execute", record)
    yield reads
    event.remove(any_db.engine, "before_cursor_execute", record)


def test_unchanged_profiles_are_decoded_once(any_db: Database, profile_reads: list[str]) -> None:
    quake, fire = _add_stories(any_db, "quake", "fire")
    _add_stories(any_db, "outside", hours_ago=24 * 10)  # outside the window: never read
    cache = ProfileCache()
    for _ in range(3):
        with any_db.session() as session:
            found = cache.stories_near(session, NOW, WINDOW)
        assert sorted(story_id for story_id, _ in found) == [quake, fire]
        assert {next(iter(p.terms)) for _, p in found} == {"quake", "fire"}
    assert len(profile_reads) == 1  # the first call; the other two found both cached


def test_a_story_changed_by_another_worker_is_read_again(any_db: Database) -> None:
    quake, fire = _add_stories(any_db, "quake", "fire")
    cache = ProfileCache()
    with any_db.session() as session:
        cache.stories_near(session, NOW, WINDOW)
    other_worker = Database(any_db.url)  # its own engine and connections, as in another process
    try:
        with other_worker.session() as session:
            story = session.get_one(Story, quake)
            story.profile = _profile("aftershock", size=2)
            story_store.refresh(session, story)  # what assign_story does after a merge
    finally:
        other_worker.dispose()
    with any_db.session() as session:
        found = dict(cache.stories_near(session, NOW, WINDOW))
    assert set(found[quake].terms) == {"aftershock"} and found[quake].size == 2
    assert set(found[fire].terms) == {"fire"}


def test_the_cache_keeps_at_most_its_capacity(db: Database) -> None:
    ids = _add_stories(db, "one", "two", "three")
    cache = ProfileCache(capacity=2)
    with db.session() as session:
        found = cache.stories_near(session, NOW, WINDOW)
    assert sorted(story_id for story_id, _ in found) == ids  # every story is still compared
    assert len(cache._profiles) == 2


QUAKE = (
    "A magnitude 6.8 earthquake struck near the town of Valdoria in northern Castemont on "
    "Tuesday, killing at least 14 people, the Castemont civil protection agency said."
)


def _quake_article(session: Session, n: int, **fields: object) -> Article:
    found = Article(url=f"https://news.invalid/q-{n}", title="Valdoria earthquake", text=QUAKE,
                    html="", content_hash=f"q-{n}", published_at=NOW, **fields)  # fmt: skip
    session.add(found)
    session.flush()
    return found


def test_assignment_joins_through_the_cache_and_marks_the_story_changed(db: Database) -> None:
    features = article_features("Valdoria earthquake", QUAKE)
    with db.session() as session:
        stories = []
        for n in range(2):
            before = utcnow()
            stories.append(assign_story(session, _quake_article(session, n), features))
            assert stories[-1].updated_at >= before
    assert stories[0].id == stories[1].id
    with db.session() as session:
        assert session.get_one(Story, stories[0].id).profile["size"] == 2


def test_two_workers_joining_one_story_at_once_both_count(pg_db: Database) -> None:  # noqa: F811
    """The second merge waits for the first instead of overwriting the profile with one that
    misses the first article."""
    features = article_features("Valdoria earthquake", QUAKE)
    with pg_db.session() as session:
        story_id = assign_story(session, _quake_article(session, 0), features).id
    second_waits_for_first(
        pg_db,
        lambda s: assign_story(s, _quake_article(s, 1), features),
        lambda s: assign_story(s, _quake_article(s, 2), features),
    )
    with pg_db.session() as session:
        story = session.get_one(Story, story_id)
        assert (story.profile["size"], story.article_count) == (3, 3)


def test_two_copies_recounting_one_story_at_once_both_count(pg_db: Database) -> None:  # noqa: F811
    """Near copies join their origin's story without a merge; the recount is what must wait."""
    features = article_features("Valdoria earthquake", QUAKE)
    with pg_db.session() as session:
        origin = _quake_article(session, 0)
        story_id = assign_story(session, origin, features).id

    def copy(session: Session, n: int) -> None:
        article = _quake_article(session, n, story_id=story_id, duplicate_of=origin.id)
        assign_story(session, article, features)

    second_waits_for_first(pg_db, lambda s: copy(s, 1), lambda s: copy(s, 2))
    with pg_db.session() as session:
        assert session.get_one(Story, story_id).article_count == 3


def test_two_write_ups_of_one_event_starting_stories_at_once_share_one(
    pg_db: Database,  # noqa: F811
) -> None:
    """Neither worker sees the other's new story before it commits: the second waits on the
    event's strongest names, looks again, and joins the first's story."""
    rescue = (
        "Rescue teams in Valdoria worked through the night after Tuesday's 6.8 earthquake, "
        "which Castemont officials say killed 14. Ines Arboleda, the town's mayor, asked for "
        "tents and water."
    )
    first = article_features("Valdoria earthquake", QUAKE)
    second = article_features("Valdoria quake: rescuers dig through rubble", rescue)
    second_waits_for_first(
        pg_db,
        lambda s: assign_story(s, _quake_article(s, 1), first),
        lambda s: assign_story(s, _quake_article(s, 2), second),
    )
    with pg_db.session() as session:
        stories = session.scalars(select(Story)).all()
        assert [(story.article_count, story.profile["size"]) for story in stories] == [(2, 2)]
