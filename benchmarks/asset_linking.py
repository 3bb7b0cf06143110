"""Asset linking: Wirebrief's linker against a naive "any alias matches" baseline.

The labelled set is ``benchmarks/data/asset_linking.jsonl``: headlines and paragraphs
written for this benchmark in the style of crypto, markets and tech news, each with the
assets it is about (``[]`` for hard negatives: ordinary words that are also names or
tickers, people without their company, a company named only to place a person). An
article is "about" an asset when it refers to the company, coin, commodity or index
itself, even in passing.

The baseline links every alias of the same registry wherever it appears as a whole word:
names in any case, tickers in capitals (or as cashtags). Both run in the same process on
the same texts. Throughput (texts linked per second) is measured on the labelled set and
on real long texts: the U.S. DOJ press releases in ``../shared/data/public-news/`` (read in
place when present), which are not about markets, so their link rate is also a rough
false-positive signal.

    python benchmarks/asset_linking.py [--errors] [--releases 2000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import ahocorasick

from wirebrief.markets.linker import Linker
from wirebrief.markets.registry import Registry, builtin_assets

HERE = Path(__file__).resolve().parent
DATASET = HERE / "data" / "asset_linking.jsonl"
RELEASES = (
    HERE.parent / ".." / "shared" / "data" / "public-news" / "doj-press-releases"
).resolve() / "releases_2015-2018.jsonl.gz"

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


def score(examples: list[dict], link: Link) -> dict:
    """Micro precision, recall and F1 over (example, asset) pairs, and the mistakes."""
    tp = fp = fn = 0
    mistakes: list[tuple[dict, set[str], set[str]]] = []
    by_category: dict[str, Counter] = defaultdict(Counter)
    for example in examples:
        gold = set(example["assets"])
        found = link(example["title"], example["text"])
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
        by_category[example["category"]].update(fp=len(found - gold), fn=len(gold - found))
        if found != gold:
            mistakes.append((example, found - gold, gold - found))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
        "mistakes": mistakes, "by_category": by_category,
    }  # fmt: skip


def throughput(texts: list[tuple[str, str]], link: Link, rounds: int = 3) -> float:
    """Texts linked per second (best of ``rounds``)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for title, text in texts:
            link(title, text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def releases(limit: int) -> list[tuple[str, str]]:
    """Title and text of the first ``limit`` DOJ press releases, when the data is there."""
    if not RELEASES.exists() or limit <= 0:
        return []
    texts = []
    with gzip.open(RELEASES, "rt", encoding="utf-8") as handle:
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
    args = parser.parse_args()

    registry = Registry(builtin_assets())
    linker = Linker(registry)
    contenders: dict[str, Link] = {
        "wirebrief": lambda title, text: {x.symbol for x in linker.link(title, text)},
        "naive (any alias)": NaiveLinker(registry),
    }
    examples = load(DATASET)
    labelled = [(e["title"], e["text"]) for e in examples]
    long_texts = releases(args.releases)
    words = sum(len(text.split()) for _, text in long_texts) / max(1, len(long_texts))
    counts = Counter(e["category"] for e in examples)
    print(f"{len(examples)} labelled examples ({len(registry)} assets): {dict(counts)}")
    print(f"{sum(len(e['assets']) for e in examples)} gold links; "
          f"{sum(not e['assets'] for e in examples)} examples with none\n")  # fmt: skip
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
    if long_texts:
        print(f"\nDOJ: {len(long_texts)} press releases, {words:.0f} words on average "
              "(not about markets: 'DOJ linked' is the share with any link)")  # fmt: skip
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


if __name__ == "__main__":
    main()
