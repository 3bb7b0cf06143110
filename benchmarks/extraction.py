"""Article extraction: Wirebrief's page stages against bare trafilatura, on the same pages.

Reads the Zyte/Scrapinghub article-extraction benchmark in place from
``../shared/data/extraction-benchmark/`` (``html/<id>.html.gz`` and ``ground-truth.json``;
its README gives the source and licence). Nothing is copied into the repository.

- bare trafilatura: ``trafilatura.extract(html, url=url)``, default options.
- Wirebrief: ``pipeline.process_page(html, url, Settings())`` → ``draft.text``, i.e. every
  page stage as Wirebrief runs them (decode, extract, TLDR, provenance, cleaning, reading
  time, sanitizing); a page where it finds no article counts as empty text.

Both get the same decoded HTML string. Pages are timed one by one, the two extractors
alternating which goes first, each page ``--repeat`` times (the fastest run counts, which
removes most of the noise of other processes), after one warm-up page.

Metric (as the benchmark's README states it): tokens are ``\\w+`` matches; for each page,
the 4-gram shingle multisets of truth and prediction give TP, FP and FN, normalised to sum
to 1; precision and recall are averaged over pages and F1 is computed from the two means.

    python benchmarks/extraction.py [--data DIR] [--repeat 3] [--json results.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
DATA = DATA / "extraction-benchmark"
TOKEN = re.compile(r"\w+")
SHINGLE = 4
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One benchmark page: its id, URL, decoded HTML and the reference article text."""

    id: str
    url: str
    html: str
    truth: str


@dataclass(frozen=True)
class Score:
    """One extractor's figures over the whole set."""

    name: str
    precision: float
    recall: float
    f1: float
    ms_per_page: float


def load_pages(directory: Path) -> list[Page]:
    """Every page of the benchmark, in id order; exit with a message when it is missing."""
    truth_file = directory / "ground-truth.json"
    if not truth_file.is_file() or not (directory / "html").is_dir():
        sys.exit(
            f"extraction benchmark data not found in {directory}: it needs ground-truth.json "
            "and html/<id>.html.gz (see ../shared/data/extraction-benchmark/README.md); "
            "pass --data DIR to read it from elsewhere"
        )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(Page(page_id, entry["url"], raw.decode("utf-8"), entry["articleBody"]))
    return pages


# ── the metric ───────────────────────────────────────────────────────────────


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token shingles (a text shorter than 4 tokens is one shingle)."""
    tokens = TOKEN.findall(text or "")
    count = max(1, len(tokens) - SHINGLE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(count) if tokens[i : i + SHINGLE])


def page_counts(truth: str, prediction: str) -> tuple[float, float, float]:
    """TP, FP and FN over shingles, normalised to sum to 1 (so long pages weigh the same)."""
    expected, found = shingles(truth), shingles(prediction)
    tp = sum((expected & found).values())
    fp = sum((found - expected).values())
    fn = sum((expected - found).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision_recall(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision and recall over pages, and F1 of the two means."""
    precisions = [_ratio(tp, fp, fn, fp) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [_ratio(tp, fp, fn, fn) for tp, fp, fn in counts if tp + fn > 0]
    precision, recall = statistics.mean(precisions), statistics.mean(recalls)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _ratio(tp: float, fp: float, fn: float, miss: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + miss) if tp + miss else 0.0


# ── the contenders ───────────────────────────────────────────────────────────


def bare_trafilatura() -> Callable[[Page], str]:
    """``trafilatura.extract`` with its default options."""
    import trafilatura

    return lambda page: trafilatura.extract(page.html, url=page.url) or ""


def wirebrief() -> Callable[[Page], str]:
    """Every Wirebrief page stage; the article text it would store."""
    from wirebrief.errors import ExtractionError
    from wirebrief.pipeline import process_page
    from wirebrief.settings import Settings

    settings = Settings()

    def run(page: Page) -> str:
        try:
            return process_page(page.html, page.url, settings).text
        except ExtractionError:
            return ""

    return run


def measure(
    pages: list[Page], contenders: dict[str, Callable[[Page], str]], repeat: int
) -> list[Score]:
    """Run every contender on every page, alternating order; score text and time."""
    texts, seconds = run_interleaved(pages, contenders, repeat)
    scores = []
    for name in contenders:
        counts = [page_counts(p.truth, t) for p, t in zip(pages, texts[name], strict=True)]
        precision, recall, f1 = precision_recall(counts)
        scores.append(Score(name, precision, recall, f1, 1000 * seconds[name] / len(pages)))
    return scores


def run_interleaved(
    pages: list[Page], contenders: dict[str, Callable[[Page], T]], repeat: int
) -> tuple[dict[str, list[T]], dict[str, float]]:
    """Each contender's output per page and its seconds in all: page by page, the
    contenders alternating which goes first, the fastest of ``repeat`` runs counting.
    """
    names = list(contenders)
    for name in names:  # warm-up: imports, rule files, lazy tables
        contenders[name](pages[0])
    outputs: dict[str, list[T]] = {name: [] for name in names}
    seconds: dict[str, float] = dict.fromkeys(names, 0.0)
    for index, page in enumerate(pages):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                output = contenders[name](page)
                best = min(best, time.perf_counter() - started)
            outputs[name].append(output)
            seconds[name] += best
    return outputs, seconds


def stage_times(pages: list[Page]) -> dict[str, float]:
    """Milliseconds per page spent in each page stage (one run, after the timed ones).

    The stages are ``pipeline.PAGE_STAGES`` as they are now: the stages of other
    capabilities (dedupe, summaries, asset links) count in Wirebrief's figure too.
    """
    from wirebrief.article import ArticleDraft
    from wirebrief.errors import ExtractionError
    from wirebrief.markets.linker import builtin_linker
    from wirebrief.pipeline import PAGE_STAGES
    from wirebrief.pipeline.stages import PageContext
    from wirebrief.settings import Settings

    context = PageContext(Settings(), builtin_linker())
    spent = {stage.__name__: 0.0 for stage in PAGE_STAGES}
    for page in pages:
        draft = ArticleDraft(page.url, page.html)
        try:
            for stage in PAGE_STAGES:
                started = time.perf_counter()
                draft = stage(draft, context)
                spent[stage.__name__] += time.perf_counter() - started
        except ExtractionError:
            continue
    return {name: 1000 * seconds / len(pages) for name, seconds in spent.items()}


def report(scores: list[Score], pages: int) -> str:
    """The table printed by the benchmark, with the gain and time ratio to the baseline."""
    import trafilatura

    base, ours = scores
    lines = [
        f"Extraction benchmark: {pages} pages, {datetime.now(UTC):%Y-%m-%d}, "
        f"Python {platform.python_version()}, trafilatura {trafilatura.__version__}",
        "",
        f"{'extractor':<18} {'precision':>9} {'recall':>8} {'F1':>8} {'ms/page':>9}",
    ]
    for s in scores:
        lines.append(
            f"{s.name:<18} {s.precision:>9.4f} {s.recall:>8.4f} {s.f1:>8.4f} {s.ms_per_page:>9.1f}"
        )
    gain, ratio = ours.f1 - base.f1, ours.ms_per_page / base.ms_per_page
    lines += [
        "",
        f"F1 gain over bare trafilatura: {gain:+.4f} (target: at least +0.015)",
        f"time per page: {ratio:.2f}x bare trafilatura (target: at most 1.5x)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the benchmark folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; fastest counts")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    pages = load_pages(args.data)
    contenders = {"trafilatura (bare)": bare_trafilatura(), "Wirebrief": wirebrief()}
    scores = measure(pages, contenders, max(1, args.repeat))
    print(report(scores, len(pages)))
    base = scores[0].ms_per_page
    print("\nWirebrief, per page stage (ms/page, and as a share of bare trafilatura's time):")
    for name, ms in stage_times(pages).items():
        print(f"  {name:<20} {ms:>7.2f}  {ms / base:>5.2f}x")
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
