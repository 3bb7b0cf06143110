"""The stories open around a moment, with their grouping profiles decoded once per process.

Every new original compares itself with each story active inside the time window (up to
``storage.stories.MAX_CANDIDATES``; over 200 at a time in the 10,000-page benchmark), and a
profile is some 5 KB of JSON: decoding them all again for every article took longer than
the comparison itself. Profiles are cached by story id
and the story's last change (``updated_at``, set whenever it is recounted), so a profile
that another worker changed is read again and an unchanged one is not. One cache per
database engine; the least recently used profiles fall out past ``CAPACITY``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from wirebrief.storage import stories as story_store
from wirebrief.stories.grouping import StoryProfile

# Profiles kept per database: a few times the most a window holds (about 15 KB each).
CAPACITY = 1024


class ProfileCache:
    """Decoded story profiles by story id, each with the change it was read at; safe to share
    between threads."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._profiles: OrderedDict[int, tuple[datetime, StoryProfile]] = OrderedDict()
        self._lock = threading.Lock()

    def stories_near(
        self, session: Session, when: datetime, window: timedelta
    ) -> list[tuple[int, StoryProfile]]:
        """Id and profile of each story active within ``window`` of ``when`` (most recently
        active first); only profiles changed since they were last read are loaded."""
        versions = story_store.stories_near(session, when, window)
        found: dict[int, StoryProfile] = {}
        with self._lock:
            for story_id, updated_at in versions:
                cached = self._profiles.get(story_id)
                if cached is not None and cached[0] == updated_at:
                    self._profiles.move_to_end(story_id)
                    found[story_id] = cached[1]
        missing = [story_id for story_id, _ in versions if story_id not in found]
        if missing:
            loaded = story_store.story_profiles(session, missing)
            with self._lock:
                for story_id, updated_at, data in loaded:
                    if data:
                        found[story_id] = self._put(story_id, updated_at, data)
        return [(story_id, found[story_id]) for story_id, _ in versions if story_id in found]

    def _put(self, story_id: int, updated_at: datetime, data: dict) -> StoryProfile:
        profile = StoryProfile.from_json(data)
        self._profiles[story_id] = (updated_at, profile)
        self._profiles.move_to_end(story_id)
        while len(self._profiles) > self.capacity:
            self._profiles.popitem(last=False)
        return profile


_caches: WeakKeyDictionary[Engine, ProfileCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def stories_near(
    session: Session, when: datetime, window: timedelta
) -> list[tuple[int, StoryProfile]]:
    """``ProfileCache.stories_near`` with this process's cache for the session's database."""
    engine = session.get_bind().engine
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = ProfileCache()
    return cache.stories_near(session, when, window)
