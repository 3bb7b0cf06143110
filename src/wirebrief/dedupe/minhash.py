"""Word shingles, MinHash signatures and LSH band buckets for finding near-copies.

The index is not kept in memory: each article's band buckets are rows of the
``lsh_bands`` table, so it survives restarts and every worker process shares it.
Articles that share at least ``MIN_SHARED_BANDS`` buckets are candidates, and a
candidate is a copy only if the exact shingle sets say so (:func:`is_copy`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import methodcaller

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 64
ROWS = NUM_PERM // BANDS  # 2 rows: pairs with Jaccard 0.3 share about 6 of 64 bands
MIN_SHARED_BANDS = 3
MIN_SHINGLES = 8  # shorter texts are matched by exact hash only
SEED = 20261126

# A copy: most of the smaller text is inside the larger one (a trimmed or extended repost),
# or the two are mostly the same text.
MIN_CONTAINMENT = 0.8
MIN_JACCARD = 0.5
# A teaser (the first paragraphs and a link to the rest) shares too little of its article
# for the bands to find it or for the shingle sets to confirm it. What it keeps is the
# start: every article also files buckets for word windows of its first long paragraphs
# (``lead_buckets``), and a candidate is a copy when one text starts with the other's
# first long paragraphs (``starts_alike``). Chrome lines are short, so they are skipped.
LEAD_PARAGRAPHS = 2
LEAD_MIN_WORDS = 25  # a paragraph of prose, not a menu, share line or headline
LEAD_WINDOW_WORDS = 8
LEAD_WINDOWS = 6  # per paragraph: three shared windows make a candidate (MIN_SHARED_BANDS)
TEASER_MIN_WORDS = 50  # at least this much shared lead, as MIN_WORDS_FOR_HASH_MATCH asks
TEASER_MIN_SHARE = 1 / 4  # of the shorter text's long paragraphs: a shared boilerplate
# intro is a small part of an article; a teaser's opening is most of it, chrome aside
OPENING_SLACK = 1
_PARAGRAPH_CONTAINED = 0.9  # of a lead paragraph's shingles found in the other text

_WORD = re.compile(r"\w+", re.UNICODE)
# datasketch draws the permutations for every new MinHash; they depend only on the seed,
# so they are drawn once and each page copies this empty one. Its values arrive hashed.
_EMPTY = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
_BAND_PREFIXES = [band.to_bytes(2, "big") for band in range(BANDS)]
_digest = methodcaller("digest")


def shingles(text: str) -> frozenset[str]:
    """Overlapping runs of ``SHINGLE_WORDS`` lower-cased words."""
    return frozenset(_runs(_WORD.findall(text.casefold())))


def paragraph_shingles(text: str) -> frozenset[str]:
    """``shingles`` of each paragraph (blank-line separated) on its own: what a copy keeps
    when it reorders paragraphs or puts lines of its own between them. Runs that cross a
    paragraph break are a third of the runs of an article of short paragraphs, and no such
    copy shares them. The band buckets stay on ``shingles``: stored articles' buckets keep
    matching."""
    runs: set[str] = set()
    for paragraph in text.casefold().split("\n\n"):
        runs.update(_runs(_WORD.findall(paragraph)))
    return frozenset(runs)


def _runs(words: list[str]) -> Iterable[str]:
    """The ``SHINGLE_WORDS``-word runs of ``words`` (all of them joined, if fewer)."""
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words)] if words else []
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # stops at the end
    return map(" ".join, runs)


def band_buckets(shingle_set: frozenset[str]) -> list[int]:
    """One signed 64-bit bucket per band (the band number is part of the bucket)."""
    if len(shingle_set) < MIN_SHINGLES:
        return []
    minhash = _EMPTY.copy()
    minhash.update_batch(_sha1_32(shingle_set))
    rows = np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()
    size = len(rows) // BANDS
    digests = b"".join(
        hashlib.blake2b(prefix + rows[band * size : (band + 1) * size], digest_size=8).digest()
        for band, prefix in enumerate(_BAND_PREFIXES)
    )
    return np.frombuffer(digests, dtype=">i8").tolist()


def lead_buckets(text: str) -> list[int]:
    """One signed 64-bit bucket per word window of the text's first long paragraphs."""
    buckets = []
    for words in islice(_long_paragraphs(text), LEAD_PARAGRAPHS):
        for start in range(0, LEAD_WINDOWS * LEAD_WINDOW_WORDS, LEAD_WINDOW_WORDS):
            window = words[start : start + LEAD_WINDOW_WORDS]
            if len(window) < LEAD_WINDOW_WORDS:
                break
            digest = hashlib.blake2b(b"lead " + " ".join(window).encode(), digest_size=8)
            buckets.append(int.from_bytes(digest.digest(), "big", signed=True))
    return list(dict.fromkeys(buckets))  # a window repeated must not count twice


def starts_alike(a: str, b: str) -> bool:
    """One text opens with the other's first long paragraphs (a teaser and its article):
    the shorter one's first long paragraph and those right after it are inside the longer
    one's opening, at least ``TEASER_MIN_WORDS`` words and ``TEASER_MIN_SHARE`` of all its
    words.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    every = [_WORD.findall(p) for p in short.casefold().split("\n\n")]
    paragraphs = [words for words in every if len(words) >= LEAD_MIN_WORDS]
    # A teaser keeps the start of its article: the shared paragraphs must be the longer
    # text's first ones (one more allowed: a lede or TLDR line its copier put first). Two
    # articles that share a few sentences further in do not start alike.
    opening = islice(_long_paragraphs(long), len(paragraphs) + OPENING_SLACK)
    inside = frozenset().union(*(shingles(" ".join(words)) for words in opening))
    covered = 0
    for words in paragraphs:
        runs = shingles(" ".join(words))
        if len(runs & inside) < _PARAGRAPH_CONTAINED * len(runs):
            break
        covered += len(words)
    # Of all its words, not only its long paragraphs': a page of short lines (a table)
    # whose only long paragraphs are its site's disclaimers does not open like another
    # page of that site.
    total = sum(map(len, every))
    return covered >= TEASER_MIN_WORDS and covered >= TEASER_MIN_SHARE * total


def _long_paragraphs(text: str) -> Iterator[list[str]]:
    """The words of each paragraph (blank-line separated) of at least ``LEAD_MIN_WORDS``,
    read as they are asked for (an opening needs only the first few)."""
    paragraphs = (_WORD.findall(p) for p in text.casefold().split("\n\n"))
    return (words for words in paragraphs if len(words) >= LEAD_MIN_WORDS)


def _sha1_32(values: Iterable[str]) -> list[int]:
    """datasketch's default hash (``sha1_hash32``: the first 4 bytes of SHA-1, little-endian),
    computed for all values in one pass instead of one Python call each."""
    joined = b"".join(map(_digest, map(hashlib.sha1, map(str.encode, values))))
    return np.frombuffer(joined, dtype="<u4").reshape(-1, 5)[:, 0].tolist()


@dataclass(frozen=True)
class Resemblance:
    """How much two texts share."""

    jaccard: float
    containment: float  # of the smaller text in the larger

    @property
    def is_copy(self) -> bool:
        """The same article, give or take footers, a headline, a TLDR or a few paragraphs."""
        return self.containment >= MIN_CONTAINMENT or self.jaccard >= MIN_JACCARD


def resemblance(a: frozenset[str], b: frozenset[str]) -> Resemblance:
    """Exact Jaccard and containment of two shingle sets."""
    if not a or not b:
        return Resemblance(0.0, 0.0)
    common = len(a & b)
    return Resemblance(common / len(a | b), common / min(len(a), len(b)))
