"""Unit tests for story grouping: profiles, similarity, choice, and the sample newsroom."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta

import pytest

from wirebrief.demo.site import Article, load_newsroom
from wirebrief.stories.features import StoryFeatures, article_features
from wirebrief.stories.grouping import (
    ENTITY_SHARE,
    LEAD_DISCOUNT,
    PROFILE_ENTITIES,
    PROFILE_TERMS,
    THRESHOLD,
    StoryProfile,
    choose_story,
    merge,
    new_profile,
    similarity,
)

# Two write-ups of one invented earthquake, and a different earthquake of the same kind.
QUAKE_A1 = article_features(
    "Magnitude 6.8 earthquake strikes near Valdoria, killing 14",
    "A magnitude 6.8 earthquake struck near the town of Valdoria in northern Castemont on "
    "Tuesday, killing at least 14 people, the Castemont civil protection agency said. The "
    "quake hit at 03:12 local time at a depth of 10 km. Mayor Ines Arboleda said rescuers "
    "were searching collapsed homes in the old quarter.",
)
QUAKE_A2 = article_features(
    "Valdoria quake: rescuers dig through rubble as toll rises",
    "Rescue teams in Valdoria worked through the night after Tuesday's 6.8 earthquake, which "
    "Castemont officials say killed 14. Ines Arboleda, the town's mayor, asked for tents and "
    "water; the civil protection agency sent 300 soldiers to the region.",
)
QUAKE_B = article_features(
    "Earthquake of magnitude 5.9 shakes Port Elmira; no deaths reported",
    "An earthquake of magnitude 5.9 shook Port Elmira on the coast of Surrelia on Saturday. "
    "The Surrelian seismology institute said the quake was shallow; governor Teodor Vasko "
    "said some buildings were damaged but nobody was killed. Rescuers checked older homes.",
)


# ── profiles ─────────────────────────────────────────────────────────────────


def test_a_story_matches_its_only_article_best() -> None:
    story = new_profile(QUAKE_A1)
    assert similarity(QUAKE_A1, story) > similarity(QUAKE_A2, story)
    assert similarity(QUAKE_A1, story) == pytest.approx(
        1.0 - ENTITY_SHARE * LEAD_DISCOUNT * max(w * w for w in QUAKE_A1.entities.values())
    )


def test_merge_returns_a_new_profile_and_counts_articles() -> None:
    profile = new_profile(QUAKE_A1)
    before = profile.to_json()
    merged = merge(profile, QUAKE_A2)
    assert merged.size == 2
    assert profile.to_json() == before
    assert merged.entities["arboleda"] > profile.entities["arboleda"]


def test_profiles_stay_bounded_however_many_articles_merge() -> None:
    profile = new_profile(QUAKE_A1)
    for i in range(300):
        text = f"Reporter{i} filed from Town{i} about ${i + 30} million and {i + 100} homes."
        profile = merge(profile, article_features(f"Update {i}", text))
    assert profile.size == 301
    assert len(profile.terms) <= PROFILE_TERMS
    assert len(profile.entities) <= PROFILE_ENTITIES
    assert len(json.dumps(profile.to_json())) < 8000


def test_profile_json_round_trip() -> None:
    profile = merge(new_profile(QUAKE_A1), QUAKE_A2)
    back = StoryProfile.from_json(json.loads(json.dumps(profile.to_json())))
    assert back.size == 2
    assert back.terms.keys() == profile.terms.keys()
    assert similarity(QUAKE_B, back) == pytest.approx(similarity(QUAKE_B, profile), abs=1e-3)


# ── similarity and choice ────────────────────────────────────────────────────


def test_same_event_in_other_words_joins_and_same_kind_stays_apart() -> None:
    story = new_profile(QUAKE_A1)
    assert similarity(QUAKE_A2, story) >= THRESHOLD
    assert similarity(QUAKE_B, story) < THRESHOLD
    assert similarity(QUAKE_A2, story) > 2 * similarity(QUAKE_B, story)


def test_one_shared_name_counts_less_than_two() -> None:
    """Two fights of one boxer share him; only the same fight also shares the opponent."""
    story = new_profile(StoryFeatures(entities={"klitschko": 0.8, "thompson": 0.6}))
    protagonist = StoryFeatures(entities={"klitschko": 1.0})
    both = StoryFeatures(entities={"klitschko": 0.8, "thompson": 0.6})
    assert similarity(protagonist, story) == pytest.approx(
        ENTITY_SHARE * (1.0 - LEAD_DISCOUNT) * 0.8
    )
    # A plain dot product would rate them 0.6 against 0.48.
    assert similarity(both, story) > 1.5 * similarity(protagonist, story)


def test_similarity_is_in_unit_range() -> None:
    profile = merge(new_profile(QUAKE_A1), QUAKE_B)
    for features in (QUAKE_A1, QUAKE_A2, QUAKE_B, StoryFeatures()):
        assert 0.0 <= similarity(features, profile) <= 1.0 + 1e-9


def test_without_entities_only_a_close_term_match_counts() -> None:
    bare = StoryFeatures(terms=dict(QUAKE_A1.terms))
    profile = new_profile(StoryFeatures(terms=dict(QUAKE_A1.terms)))
    assert similarity(bare, profile) == pytest.approx(1.0)
    half = similarity(StoryFeatures(terms={"quak": 1.0}), profile)
    assert half < QUAKE_A1.terms["quak"]  # stricter than the term score alone


def test_choose_story_picks_the_best_candidate_above_the_threshold() -> None:
    quake_a, quake_b = new_profile(QUAKE_A1), new_profile(QUAKE_B)
    assert choose_story(QUAKE_A2, [(7, quake_b), (3, quake_a)]) == 3
    assert choose_story(QUAKE_A2, []) is None
    assert choose_story(QUAKE_A2, [(7, quake_b)]) is None


def test_choose_story_threshold_and_ties() -> None:
    story = new_profile(QUAKE_A1)
    score = similarity(QUAKE_A2, story)
    assert choose_story(QUAKE_A2, [(1, story)], threshold=score) == 1
    assert choose_story(QUAKE_A2, [(1, story)], threshold=score + 1e-9) is None
    assert choose_story(QUAKE_A2, [(5, story), (2, story)]) == 5  # first of equals


# ── the sample newsroom ──────────────────────────────────────────────────────

ROOM = sorted(load_newsroom().articles, key=lambda a: a.published)
WINDOW = timedelta(hours=72)
# Same event in each outlet's own words (newsroom README, "Story design").
SAME_EVENT = [
    {
        "harbor-street/nvidia-third-quarter-results-beat",
        "circuit-daily/nvidia-data-center-rubin-ramp",
        "ledger-lantern/nvidia-record-quarter-ai-tokens-miners",
    },
    {"ledger-lantern/solana-block-production-halt", "circuit-daily/solana-stall-postmortem"},
]
# Same kind, different events: they must never share a story.
SAME_KIND = [
    (
        "ledger-lantern/korvex-exchange-hot-wallet-drained",
        "ledger-lantern/tidepool-exchange-halts-withdrawals-exploit",
    ),
    (
        "circuit-daily/veridian-semiconductor-cuts-1200-jobs",
        "circuit-daily/brightloom-cloud-cuts-400-jobs",
    ),
    ("harbor-street/gold-jumps-dollar-slides", "harbor-street/gold-tops-5000-central-bank-buying"),
    (
        "circuit-daily/tesla-robotaxi-phoenix-launch",
        "harbor-street/tesla-shares-slide-china-registrations",
    ),
]


def plain(markdown: str) -> str:
    """The article's text as the extractor would give it (markdown-lite marks removed)."""
    return re.sub(r"^(## |- |> )", "", markdown.replace("**", ""), flags=re.MULTILINE)


FEATURES = {a.key: article_features(a.title, plain(a.body), "en") for a in ROOM}


def expected_event(article: Article) -> str:
    """Reposts belong with their origin; the README's same-event originals with each other."""
    key = article.origin.key
    return next((min(group) for group in SAME_EVENT if key in group), key)


def test_newsroom_articles_group_into_the_designed_stories() -> None:
    """Fed in publication order, candidates limited to stories active in the last 72 h."""
    profiles: dict[int, StoryProfile] = {}
    last_seen: dict[int, object] = {}
    story_of: dict[str, int] = {}
    for article in ROOM:
        candidates = [
            (sid, p) for sid, p in profiles.items() if article.published - last_seen[sid] <= WINDOW
        ]
        features = FEATURES[article.key]
        sid = choose_story(features, candidates)
        if sid is None:
            sid = len(profiles)
            profiles[sid] = new_profile(features)
        else:
            profiles[sid] = merge(profiles[sid], features)
        last_seen[sid] = article.published
        story_of[article.key] = sid

    def partition(label: dict[str, object]) -> set[frozenset[str]]:
        groups: dict[object, set[str]] = {}
        for key, value in label.items():
            groups.setdefault(value, set()).add(key)
        return {frozenset(g) for g in groups.values()}

    expected = {a.key: expected_event(a) for a in ROOM}
    assert partition(story_of) == partition(expected)
    nvidia = story_of["harbor-street/nvidia-third-quarter-results-beat"]
    assert sum(1 for sid in story_of.values() if sid == nvidia) == 4  # 3 outlets + 1 repost


def test_every_same_event_pair_outscores_every_same_kind_pair() -> None:
    """Names, amounts and dates decide, not topic words: a margin, not just a threshold.

    Korvex and Tidepool name each other and the same analytics firm; six days apart, the
    72-hour window keeps them apart even though their content scores near the threshold.
    """
    same = [
        similarity(FEATURES[a], new_profile(FEATURES[b]))
        for group in SAME_EVENT
        for a, b in itertools.combinations(sorted(group), 2)
    ]
    kind = {
        pair: similarity(FEATURES[pair[0]], new_profile(FEATURES[pair[1]])) for pair in SAME_KIND
    }
    assert min(same) >= THRESHOLD
    assert max(kind.values()) < min(same)
    for pair, score in kind.items():
        if "korvex" not in pair[0]:
            assert score < THRESHOLD, pair


def test_entity_traps_do_not_link_unrelated_stories() -> None:
    """ "gold medal" in a bond story, "Musk" alone: a topic word or a name is not enough."""
    gold = new_profile(FEATURES["harbor-street/gold-tops-5000-central-bank-buying"])
    yields = FEATURES["harbor-street/treasury-yields-jump-retail-sales"]
    assert similarity(yields, gold) < THRESHOLD / 2
