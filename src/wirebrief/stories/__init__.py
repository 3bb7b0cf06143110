"""Story grouping: articles about the same event, by different outlets, form one story.

What is exported here is pure and database-free: the pipeline computes ``article_features``
once per article, keeps a ``StoryProfile`` per story, and asks ``choose_story`` which open
story (if any) a new article joins; ``merge`` or ``new_profile`` then gives the story's
updated profile. ``assign`` does that for a stored article, with the open stories' profiles
from ``window`` (cached per process).
"""

from wirebrief.stories.features import StoryFeatures, article_features
from wirebrief.stories.grouping import (
    THRESHOLD,
    StoryProfile,
    choose_story,
    merge,
    new_profile,
    similarity,
)

__all__ = [
    "THRESHOLD",
    "StoryFeatures",
    "StoryProfile",
    "article_features",
    "choose_story",
    "merge",
    "new_profile",
    "similarity",
]
