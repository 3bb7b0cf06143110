"""Asset linking: Wirebrief's linker against a naive "any alias matches" baseline, and
which linked assets an article is *about* (cross-validated).

The labelled set is ``benchmarks/data/asset_linking.jsonl``, written for this benchmark in
the style of crypto, markets and tech news: headlines and short paragraphs, and longer
articles about one company, coin, commodity or index that name others in passing (the
categories ``long`` and ``roundup``). Each example lists

- ``assets``: every asset the text refers to itself (the company, coin, commodity or
  index, even in passing; ``[]`` for hard negatives: ordinary words that are also names or
  tickers, people without their company, a company named only to place a person);
- ``about``: those a reader who follows the asset would want in its feed: a subject of the
  headline or lead, or given news of its own in the body (several sentences, or its own
  price move with its cause). The others are *mentions*: a rival or peer for comparison, a
  customer, supplier or investor, background, a descriptor ("the bitcoin miner"), a line
  on other markets at the end of a round-up.
- ``topic``: the event or company it covers; cross-validation keeps a topic in one fold.

The baseline links every alias of the same registry wherever it appears as a whole word:
names in any case, tickers in capitals (or as cashtags). Both run in the same process on
the same texts. Throughput (texts linked per second) is measured on the labelled set and
on real long texts: the U.S. DOJ press releases in ``../shared/data/public-news/`` (read in
place when present), which are not about markets, so their link rate is also a rough
false-positive signal.

*About* is decided by a logistic model over facts of each linked asset's mentions
(``wirebrief.markets.about``). Its weights and threshold are never scored on the examples
they were fitted on: the set is split into folds by topic (five folds, stratified by
category, ten shuffles); on each training part the weights are fitted, the threshold that
maximises F1 is chosen on inner cross-validated probabilities (five folds by topic), and
the held-out fold is scored. The same is reported for a second rule, the best recall at
an inner precision of 0.95 or more. ``--fit`` fits the shipped model the same way (F1) on
the whole set and writes ``src/wirebrief/markets/data/about_model.json``. The fits run on
one thread (many small fits; more threads only contend).

    python benchmarks/asset_linking.py [--errors] [--releases 2000] [--fit] [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ahocorasick
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from threadpoolctl import threadpool_limits

from wirebrief.markets.about import FEATURES, MODEL_PATH, AboutModel
from wirebrief.markets.linker import Candidate, Linker
from wirebrief.markets.registry import Registry, builtin_assets

HERE = Path(__file__).resolve().parent
DATASET = HERE / "data" / "asset_linking.jsonl"
SHARED_DATA = (HERE.parent / ".." / "shared" / "data").resolve()
RELEASES = Path("public-news") / "doj-press-releases" / "releases_2015-2018.jsonl.gz"
LONG = ("long", "roundup")  # the categories of longer articles
FOLDS, REPEATS, INNER_FOLDS = 5, 10, 5
TARGET_PRECISION = 0.95  # of "about": a wrong asset under a story is worse than none
CRITERIA = ("f1", "precision")  # the first is shipped

Link = Callable[[str, str], set[str]]


class NaiveLinker:
    """Any alias that appears as a whole word links its asset."""

    def __init__(self, registry: Registry) -> None:
        self.names = ahocorasick.Automaton()
        keys: dict[str, set[str]] = defaultdict(set)
        self.tickers: dict[str, str] = {}
        for spec in registry:
            self.tickers[spec.symbol] = spec.symbol
            for alias in (*spec.aliases, *spec.ambiguous):
                keys[alias.lower()].add(spec.symbol)
        for key, symbols in keys.items():
            self.names.add_word(key, (key, symbols))
        self.names.make_automaton()

    def __call__(self, title: str, text: str) -> set[str]:
        found: set[str] = set()
        for content in (title, text):
            lowered = content.lower()
            for end, (key, symbols) in self.names.iter(lowered):
                start = end - len(key) + 1
                before = lowered[start - 1] if start else " "
                after = lowered[end + 1] if end + 1 < len(lowered) else " "
                if not before.isalnum() and not after.isalnum():
                    found |= symbols
            for token in re.findall(r"\$?\b[A-Za-z][A-Za-z0-9.]*\b", content):
                symbol = token.lstrip("$")
                symbol = symbol.upper() if token.startswith("$") else symbol
                if symbol in self.tickers:
                    found.add(symbol)
        return found


def load(path: Path) -> list[dict]:
    """The labelled examples."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(examples: list[dict], link: Link, key: str = "assets") -> dict:
    """Micro precision, recall and F1 over (example, asset) pairs against the gold ``key``
    (``assets`` or ``about``), and the mistakes."""
    tp = fp = fn = 0
    mistakes: list[tuple[dict, set[str], set[str]]] = []
    by_category: dict[str, Counter] = defaultdict(Counter)
    for example in examples:
        gold = set(example[key])
        found = link(example["title"], example["text"])
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
        by_category[example["category"]].update(fp=len(found - gold), fn=len(gold - found))
        if found != gold:
            mistakes.append((example, found - gold, gold - found))
    precision, recall, f1 = prf(tp, fp, fn)
    return {
        "precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
        "mistakes": mistakes, "by_category": by_category,
    }  # fmt: skip


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (1.0 where nothing was to be found)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# ── about or mention: the model, cross-validated ──


@dataclass(frozen=True)
class Linked:
    """One example's linked assets with the about model's input."""

    example: dict
    candidates: list[Candidate]

    @property
    def gold(self) -> set[str]:
        return set(self.example["about"])

    def labels(self) -> list[int]:
        return [int(c.spec.symbol in self.gold) for c in self.candidates]


def about_counts(items: Sequence[Linked], model: AboutModel) -> tuple[int, int, int]:
    """TP, FP and FN of *about* pairs when ``model`` judges the linked assets (a gold
    *about* asset that is not linked at all is a miss too)."""
    tp = fp = fn = 0
    for item in items:
        found = {
            c.spec.symbol
            for c in item.candidates
            if model.probability(c.features) >= model.threshold
        }
        tp += len(found & item.gold)
        fp += len(found - item.gold)
        fn += len(item.gold - found)
    return tp, fp, fn


def _matrix(items: Sequence[Linked]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [
        (candidate.features, label, item.example["topic"])
        for item in items
        for candidate, label in zip(item.candidates, item.labels(), strict=True)
    ]
    x = np.array([row[0] for row in rows], dtype=float)
    return x, np.array([row[1] for row in rows]), np.array([row[2] for row in rows])


def _weights(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], float]:
    regression = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    return tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0])


def fit(items: Sequence[Linked], criterion: str = CRITERIA[0]) -> AboutModel:
    """Weights fitted on ``items``; the threshold chosen on their inner cross-validated
    probabilities (folds by topic), never on the probabilities of the examples the weights
    were fitted on. ``criterion``: ``precision`` takes the threshold with the best recall
    among those with precision >= TARGET_PRECISION (else the most precise), ``f1`` the one
    with the best F1."""
    x, y, topics = _matrix(items)
    inner = np.zeros(len(y))
    folds = min(INNER_FOLDS, len(set(topics)))
    for train, test in GroupKFold(n_splits=folds).split(x, y, topics):
        weights, intercept = _weights(x[train], y[train])
        inner[test] = [AboutModel(weights, intercept, 0.5).probability(row) for row in x[test]]
    missed = sum(len(item.gold - {c.spec.symbol for c in item.candidates}) for item in items)
    scored = []
    for candidate in sorted(set(np.round(inner, 4))):
        chosen = inner >= candidate
        tp = int(np.sum(chosen & (y == 1)))
        fp = int(np.sum(chosen & (y == 0)))
        fn = int(np.sum(~chosen & (y == 1))) + missed
        scored.append((prf(tp, fp, fn), float(candidate)))
    if criterion == "f1":
        threshold = max(scored, key=lambda item: item[0][2])[1]
    else:
        precise = [item for item in scored if item[0][0] >= TARGET_PRECISION]
        best = max(precise or scored, key=lambda item: item[0][1] if precise else item[0][0])
        threshold = best[1]
    weights, intercept = _weights(x, y)
    return AboutModel(weights, intercept, threshold)


@dataclass
class HeldOut:
    """Held-out precision and recall of *about*: per fold, and pooled per shuffle."""

    folds: list[tuple[float, float]]
    pooled: list[tuple[float, float, float]]
    thresholds: list[float]

    def line(self) -> str:
        p_fold = [p for p, _ in self.folds]
        r_fold = [r for _, r in self.folds]
        p_pool = [p for p, _, _ in self.pooled]
        r_pool = [r for _, r, _ in self.pooled]
        return (
            f"precision {statistics.mean(p_pool):.3f} ± {statistics.stdev(p_pool):.3f} "
            f"(folds {statistics.mean(p_fold):.3f} ± {statistics.stdev(p_fold):.3f}, "
            f"min {min(p_fold):.3f}), recall {statistics.mean(r_pool):.3f} ± "
            f"{statistics.stdev(r_pool):.3f} (folds {statistics.mean(r_fold):.3f} ± "
            f"{statistics.stdev(r_fold):.3f}, min {min(r_fold):.3f})"
        )


def cross_validate(items: Sequence[Linked], criterion: str) -> dict[str, HeldOut]:
    """Held-out about scores over all examples and over the longer articles alone."""
    results = {name: HeldOut([], [], []) for name in ("all", "long")}
    categories = [item.example["category"] in LONG for item in items]
    topics = [item.example["topic"] for item in items]
    for repeat in range(REPEATS):
        splitter = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=repeat)
        pooled: dict[str, Counter[str]] = {name: Counter() for name in results}
        for train, test in splitter.split(items, categories, topics):
            model = fit([items[i] for i in train], criterion)
            for name, held in results.items():
                part = [items[i] for i in test if name == "all" or categories[i]]
                tp, fp, fn = about_counts(part, model)
                held.folds.append(prf(tp, fp, fn)[:2])
                pooled[name].update(tp=tp, fp=fp, fn=fn)
            results["all"].thresholds.append(model.threshold)
        for name, held in results.items():
            counts = pooled[name]
            held.pooled.append(prf(counts["tp"], counts["fp"], counts["fn"]))
    return results


def about_baseline(items: Sequence[Linked]) -> dict[str, tuple[float, float, float]]:
    """No model: "about" when named in the headline or lead, and when linked at all."""
    rules = {
        "headline or lead": lambda c: (
            c.features[FEATURES.index("title")] or c.features[FEATURES.index("lead")]
        ),
        "every link (before)": lambda c: True,
    }
    out = {}
    for name, rule in rules.items():
        tp = fp = fn = 0
        for item in items:
            found = {c.spec.symbol for c in item.candidates if rule(c)}
            tp += len(found & item.gold)
            fp += len(found - item.gold)
            fn += len(item.gold - found)
        out[name] = prf(tp, fp, fn)
    return out


def throughput(texts: list[tuple[str, str]], link: Link, rounds: int = 3) -> float:
    """Texts linked per second (best of ``rounds``)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for title, text in texts:
            link(title, text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def releases(limit: int, data: Path) -> list[tuple[str, str]]:
    """Title and text of the first ``limit`` DOJ press releases, when the data is there."""
    path = data / RELEASES
    if not path.exists() or limit <= 0:
        return []
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append((record["title"], record["text"]))
            if len(texts) >= limit:
                break
    return texts


def link_rate(texts: Iterable[tuple[str, str]], link: Link) -> float:
    """Share of texts with at least one link."""
    items = list(texts)
    return sum(bool(link(title, text)) for title, text in items) / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="Print every mistake.")
    parser.add_argument("--releases", type=int, default=2000, help="DOJ releases to link.")
    parser.add_argument(
        "--data", type=Path, default=SHARED_DATA, help="The shared data folder (../shared/data)."
    )
    parser.add_argument(
        "--fit", action="store_true", help=f"Fit the shipped about model and write {MODEL_PATH}."
    )
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        run(args)


def run(args: argparse.Namespace) -> None:
    """The benchmark, as ``main`` parsed it."""
    registry = Registry(builtin_assets())
    linker = Linker(registry)
    examples = load(DATASET)
    items = [Linked(e, linker.candidates(e["title"], e["text"])) for e in examples]
    if args.fit:
        model = fit(items)
        notes = {"fitted": date.today().isoformat(), "examples": len(examples),
                 "linked_assets": sum(len(item.candidates) for item in items)}  # fmt: skip
        model.save(MODEL_PATH, notes)
        print(f"wrote {MODEL_PATH}: threshold {model.threshold:.3f}")
        for name, weight in zip(FEATURES, model.weights, strict=True):
            print(f"  {name:<15}{weight:+.3f}")
        print(f"  {'intercept':<15}{model.intercept:+.3f}")
        linker = Linker(registry)  # reads the new model
    contenders: dict[str, Link] = {
        "wirebrief": lambda title, text: {x.symbol for x in linker.link(title, text)},
        "naive (any alias)": NaiveLinker(registry),
    }
    labelled = [(e["title"], e["text"]) for e in examples]
    long_texts = releases(args.releases, args.data)
    words = sum(len(text.split()) for _, text in long_texts) / max(1, len(long_texts))
    counts = Counter(e["category"] for e in examples)
    print(f"{len(examples)} labelled examples ({len(registry)} assets): {dict(counts)}")
    print(f"{sum(len(e['assets']) for e in examples)} gold links, "
          f"{sum(len(e['about']) for e in examples)} of them about; "
          f"{sum(not e['assets'] for e in examples)} examples with none\n")  # fmt: skip
    print("every link (about and mentions):")
    header = f"{'linker':<20}{'precision':>10}{'recall':>8}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}"
    header += f"{'texts/s (set)':>15}"
    if long_texts:
        header += f"{'texts/s (DOJ)':>15}{'DOJ linked':>12}"
    print(header)
    results = {}
    for name, link in contenders.items():
        result = results[name] = score(examples, link)
        row = (
            f"{name:<20}{result['precision']:>10.3f}{result['recall']:>8.3f}{result['f1']:>7.3f}"
            f"{result['tp']:>5}{result['fp']:>5}{result['fn']:>5}"
            f"{throughput(labelled, link):>15,.0f}"
        )
        if long_texts:
            row += f"{throughput(long_texts, link):>15,.0f}{link_rate(long_texts, link):>12.1%}"
        print(row)
    longer = [e for e in examples if e["category"] in LONG]
    for name, link in contenders.items():
        result = score(longer, link)
        print(f"  {name} on the {len(longer)} longer articles: precision "
              f"{result['precision']:.3f}, recall {result['recall']:.3f}")  # fmt: skip
    if long_texts:
        print(f"\nDOJ: {len(long_texts)} press releases, {words:.0f} words on average "
              "(not about markets: 'DOJ linked' is the share with any link)")  # fmt: skip
        about_rate = link_rate(
            long_texts, lambda t, x: {a.symbol for a in linker.link(t, x) if a.is_about}
        )
        print(f"DOJ releases about an asset (wirebrief): {about_rate:.1%}")

    print("\nabout, held out (folds by topic; mean ± sd over 10 shuffles, and over 50 folds):")
    for criterion in CRITERIA:
        held = cross_validate(items, criterion)
        print(f" threshold for {criterion}" + " (shipped)" * (criterion == CRITERIA[0]))
        for name, label in (("all", "all examples"), ("long", "longer articles")):
            print(f"  {label:<16}{held[name].line()}")
        thresholds = held["all"].thresholds
        print(f"  thresholds chosen on the training folds: {min(thresholds):.3f}–"
              f"{max(thresholds):.3f} (median {statistics.median(thresholds):.3f})")  # fmt: skip
    print("\nabout, rules without a model (whole set, nothing fitted):")
    for subset, part in (("all examples", items), ("longer articles",
                         [i for i in items if i.example["category"] in LONG])):  # fmt: skip
        for name, (p, r, f1) in about_baseline(part).items():
            print(f"  {subset:<16}{name:<22}precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f}")

    print("\nmistakes by category (false positives / false negatives):")
    for name, result in results.items():
        parts = [f"{c} {v['fp']}/{v['fn']}" for c, v in sorted(result["by_category"].items())]
        print(f"  {name}: " + ", ".join(parts))
    if args.errors:
        for name, result in results.items():
            print(f"\n{name}: {len(result['mistakes'])} examples with a mistake")
            for example, extra, missed in result["mistakes"]:
                shown = (example["title"] + " | " + example["text"]).strip(" |")[:110]
                print(f"  #{example['id']} +{sorted(extra)} -{sorted(missed)}  {shown}")
        about = score(
            examples, lambda t, x: {a.symbol for a in linker.link(t, x) if a.is_about}, "about"
        )
        print(f"\nabout (shipped model, on the set it was fitted on): "
              f"{len(about['mistakes'])} examples with a mistake")  # fmt: skip
        for example, extra, missed in about["mistakes"]:
            shown = (example["title"] + " | " + example["text"]).strip(" |")[:90]
            print(
                f"  #{example['id']} {example['topic']} +{sorted(extra)} -{sorted(missed)}  {shown}"
            )


if __name__ == "__main__":
    main()
