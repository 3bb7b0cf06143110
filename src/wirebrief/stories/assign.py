"""Put a stored article into a story: its origin's story, a matching one, or a new one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story
from wirebrief.stories import window
from wirebrief.stories.features import StoryFeatures, top
from wirebrief.stories.grouping import StoryProfile, choose_story, merge, new_profile
from wirebrief.times import utcnow

STORY_WINDOW = timedelta(hours=72)
# Two write-ups of one event starting stories at once take turns when they share one of
# their strongest entities: usually the protagonist or the place.
EVENT_NAMES = 3


def assign_story(session: Session, article: Article, features: StoryFeatures) -> Story:
    """Join the best story within the time window, or start one; then recount it."""
    if article.story_id is not None:  # a member of a copy family sits in the family's story
        story = session.get(Story, article.story_id)
        if story is not None:
            story_store.refresh(session, story)
            if not article.is_copy:  # the family's origin now: its TLDR may lead
                story_store.tldr_changed(session, story)
            return story
    when = article.published_at or utcnow()
    chosen = choose_story(features, window.stories_near(session, when, STORY_WINDOW))
    if chosen is None and story_store.lock_new_story(session, _event_names(features)):
        # Another worker may have started this event's story meanwhile: look once more.
        chosen = choose_story(features, window.stories_near(session, when, STORY_WINDOW))
    if chosen is None:
        story = Story(
            headline=article.title[:500], first_seen_at=when, last_seen_at=when,
            profile=new_profile(features).to_json(),
        )  # fmt: skip
        session.add(story)
        session.flush()
    else:
        # Locked and read afresh: another worker may be adding an article to this story now,
        # and its profile sum must not be overwritten with one that misses that article.
        story = session.get_one(Story, chosen, with_for_update=True, populate_existing=True)
        story.profile = merge(StoryProfile.from_json(story.profile or {}), features).to_json()
    article.story_id = story.id
    session.flush()
    story_store.refresh(session, story)
    story_store.tldr_changed(session, story)  # recomputed after commit (stories/tldr.py)
    return story


def _event_names(features: StoryFeatures) -> list[str]:
    """What names the event for the story-start lock: its strongest entities. An article
    without any takes no lock (topic words are shared too widely to lock on)."""
    return list(top(features.entities, EVENT_NAMES))
