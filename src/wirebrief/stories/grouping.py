"""Incremental story grouping: does a new article join one of the open stories?

A story remembers the sum of its articles' unit feature vectors, cut to its strongest
entries, and how many articles it has: its size and the cost of comparing with it stay
fixed however many articles it gathers. An article's similarity to a story is its average
similarity to the story's articles (average link: the sum's dot product divided by the
count), mixing entities and terms. Average link rather than centroid cosine: once a story
has wrongly absorbed a second event, a centroid matches both events and keeps attracting
them, while the average stays diluted by the members that do not match. Of the entity
overlap, the single strongest shared entity counts only in part (``LEAD_DISCOUNT``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wirebrief.stories.features import StoryFeatures, top

PROFILE_VERSION = 1
# Share of the similarity from entities (names, places, amounts, dates); the rest is terms.
# Names also count among the terms, so identifiers outweigh topic words overall.
ENTITY_SHARE = 0.6
# Part of the single strongest shared entity that does not count: two events of one kind
# often share their protagonist or place (two title fights of one boxer, two fires at one
# chain's stores), so one shared name is weak evidence; a second one (the opponent, the
# town, the date) is what makes a match.
LEAD_DISCOUNT = 0.6
# At or above this an article joins the story; see docs/benchmarks.md for how it was chosen.
THRESHOLD = 0.2
# Entries a story keeps (about 5 KB of JSON): enough for the core of a story told by dozens
# of outlets; the tail that falls off is what only one or two of them mentioned.
PROFILE_TERMS = 160
PROFILE_ENTITIES = 64


@dataclass(frozen=True)
class Weights:
    """How the similarity mixes its parts (module constants by default; the benchmark's
    cross-validation tries others).
    """

    entity_share: float = ENTITY_SHARE
    lead_discount: float = LEAD_DISCOUNT


DEFAULT_WEIGHTS = Weights()


@dataclass
class StoryProfile:
    """What a story remembers: summed unit vectors of its articles (bounded) and their count."""

    terms: dict[str, float] = field(default_factory=dict)
    entities: dict[str, float] = field(default_factory=dict)
    size: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (weights rounded to 4 decimals)."""
        return {
            "v": PROFILE_VERSION,
            "size": self.size,
            "terms": {k: round(w, 4) for k, w in self.terms.items()},
            "entities": {k: round(w, 4) for k, w in self.entities.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryProfile:
        """Inverse of ``to_json``."""
        return cls(
            terms={str(k): float(v) for k, v in data.get("terms", {}).items()},
            entities={str(k): float(v) for k, v in data.get("entities", {}).items()},
            size=int(data.get("size", 1)),
        )


def new_profile(features: StoryFeatures) -> StoryProfile:
    """The profile of a story whose first article has these features."""
    return StoryProfile(
        terms=top(features.terms, PROFILE_TERMS),
        entities=top(features.entities, PROFILE_ENTITIES),
        size=1,
    )


def merge(profile: StoryProfile, features: StoryFeatures) -> StoryProfile:
    """A new profile with one more article added (the argument is left unchanged)."""
    return StoryProfile(
        terms=top(_add(profile.terms, features.terms), PROFILE_TERMS),
        entities=top(_add(profile.entities, features.entities), PROFILE_ENTITIES),
        size=profile.size + 1,
    )


def similarity(
    features: StoryFeatures, profile: StoryProfile, weights: Weights = DEFAULT_WEIGHTS
) -> float:
    """How well an article fits a story, in [0, 1]: its mean similarity to the story's articles."""
    if profile.size < 1:
        return 0.0
    share = weights.entity_share
    terms = _dot(features.terms, profile.terms) / profile.size
    if not features.entities or not profile.entities:
        # Nothing to tell events apart by: the entity share goes to the square of the term
        # score, so such an article joins only a story it matches closely.
        return (1.0 - share) * terms + share * terms * terms
    overlap = _entity_overlap(features.entities, profile.entities, weights.lead_discount)
    return share * overlap / profile.size + (1.0 - share) * terms


def choose_story(
    features: StoryFeatures,
    candidates: Sequence[tuple[int, StoryProfile]],
    threshold: float = THRESHOLD,
    weights: Weights = DEFAULT_WEIGHTS,
) -> int | None:
    """The id of the most similar candidate story at or above ``threshold``, else None."""
    best_id: int | None = None
    best = 0.0
    for story_id, profile in candidates:
        score = similarity(features, profile, weights)
        # Ties go to the earlier candidate, so the result does not depend on dict order.
        if score >= threshold and (best_id is None or score > best):
            best_id, best = story_id, score
    return best_id


def _add(total: dict[str, float], vector: dict[str, float]) -> dict[str, float]:
    out = dict(total)
    for key, weight in vector.items():
        out[key] = out.get(key, 0.0) + weight
    return out


def _entity_overlap(article: dict[str, float], story: dict[str, float], discount: float) -> float:
    """Dot product of two entity vectors less ``discount`` of its largest term."""
    total = strongest = 0.0
    for key, weight in article.items():
        other = story.get(key)
        if other is not None:
            product = weight * other
            total += product
            strongest = max(strongest, product)
    return total - discount * strongest


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b)
