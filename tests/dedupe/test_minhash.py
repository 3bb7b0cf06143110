"""Shingles, LSH band buckets and the resemblance rule that confirms a copy."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys

import pytest

from tests.support.copies import VOCABULARY, article
from wirebrief.dedupe.minhash import (
    BANDS,
    MIN_CONTAINMENT,
    MIN_JACCARD,
    MIN_SHARED_BANDS,
    MIN_SHINGLES,
    SHINGLE_WORDS,
    Resemblance,
    band_buckets,
    lead_buckets,
    paragraph_shingles,
    resemblance,
    shingles,
    starts_alike,
)


def text(paragraphs: list[str]) -> str:
    """Paragraphs as ``process_text`` takes them."""
    return "\n\n".join(paragraphs)


def shared_bands(a: str, b: str) -> int:
    """How many LSH buckets two texts have in common."""
    return len(set(band_buckets(shingles(a))) & set(band_buckets(shingles(b))))


# ── shingles ──


def test_shingles_are_overlapping_runs_of_five_lower_cased_words() -> None:
    result = shingles("The Harbour council, on Monday, raised ferry tariffs again!")
    assert SHINGLE_WORDS == 5
    assert result == {
        "the harbour council on monday",
        "harbour council on monday raised",
        "council on monday raised ferry",
        "on monday raised ferry tariffs",
        "monday raised ferry tariffs again",
    }


def test_shingles_ignore_spacing_case_and_punctuation() -> None:
    assert shingles("Rates ROSE, again; in May.") == shingles("rates   rose again\n\nin may")


def test_a_text_shorter_than_a_shingle_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("Markets closed early") == {"markets closed early"}
    assert shingles("  ... ") == frozenset()


# ── band buckets ──


def test_band_buckets_are_one_signed_64_bit_value_per_band() -> None:
    buckets = band_buckets(shingles(text(article(1))))
    assert len(buckets) == BANDS
    assert all(-(2**63) <= b < 2**63 for b in buckets)


def test_band_buckets_are_deterministic_across_processes() -> None:
    """The index lives in the database: every worker and every restart must agree."""
    here = band_buckets(shingles(text(article(2))))
    assert band_buckets(shingles(text(article(2)))) == here
    code = (
        "import sys\n"
        "from wirebrief.dedupe.minhash import band_buckets, shingles\n"
        "print(band_buckets(shingles(sys.stdin.read())))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=text(article(2)),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},  # str hashes differ from this process's
    )
    assert other.stdout.strip() == str(here)


def test_band_buckets_of_a_fixed_text_never_change() -> None:
    """Stored ``lsh_bands`` rows are compared with new pages' buckets: a change in how
    buckets are computed would silently stop old articles from matching new copies."""
    words = ("harbour", "council", "ferry", "tariff", "Straße", "café", "minister", "bank")
    words += ("rate", "inflation", "naïve", "zürich", "bitcoin")
    fixed = " ".join(f"{words[i % len(words)]}{i % 7}" for i in range(120))
    buckets = band_buckets(shingles(fixed))
    assert len(shingles(fixed)) == 91
    assert buckets[:2] == [1746717612557655168, -8263241037218214030]
    assert buckets[-1] == -4560821929916485735
    assert hashlib.sha256(repr(buckets).encode()).hexdigest() == (
        "4c3ee18946b3b40448e93d909edbfa55fa7d708114056aba729effa95c231fd0"
    )


def test_the_band_number_is_part_of_the_bucket() -> None:
    """Equal rows in two different bands must not count as a shared bucket."""
    buckets = band_buckets(shingles(text(article(3))))
    assert len(set(buckets)) == len(buckets)


def test_texts_too_short_for_minhash_get_no_buckets() -> None:
    words = " ".join(VOCABULARY[: SHINGLE_WORDS + MIN_SHINGLES - 2])
    assert len(shingles(words)) == MIN_SHINGLES - 1
    assert band_buckets(shingles(words)) == []


def test_a_copy_shares_enough_buckets_to_be_a_candidate_and_an_unrelated_text_does_not() -> None:
    original = article(4)
    trimmed = [*original[:6], "The post Harbour fares appeared first on Orchard Wire."]
    assert shared_bands(text(original), text(trimmed)) >= MIN_SHARED_BANDS
    assert shared_bands(text(original), text(article(5))) < MIN_SHARED_BANDS


# ── resemblance and the copy rule ──


def test_resemblance_is_exact_jaccard_and_containment_of_the_smaller_set() -> None:
    a = frozenset({"1", "2", "3", "4"})
    b = frozenset({"3", "4", "5", "6", "7", "8"})
    score = resemblance(a, b)
    assert score.jaccard == pytest.approx(2 / 8)
    assert score.containment == pytest.approx(2 / 4)
    assert resemblance(a, frozenset()) == Resemblance(0.0, 0.0)


@pytest.mark.parametrize(
    ("jaccard", "containment", "is_copy"),
    [
        (MIN_JACCARD, 0.0, True),
        (0.0, MIN_CONTAINMENT, True),
        (MIN_JACCARD - 0.01, MIN_CONTAINMENT - 0.01, False),
    ],
)
def test_a_copy_needs_jaccard_or_containment_at_its_threshold(
    jaccard: float, containment: float, is_copy: bool
) -> None:
    assert Resemblance(jaccard, containment).is_copy is is_copy


def test_a_trimmed_copy_is_a_copy_by_containment() -> None:
    original = article(6, paragraphs=10)
    trimmed = original[:4]  # a teaser-length excerpt: well under half of the shingles
    score = resemblance(shingles(text(original)), shingles(text(trimmed)))
    assert score.jaccard < MIN_JACCARD
    assert score.containment >= MIN_CONTAINMENT
    assert score.is_copy


def test_an_extended_copy_with_a_tldr_footer_and_chrome_is_a_copy() -> None:
    original = article(7)
    extended = [
        "Share this article",
        "TLDR",
        *(f"• {p.split('.')[0]}" for p in original[:3]),
        *original,
        "The post Harbour fares appeared first on Orchard Wire.",
        "Disclaimer: this is not financial advice. Do your own research before you invest.",
    ]
    assert resemblance(shingles(text(original)), shingles(text(extended))).is_copy


def test_a_reordered_copy_is_a_copy() -> None:
    original = article(8)
    reordered = [original[3], *original[:3], *original[4:6], original[7], original[6]]
    score = resemblance(shingles(text(original)), shingles(text(reordered)))
    assert score.jaccard >= MIN_JACCARD and score.is_copy


def test_paragraph_shingles_never_cross_a_paragraph_break() -> None:
    runs = paragraph_shingles("one two three four five six\n\nseven eight nine\n\n")
    assert runs == {"one two three four five", "two three four five six", "seven eight nine"}
    assert paragraph_shingles("") == frozenset()


def test_short_paragraphs_shuffled_with_lines_between_them_are_a_copy() -> None:
    """An article of short paragraphs, rebuilt by an aggregator: paragraphs in another order,
    a line of its own after every other one. A third of the runs across paragraph breaks
    are lost; each paragraph's own runs are all there."""
    original = article(12, paragraphs=14, words=12)
    rebuilt = random.Random(3).sample(original, len(original))
    for at in range(len(rebuilt) - 1, 0, -2):
        rebuilt.insert(at, "Continue reading below")
    across = resemblance(shingles(text(original)), shingles(text(rebuilt)))
    within = resemblance(paragraph_shingles(text(original)), paragraph_shingles(text(rebuilt)))
    assert not across.is_copy
    assert within.is_copy


def test_articles_sharing_only_a_quote_are_not_copies() -> None:
    quote = article(9, paragraphs=1)[0]
    one = [*article(10, paragraphs=6), quote]
    other = [quote, *article(11, paragraphs=6)]
    for runs in (shingles, paragraph_shingles):
        score = resemblance(runs(text(one)), runs(text(other)))
        assert score.containment > 0
        assert not score.is_copy


# ── teasers: lead buckets and the opening ──


def test_lead_buckets_come_from_the_first_two_long_paragraphs_only() -> None:
    paragraphs = article(20, paragraphs=4, words=48)
    buckets = lead_buckets(text(["Home › News", "Share this article", *paragraphs]))
    assert len(buckets) == 2 * 6  # six windows of eight words in each of two paragraphs
    assert buckets == lead_buckets(text(paragraphs[:2]))  # short chrome lines skipped
    assert not set(buckets) & set(band_buckets(shingles(text(paragraphs))))


def test_a_teaser_and_its_article_start_alike_and_share_lead_buckets() -> None:
    full = article(21)
    chrome = article(99, paragraphs=2)  # the copier's long disclaimer lines under the teaser
    teaser = text(["Home › News", *full[:2], "Continue reading at the Courier …", *chrome])
    assert starts_alike(teaser, text(full)) and starts_alike(text(full), teaser)
    assert len(set(lead_buckets(teaser)) & set(lead_buckets(text(full)))) >= MIN_SHARED_BANDS
    assert not resemblance(shingles(teaser), shingles(text(full))).is_copy
    assert shared_bands(teaser, text(full)) < MIN_SHARED_BANDS  # the bands alone miss it


def test_texts_that_share_a_later_paragraph_do_not_start_alike() -> None:
    a, b = article(22), article(23)
    assert not starts_alike(text(a), text([b[0], a[3], a[4]]))
    assert not starts_alike(text(a[:1]), text(a))  # one paragraph of 40 words: too little


def test_an_opening_found_deep_inside_another_article_is_not_a_shared_opening() -> None:
    """Two sentences one article opens with, quoted further down another one."""
    shared = article(27, paragraphs=2)
    opens_with = [*shared, *article(28, paragraphs=2)]
    quotes = [*article(29, paragraphs=4), *shared, *article(30, paragraphs=4)]
    assert not starts_alike(text(opens_with), text(quotes))
    assert starts_alike(text(opens_with), text([*shared, *article(30, paragraphs=6)]))


def test_a_page_of_short_lines_does_not_open_like_another_by_its_site_disclaimers() -> None:
    """A standings table: short lines, and the site's two long disclaimer paragraphs, which
    another page of the site carries near its top."""
    disclaimers = article(98, paragraphs=2, words=30)
    table = [f"{rank} Driver {rank} {rank * 37} 0 1" for rank in range(1, 61)]
    other = [*article(50, paragraphs=1), *disclaimers, *article(51, paragraphs=6)]
    assert not starts_alike(text([*table, *disclaimers]), text(other))


def test_a_shared_boilerplate_intro_is_not_a_shared_opening() -> None:
    intro = article(24, paragraphs=2, words=30)  # 60 words every page of a site opens with
    a, b = article(25, paragraphs=10), article(26, paragraphs=10)
    assert not starts_alike(text([*intro, *a]), text([*intro, *b]))
