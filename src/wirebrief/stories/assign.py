"""Put a stored article into a story: its origin's story, a matching one, or a new one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story
from wirebrief.stories import window
from wirebrief.stories.features import StoryFeatures, top
from wirebrief.stories.grouping import StoryProfile, choose_story, merge, new_profile
from wirebrief.summarize import summarize_story
from wirebrief.times import utcnow

STORY_WINDOW = timedelta(hours=72)
MAX_STORY_SOURCES = 8  # a story TLDR reads this many write-ups at most
# Two write-ups of one event starting stories at once take turns when they share one of
# their strongest entities: usually the protagonist or the place.
EVENT_NAMES = 3


def assign_story(session: Session, article: Article, features: StoryFeatures) -> Story:
    """Join the best story within the time window, or start one; then recount it."""
    if article.story_id is not None:  # a member of a copy family sits in the family's story
        story = session.get(Story, article.story_id)
        if story is not None:
            story_store.refresh(session, story)
            if article.duplicate_of is None:  # the family's origin now: its TLDR may lead
                summarize(session, story)
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
    summarize(session, story)
    return story


def summarize(session: Session, story: Story) -> None:
    """The story's TLDR: its one article's own, or bullets drawn from different sources."""
    originals = [a for a in story_store.story_articles(session, story.id) if a.duplicate_of is None]
    if len(originals) <= 1:
        lead = originals[0] if originals else None
        story.tldr_headline = lead.tldr_headline if lead else None
        story.tldr_bullets = lead.tldr_bullets if lead else None
        story.tldr_method = lead.tldr_method if lead else None
        return
    tldr = summarize_story(
        [(_source_name(a), a.title, a.text) for a in originals[:MAX_STORY_SOURCES]]
    )
    story.tldr_headline, story.tldr_bullets = tldr.headline, list(tldr.bullets)
    story.tldr_method = tldr.method


def _event_names(features: StoryFeatures) -> list[str]:
    """What names the event for the story-start lock: its strongest entities. An article
    without any takes no lock (topic words are shared too widely to lock on)."""
    return list(top(features.entities, EVENT_NAMES))


def _source_name(article: Article) -> str:
    return article.source.name if article.source else article.site_name or article.url
