"""Word shingles, MinHash signatures and LSH band buckets for finding near-copies.

The index is not kept in memory: each article's band buckets are rows of the
``lsh_bands`` table, so it survives restarts and every worker process shares it.
Articles that share at least ``MIN_SHARED_BANDS`` buckets are candidates, and a
candidate is a copy only if the exact shingle sets say so (:func:`is_copy`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> frozenset[str]:
    """Overlapping runs of ``SHINGLE_WORDS`` lower-cased words."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    )


def band_buckets(shingle_set: frozenset[str]) -> list[int]:
    """One signed 64-bit bucket per band (the band number is part of the bucket)."""
    if len(shingle_set) < MIN_SHINGLES:
        return []
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode() for s in shingle_set])
    rows = np.asarray(minhash.hashvalues, dtype=np.uint64).reshape(BANDS, ROWS)
    return [
        int.from_bytes(
            hashlib.blake2b(band.to_bytes(2, "big") + row.tobytes(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for band, row in enumerate(rows)
    ]


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
