"""TLDR quality: Wirebrief's summaries against human references and published systems.

Reads ``../shared/data/summaries/pairs.jsonl`` in place (FRANK validation split: 75
CNN/DailyMail and 74 XSum/BBC articles with human references and published systems'
summaries). In one run, on the same articles:

- CNN/DM (3–4 highlight sentences): our bullets joined, Lead-3, sumy LexRank (3 sentences,
  our sentence splitter as its tokenizer: no NLTK download), and every system in the file
  (``bart``, ``bert_sum``, …) against the reference;
- XSum (one sentence): our headline, Lead-1, LexRank (1 sentence) and the file's systems;
- ROUGE-1/2/L F1 (rouge-score, Porter stemming, lowercased), milliseconds per article, and
  the share of our bullets whose every number and name occurs in the source.

With ``--llm`` and WIREBRIEF_LLM_BASE_URL / WIREBRIEF_LLM_MODEL set, the checked LLM
summaries are scored too. Needs the ``bench`` extra: ``pip install -e '.[bench]'``.

    python benchmarks/tldr.py [--data PATH] [--llm]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "summaries").resolve()
PAIRS = DATA / "pairs.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")


def load(path: Path) -> list[dict[str, Any]]:
    """The benchmark rows, or a clear exit when the file is not there."""
    if not path.is_file():
        sys.exit(f"error: {path} not found; it is the FRANK validation split described in "
                 f"{path.parent / 'README.md'} (pass --data to point elsewhere)")  # fmt: skip
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def scorer() -> Callable[[str, str], dict[str, float]]:
    """ROUGE F1 ×100 of a summary against a reference, both lowercased."""
    from rouge_score import rouge_scorer

    rouge = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)

    def score(reference: str, summary: str) -> dict[str, float]:
        result = rouge.score(reference.lower(), summary.lower())
        return {metric: 100 * result[metric].fmeasure for metric in METRICS}

    return score


def lexrank(sentences: int) -> Callable[[str], str]:
    """sumy's LexRank with our sentence splitter as its tokenizer (no NLTK data needed)."""
    import re

    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from wirebrief.summarize.sentences import sentence_texts

    class Tokenizer:
        language = "english"

        def to_sentences(self, paragraph: str) -> tuple[str, ...]:
            return tuple(sentence_texts(paragraph))

        def to_words(self, sentence: str) -> tuple[str, ...]:
            return tuple(re.findall(r"\w+(?:['’]\w+)?", sentence))

    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def summarize(text: str) -> str:
        document = PlaintextParser.from_string(text, Tokenizer()).document
        return " ".join(str(s) for s in summarizer(document, sentences))

    return summarize


def timed(function: Callable[[str], Any], texts: Sequence[str]) -> tuple[list[Any], float]:
    """Results and milliseconds per text."""
    started = time.perf_counter()
    results = [function(text) for text in texts]
    return results, 1000 * (time.perf_counter() - started) / max(1, len(texts))


def mean_scores(score: Callable[[str, str], dict[str, float]], refs: Sequence[str],
                summaries: Sequence[str]) -> dict[str, float]:  # fmt: skip
    """Average ROUGE over articles."""
    rows = [score(ref, summary) for ref, summary in zip(refs, summaries, strict=True)]
    return {metric: statistics.fmean(row[metric] for row in rows) for metric in METRICS}


def halves_table(score: Callable[[str, str], dict[str, float]], refs: list[str],
                 systems: dict[str, list[str]]) -> None:  # fmt: skip
    """ROUGE-1/2/L on the even-indexed articles (where defaults were chosen) and the odd ones
    (where they were checked), so a gain that only holds where it was tuned shows."""
    print("\n| System | even half (dev) R-1/2/L | odd half (check) R-1/2/L |")
    print("|---|---:|---:|")
    for name, summaries in systems.items():
        cells = [mean_scores(score, refs[start::2], summaries[start::2]) for start in (0, 1)]
        text = ["/".join(f"{cell[metric]:.2f}" for metric in METRICS) for cell in cells]
        print(f"| {name} | {text[0]} | {text[1]} |")


def paired_difference(score: Callable[[str, str], dict[str, float]], refs: Sequence[str],
                      ours: Sequence[str], other: Sequence[str]) -> str:  # fmt: skip
    """Our ROUGE-1 minus another system's on the same articles: the mean, a 95 % paired
    bootstrap interval (10,000 resamples, fixed seed) and on how many articles we score
    higher. On 75 articles a gap inside the interval's span is not a measured difference."""
    import random

    gaps = [score(ref, a)["rouge1"] - score(ref, b)["rouge1"]
            for ref, a, b in zip(refs, ours, other, strict=True)]  # fmt: skip
    rng = random.Random(20261126)
    means = sorted(statistics.fmean(rng.choices(gaps, k=len(gaps))) for _ in range(10_000))
    wins = sum(gap > 0 for gap in gaps)
    return (f"{statistics.fmean(gaps):+.2f} (95 % CI {means[249]:+.2f} to {means[9749]:+.2f}; "
            f"higher on {wins}/{len(gaps)} articles)")  # fmt: skip


def faithful_share(tldrs: Sequence[Any], articles: Sequence[str]) -> tuple[float, int]:
    """Share of headlines and bullets whose every number and name occurs in the source."""
    from wirebrief.summarize.checks import SourceFacts, unsupported

    good = total = 0
    for tldr, article in zip(tldrs, articles, strict=True):
        facts = SourceFacts.of(article)
        for bullet in (tldr.headline, *tldr.bullets):
            total += 1
            good += not unsupported(bullet, facts, "en")
    return (100 * good / total if total else 100.0), total


def with_llm(rows: list[dict[str, Any]], fallbacks: list[Any]) -> list[Any] | None:
    """The LLM's TLDRs (falling back where a check fails), when an endpoint is configured."""
    from wirebrief.settings import Settings
    from wirebrief.summarize import Document, LlmConfig, LlmSummarizer, MemoryCache

    config = LlmConfig.from_settings(Settings.from_env())
    if config is None:
        print("--llm: WIREBRIEF_LLM_BASE_URL and WIREBRIEF_LLM_MODEL are not set; skipped")
        return None

    async def run() -> list[Any]:
        async with LlmSummarizer(config, MemoryCache()) as llm:
            items = [(Document("", row["article"], "en"), tldr)
                     for row, tldr in zip(rows, fallbacks, strict=True)]  # fmt: skip
            return await llm.summarize_many(items)

    return asyncio.run(run())


def table(title: str, results: list[tuple[str, dict[str, float], str]]) -> None:
    """A Markdown table: system, ROUGE-1/2/L, ms per article."""
    print(f"\n{title}\n")
    print("| System | ROUGE-1 | ROUGE-2 | ROUGE-L | ms/article |")
    print("|---|---:|---:|---:|---:|")
    for name, scores, ms in results:
        cells = " | ".join(f"{scores[metric]:.2f}" for metric in METRICS)
        print(f"| {name} | {cells} | {ms} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PAIRS, help="pairs.jsonl to read")
    parser.add_argument("--llm", action="store_true", help="also score a configured LLM")
    options = parser.parse_args()
    rows = load(options.data)
    try:
        score, lexrank3, lexrank1 = scorer(), lexrank(3), lexrank(1)
    except ImportError as exc:
        sys.exit(f"error: {exc.name} is missing; install the extra: pip install -e '.[bench]'")

    from wirebrief.summarize import summarize_article
    from wirebrief.summarize.sentences import sentence_texts

    def ours(text: str) -> Any:
        return summarize_article("", text, lang="en")

    print(f"# TLDR benchmark, {date.today()}: {len(rows)} articles from {options.data.name}; "
          f"python {platform.python_version()}, rouge-score {version('rouge-score')}, "
          f"sumy {version('sumy')}")  # fmt: skip

    for dataset, lead in (("cnndm", 3), ("xsum", 1)):
        subset = [row for row in rows if row["dataset"] == dataset]
        articles = [row["article"] for row in subset]
        refs = [row["reference"] for row in subset]
        tldrs, our_ms = timed(ours, articles)
        ours_text = [" ".join(t.bullets) if lead == 3 else t.headline for t in tldrs]
        leads, lead_ms = timed(lambda text, n=lead: " ".join(sentence_texts(text)[:n]), articles)
        lexranks, lex_ms = timed(lexrank3 if lead == 3 else lexrank1, articles)
        label = "bullets" if lead == 3 else "headline"
        results = [
            (f"**Wirebrief extractive** ({label})", mean_scores(score, refs, ours_text),
             f"{our_ms:.1f}"),
            (f"Lead-{lead}", mean_scores(score, refs, leads), f"{lead_ms:.2f}"),
            (f"sumy LexRank ({lead} sentence{'s' * (lead > 1)})",
             mean_scores(score, refs, lexranks), f"{lex_ms:.1f}"),
        ]  # fmt: skip
        if options.llm and (llm := with_llm(subset, tldrs)) is not None:
            used = sum(t.method == "llm" for t in llm)
            llm_text = [" ".join(t.bullets) if lead == 3 else t.headline for t in llm]
            results.append((f"Wirebrief with LLM ({used}/{len(llm)} used)",
                            mean_scores(score, refs, llm_text), "–"))  # fmt: skip
        for system in sorted({name for row in subset for name in row["model_summaries"]}):
            summaries = [row["model_summaries"].get(system, "") for row in subset]
            results.append((f"{system} (published)", mean_scores(score, refs, summaries), "–"))
        table(f"## {dataset}: {len(subset)} articles, {label} vs. reference", results)
        if dataset == "cnndm":
            bert_sum = [row["model_summaries"].get("bert_sum", "") for row in subset]
            halves_table(score, refs, {"Wirebrief extractive": ours_text, "Lead-3": leads,
                                       "bert_sum (published)": bert_sum})  # fmt: skip
            print("\nOur ROUGE-1 minus, paired by article:")
            for name, other in (("Lead-3", leads), ("bert_sum", bert_sum)):
                print(f"- {name}: {paired_difference(score, refs, ours_text, other)}")
        share, lines = faithful_share(tldrs, articles)
        words = statistics.fmean(len(text.split()) for text in ours_text)
        print(f"\nOur {label}: {words:.0f} words on average. Of our {lines} headlines and "
              f"bullets, {share:.1f}% have every number and name in the source.")  # fmt: skip


if __name__ == "__main__":
    main()
