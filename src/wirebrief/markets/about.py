"""About or in passing: which of an article's linked assets it is *about*.

An article is about an asset when a reader who follows the asset would want it in the
asset's feed: the asset is a subject of the headline or the lead, or the article discusses
it (several mentions, its own price move, sentences of its own). Everything else it names
is a *mention*: a rival for comparison, a customer or supplier, background, one line on
other markets at the end of a round-up.

The decision is a logistic model over a few facts of each linked asset's mentions
(:data:`FEATURES`). Its weights and threshold are fitted on
``benchmarks/data/asset_linking.jsonl`` by ``python benchmarks/asset_linking.py --fit``,
which chooses the threshold by cross-validation, and stored in ``data/about_model.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wirebrief.markets.registry import DATA_DIR
from wirebrief.markets.types import LinkRole

MODEL_PATH = DATA_DIR / "about_model.json"
LEAD_SENTENCES = 3  # the lead: the first paragraph's first three sentences at most
WEAK_KINDS = frozenset({"role", "product"})  # "Tesla CEO Elon Musk", "a 2012 Ford F-150"

# What the model reads of one linked asset, in this order.
FEATURES = (
    "title",  # named in the headline
    "title_first",  # the first asset the headline names
    "first_sentence",  # named in the text's first sentence
    "lead",  # named in the lead
    "mentions",  # log(1 + mentions in the text)
    "market",  # log(1 + mentions with a price or market words beside them)
    "moves",  # log(1 + mentions followed by its own move: "Nvidia rose 2.6%")
    "own_words",  # log(1 + words of the sentences that name it and no other asset)
    "passing",  # share of its mentions in passing: "rivals such as", "including", roles
    "share",  # its share of the article's weighted mentions of all assets
    "position",  # where it is first named: 0 the headline or start, 1 the end
    "assets",  # log(number of assets the article links)
)


@dataclass(frozen=True)
class MentionFacts:
    """One counted mention of an asset, as the model sees it."""

    field: str  # "title" or "text"
    start: int
    kind: str  # a key of linker.WEIGHTS
    sentence: int  # index of its sentence in its field
    paragraph: int  # index of its paragraph in its field
    market: bool  # a price or market words beside it
    move: bool  # followed by a move of its own: "Nvidia rose 2.6%"
    passing: bool  # after "such as", "including", "rivals", "unlike", …


def features(
    mentions: Sequence[MentionFacts],
    *,
    share: float,
    title_first: bool,
    own_words: int,
    text_length: int,
    assets: int,
) -> tuple[float, ...]:
    """The model's input for one linked asset (see :data:`FEATURES`)."""
    strong = [m for m in mentions if m.kind not in WEAK_KINDS]
    body = [m for m in strong if m.field == "text"]
    in_title = any(m.field == "title" for m in strong)
    if in_title:
        position = 0.0
    elif body:
        position = min(m.start for m in body) / max(1, text_length)
    else:
        position = 1.0
    return (
        float(in_title),
        float(title_first),
        float(any(m.sentence == 0 for m in body)),
        float(any(m.paragraph == 0 and m.sentence < LEAD_SENTENCES for m in body)),
        math.log1p(len(body)),
        math.log1p(sum(m.market for m in body)),
        math.log1p(sum(m.move for m in body)),
        math.log1p(own_words),
        sum(m.passing or m.kind in WEAK_KINDS for m in mentions) / max(1, len(mentions)),
        share,
        position,
        math.log(max(1, assets)),
    )


@dataclass(frozen=True)
class AboutModel:
    """Logistic weights over :data:`FEATURES` and the probability from which a link is
    *about*."""

    weights: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, values: Sequence[float]) -> float:
        """How likely an asset with these feature values is one the article is about."""
        z = self.intercept + sum(w * x for w, x in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def role(self, probability: float) -> LinkRole:
        return LinkRole.ABOUT if probability >= self.threshold else LinkRole.MENTION

    def score(self, probability: float) -> float:
        """The probability to three places, strictly inside (0, 1), with every mention
        below every asset an article is about however the rounding falls."""
        # the lowest score of an about link, leaving room for mentions below it
        floor = min(0.999, max(0.002, math.ceil(self.threshold * 1000) / 1000))
        value = round(probability, 3)
        if self.role(probability) is LinkRole.ABOUT:
            return min(0.999, max(value, floor))
        return max(0.001, min(value, floor - 0.001))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> AboutModel:
        """The stored model; its features must be those of this version."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if set(data["weights"]) != set(FEATURES):
            raise ValueError(f"{path} was fitted on other features; refit it")
        weights = tuple(float(data["weights"][name]) for name in FEATURES)
        return cls(weights, float(data["intercept"]), float(data["threshold"]))

    def save(self, path: Path, notes: dict[str, object]) -> None:
        """Write the model with how it was fitted (``notes``), for :meth:`load`."""
        data = {
            "weights": {name: round(w, 6) for name, w in zip(FEATURES, self.weights, strict=True)},
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 6),
            **notes,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
