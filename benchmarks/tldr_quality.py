"""TLDRs a reader would keep: how often a TLDR shows a broken bullet, repeats its headline or
spends a bullet on boilerplate, how long its headline is, and its ROUGE beside Lead-3.

Two corpora, read in place (nothing is copied into the repository):

- ``../shared/data/public-news/doj-press-releases/html/``: 2,183 U.S. DOJ press release
  pages (public domain), run through our page stages (extraction and cleaning), then
  summarized with their titles, as the reader would. The pages are split into two folds by
  position (even: dev, where the rules were chosen; odd: check, never looked at while
  choosing); both are reported.
- ``../shared/data/summaries/pairs.jsonl``: 75 CNN/DailyMail and 74 XSum articles (no
  titles), whose references give ROUGE: our headline and bullets joined, and our bullets
  alone, against Lead-3 in the same run, with a paired bootstrap interval.

Needs the ``bench`` extra (``pip install -e '.[bench]'``: rouge-score, and pysbd for
``--splits``).

The defect detectors below are written for this benchmark, apart from the summarizer's own
rules (they share no code with ``wirebrief.summarize``), so the figures are not the fix
grading itself:

- *broken bullet* (the headline too, unless it is the title): ends at an initial or an
  abbreviation that needs a word after it ("John P.", "Sen.", "No.", "Jan."), or on a word
  that needs more ("… a service that."); starts with a lowercase letter; starts right after
  an initial or such an abbreviation in the source (the rest of a name cut off); brackets
  or quotes that do not pair up; words that are not the source's, in the source's order;
  or a deletion that ends inside a comma-separated run (the word kept after the gap is
  itself followed by a comma, as "Colorado," in "Quantum Colorado, said" when "a startup
  based in Boulder," was cut);
- *repeated headline*: a bullet holding at least 80 % of the headline's words, or sharing
  60 % of the words of both (Jaccard);
- *boilerplate bullet*: a bullet that says who announced or prosecuted or investigated, how
  to get in touch or learn more, a case or docket number, or the presumption of innocence.

With ``--splits``, our sentence ends are compared with pysbd's on the DOJ paragraphs (run
it before and after a change to the splitter: a rule that stops a false split shows as
fewer ends only we find, one that breaks a real split as more ends only pysbd finds).

    python benchmarks/tldr_quality.py [--data DIR] [--cache FILE] [--pages N] [--splits]
                                      [--examples K]
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = (HERE.parent / ".." / "shared" / "data").resolve()
DOJ = Path("public-news/doj-press-releases")
PAIRS = Path("summaries/pairs.jsonl")

# --- defect detectors (independent of wirebrief.summarize) -------------------------------

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
# Abbreviations that stand before a name or a number, so a text cannot end with them.
NEEDS_NEXT = frozenset(re.findall(r"\w+", (
    "mr mrs ms dr prof sen sens rep reps gov gen lt col capt sgt maj adm cmdr brig det insp "
    "supt rev hon atty st mt ft no nos jan feb mar apr jun jul aug sep sept oct nov dec v vs"
)))  # fmt: skip
# Words a text cannot stop on ("… into the.", "… a service that."); "that" only after a
# noun phrase, as a pronoun ("have done just that.") it may.
OPEN_ENDED = frozenset(re.findall(r"\w+", (
    "a an the which who whose of to and or but with for by from into than its their"
)))  # fmt: skip
OPEN_THAT = re.compile(r"\b(?:a|an|the|this|its|their)\s+[\w-]+\s+that\W*$", re.I)
ENDS_AT_INITIAL = re.compile(r"(?:^|[\s(])(?:[A-Z]|[A-Za-z]{1,5})\.$")
BEFORE_START = re.compile(r"(?:^|[\s(])(?P<word>[A-Z]|[A-Za-z]{1,5})\.\s*$")
LIST_CONTINUES = re.compile(r"^\S+,|^\S+\s+\S+,")
BOILERPLATE_SIGNS = {
    "announcer": re.compile(
        r"\b(?:made|make|makes|joined in) (?:the|today'?s|this) announcement\b"
        r"|\bannounced (?:the|today'?s) (?:charges?|indictment|sentence|plea|guilty plea|"
        r"verdict|settlement|arrests?|complaint|conviction|resolution)\s*\.?$",
        re.I,
    ),
    "investigators": re.compile(
        r"\b(?:investigated|is investigating|are investigating|was investigated|"
        r"were investigated|is being investigated|investigation was conducted)\b.*\bby\b"
        r"|\b(?:investigated|is investigating|are investigating) (?:the|this) (?:case|matter)\b"
        r"|\b(?:prosecuting|prosecuted|is handling|handled|litigating|litigated) "
        r"(?:the|this) (?:case|matter)\b|\bthe case (?:is|was) (?:being )?(?:prosecuted|handled)",
        re.I,
    ),
    "contact": re.compile(
        r"\b(?:press|media) (?:contact|inquiries|office)\b|\bcontact\b.*(?:@|\(\d{3}\)|"
        r"\d{3}[-.]\d{3}[-.]\d{4})|\d{3}[-.]\d{3}[-.]\d{4}|\b[\w.]+@[\w-]+\.\w+",
        re.I,
    ),
    "more information": re.compile(
        r"\b(?:for|further|additional) (?:more )?information\b|\bmore information\b"
        r"|\bcan be found at\b|\bis available at\b|\bvisit (?:www|https?)",
        re.I,
    ),
    "case number": re.compile(
        r"\b(?:case|docket|civil action|criminal) (?:no|number)\b\.?|\bv\.\s+[A-Z].*\bno\.\s*\d"
        r"|\b\d{1,2}[-:](?:cr|cv|mj|mc)[-:]?\d+",
        re.I,
    ),
    "presumption": re.compile(
        r"\bmerely (?:an? )?(?:allegations?|accusations?)\b|\bpresumed innocent\b"
        r"|\bpresumption of innocence\b",
        re.I,
    ),
}


def words(text: str) -> list[str]:
    """Lowercased word tokens."""
    return [w.lower() for w in WORD.findall(text)]


def ends_at_abbreviation(bullet: str) -> bool:
    """'… General John P.', '… met Sen.': a name or number was cut off after it."""
    text = bullet.rstrip()
    match = ENDS_AT_INITIAL.search(text)
    if not match:
        return False
    word = match.group(0).strip(" (.")
    return (len(word) == 1 and word.isupper()) or word.lower() in NEEDS_NEXT


def ends_open(bullet: str) -> bool:
    """The last word is one a sentence cannot end on ('… a service that.')."""
    last = words(bullet)[-1:]
    return (bool(last) and last[0] in OPEN_ENDED) or OPEN_THAT.search(bullet) is not None


def starts_lowercase(bullet: str) -> bool:
    """The first word is lowercase (and no brand spelled so: 'eBay', 'iPhone')."""
    first = bullet.lstrip("\"'“‘([ ").split(maxsplit=1)
    return bool(first) and first[0][:1].islower() and first[0][1:] == first[0][1:].lower()


def starts_after_abbreviation(bullet: str, source: str) -> bool:
    """The bullet starts where the source has an initial or a name's title just before it."""
    head = " ".join(bullet.split()[:6]).rstrip(".,;:")
    flat = " ".join(source.split())
    at = flat.find(head)
    if at <= 0:
        return False
    match = BEFORE_START.search(flat[max(0, at - 12) : at])
    if not match:
        return False
    word = match.group("word")
    return (len(word) == 1 and word.isupper()) or word.lower() in NEEDS_NEXT


def unbalanced(bullet: str) -> bool:
    """Brackets or straight double quotes that do not pair up."""
    return (bullet.count("(") != bullet.count(")") or bullet.count("[") != bullet.count("]")
            or bullet.count('"') % 2 == 1)  # fmt: skip


def indexed_words(text: str) -> list[tuple[int, str]]:
    """Each lowercased word with the index of the whitespace token it is in (a token may
    hold two words when a scraper glued paragraphs: "community.Dr")."""
    return [(index, word) for index, raw in enumerate(text.split()) for word in words(raw)]


def alignment(bullet: str, source: str) -> list[int] | None:
    """Positions of the bullet's words among the source's words, in order and over the
    shortest stretch of the source, or ``None`` when the bullet is not a subsequence."""
    mine = [word for _, word in indexed_words(bullet)]
    theirs = [word for _, word in indexed_words(source)]
    best: list[int] | None = None
    for start in (k for k, word in enumerate(theirs) if mine and word == mine[0]):
        positions, k = [start], start + 1
        limit = len(theirs) if best is None else min(len(theirs), start + best[-1] - best[0])
        for word in mine[1:]:
            while k < limit and theirs[k] != word:
                k += 1
            if k >= limit:
                break
            positions.append(k)
            k += 1
        if len(positions) == len(mine) and (
            best is None or positions[-1] - positions[0] < best[-1] - best[0]
        ):
            best = positions
    return best


def garbled_deletion(bullet: str, source: str) -> bool | None:
    """A cut that ends inside a comma-separated run: after the deleted words (the last of
    which ends with a comma) the kept text goes on with a word or two and another comma.
    ``None`` when the bullet's words are not the source's in order."""
    positions = alignment(bullet, source)
    if positions is None:
        return None
    source_tokens, bullet_tokens = source.split(), bullet.split()
    source_words, bullet_words = indexed_words(source), indexed_words(bullet)
    for n in range(1, len(positions)):
        if positions[n] - positions[n - 1] <= 1:
            continue
        last_deleted = source_tokens[source_words[positions[n] - 1][0]]
        before, after = bullet_words[n - 1][0], bullet_words[n][0]
        rest = " ".join(bullet_tokens[after:])
        if last_deleted.endswith(",") and LIST_CONTINUES.match(rest) \
                and not bullet_tokens[before].endswith(","):  # fmt: skip
            return True
    return False


def broken_kinds(bullet: str, source: str) -> list[str]:
    """Which of the broken-bullet signs a bullet shows (empty when none)."""
    kinds = []
    if ends_at_abbreviation(bullet):
        kinds.append("ends at initial/abbreviation")
    if ends_open(bullet):
        kinds.append("ends on a word that needs more")
    if starts_lowercase(bullet):
        kinds.append("starts lowercase")
    if starts_after_abbreviation(bullet, source):
        kinds.append("starts after initial/abbreviation")
    if unbalanced(bullet):
        kinds.append("unpaired brackets/quotes")
    garbled = garbled_deletion(bullet, source)
    if garbled is None:
        kinds.append("not the source's words in order")
    elif garbled:
        kinds.append("garbled deletion")
    return kinds


def repeats_headline(headline: str, bullet: str) -> bool:
    """A bullet holding 80 % of the headline's words, or sharing 60 % of both (Jaccard)."""
    h, b = set(words(headline)), set(words(bullet))
    if not h or not b:
        return False
    return len(h & b) / len(h) >= 0.8 or len(h & b) / len(h | b) >= 0.6


def boilerplate_kind(bullet: str) -> str | None:
    """Which kind of boilerplate a bullet is, or ``None``."""
    for kind, sign in BOILERPLATE_SIGNS.items():
        if sign.search(bullet):
            return kind
    return None


# --- corpora ------------------------------------------------------------------------------


@dataclass
class Item:
    """One article to summarize: its title and clean text, and a fold label."""

    key: str
    title: str
    text: str
    fold: str
    lang: str | None = "en"
    reference: str = ""


def doj_items(data: Path, limit: int | None) -> list[Item]:
    """The DOJ pages through our page stages up to summarizing (title and clean text)."""
    from wirebrief.article import ArticleDraft
    from wirebrief.errors import ExtractionError
    from wirebrief.markets.linker import builtin_linker
    from wirebrief.pipeline import PAGE_STAGES, summarize
    from wirebrief.pipeline.stages import PageContext
    from wirebrief.settings import Settings

    stages = PAGE_STAGES[: PAGE_STAGES.index(summarize)]
    context = PageContext(Settings(), builtin_linker())
    doj = data / DOJ
    urls = {}
    with gzip.open(doj / "releases_2015-2018.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["html_file"]:
                urls[record["html_file"]] = record["url"]
    files = sorted(urls)[:limit]
    items = []
    for position, name in enumerate(files):
        if position % 200 == 0:
            print(f"  extracting DOJ pages: {position}/{len(files)}", file=sys.stderr)
        draft = ArticleDraft(urls[name], gzip.decompress((doj / name).read_bytes()))
        try:
            for stage in stages:
                draft = stage(draft, context)
        except ExtractionError:
            continue
        fold = "dev" if position % 2 == 0 else "check"
        items.append(Item(name, draft.title, draft.text, fold, draft.extracted.lang))
    return items


def cached_doj_items(data: Path, cache: Path | None, limit: int | None) -> list[Item]:
    """The DOJ items, read from ``cache`` when it exists, else extracted (and written there)."""
    if cache is not None and cache.is_file():
        with cache.open(encoding="utf-8") as handle:
            return [Item(**json.loads(line)) for line in handle][:limit]
    items = doj_items(data, limit)
    if cache is not None:
        with cache.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(item.__dict__) + "\n" for item in items)
    return items


def summary_items(data: Path) -> list[Item]:
    """The FRANK articles (no titles), with their references."""
    with (data / PAIRS).open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Item(row["id"], "", row["article"], row["dataset"], "en", row["reference"])
            for row in rows]  # fmt: skip


# --- report -------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the detectors say about one TLDR."""

    broken: list[str]
    repeated: bool
    boilerplate: list[str]
    headline_words: int
    bullets: int


def judge(item: Item, tldr: Any) -> Verdict:
    """Run every detector over one TLDR."""
    source = f"{item.title}\n{item.text}"
    broken = [kind for bullet in tldr.bullets for kind in broken_kinds(bullet, source)]
    if tldr.headline and tldr.headline != item.title:
        broken += [f"headline {kind}" for kind in broken_kinds(tldr.headline, source)]
    repeated = any(repeats_headline(tldr.headline, bullet) for bullet in tldr.bullets)
    boilerplate = [kind for bullet in tldr.bullets if (kind := boilerplate_kind(bullet))]
    return Verdict(broken, repeated, boilerplate, len(tldr.headline.split()), len(tldr.bullets))


def percentile(values: Sequence[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def share(flags: Iterable[bool]) -> str:
    flags = list(flags)
    return f"{100 * sum(flags) / max(1, len(flags)):.1f} %"


def defects_table(groups: dict[str, list[Verdict]]) -> None:
    """One row per corpus or fold: the share of TLDRs with each defect, headline length."""
    print("\n| TLDRs | n | broken bullet | repeated headline | boilerplate bullet | "
          "headline words (median / p90 / max) | bullets (mean) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, verdicts in groups.items():
        lengths = [v.headline_words for v in verdicts]
        print(f"| {name} | {len(verdicts)} | {share(bool(v.broken) for v in verdicts)} | "
              f"{share(v.repeated for v in verdicts)} | "
              f"{share(bool(v.boilerplate) for v in verdicts)} | "
              f"{statistics.median(lengths):.0f} / {percentile(lengths, 0.9):.0f} / "
              f"{max(lengths)} | {statistics.fmean(v.bullets for v in verdicts):.1f} |"
              )  # fmt: skip
    every = [v for verdicts in groups.values() for v in verdicts]
    kinds = Counter(kind for v in every for kind in set(v.broken))
    boiler = Counter(kind for v in every for kind in set(v.boilerplate))
    print(f"\nBroken, by kind (TLDRs): {dict(kinds.most_common()) or 'none'}")
    print(f"Boilerplate, by kind (TLDRs): {dict(boiler.most_common()) or 'none'}")


def examples(items: Sequence[Item], tldrs: Sequence[Any], verdicts: Sequence[Verdict],
             count: int) -> None:  # fmt: skip
    """A few TLDRs with each defect, to read by eye: from the dev fold (and the summaries)
    only, so that reading them cannot tune the rules to the check fold."""
    if count <= 0:
        return
    shown: Counter[str] = Counter()
    for i in (i for i, item in enumerate(items) if item.fold != "check"):
        verdict = verdicts[i]
        labels = set(verdict.broken) | {f"boilerplate: {k}" for k in verdict.boilerplate}
        labels |= {"repeated headline"} if verdict.repeated else set()
        fresh = [label for label in labels if shown[label] < count]
        if not fresh:
            continue
        shown.update(fresh)
        print(f"\n[{', '.join(sorted(fresh))}] {items[i].key}: {items[i].title[:100]}")
        print(f"  headline: {tldrs[i].headline}")
        for bullet in tldrs[i].bullets:
            print(f"  - {bullet}")


def rouge_report(items: Sequence[Item], tldrs: Sequence[Any]) -> None:
    """ROUGE on CNN/DM of headline + bullets and of bullets alone, beside Lead-3 (tldr.py's
    scorer and paired bootstrap), on all articles and on each half."""
    sys.path.insert(0, str(HERE))
    from tldr import METRICS, mean_scores, paired_difference, scorer

    from wirebrief.summarize.sentences import sentence_texts

    score = scorer()
    pairs = [(item, tldr) for item, tldr in zip(items, tldrs, strict=True)
             if item.fold == "cnndm"]  # fmt: skip
    refs = [item.reference for item, _ in pairs]
    systems = {
        "Wirebrief headline + bullets": [" ".join((t.headline, *t.bullets)) for _, t in pairs],
        "Wirebrief bullets": [" ".join(t.bullets) for _, t in pairs],
        "Lead-3": [" ".join(sentence_texts(item.text)[:3]) for item, _ in pairs],
    }
    print(f"\nCNN/DM, {len(pairs)} articles, ROUGE-1/2/L F1 (all | even half | odd half), "
          "mean words:\n")  # fmt: skip
    print("| System | all | even (dev) | odd (check) | words |")
    print("|---|---:|---:|---:|---:|")
    for name, texts in systems.items():
        cells = []
        for part in (slice(None), slice(0, None, 2), slice(1, None, 2)):
            scores = mean_scores(score, refs[part], texts[part])
            cells.append("/".join(f"{scores[m]:.2f}" for m in METRICS))
        length = statistics.fmean(len(t.split()) for t in texts)
        print(f"| {name} | {' | '.join(cells)} | {length:.0f} |")
    print("\nROUGE-1 minus Lead-3, paired by article:")
    for name in ("Wirebrief headline + bullets", "Wirebrief bullets"):
        print(f"- {name}: {paired_difference(score, refs, systems[name], systems['Lead-3'])}")


def boundary_agreement(items: Sequence[Item]) -> None:
    """Our sentence ends against pysbd's (a rule-based splitter kept apart from ours) on
    the DOJ paragraphs: ends both find, ends only we find, ends only pysbd finds."""
    import pysbd

    from wirebrief.summarize.sentences import sentence_texts

    segmenter = pysbd.Segmenter(language="en", clean=False)

    def ends(pieces: Iterable[str], paragraph: str) -> set[int]:
        found, at = set(), 0
        for piece in pieces:
            start = paragraph.find(piece.strip(), at)
            if start >= 0:
                at = start + len(piece.strip())
                found.add(at)
        return found

    print("\n| Sentence ends (DOJ) | both | only ours | only pysbd |")
    print("|---|---:|---:|---:|")
    for fold in ("dev", "check"):
        both = ours_only = theirs_only = 0
        for item in (item for item in items if item.fold == fold):
            for paragraph in filter(None, (p.strip() for p in item.text.split("\n"))):
                ours = ends(sentence_texts(paragraph), paragraph)
                theirs = ends(segmenter.segment(paragraph), paragraph)
                both += len(ours & theirs)
                ours_only += len(ours - theirs)
                theirs_only += len(theirs - ours)
        print(f"| {fold} | {both} | {ours_only} | {theirs_only} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="the shared data folder (default: ../shared/data)"
    )
    parser.add_argument("--pages", type=int, default=None, help="only the first N DOJ pages")
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="keep the extracted DOJ texts in this JSONL file and reuse them",
    )
    parser.add_argument("--splits", action="store_true",
                        help="compare our sentence ends with pysbd's on the DOJ pages")  # fmt: skip
    parser.add_argument("--examples", type=int, default=0,
                        help="print up to K TLDRs for each defect kind")  # fmt: skip
    options = parser.parse_args()
    for path in (options.data / DOJ, options.data / PAIRS):
        if not path.exists():
            sys.exit(f"error: {path} not found (the shared data sits beside the checkout)")
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        sys.exit("error: rouge-score is missing; install the extra: pip install -e '.[bench]'")

    from wirebrief.summarize import summarize_article

    print(f"# TLDR quality, {date.today()}; python {platform.python_version()}, "
          f"wirebrief {version('wirebrief')}")  # fmt: skip
    items = cached_doj_items(options.data, options.cache, options.pages) + summary_items(
        options.data
    )
    summarize: Callable[[Item], Any] = lambda item: summarize_article(  # noqa: E731
        item.title, item.text, lang=item.lang
    )
    started = time.perf_counter()
    tldrs = [summarize(item) for item in items]
    ms = 1000 * (time.perf_counter() - started) / len(items)
    verdicts = [judge(item, tldr) for item, tldr in zip(items, tldrs, strict=True)]
    groups: dict[str, list[Verdict]] = {}
    for label in ("dev", "check", "cnndm", "xsum"):
        names = {"dev": "DOJ dev (even)", "check": "DOJ check (odd)", "cnndm": "CNN/DM",
                 "xsum": "XSum"}  # fmt: skip
        groups[names[label]] = [v for item, v in zip(items, verdicts, strict=True)
                                if item.fold == label]  # fmt: skip
    print(f"\n{len(items)} TLDRs, {ms:.1f} ms each (summarizing only).")
    defects_table(groups)
    rouge_report(items, tldrs)
    if options.splits:
        boundary_agreement([item for item in items if item.fold in ("dev", "check")])
    examples(items, tldrs, verdicts, options.examples)


if __name__ == "__main__":
    main()
