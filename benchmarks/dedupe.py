"""Repost detection: Wirebrief against exact-hash-only and brute-force Jaccard, same corpus.

The corpus is built in memory from real articles read in place (never copied into the
repository): ``../shared/data/summaries/pairs.jsonl`` (``article``) and
``../shared/data/extraction-benchmark/ground-truth.json`` (``articleBody``). Each root
article gets 0 to 7 syndicated variants on other sites, made by our own transformations:
verbatim copies, "The post … appeared first on …" footers, headline rewrites, dropped and
reordered paragraphs, prepended TLDR bullets, another site's chrome (share, related,
newsletter and disclaimer lines) at top and bottom, small edits, and reposts of reposts.
Past the few hundred real articles, roots are synthetic: sentences of different real
articles recombined, drawn without reuse inside one article, so two of them share a
sentence or two by chance, never most of their text.

Contenders, on the same corpus in the same run:
- wirebrief: every page, in a shuffled order (``--order published``: in order of
  publication, as a desk polling feeds receives them), through ``pipeline.process_text`` and
  ``pipeline.store_article`` (one transaction each) into a fresh SQLite file; a page's
  group is its stored article (every page has its own) followed along ``duplicate_of`` to
  the root. With ``--dedupe-only`` the text stages are the hash and
  the fingerprint, and storing skips story assignment and search indexing (other
  benchmarks measure those): the repost path alone, for corpora too large for all stages.
- exact hash: groups of equal normalised-text hashes (what ``measure`` computes).
- brute force: Jaccard of every pair of shingle sets ≥ 0.5, joined transitively; it stops
  once it has used ``--brute-budget`` seconds, and larger sizes are not tried.

Scores are over pairs of pages: a pair is positive when both pages are copies of one
article.

    python benchmarks/dedupe.py [--sizes 1000,10000,100000] [--brute-budget 120] [--dedupe-only]
                                [--order shuffled|published] [--transforms classic|new]
                                [--corpora N] [--seed N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from sqlalchemy import select

from wirebrief import pipeline
from wirebrief.dedupe.minhash import resemblance, shingles
from wirebrief.pipeline import stages, store
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
PAIRS = Path("summaries") / "pairs.jsonl"
GROUND_TRUTH = Path("extraction-benchmark") / "ground-truth.json"

MIN_ROOT_WORDS = 100  # shorter real texts (captions, stubs) are not articles worth copying
MIN_POOL_SENTENCE_WORDS = 8
MAX_POOL_SENTENCE_WORDS = 60  # longer ones are unsplit lists or tables, not sentences
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)

# After terminal punctuation and a space, or glued to the next sentence (as XSum texts are).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'”’)])\s+|(?<=[a-z0-9)][.!?])(?=[A-Z])")
_WORD = re.compile(r"\w+")


# ── corpus ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Doc:
    """An article as a site publishes it: a headline and paragraphs."""

    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """Paragraphs separated by blank lines, as ``process_text`` takes them."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Site:
    """A publication with its own chrome (the lines around every article it prints)."""

    name: str
    host: str
    top: tuple[str, ...]
    bottom: tuple[str, ...]


@dataclass
class Page:
    """One page of the corpus and what it truly is."""

    url: str
    site: Site
    doc: Doc
    published: datetime
    family: int  # pages of one family are copies of one article
    is_origin: bool
    transforms: tuple[str, ...] = ()


@dataclass
class Corpus:
    """Pages in the order they are fed, and how many families they form."""

    pages: list[Page]
    families: int
    real_roots: int
    synthetic_roots: int


def load_real_articles(data: Path) -> list[Doc]:
    """Real articles from the two shared data sets, read in place, as paragraphs."""
    missing = [str(data / p) for p in (PAIRS, GROUND_TRUTH) if not (data / p).is_file()]
    if missing:
        sys.exit(
            f"benchmark data not found: {', '.join(missing)}. The shared data sets live "
            "beside the repository in ../shared/data; pass --data DIR to point elsewhere."
        )
    rng = random.Random(1)
    bodies: list[str] = []
    with (data / PAIRS).open(encoding="utf-8") as lines:
        bodies += [json.loads(line)["article"] for line in lines if line.strip()]
    truth = json.loads((data / GROUND_TRUTH).read_text(encoding="utf-8"))
    bodies += [entry["articleBody"] for entry in truth.values()]
    docs, seen = [], set()
    for body in bodies:
        key = " ".join(body.split()).casefold()
        if key in seen or len(_WORD.findall(body)) < MIN_ROOT_WORDS:
            continue
        seen.add(key)
        paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
        if len(paragraphs) < 3:  # one block of text (CNN/DailyMail, XSum): 2–4 sentences each
            paragraphs = _chunk(split_sentences(" ".join(paragraphs)), rng)
        docs.append(Doc(headline_of(paragraphs[0]), tuple(paragraphs)))
    return docs


def split_sentences(text: str) -> list[str]:
    """Sentences, split after terminal punctuation (good enough for building a corpus)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def headline_of(paragraph: str) -> str:
    """A headline: the opening words of the first sentence."""
    words = split_sentences(paragraph)[0].split()[:10]
    return " ".join(words).rstrip(".,;:!?\"'”’")


def _chunk(sentences: list[str], rng: random.Random) -> list[str]:
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    return paragraphs


def sentence_pool(docs: list[Doc]) -> list[str]:
    """Every distinct sentence long enough to carry content, for synthetic articles."""
    pool, seen = [], set()
    for doc in docs:
        for paragraph in doc.paragraphs:
            for sentence in split_sentences(paragraph):
                key = sentence.casefold()
                words = len(sentence.split())
                if MIN_POOL_SENTENCE_WORDS <= words <= MAX_POOL_SENTENCE_WORDS and key not in seen:
                    seen.add(key)
                    pool.append(sentence)
    return pool


def synthetic_article(pool: list[str], rng: random.Random) -> Doc:
    """4–8 paragraphs of sentences from different real articles, none used twice here."""
    count = rng.randint(4, 8)
    sizes = [rng.randint(2, 4) for _ in range(count)]
    sentences = rng.sample(pool, sum(sizes))
    paragraphs, i = [], 0
    for size in sizes:
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    return Doc(headline_of(paragraphs[0]), tuple(paragraphs))


_ADJECTIVES = ("Ledger", "Orchard", "Copper", "Harbor", "Signal", "Summit", "Atlas", "Cobalt")
_NOUNS = ("Lantern", "Wire", "Post", "Daily", "Times", "Courier", "Journal", "Report")
_TOP = (
    "Home › News › {section}",
    "Share this article",
    "Follow {site} on X, Telegram and Google News",
    "Listen to this article",
    "Advertisement",
)
_BOTTOM = (
    "Sign up for the {site} newsletter and get the day's top stories in your inbox every morning.",
    "Disclaimer: The views and opinions expressed in this article are for information only and "
    "do not constitute financial, investment or other advice. {site} does not endorse any "
    "project or product mentioned. Readers should do their own research before acting.",
    "Disclaimer: {site} may receive compensation for some links on this page. Prices and "
    "figures were correct at the time of writing and may have changed since.",
    "Read more: the latest {section} news from {site}",
    "Share on Facebook · Share on X · Share on LinkedIn · Copy link",
    "© 2026 {site}. All rights reserved. Reproduction without permission is prohibited.",
)
_SECTIONS = ("Markets", "Crypto", "Tech", "World", "Business", "Sport")


def make_sites(rng: random.Random) -> list[Site]:
    """64 publications, each with its own chrome lines."""
    sites = []
    for adjective in _ADJECTIVES:
        for noun in _NOUNS:
            name = f"{adjective} {noun}"
            fill = {"site": name, "section": rng.choice(_SECTIONS)}
            top = tuple(t.format(**fill) for t in rng.sample(_TOP, rng.randint(1, 2)))
            bottom = tuple(b.format(**fill) for b in rng.sample(_BOTTOM, rng.randint(2, 3)))
            sites.append(Site(name, f"{name.lower().replace(' ', '')}.example", top, bottom))
    return sites


# ── syndication transforms: each takes the copied doc and returns what the copier prints ──


@dataclass(frozen=True)
class Context:
    """What a transform may use: who copies, from whom, and a random source."""

    origin_doc: Doc
    origin_site: Site
    copier: Site
    rng: random.Random
    other_titles: list[str] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)


def footer(doc: Doc, ctx: Context) -> Doc:
    """The WordPress syndication footer naming the origin."""
    line = f"The post {ctx.origin_doc.title} appeared first on {ctx.origin_site.name}."
    return Doc(doc.title, (*doc.paragraphs, line))


_HEADLINES = (
    "{title}: what we know so far",
    "Report: {title}",
    "{title} (updated)",
    "Why it matters: {title}",
    "{title}, sources say",
)


def headline(doc: Doc, ctx: Context) -> Doc:
    """A rewritten headline; the body is untouched."""
    return Doc(ctx.rng.choice(_HEADLINES).format(title=doc.title), doc.paragraphs)


def drop_paragraphs(doc: Doc, ctx: Context) -> Doc:
    """Trimmed: one paragraph, or up to a quarter of them, left out (never the lede: the
    first paragraph that is not a site's chrome)."""
    n = len(doc.paragraphs)
    if n < 4:
        return doc
    count = ctx.rng.randint(1, max(1, n // 4))
    lede = next((i for i, p in enumerate(doc.paragraphs) if not is_chrome(p, ctx)), 0)
    dropped = set(ctx.rng.sample([i for i in range(n) if i != lede], count))
    return Doc(doc.title, tuple(p for i, p in enumerate(doc.paragraphs) if i not in dropped))


def reorder(doc: Doc, ctx: Context) -> Doc:
    """Paragraphs in another order, as copy desks do it: two swapped, or one or two moved."""
    paragraphs = list(doc.paragraphs)
    if len(paragraphs) < 2:
        return doc
    if ctx.rng.random() < 0.5:
        i, j = ctx.rng.sample(range(len(paragraphs)), 2)
        paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
    else:
        for _ in range(ctx.rng.randint(1, 2)):
            moved = paragraphs.pop(ctx.rng.randrange(len(paragraphs)))
            paragraphs.insert(ctx.rng.randrange(len(paragraphs) + 1), moved)
    return Doc(doc.title, tuple(paragraphs))


def tldr(doc: Doc, ctx: Context) -> Doc:
    """Three of the article's sentences prepended as TLDR bullets."""
    sentences = [s for p in doc.paragraphs for s in split_sentences(p)]
    if len(sentences) < 3:
        return doc
    picked = sentences[:3] if ctx.rng.random() < 0.5 else ctx.rng.sample(sentences, 3)
    return Doc(doc.title, ("TLDR", *(f"• {s}" for s in picked), *doc.paragraphs))


def is_chrome(paragraph: str, ctx: Context) -> bool:
    """A line some site prints around every article (its chrome), not the article's text."""
    if paragraph.startswith("Related: "):
        return True
    return any(paragraph in (*site.top, *site.bottom) for site in ctx.sites)


def chrome(doc: Doc, ctx: Context) -> Doc:
    """The copier's own share, related, newsletter and disclaimer lines around the body."""
    related = [f"Related: {ctx.rng.choice(ctx.other_titles)}"] if ctx.other_titles else []
    return Doc(doc.title, (*ctx.copier.top, *doc.paragraphs, *related, *ctx.copier.bottom))


_SYNONYMS = {
    "said": "stated", "says": "states", "also": "additionally", "however": "but",
    "about": "around", "after": "following", "many": "numerous", "big": "large",
    "before": "prior to", "told": "informed", "but": "yet", "because": "as",
}  # fmt: skip


def small_edits(doc: Doc, ctx: Context) -> Doc:
    """A copy editor's touch: a few words swapped for synonyms, one word dropped."""
    paragraphs = list(doc.paragraphs)
    for i in ctx.rng.sample(range(len(paragraphs)), min(3, len(paragraphs))):
        words = paragraphs[i].split(" ")
        spots = [k for k, w in enumerate(words) if w.lower() in _SYNONYMS]
        if spots:
            k = ctx.rng.choice(spots)
            words[k] = _SYNONYMS[words[k].lower()]
        elif len(words) > 5:
            del words[ctx.rng.randrange(1, len(words))]
        paragraphs[i] = " ".join(words)
    return Doc(doc.title, tuple(paragraphs))


def verbatim(doc: Doc, ctx: Context) -> Doc:
    """The same text, with the copier's own spacing and capitalisation of the first word."""
    first = doc.paragraphs[0]
    return Doc(doc.title, (first[:1].upper() + first[1:] + " ", *doc.paragraphs[1:]))


_LEDES = (
    "{site} has learned the details of a story that is moving fast this {day}.",
    "Here is what happened, according to people familiar with the matter, on {day}.",
    "A development on {day} caught the attention of readers across the {section} desk.",
)
_NEW_HEADLINES = (
    "Everything you need to know this {day}",
    "The {section} story everyone is reading",
    "What happened, and what comes next",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "weekend")


def rewrite_lede(doc: Doc, ctx: Context) -> Doc:
    """A new headline with none of the old words, and the first paragraph rewritten: a
    sentence of the copier's own in front, the old lede's clauses in another order.
    """
    fill = {"site": ctx.copier.name, "day": ctx.rng.choice(_DAYS), "section": "news"}
    clauses = [c.strip() for c in re.split(r",|;| and ", doc.paragraphs[0]) if c.strip()]
    ctx.rng.shuffle(clauses)
    lede = ctx.rng.choice(_LEDES).format(**fill) + " " + ", ".join(clauses)
    title = ctx.rng.choice(_NEW_HEADLINES).format(**fill)
    return Doc(title, (lede, *doc.paragraphs[1:]))


def shuffle(doc: Doc, ctx: Context) -> Doc:
    """Every paragraph in a new order (an aggregator that rebuilds the page)."""
    paragraphs = list(doc.paragraphs)
    ctx.rng.shuffle(paragraphs)
    return Doc(doc.title, tuple(paragraphs))


_INJECTED = (
    "ADVERTISEMENT",
    "Continue reading below",
    "Story continues below advertisement",
    "Read more: {other}",
    "Also read: {other}",
    "Don't miss: {other}",
    "Sign up for the {site} newsletter to get stories like this in your inbox.",
)


def inject(doc: Doc, ctx: Context) -> Doc:
    """Boilerplate and "read more" teasers for other articles between the paragraphs."""
    out: list[str] = []
    for index, paragraph in enumerate(doc.paragraphs):
        out.append(paragraph)
        if index % 2 == 1 and index + 1 < len(doc.paragraphs):
            other = ctx.rng.choice(ctx.other_titles) if ctx.other_titles else "more news"
            line = ctx.rng.choice(_INJECTED).format(other=other, site=ctx.copier.name)
            out.append(line)
    return Doc(doc.title, tuple(out))


TEASER_WORDS = 60  # at least this many words of the article before the cut


def teaser(doc: Doc, ctx: Context) -> Doc:
    """Truncated to a teaser: the first paragraphs (at least ``TEASER_WORDS`` words of the
    article, chrome lines not counted, when it has them) and a link to the rest at the origin.
    """
    kept: list[str] = []
    for paragraph in doc.paragraphs:
        kept.append(paragraph)
        if sum(len(p.split()) for p in kept if not is_chrome(p, ctx)) >= TEASER_WORDS:
            break
    more = f"Continue reading this story at {ctx.origin_site.name} …"
    return Doc(doc.title, (*kept, more))


def second_chrome(doc: Doc, ctx: Context) -> Doc:
    """A copy of a copy: the first copier's chrome (another site's) stays, the second's wraps
    it; what the benchmark's repost-of-repost already picks as parent, with chrome twice.
    """
    first = ctx.rng.choice([s for s in ctx.sites if s is not ctx.copier] or [ctx.copier])
    return chrome(chrome(doc, replace(ctx, copier=first)), ctx)


Transform = Callable[[Doc, Context], Doc]
EDITS: dict[str, Transform] = {
    "footer": footer,
    "headline": headline,
    "drop": drop_paragraphs,
    "reorder": reorder,
    "tldr": tldr,
    "chrome": chrome,
    "edits": small_edits,
}
# Written for issue 21, on top of the ones the engine was developed on; each copy made with
# ``--transforms new`` gets one of these (and up to two of the above).
NEW_EDITS: dict[str, Transform] = {
    "rewrite-lede": rewrite_lede,
    "shuffle": shuffle,
    "inject": inject,
    "teaser": teaser,
    "second-chrome": second_chrome,
}
REPOST_OF_REPOST = 0.15
VERBATIM = 0.15


def family_size(rng: random.Random) -> int:
    """Pages per article: about 45 % stand alone, the rest have 1–7 copies."""
    if rng.random() < 0.45:
        return 1
    return rng.choices(range(2, 9), weights=(30, 22, 15, 11, 8, 6, 4))[0]


def build_corpus(
    size: int,
    real: list[Doc],
    pool: list[str],
    seed: int,
    order: str = "shuffled",
    transforms: str = "classic",
) -> Corpus:
    """``size`` pages in a feeding order: shuffled (copies often arrive before their origin,
    and a page late in the feed finds most of its family stored) or by publication time
    (copies arrive within two days of their parent); real roots first, then synthetic."""
    rng = random.Random(seed)
    sites = make_sites(rng)
    titles = [doc.title for doc in real]
    pages: list[Page] = []
    family = real_roots = 0
    while len(pages) < size:
        if family < len(real):
            root_doc, real_roots = real[family], real_roots + 1
        else:
            root_doc = synthetic_article(pool, rng)
        count = min(family_size(rng), size - len(pages))
        hosts = rng.sample(sites, count)
        born = START + timedelta(minutes=rng.randrange(60 * 24 * 60))
        family_pages = [Page("", hosts[0], root_doc, born, family, True)]
        if rng.random() < 0.3:  # distinct articles carry their site's chrome too
            family_pages[0].doc = chrome(root_doc, Context(root_doc, hosts[0], hosts[0], rng))
        for copier in hosts[1:]:
            parent = family_pages[0]
            if len(family_pages) > 1 and rng.random() < REPOST_OF_REPOST:
                parent = rng.choice(family_pages[1:])
            ctx = Context(root_doc, hosts[0], copier, rng, titles, sites)
            if transforms == "new":
                names: tuple[str, ...] = (
                    rng.choice(sorted(NEW_EDITS)),
                    *rng.sample(sorted(EDITS), rng.randint(0, 2)),
                )
            elif rng.random() < VERBATIM:
                names = ("verbatim",)
            else:
                names = tuple(rng.sample(sorted(EDITS), rng.randint(1, 3)))
            doc = parent.doc
            for name in names:
                doc = {"verbatim": verbatim, **EDITS, **NEW_EDITS}[name](doc, ctx)
            if parent is not family_pages[0]:
                names = ("repost-of-repost", *names)
            delay = timedelta(minutes=rng.randint(10, 48 * 60))
            family_pages.append(
                Page("", copier, doc, parent.published + delay, family, False, names)
            )
        pages.extend(family_pages)
        family += 1
    for index, page in enumerate(pages):
        slug = "-".join(_WORD.findall(page.doc.title.lower())[:6]) or "article"
        page.url = f"https://{page.site.host}/{page.published:%Y/%m}/{slug}-{index}"
    rng.shuffle(pages)
    if order == "published":
        pages.sort(key=lambda page: page.published)
    return Corpus(pages, family, real_roots, family - real_roots)


# ── contenders ───────────────────────────────────────────────────────────────


@dataclass
class Run:
    """One contender's answer on one corpus: a group label per page, and its timing."""

    name: str
    groups: list[int] | None  # None: did not finish
    seconds: float
    per_page_s: list[float] = field(default_factory=list)
    per_page_cpu_s: list[float] = field(default_factory=list)  # this process's CPU time only
    collapse_s: list[float] = field(default_factory=list)  # of which dedupe.collapse.place
    # Per page: was a page of its family fed before it (then a copy check reads a candidate)?
    family_stored: list[bool] = field(default_factory=list)
    note: str = ""
    origins_right: tuple[int, int] | None = None


def run_wirebrief(corpus: Corpus, budget_s: float | None, *, dedupe_only: bool = False) -> Run:
    """Feed every page through process_text and store_article, one transaction each."""
    collapse = _Stopwatch(store.place)  # the collapse step alone, apart from stories
    with ExitStack() as patches, tempfile.TemporaryDirectory(prefix="wirebrief-dedupe-") as folder:
        patches.enter_context(patch.object(store, "place", collapse))
        if dedupe_only:
            text_stages = (stages.measure, stages.fingerprint)
            patches.enter_context(patch.object(stages, "TEXT_STAGES", text_stages))
            patches.enter_context(patch.object(store, "assign_story", _skipped))
            patches.enter_context(patch.object(store, "index_stored", _skipped))
        name = "wirebrief (dedupe path)" if dedupe_only else "wirebrief"
        return _feed(corpus, Path(folder) / "bench.db", Run(name, None, 0.0), collapse, budget_s)


def _skipped(*args: object) -> None:
    """Stands in for a store stage that ``--dedupe-only`` leaves out."""


def _feed(
    corpus: Corpus, path: Path, run: Run, collapse: _Stopwatch, budget_s: float | None
) -> Run:
    settings = Settings(database_url=f"sqlite:///{path}")
    db = Database(settings.database_url)
    db.upgrade()
    started = time.perf_counter()
    tenth = max(1, len(corpus.pages) // 10)
    fed_families: set[int] = set()
    for page in corpus.pages:
        run.family_stored.append(page.family in fed_families)
        fed_families.add(page.family)
        tick, cpu, collapse.last = time.perf_counter(), time.process_time(), 0.0
        draft = pipeline.process_text(
            page.url, page.doc.title, page.doc.text, settings,
            site_name=page.site.name, published=page.published,
        )  # fmt: skip
        with db.session() as session:
            pipeline.store_article(session, draft)
        run.per_page_s.append(time.perf_counter() - tick)
        run.per_page_cpu_s.append(time.process_time() - cpu)
        run.collapse_s.append(collapse.last)
        if len(run.per_page_s) % tenth == 0:  # progress of long runs, on stderr
            recent = 1000 * sum(run.per_page_s[-tenth:]) / tenth
            print(f"  {len(run.per_page_s):,} pages, {recent:.1f} ms/page", file=sys.stderr)
        if budget_s is not None and time.perf_counter() - started > budget_s:
            run.note = f"did not finish: {len(run.per_page_s):,} pages in {budget_s:.0f} s"
            break
    run.seconds = time.perf_counter() - started
    if len(run.per_page_s) == len(corpus.pages):
        run.groups, root_urls = _stored_groups(db, corpus)
        run.origins_right = _origins_right(corpus, run.groups, root_urls)
    db.dispose()
    return run


class _Stopwatch:
    """Calls a function and remembers how long the last call took."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.last = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tick = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.last = time.perf_counter() - tick


def _stored_groups(db: Database, corpus: Corpus) -> tuple[list[int], dict[int, str]]:
    """Each page's root article id, and each root article's URL."""
    with db.session() as session:
        rows = session.execute(select(Article.id, Article.duplicate_of, Article.url)).all()
    article_of = {url: article_id for article_id, _, url in rows}
    parent = {article_id: duplicate_of for article_id, duplicate_of, _ in rows}
    url_of = {article_id: url for article_id, _, url in rows}

    def root(article_id: int) -> int:
        seen = {article_id}
        while parent.get(article_id) is not None and parent[article_id] not in seen:
            article_id = parent[article_id]
            seen.add(article_id)
        return article_id

    groups = [root(article_of[page.url]) for page in corpus.pages]
    return groups, {g: url_of[g] for g in set(groups)}


def _origins_right(corpus: Corpus, groups: list[int], root_urls: dict[int, str]) -> tuple[int, int]:
    """Families with copies whose origin page is what its group's root article stands for."""
    right = total = 0
    sizes = Counter(page.family for page in corpus.pages)
    for page, group in zip(corpus.pages, groups, strict=True):
        if page.is_origin and sizes[page.family] > 1:
            total += 1
            right += root_urls[group] == page.url
    return right, total


def run_exact_hash(corpus: Corpus) -> Run:
    """Groups of pages whose normalised text hashes alike (as the measure stage hashes)."""
    started = time.perf_counter()
    label: dict[str, int] = {}
    groups = []
    for page in corpus.pages:
        normalised = " ".join(page.doc.text.split()).casefold()
        digest = hashlib.sha256(normalised.encode()).hexdigest()
        groups.append(label.setdefault(digest, len(label)))
    return Run("exact hash only", groups, time.perf_counter() - started)


def run_brute_force(corpus: Corpus, budget_s: float) -> Run:
    """Jaccard of every pair of shingle sets; pairs at 0.5 or more are joined transitively."""
    started = time.perf_counter()
    sets = [shingles(page.doc.text) for page in corpus.pages]
    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(sets):
        if time.perf_counter() - started > budget_s:
            done = sum(len(sets) - 1 - k for k in range(i))
            total = len(sets) * (len(sets) - 1) // 2
            note = f"did not finish in {budget_s:.0f} s ({done / total:.0%} of pairs)"
            return Run("brute-force Jaccard", None, time.perf_counter() - started, note=note)
        for j in range(i + 1, len(sets)):
            if resemblance(a, sets[j]).jaccard >= 0.5:
                parent[find(j)] = find(i)
    groups = [find(i) for i in range(len(sets))]
    return Run("brute-force Jaccard", groups, time.perf_counter() - started)


# ── scoring and report ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class PairScore:
    """Duplicate-pair precision, recall and F1."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def pair_score(truth: list[int], predicted: list[int]) -> PairScore:
    """Over all pairs of pages: positive when both are copies of one article."""

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    true_pairs = pairs(Counter(truth).values())
    predicted_pairs = pairs(Counter(predicted).values())
    both = pairs(Counter(zip(truth, predicted, strict=True)).values())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, true_pairs, predicted_pairs)


def spread(scores: list[PairScore]) -> str:
    """Mean ± standard deviation of precision, recall and F1 over several corpora."""
    parts = []
    for name in ("precision", "recall", "f1"):
        values = [getattr(score, name) for score in scores]
        parts.append(f"{name} {statistics.fmean(values):.4f} ± {statistics.stdev(values):.4f}")
    lowest = min(score.recall for score in scores)
    return ", ".join(parts) + f" (lowest recall {lowest:.4f})"


def recall_by_transform(corpus: Corpus, groups: list[int]) -> dict[str, tuple[int, int]]:
    """For each transform: copies made with it that landed with their origin, of all."""
    origin_group = {p.family: g for p, g in zip(corpus.pages, groups, strict=True) if p.is_origin}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page, group in zip(corpus.pages, groups, strict=True):
        for name in page.transforms:
            found[name][0] += group == origin_group[page.family]
            found[name][1] += 1
    return {name: (hit, total) for name, (hit, total) in sorted(found.items())}


def flat_ms(per_page: list[float]) -> tuple[float, float]:
    """Mean milliseconds per page over the first and the last 10 % of the feed."""
    tenth = max(1, len(per_page) // 10)
    first, last = per_page[:tenth], per_page[-tenth:]
    return 1000 * sum(first) / len(first), 1000 * sum(last) / len(last)


def tenths(values: list[Any]) -> list[list[Any]]:
    """``values`` in ten consecutive chunks of equal size, in feeding order."""
    tenth = max(1, len(values) // 10)
    chunks = [values[start : start + tenth] for start in range(0, tenth * 10, tenth)]
    return [chunk for chunk in chunks if chunk]


def tenths_ms(per_page: list[float]) -> list[float]:
    """Mean milliseconds per page over each tenth of the feed, in order."""
    return [1000 * sum(chunk) / len(chunk) for chunk in tenths(per_page)]


def _by_family_note(run: Run) -> str:
    """Per tenth, ms/page apart for pages whose family was already fed and for the others:
    in a shuffled feed the first mix more of the former as it goes on."""
    chunks = tenths(list(zip(run.per_page_s, run.family_stored, strict=True)))
    parts = []
    for kind, wanted in (("family stored", True), ("first of family", False)):
        cells = []
        for chunk in chunks:
            times = [seconds for seconds, stored in chunk if stored is wanted]
            cells.append(f"{1000 * sum(times) / len(times):.1f}" if times else "–")
        share = sum(stored is wanted for stored in run.family_stored) / len(run.family_stored)
        parts.append(f"{kind} ({share:.0%}) {' '.join(cells)}")
    return "per tenth, " + "; ".join(parts)


def report(size: int, corpus: Corpus, runs: list[Run]) -> list[str]:
    """Print one size's results; return its Markdown table rows."""
    truth = [page.family for page in corpus.pages]
    copies = sum(not page.is_origin for page in corpus.pages)
    print(
        f"\n== {size:,} pages: {corpus.families:,} articles ({corpus.real_roots} real, "
        f"{corpus.synthetic_roots:,} synthetic), {copies:,} copies, "
        f"{pair_score(truth, truth).true_pairs:,} duplicate pairs =="
    )
    print(f"{'method':<24} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>9}  notes")
    rows = []
    for run in runs:
        done = len(run.per_page_s) if run.per_page_s else len(corpus.pages)
        rate = f"{done / run.seconds:,.0f}" if run.groups is not None or run.per_page_s else "–"
        notes = [run.note] if run.note else []
        if run.per_page_s:
            first, last = flat_ms(run.per_page_s)
            place_first, place_last = flat_ms(run.collapse_s)
            cpu_first, cpu_last = flat_ms(run.per_page_cpu_s)
            notes.append(
                f"ms/page, first → last 10 %: all {first:.1f} → {last:.1f}, "
                f"of which collapse {place_first:.1f} → {place_last:.1f}; "
                f"CPU {cpu_first:.1f} → {cpu_last:.1f} (this process alone); "
                f"per tenth {' '.join(f'{ms:.1f}' for ms in tenths_ms(run.per_page_s))}"
            )
            notes.append(_by_family_note(run))
        if run.origins_right:
            right, total = run.origins_right
            notes.append(f"origin right {right}/{total}")
        if run.groups is None:
            print(f"{run.name:<24} {'–':>6} {'–':>6} {'–':>6} {rate:>9}  {'; '.join(notes)}")
            rows.append(f"| {size:,} | {run.name} | – | – | – | {rate} | {'; '.join(notes)} |")
            continue
        s = pair_score(truth, run.groups)
        print(
            f"{run.name:<24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {rate:>9}  "
            + "; ".join(notes)
        )
        rows.append(
            f"| {size:,} | {run.name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
            f"{rate} | {'; '.join(notes)} |"
        )
    ours = runs[0]
    if ours.groups is not None:
        parts = [f"{n} {h}/{t}" for n, (h, t) in recall_by_transform(corpus, ours.groups).items()]
        print("wirebrief, copies found by transform: " + ", ".join(parts))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="pages per corpus")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--corpora",
        type=int,
        default=1,
        help="corpora per size (seeds seed+size, seed+size+1, …): more than one prints each "
        "one's figures and their mean ± standard deviation; the contenders beside Wirebrief "
        "run on the first only",
    )
    parser.add_argument(
        "--brute-budget", type=float, default=120.0, help="seconds for brute force per size"
    )
    parser.add_argument(
        "--budget", type=float, default=None, help="seconds for Wirebrief per size (default: none)"
    )
    parser.add_argument(
        "--dedupe-only",
        action="store_true",
        help="time the repost path only: hash, fingerprint and collapse (no stories, no index)",
    )
    parser.add_argument(
        "--order",
        choices=("shuffled", "published"),
        default="shuffled",
        help="feeding order: shuffled (the default) or by publication time",
    )
    parser.add_argument(
        "--transforms",
        choices=("classic", "new"),
        default="classic",
        help="classic: the transforms the engine was developed on; new: every copy gets one "
        "written for issue 21 (lede rewritten, shuffled, boilerplate injected, teaser, "
        "second chrome) and up to two classic ones",
    )
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    real = load_real_articles(args.data)
    pool = sentence_pool(real)
    print(
        f"{len(real)} real articles, {len(pool):,} distinct sentences for synthetic ones; "
        f"feeding order: {args.order}"
    )
    rows: list[str] = []
    brute_finished = True
    for size in sizes:
        scores: list[PairScore] = []
        found: Counter[str] = Counter()
        made: Counter[str] = Counter()
        for number in range(args.corpora):
            seed = args.seed + size + number
            corpus = build_corpus(size, real, pool, seed, args.order, args.transforms)
            runs = [run_wirebrief(corpus, args.budget, dedupe_only=args.dedupe_only)]
            if number == 0:
                runs.append(run_exact_hash(corpus))
                if brute_finished:
                    runs.append(run_brute_force(corpus, args.brute_budget))
                    brute_finished = runs[-1].groups is not None
                else:
                    note = "did not finish (not run: a smaller size did not)"
                    runs.append(Run("brute-force Jaccard", None, math.inf, note=note))
            if args.corpora > 1:
                print(f"\ncorpus {number + 1} of {args.corpora} (seed {seed})")
            rows += report(size, corpus, runs)
            if runs[0].groups is not None:
                scores.append(pair_score([page.family for page in corpus.pages], runs[0].groups))
                for name, (hit, total) in recall_by_transform(corpus, runs[0].groups).items():
                    found[name] += hit
                    made[name] += total
        if len(scores) > 1:
            print(
                f"\n{size:,} pages, wirebrief over {len(scores)} corpora (mean ± sd): "
                + spread(scores)
            )
            print(
                "copies found by transform, all corpora: "
                + ", ".join(f"{name} {found[name]}/{made[name]}" for name in sorted(made))
            )
    print("\n| pages | method | P | R | F1 | pages/s | notes |")
    print("|---:|---|---:|---:|---:|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
