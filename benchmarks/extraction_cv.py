"""Extraction, cross-validated by site: which extractor, which cleaning rules, held out.

Every choice the extraction makes (the base extractor and its mode, each cleaning rule,
the repeat checks, taking the key-points list out) is made on the training sites of a
fold and scored on the fold's own sites, which the choice never saw. The 109 pages of
``../shared/data/extraction-benchmark`` fall into ``--folds`` folds by site (both pages of
a site in one fold); the figures are the held-out fold means with their spread, bare
trafilatura (the anchor) scored on the same pages in the same run.

The procedure, run inside each fold on its training pages only:

1. Base extractor: the candidate with the best training F1 among those whose training
   recall stays within 0.005 of bare trafilatura's (the target's recall bound).
2. Recall guard: the training pages are cut into 4 folds by site, and each cleaning unit
   (rule, repeat check, key-point teasers) that removes text from what the extractor kept
   is switched off in turn on each; it stays only when, on every one of them where it
   removes text, it buys more precision than it costs recall (ΔP > -ΔR, ΔF1 ≥ 0).

The shipped configuration is the procedure run on all pages; the cross-validated figure
estimates what that procedure gives on sites it has not seen. The ablation table then
checks every unit against the guard on each held-out fold, the way the issue asks.

The metric is the benchmark's own (``extraction.py``). Extraction outputs are computed
once per page and extractor and reused across folds and ablations.

    python benchmarks/extraction_cv.py [--data DIR] [--folds 5] [--time] [--repeat 3]

``--time`` also times each extractor page by page, interleaved (fastest of ``--repeat``),
with bare trafilatura as the anchor in the same run. Needs the ``bench`` extra
(resiliparse, readability-lxml): ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import statistics
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from extraction import DATA, Page, load_pages, page_counts, precision_recall, run_interleaved
from lxml import etree

from wirebrief.clean.cleaner import REPEAT_CHECKS, clean_body
from wirebrief.clean.rules import RULES_DIR, load_rules
from wirebrief.extract.body import to_text
from wirebrief.extract.extractor import article_body, choose_body, parse_page
from wirebrief.extract.metadata import read_metadata
from wirebrief.extract.tldr import take_tldr

KEY_POINTS = "key-points"
RECALL_BOUND = 0.005  # the target: recall within 0.005 of bare trafilatura's
INNER_FOLDS = 4  # the recall guard's folds inside each training set
# Smaller changes are the 4-gram shingles across a removed block's edges, not its text.
NOISE = 1e-4
Counts = tuple[float, float, float]


# ── folds ────────────────────────────────────────────────────────────────────


def site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def site_folds(
    pages: Sequence[Page], k: int, among: Sequence[int] | None = None
) -> list[list[int]]:
    """Page indices (of ``among``, default all) in ``k`` folds; a site's pages share a fold;
    sizes balanced greedily in an order fixed by a hash of the site name.
    """
    by_site: dict[str, list[int]] = {}
    for index in range(len(pages)) if among is None else among:
        by_site.setdefault(site(pages[index].url), []).append(index)
    order = sorted(by_site, key=lambda s: (-len(by_site[s]), hashlib.sha1(s.encode()).digest()))
    folds: list[list[int]] = [[] for _ in range(k)]
    for name in order:
        min(folds, key=len).extend(by_site[name])
    return [sorted(fold) for fold in folds]


# ── extractors (one output per page, computed once) ──────────────────────────


@dataclass
class Tree:
    """A body tree to clean (stored serialized: cleaning works in place) and the title."""

    xml: bytes | None
    title: str | None


Output = Tree | str


def _wirebrief_body(precision: bool) -> Callable[[Page], Tree]:
    def run(page: Page) -> Tree:
        tree = parse_page(page.html, page.url)
        title = read_metadata(tree, page.url).title
        body = choose_body(tree, page.url, precision=precision)
        return Tree(etree.tostring(body) if body is not None else None, title)

    return run


def _resiliparse_tree(page: Page) -> Tree:
    """resiliparse's main content, one paragraph per line, as a body tree to clean."""
    text = _resiliparse_text(page)
    body = etree.Element("body")
    for line in text.split("\n"):
        if line.strip():
            etree.SubElement(body, "p").text = line.strip()
    title = read_metadata(parse_page(page.html, page.url), page.url).title
    return Tree(etree.tostring(body) if len(body) else None, title)


def _resiliparse_text(page: Page) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(page.html)
    return extract_plain_text(tree, main_content=True, list_bullets=False, alt_texts=False)


def _readability_text(page: Page) -> str:
    import lxml.html
    from readability import Document

    summary = Document(page.html).summary()
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def _trafilatura(**options: bool) -> Callable[[Page], str]:
    import trafilatura

    return lambda page: trafilatura.extract(page.html, url=page.url, **options) or ""


def _guarded(page: Page) -> Tree:
    """Precision mode, but trafilatura's default mode when precision mode kept less than
    half the words of resiliparse's (cheap, high-recall) main content.
    """
    tree = parse_page(page.html, page.url)
    title = read_metadata(tree, page.url).title
    body = choose_body(tree, page.url)
    reference = len(_resiliparse_text(page).split())
    kept = len(" ".join(body.itertext()).split()) if body is not None else 0
    if kept < reference / 2:
        fuller = article_body(tree, page.url, fast=False, precision=False)
        if fuller is not None and len(" ".join(fuller.itertext()).split()) > kept:
            body = fuller
    return Tree(etree.tostring(body) if body is not None else None, title)


ANCHOR = "trafilatura default (bare)"
EXTRACTORS: dict[str, Callable[[Page], Output]] = {
    ANCHOR: _trafilatura(),
    "trafilatura fast (bare)": _trafilatura(fast=True),
    "trafilatura precision (bare)": _trafilatura(favor_precision=True),
    "Wirebrief trafilatura: fast, precision": _wirebrief_body(precision=True),
    "Wirebrief trafilatura: fast, no precision": _wirebrief_body(precision=False),
    "Wirebrief trafilatura, resiliparse-guarded": _guarded,
    "resiliparse main content": _resiliparse_tree,
    "readability-lxml": _readability_text,
}
SHIPPED_BASE = "Wirebrief trafilatura: fast, precision"


# ── cleaning with units switched off ─────────────────────────────────────────


def units() -> list[str]:
    """Every cleaning unit: each rule of the rule files, the repeat checks, and the teasers
    that repeat the author's key points (``take_tldr``).
    """
    return [rule.name for rule in load_rules()] + list(REPEAT_CHECKS) + [KEY_POINTS]


def rule_groups() -> dict[str, list[str]]:
    """Rule file name → its rules; the built-in checks each a group of their own."""
    groups = {
        path.stem: [raw["name"] for raw in tomllib.loads(path.read_text("utf-8")).get("rule", [])]
        for path in sorted(RULES_DIR.glob("*.toml"))
    }
    for check in (*REPEAT_CHECKS, KEY_POINTS):
        groups[check] = [check]
    return groups


def cleaned(output: Output, skip: frozenset[str]) -> tuple[str, list[str]]:
    """The text Wirebrief keeps from one extractor output, and the units that fired."""
    if isinstance(output, str):
        return output, []
    if output.xml is None:
        return "", []
    body = etree.fromstring(output.xml)
    fired = []
    blocks = len(body)
    if KEY_POINTS not in skip and take_tldr(body) and len(body) < blocks:
        fired.append(KEY_POINTS)  # a teaser repeating the key points went
    report = clean_body(body, output.title, skip=skip)
    fired += [name for name, _text in report.removed]
    return to_text(body), fired


@dataclass
class Run:
    """Texts and per-page counts of one (extractor, skipped units), memoised."""

    counts: list[Counts]
    fired: list[list[str]]


@dataclass
class Bench:
    pages: list[Page]
    outputs: dict[str, list[Output]] = field(default_factory=dict)
    runs: dict[tuple[str, frozenset[str]], Run] = field(default_factory=dict)

    def run(self, extractor: str, skip: Iterable[str] = ()) -> Run:
        key = (extractor, frozenset(skip))
        if key not in self.runs:
            counts, fired = [], []
            for page, output in zip(self.pages, self.outputs[extractor], strict=True):
                text, names = cleaned(output, key[1])
                counts.append(page_counts(page.truth, text))
                fired.append(names)
            self.runs[key] = Run(counts, fired)
        return self.runs[key]

    def score(
        self, extractor: str, indices: Sequence[int], skip: Iterable[str] = ()
    ) -> tuple[float, float, float]:
        counts = self.run(extractor, skip).counts
        return precision_recall([counts[i] for i in indices])

    def fired(self, extractor: str, indices: Sequence[int]) -> set[str]:
        fired = self.run(extractor).fired
        return {name for i in indices for name in fired[i]}

    def cleans(self, extractor: str) -> bool:
        return any(isinstance(output, Tree) for output in self.outputs[extractor])


# ── the procedure ────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Choice:
    extractor: str
    skip: frozenset[str]


def choose(bench: Bench, train: Sequence[int]) -> Choice:
    """The extractor and cleaning units the procedure picks on ``train``: the guard runs on
    folds inside ``train``, and a unit must pass on each of them where it removes text.
    """
    _p, bare_recall, _f = bench.score(ANCHOR, train)
    best: tuple[bool, float, str] | None = None
    for name in bench.outputs:
        _p, recall, f1 = bench.score(name, train)
        within = recall >= bare_recall - RECALL_BOUND
        if best is None or (within, f1 if within else recall) > best[:2]:
            best = (within, f1 if within else recall, name)
    assert best is not None
    extractor = best[2]
    inner = site_folds(bench.pages, INNER_FOLDS, among=train)
    return Choice(extractor, frozenset(failing_units(bench, extractor, inner)))


def failing_units(bench: Bench, extractor: str, folds: Sequence[Sequence[int]]) -> list[str]:
    """Units that fail the recall guard on any of ``folds`` where they remove text."""
    if not bench.cleans(extractor):
        return []
    failing: set[str] = set()
    for fold in folds:
        full = bench.score(extractor, fold)
        for unit in bench.fired(extractor, fold):
            if not passes(_delta(full, bench.score(extractor, fold, {unit}))):
                failing.add(unit)
    return sorted(failing)


def passes(delta: tuple[float, float, float]) -> bool:
    """The recall guard: a unit buys more precision than it costs recall (one that changes
    neither passes: it costs nothing).
    """
    delta_p, delta_r, delta_f = delta
    if _zero(delta_p) and _zero(delta_r):
        return True
    return delta_p > -delta_r and delta_f >= 0


def _zero(value: float) -> bool:
    return abs(value) < NOISE


def _delta(
    full: tuple[float, float, float], without: tuple[float, float, float]
) -> tuple[float, float, float]:
    return full[0] - without[0], full[1] - without[1], full[2] - without[2]


# ── report ───────────────────────────────────────────────────────────────────


def mean_sd(values: Sequence[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {spread:.4f}"


def cross_validate(bench: Bench, folds: list[list[int]]) -> list[str]:
    everything = range(len(bench.pages))
    lines = [
        f"## Held out, {len(folds)} folds by site ({', '.join(str(len(f)) for f in folds)} pages)",
        "",
        "| fold | chosen extractor | units off | P | R | F1 "
        "| bare P | bare R | bare F1 | ΔF1 | ΔR |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    gains, recall_gaps, ours, bare = [], [], [], []
    for number, test in enumerate(folds, 1):
        train = [i for i in everything if i not in set(test)]
        choice = choose(bench, train)
        p, r, f = bench.score(choice.extractor, test, choice.skip)
        bp, br, bf = bench.score(ANCHOR, test)
        ours.append((p, r, f))
        bare.append((bp, br, bf))
        gains.append(f - bf)
        recall_gaps.append(r - br)
        off = ", ".join(sorted(choice.skip)) or "none"
        lines.append(
            f"| {number} | {choice.extractor} | {off} | {p:.4f} | {r:.4f} | {f:.4f} "
            f"| {bp:.4f} | {br:.4f} | {bf:.4f} | {f - bf:+.4f} | {r - br:+.4f} |"
        )
    lines += [
        "",
        "Fold means ± standard deviation over folds:",
        f"- procedure: P {mean_sd([s[0] for s in ours])}, R {mean_sd([s[1] for s in ours])}, "
        f"F1 {mean_sd([s[2] for s in ours])}",
        f"- bare trafilatura: P {mean_sd([s[0] for s in bare])}, "
        f"R {mean_sd([s[1] for s in bare])}, "
        f"F1 {mean_sd([s[2] for s in bare])}",
        f"- F1 gain over bare {mean_sd(gains)} (target ≥ +0.015); recall minus bare's "
        f"{mean_sd(recall_gaps)} (target ≥ -0.005)",
    ]
    return lines


def extractor_table(bench: Bench, folds: list[list[int]]) -> list[str]:
    """Each extractor with all cleaning, and without any, as fold means (no choice made)."""
    lines = [
        "## Extractors on the same folds (held-out fold means ± sd; nothing is chosen here)",
        "",
        "| extractor | cleaning | P | R | F1 | ΔF1 vs bare | ΔR vs bare |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    everything = units()
    for name in bench.outputs:
        variants = [("all rules", ())]
        if bench.cleans(name):
            variants.append(("none", everything))
        for label, skip in variants:
            rows = [bench.score(name, fold, skip) for fold in folds]
            base = [bench.score(ANCHOR, fold) for fold in folds]
            lines.append(
                f"| {name} | {label if bench.cleans(name) else '–'} "
                f"| {mean_sd([r[0] for r in rows])} | {mean_sd([r[1] for r in rows])} "
                f"| {mean_sd([r[2] for r in rows])} "
                f"| {mean_sd([r[2] - b[2] for r, b in zip(rows, base, strict=True)])} "
                f"| {mean_sd([r[1] - b[1] for r, b in zip(rows, base, strict=True)])} |"
            )
    return lines


def ablation(bench: Bench, folds: list[list[int]], extractor: str) -> list[str]:
    """Each unit and rule group switched off alone, scored on every held-out fold."""
    lines = [
        f"## Ablation on {extractor}, each held-out fold (unit off vs all on)",
        "",
        "Guard: a unit passes a fold when it buys more precision than it costs recall "
        "there (ΔP > -ΔR and ΔF1 ≥ 0), or changes neither; folds where it removes nothing "
        "are not counted.",
        "",
        "| unit | pages it fires on | ΔP mean | ΔR mean | ΔF1 mean | folds passed / fired |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    everything = range(len(bench.pages))
    fired_pages = bench.run(extractor).fired
    groups = {name: [name] for name in units()} | {
        f"group {g}": names for g, names in rule_groups().items() if len(names) > 1
    }
    for label, members in groups.items():
        on_pages = sum(1 for i in everything if set(members) & set(fired_pages[i]))
        if not on_pages:
            continue
        deltas, passed, fired_folds = [], 0, 0
        for fold in folds:
            if not any(set(members) & set(fired_pages[i]) for i in fold):
                continue
            fired_folds += 1
            d = _delta(bench.score(extractor, fold), bench.score(extractor, fold, members))
            deltas.append(d)
            passed += passes(d)
        lines.append(
            f"| {label} | {on_pages} | {statistics.mean(d[0] for d in deltas):+.4f} "
            f"| {statistics.mean(d[1] for d in deltas):+.4f} "
            f"| {statistics.mean(d[2] for d in deltas):+.4f} | {passed} / {fired_folds} |"
        )
    silent = [name for name in units() if not any(name in f for f in fired_pages)]
    lines += ["", f"Units that remove nothing on these pages: {', '.join(silent)}."]
    return lines


def timing(pages: list[Page], repeat: int) -> list[str]:
    """ms/page of each extractor, interleaved page by page, fastest of ``repeat``."""
    from wirebrief.errors import ExtractionError
    from wirebrief.pipeline import process_page
    from wirebrief.settings import Settings

    settings = Settings()

    def whole_pipeline(page: Page) -> object:
        try:
            return process_page(page.html, page.url, settings)
        except ExtractionError:
            return None

    contenders: dict[str, Callable[[Page], object]] = {
        **EXTRACTORS,
        "Wirebrief, all page stages": whole_pipeline,
    }
    _outputs, spent = run_interleaved(pages, contenders, repeat)
    anchor = spent[ANCHOR]
    lines = ["## Time per page (interleaved, fastest of each page's runs)", ""]
    lines += ["| extractor | ms/page | vs bare trafilatura |", "|---|---:|---:|"]
    for name in contenders:
        ms = 1000 * spent[name] / len(pages)
        lines.append(f"| {name} | {ms:.1f} | {spent[name] / anchor:.2f}× |")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the benchmark folder")
    parser.add_argument("--folds", type=int, default=5, help="folds by site")
    parser.add_argument("--time", action="store_true", help="also time every extractor")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page")
    args = parser.parse_args(argv)

    import trafilatura

    pages = load_pages(args.data)
    print(
        f"# Extraction, cross-validated: {len(pages)} pages, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, trafilatura {trafilatura.__version__}, "
        f"{_versions()}\n"
    )
    bench = Bench(pages)
    for name, extractor in EXTRACTORS.items():
        print(f"extracting: {name}", file=sys.stderr, flush=True)
        bench.outputs[name] = [extractor(page) for page in pages]
    folds = site_folds(pages, args.folds)
    for section in (
        cross_validate(bench, folds),
        extractor_table(bench, folds),
        ablation(bench, folds, SHIPPED_BASE),
    ):
        print("\n".join(section), end="\n\n", flush=True)
    final = choose(bench, range(len(pages)))
    off = ", ".join(sorted(final.skip)) or "none"
    print(f"The procedure on all pages picks: {final.extractor}; units off: {off}.\n")
    if args.time:
        print("\n".join(timing(pages, max(1, args.repeat))))


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("resiliparse", "readability-lxml", "lxml"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} missing")
    return ", ".join(found)


if __name__ == "__main__":
    main()
