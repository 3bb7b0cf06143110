"""Word shingles, MinHash signatures and LSH band buckets for finding near-copies.

The index is not kept in memory: each article's band buckets are rows of the
``lsh_bands`` table, so it survives restarts and every worker process shares it.
Articles that share at least ``MIN_SHARED_BANDS`` buckets are candidates, and a
candidate is a copy only if the exact shingle sets say so (:func:`is_copy`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
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
_PARAGRAPH_CONTAINED = 0.9  # of a lead paragraph's shingles found in the other text

_WORD = re.compile(r"\w+", re.UNICODE)
# datasketch draws the permutations for every new MinHash; they depend only on the seed,
# so they are drawn once and each page copies this empty one. Its values arrive hashed.
_EMPTY = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
_BAND_PREFIXES = [band.to_bytes(2, "big") for band in range(BANDS)]
_digest = methodcaller("digest")


def shingles(text: str) -> frozenset[str]:
    """Overlapping runs of ``SHINGLE_WORDS`` lower-cased words."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # stops at the end
    return frozenset(map(" ".join, runs))


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
    for words in _long_paragraphs(text)[:LEAD_PARAGRAPHS]:
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
    one, at least ``TEASER_MIN_WORDS`` words and ``TEASER_MIN_SHARE`` of its long ones.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    inside = shingles(long)
    paragraphs = _long_paragraphs(short)
    covered = 0
    for words in paragraphs:
        runs = shingles(" ".join(words))
        if len(runs & inside) < _PARAGRAPH_CONTAINED * len(runs):
            break
        covered += len(words)
    total = sum(len(words) for words in paragraphs)
    return covered >= TEASER_MIN_WORDS and covered >= TEASER_MIN_SHARE * total


def _long_paragraphs(text: str) -> list[list[str]]:
    """The words of each paragraph (blank-line separated) of at least ``LEAD_MIN_WORDS``."""
    paragraphs = (_WORD.findall(p.casefold()) for p in text.split("\n\n"))
    return [words for words in paragraphs if len(words) >= LEAD_MIN_WORDS]


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
