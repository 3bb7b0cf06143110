"""Entity linking: the assets an article is about, each with a score and its evidence.

Mentions are found in the title and the text in two passes: one Aho-Corasick automaton
over every alias and stop phrase, and a pattern for tickers (cashtags, "(TSLA)",
"NYSE: BABA", bare capitals). Then each mention is judged, because precision matters more
than recall here (a wrong ticker under a story is worse than none):

- a mention overlapping a stop phrase ("gold medal", "Union Street") does not count, and
  of overlapping aliases the longest wins ("Union Pacific" over "Union");
- a name that is also an ordinary word ("gold", "Union") counts only with market words or
  prices nearby in its sentence, or once the asset is named unambiguously elsewhere; a
  capitalised one next to another capitalised word is part of a longer name;
- a ticker that is also a word ("U", "ONE", "LINK") counts only as a cashtag, after the
  asset's name in brackets or after an exchange;
- a company named only to place a person ("Tesla CEO Elon Musk", "Jensen Huang from
  Nvidia") barely counts, and people are not aliases at all.

An asset links when its mentions, weighted by kind and field, title first, and with
diminishing returns for repeats, reach ``LINK_THRESHOLD``. Then ``about.py`` decides from
where and how it is named whether the article is *about* it or names it in passing.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import islice

import ahocorasick

from wirebrief.markets.about import WEAK_KINDS, AboutModel, MentionFacts, features
from wirebrief.markets.registry import DATA_DIR, Registry, builtin_assets, stop_phrases
from wirebrief.markets.types import AssetLink, AssetSpec, Evidence

log = logging.getLogger(__name__)

# What one mention is worth, by how the asset was named.
WEIGHTS = {
    "cashtag": 3.0,  # $TSLA
    "ticker_in_parens": 3.0,  # Tesla (TSLA), Union (U)
    "exchange_ticker": 3.0,  # NYSE: BABA
    "ticker": 2.0,  # TSLA
    "name": 1.5,  # Tesla, bitcoin
    "name_in_context": 1.0,  # gold, with "rose 1.1%" nearby
    "role": 0.25,  # Tesla CEO Elon Musk
    "product": 0.25,  # a 2012 Ford F-150
}
TITLE_FACTOR = 2.0
REPEAT_DECAY = 0.6  # the n-th mention of an asset counts 0.6**n of its weight
LINK_THRESHOLD = 1.0
MAX_EVIDENCE = 5
CONTEXT_WORDS = 8  # market words this close to an ambiguous name (same sentence) count
AMOUNT_WORDS = 3  # prices and percentages only this close: "gold fell 1.1%"
WINDOW_CHARS = 160  # more than CONTEXT_WORDS words either side


def _word_set(text: str) -> frozenset[str]:
    """Words separated by white space; lines starting with # are comments."""
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return frozenset(word for line in lines for word in line.split())


# Words that say a sentence is about prices or trading (data/market_words.txt).
MARKET_WORDS = _word_set((DATA_DIR / "market_words.txt").read_text(encoding="utf-8"))
# Capitalised words that start sentences or clauses: not part of a longer proper name.
_FUNCTION_WORDS = _word_set(
    """The A An In On At For And But As While When Meanwhile Also So Yet Then Why How What
    Where Spot Like With From By Of To Only Even Both All Unlike After Before Since Though
    Although If Because Until Despite Over Under Into"""
)
_TOKEN = re.compile(r"[$€£¥]?\d[\d,.]*%?|[A-Za-z][A-Za-z'\-]*")
_AMOUNT = re.compile(r"[$€£¥]\d[\d,.]*|\d[\d,.]*%|percent")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Words that, a few words before a name, say it is named in passing.
_PASSING = re.compile(
    r"\b(?:such as|like|including|include|includes|unlike|rivals?|competitors?|peers?"
    r"|compared (?:with|to)|than|versus|alongside|as well as)\b",
    re.IGNORECASE,
)
PASSING_WORDS = 6  # how many words before a name a passing cue may stand (<= CONTEXT_WORDS)
MOVE_WORDS = 6  # a move of its own: a move word and an amount this close after the name
_MOVES = _word_set(
    """rose rise rises rising fell fall falls falling gained gains gain gaining lost loses
    losing dropped drops drop dropping climbed climbs climbing jumped jumps jumping slid
    slides sliding slipped slips slipping added adds adding surged surges surging soared
    soars soaring plunged plunges plunging tumbled tumbles tumbling rallied rallies
    rallying sank sinks sinking eased eases easing edged edges edging declined declines
    declining advanced advances advancing rebounded rebounds rebounding retreated retreats
    retreating slumped slumps slumping up down"""
)
_UPPER = re.compile(r"[A-Z]")
_LONG_WORD = re.compile(r"[A-Za-z]{4,}")
_LOWER = re.compile(r"[a-z]")
_YEAR_BEFORE = re.compile(r"\b(?:19|20)\d\d\s+$")  # "a 2003 Toyota Tundra": a product
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][a-z]+)\b")
_PREVIOUS_WORD = re.compile(r"\b([A-Z][a-z]+)[ \t]+$")
_CASHTAG = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9]{0,9}(?:\.[A-Za-z])?)(?![\w&])")
_CAPS = re.compile(r"(?<![\w$&./@-])([A-Z][A-Z0-9]{0,5}(?:\.[A-Z])?)(?![\w&/]|\.\w|-\w)")
_EXCHANGE_BEFORE = re.compile(
    r"(?:NASDAQ|Nasdaq|NYSE(?: American| Arca)?|HKEX|SEHK|LSE|TSX|OTC|Euronext(?: Paris)?"
    r"|XETRA|Xetra|KRX)\s*:\s*$"
)
_ROLE_TITLES = (
    r"(?:co-?founder|founder|chief executive(?: officer)?|CEO|chairman|chairwoman|boss"
    r"|president|CFO|CTO|COO|chief (?:financial|technology|operating) officer)"
)
_ROLE_AFTER = re.compile(
    rf"(?:'s)?\s+{_ROLE_TITLES}(?:\s+and\s+{_ROLE_TITLES})?,?\s+[A-Z][a-z]+\s+[A-Z][a-z]+"
)
_ROLE_BEFORE = re.compile(
    rf"(?:{_ROLE_TITLES}\s+(?:of|at)|\b(?P<first>[A-Z][a-z]+)\s+[A-Z][a-z]+,?\s+(?:from|of|at))"
    r"\s+(?:the\s+)?$"
)


@dataclass(frozen=True)
class Candidate:
    """A linked asset before the about model judges it: what ``--fit`` learns from."""

    spec: AssetSpec
    evidence: tuple[Evidence, ...]  # every counted mention, in order
    features: tuple[float, ...]  # about.FEATURES


@dataclass(frozen=True)
class _Counted:
    """A mention that counts: its weight and its evidence."""

    weight: float
    evidence: Evidence
    spec: AssetSpec


@dataclass(frozen=True)
class _Alias:
    written: str  # as in the registry: its case decides how it may match
    spec: AssetSpec | None  # None for a stop phrase
    needs_context: bool = False


@dataclass(frozen=True)
class _Mention:
    spec: AssetSpec
    start: int
    end: int
    kind: str
    needs_context: bool = False


class Linker:
    """Links text to the assets of a registry; build once, call :meth:`link` many times."""

    def __init__(self, registry: Registry, stops: Iterable[str] | None = None) -> None:
        self.registry = registry
        self._tickers: dict[str, AssetSpec] = {}
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[_Alias]] = defaultdict(list)
        for spec in registry:
            self._tickers[spec.symbol.upper()] = spec
            for alias in spec.aliases:
                entries[_fold(alias)].append(_Alias(alias, spec))
            for alias in spec.ambiguous:
                entries[_fold(alias)].append(_Alias(alias, spec, needs_context=True))
        for phrase in stop_phrases() if stops is None else stops:
            entries[_fold(phrase)].append(_Alias(phrase, None))
        for key, aliases in entries.items():
            self._automaton.add_word(key, (key, tuple(aliases)))
        if entries:
            self._automaton.make_automaton()

    def link(self, title: str, text: str = "") -> list[AssetLink]:
        """The assets ``title`` and ``text`` name, best first: those the article is about,
        then those it mentions in passing."""
        links = []
        for candidate in self.candidates(title, text):
            probability = self.about_model.probability(candidate.features)
            spec = candidate.spec
            links.append(
                AssetLink(
                    spec.symbol,
                    spec.name,
                    spec.kind,
                    self.about_model.score(probability),
                    candidate.evidence[:MAX_EVIDENCE],
                    self.about_model.role(probability),
                )
            )
        return sorted(links, key=lambda link: (not link.is_about, -link.score, link.symbol))

    @cached_property
    def about_model(self) -> AboutModel:
        return AboutModel.load()

    def candidates(self, title: str, text: str = "") -> list[Candidate]:
        """The assets whose mentions reach ``LINK_THRESHOLD``, with what the about model
        reads of them."""
        layouts = {"title": _Layout(_normalise(title)), "text": _Layout(_normalise(text))}
        mentions = {name: self._mentions(layout.content) for name, layout in layouts.items()}
        established = {m.spec.symbol for ms in mentions.values() for m in ms if not m.needs_context}
        counted = self._count(layouts, mentions, established)
        # An ambiguous name with market words beside it establishes the asset for its other
        # mentions too: "Justice Department Sues Visa" once the text says "Visa shares fell".
        in_context = {
            symbol
            for symbol, items in counted.items()
            if any(item.evidence.kind == "name_in_context" for item in items)
        }
        if not in_context <= established:
            counted = self._count(layouts, mentions, established | in_context)
        raw = {
            symbol: _raw_weight([item.weight for item in items])
            for symbol, items in counted.items()
        }
        linked = sorted(symbol for symbol, value in raw.items() if value >= LINK_THRESHOLD)
        # what the about model reads, worked out for linked assets only
        facts = {
            symbol: [_facts(layouts, item.evidence) for item in counted[symbol]]
            for symbol in linked
        }
        own_words = _own_words(layouts["text"], facts)
        total = sum(raw[symbol] for symbol in linked)
        in_title = [
            (fact.start, symbol)
            for symbol in linked
            for fact in facts[symbol]
            if fact.field == "title" and fact.kind not in WEAK_KINDS
        ]
        title_first = min(in_title)[1] if in_title else None
        return [
            Candidate(
                counted[symbol][0].spec,
                tuple(item.evidence for item in counted[symbol]),
                features(
                    facts[symbol],
                    share=raw[symbol] / total,
                    title_first=symbol == title_first,
                    own_words=own_words.get(symbol, 0),
                    text_length=len(text),
                    assets=len(linked),
                ),
            )
            for symbol in linked
        ]

    def _count(
        self,
        layouts: dict[str, _Layout],
        mentions: dict[str, list[_Mention]],
        established: set[str],
    ) -> dict[str, list[_Counted]]:
        """The mentions that count, per symbol, in order: title first, then text."""
        counted: dict[str, list[_Counted]] = defaultdict(list)
        for field_name, layout in layouts.items():
            if not mentions[field_name]:
                continue
            content = layout.content
            # capitals say nothing in a headline-style field; only ambiguous names ask
            title_case = any(m.needs_context for m in mentions[field_name]) and _is_title_case(
                content
            )
            for mention in mentions[field_name]:
                market = mention.needs_context and layout.context(mention.start, mention.end).market
                kind = self._judge(mention, content, market, established, title_case)
                if kind is None:
                    continue
                weight = WEIGHTS[kind] * (TITLE_FACTOR if field_name == "title" else 1.0)
                span = content[mention.start : mention.end]
                evidence = Evidence(_clean(span), mention.start, mention.end, field_name, kind)
                counted[mention.spec.symbol].append(_Counted(weight, evidence, mention.spec))
        return counted

    # ── finding mentions ──

    def _mentions(self, content: str) -> list[_Mention]:
        if not content:
            return []
        content = _normalise(content)
        names, stops = self._alias_matches(content)
        taken = [(m.start, m.end) for m in names] + stops
        tickers = self._ticker_matches(content, names, taken)
        return sorted(names + tickers, key=lambda mention: mention.start)

    def _alias_matches(self, content: str) -> tuple[list[_Mention], list[tuple[int, int]]]:
        """Aliases (longest first, none overlapping) and the spans of stop phrases."""
        folded = _fold(content)
        candidates: list[_Mention] = []
        stops: list[tuple[int, int]] = []
        for last, (key, aliases) in self._automaton.iter(folded):
            start, end = last - len(key) + 1, last + 1
            if not _at_word_edges(content, start, end):
                continue
            original = content[start:end]
            for alias in aliases:
                if not _case_matches(alias.written, original):
                    continue
                if alias.spec is None:
                    stops.append((start, end))
                else:
                    candidates.append(_Mention(alias.spec, start, end, "name", alias.needs_context))
        candidates = [m for m in candidates if not _overlaps(m.start, m.end, stops)]
        chosen: list[_Mention] = []
        for mention in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
            same_span = any((c.start, c.end) == (mention.start, mention.end) for c in chosen)
            if same_span or not _overlaps(
                mention.start, mention.end, [(c.start, c.end) for c in chosen]
            ):
                chosen.append(mention)
        return sorted(chosen, key=lambda m: m.start), stops

    def _ticker_matches(
        self, content: str, names: list[_Mention], taken: list[tuple[int, int]]
    ) -> list[_Mention]:
        mentions = []
        for match in _CASHTAG.finditer(content):
            spec = self._tickers.get(match.group(1).upper())
            if spec is not None:
                mentions.append(_Mention(spec, match.start(), match.end(), "cashtag"))
        shouting: bool | None = None  # worked out only when a bare ticker shows up
        for match in _CAPS.finditer(content):
            spec = self._tickers.get(match.group(1))
            start, end = match.span(1)
            if spec is None or _overlaps(start, end, taken):
                continue
            if _EXCHANGE_BEFORE.search(content, max(0, start - 24), start):
                mentions.append(_Mention(spec, start, end, "exchange_ticker"))
            elif content[start - 1 : start] == "(" and content[end : end + 1] == ")":
                named = any(m.spec is spec and 0 <= start - m.end <= 40 for m in names)
                plain = not spec.ticker_needs_context and not _spells(content, start, spec.symbol)
                if named or plain:
                    mentions.append(_Mention(spec, start, end, "ticker_in_parens"))
            elif not spec.ticker_needs_context:
                shouting = _is_shouting(content) if shouting is None else shouting
                if not shouting:
                    mentions.append(_Mention(spec, start, end, "ticker"))
        return mentions

    # ── judging one mention ──

    def _judge(
        self,
        mention: _Mention,
        content: str,
        market: bool,
        established: set[str],
        title_case: bool,
    ) -> str | None:
        """The evidence kind this mention counts as, or ``None`` when it does not count
        (``market``: market words or a price beside it)."""
        if mention.kind != "name":
            return mention.kind
        if mention.needs_context:
            if not title_case and _inside_proper_name(content, mention.start, mention.end):
                return None
            known = mention.spec.symbol in established
            if not known and not market:
                return None
            return "name_in_context"
        if mention.spec.kind == "stock":
            if _names_a_role(content, mention.start, mention.end):
                return "role"
            if _YEAR_BEFORE.search(content, max(0, mention.start - 6), mention.start):
                return "product"
        return "name"


# ── the built-in linker ──────────────────────────────────────────────────────


@lru_cache(maxsize=1)
def builtin_linker() -> Linker:
    """A linker over the built-in registry only (built once per process); with the
    database's assets too, see ``markets.catalog.linker_for``."""
    return Linker(Registry(builtin_assets()))


# ── helpers ──────────────────────────────────────────────────────────────────


def _normalise(text: str) -> str:
    """Same length as ``text``: curly apostrophes and no-break spaces made plain."""
    return text.replace("\u2019", "'").replace("\xa0", " ")


def _fold(text: str) -> str:
    """Lower case with the length unchanged, so offsets stay valid."""
    lowered = _normalise(text).lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in _normalise(text))


def _clean(text: str) -> str:
    return " ".join(text.split())


def _case_matches(written: str, original: str) -> bool:
    """Lower-case aliases match in any case; others as written or in all capitals."""
    if written == written.lower():
        return True
    return original == written or original == written.upper()


def _at_word_edges(content: str, start: int, end: int) -> bool:
    before = content[start - 1] if start > 0 else " "
    after = content[end] if end < len(content) else " "
    left_ok = not (content[start].isalnum() and before.isalnum())
    right_ok = not (content[end - 1].isalnum() and after.isalnum())
    return left_ok and right_ok


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


class _Layout:
    """Where the sentences and paragraphs of one field start and end."""

    def __init__(self, content: str) -> None:
        self.content = content
        ends = list(_SENTENCE_END.finditer(content)) if content else []
        self._sentence_stops = [match.start() for match in ends]
        self._sentence_starts = [match.end() for match in ends]
        breaks = _PARAGRAPH_BREAK.finditer(content) if content else ()
        self._paragraph_starts = [match.end() for match in breaks]
        self._contexts: dict[tuple[int, int], _Context] = {}

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The bounds of the sentence around ``content[start:end]``."""
        before = bisect_right(self._sentence_starts, start)
        left = self._sentence_starts[before - 1] if before else 0
        after = bisect_left(self._sentence_stops, end)
        right = self._sentence_stops[after] + 1 if after < len(self._sentence_stops) else None
        return left, len(self.content) if right is None else right

    def sentence_of(self, offset: int) -> int:
        """The index of the sentence holding ``offset``."""
        return bisect_right(self._sentence_starts, offset)

    def paragraph_of(self, offset: int) -> int:
        """The index of the paragraph holding ``offset``."""
        return bisect_right(self._paragraph_starts, offset)

    def context(self, start: int, end: int) -> _Context:
        """The words either side of ``content[start:end]`` (read once per span)."""
        key = (start, end)
        if key not in self._contexts:
            self._contexts[key] = _context(self, start, end)
        return self._contexts[key]

    def words(self, sentence: int) -> int:
        """How many words sentence number ``sentence`` has."""
        left = self._sentence_starts[sentence - 1] if sentence else 0
        stop = self._sentence_stops[sentence] if sentence < len(self._sentence_stops) else None
        return len(self.content[left:stop].split())


def _window(layout: _Layout, start: int, end: int) -> tuple[int, int]:
    """The part of the sentence around ``content[start:end]`` that holds the few words
    either side that context is read from (cut at spaces)."""
    content = layout.content
    left, right = layout.sentence(start, end)
    if start - left > WINDOW_CHARS:
        space = content.find(" ", start - WINDOW_CHARS, start)
        left = space + 1 if space >= 0 else start
    if right - end > WINDOW_CHARS:
        space = content.rfind(" ", end, end + WINDOW_CHARS)
        right = space if space >= 0 else end
    return left, right


@dataclass(frozen=True)
class _Context:
    """The words either side of a mention, in its sentence: what market words, a move of
    its own and passing cues are read from."""

    content: str
    before: list[re.Match[str]]  # the last CONTEXT_WORDS words before the mention
    after: list[re.Match[str]]  # the first CONTEXT_WORDS words after it

    @property
    def market(self) -> bool:
        """Market words nearby, or a price or percentage right next to it."""
        words = {token.group().lower() for token in (*self.before, *self.after)}
        if not words.isdisjoint(MARKET_WORDS):
            return True
        close = [*self.before[-AMOUNT_WORDS:], *self.after[:AMOUNT_WORDS]]
        return any(_AMOUNT.fullmatch(token.group()) for token in close)

    @property
    def moves(self) -> bool:
        """A move of its own right after the name: a move word, then an amount ("Nvidia
        rose 2.6%", "Brent crude fell 2.4% to $71")."""
        words = [token.group() for token in self.after[:MOVE_WORDS]]
        verb = next((n for n, word in enumerate(words) if word.lower() in _MOVES), None)
        return verb is not None and any(_AMOUNT.fullmatch(word) for word in words[verb + 1 :])

    @property
    def passing(self) -> bool:
        """A cue such as "rivals such as" or "including" a few words before."""
        words = self.before[-PASSING_WORDS:]
        return bool(words) and bool(
            _PASSING.search(self.content, words[0].start(), words[-1].end())
        )


def _context(layout: _Layout, start: int, end: int) -> _Context:
    """The CONTEXT_WORDS words either side of ``content[start:end]`` in its sentence."""
    content = layout.content
    left, right = _window(layout, start, end)
    before = list(_TOKEN.finditer(content, left, start))[-CONTEXT_WORDS:]
    after = list(islice(_TOKEN.finditer(content, end, right), CONTEXT_WORDS))
    return _Context(content, before, after)


def _own_words(layout: _Layout, facts: dict[str, list[MentionFacts]]) -> dict[str, int]:
    """Per asset, the words of the text's sentences that name it and no other asset."""
    named: dict[int, set[str]] = defaultdict(set)
    for symbol, items in facts.items():
        for fact in items:
            if fact.field == "text":
                named[fact.sentence].add(symbol)
    own: dict[str, int] = defaultdict(int)
    for sentence, symbols in named.items():
        if len(symbols) == 1:
            own[next(iter(symbols))] += layout.words(sentence)
    return own


def _facts(layouts: dict[str, _Layout], evidence: Evidence) -> MentionFacts:
    """What the about model reads of one counted mention; market words, moves and passing
    cues only in the text."""
    layout = layouts[evidence.field]
    start = evidence.start
    context = layout.context(start, evidence.end) if evidence.field == "text" else None
    market = context is not None and context.market
    return MentionFacts(
        evidence.field,
        start,
        evidence.kind,
        layout.sentence_of(start),
        layout.paragraph_of(start),
        market,
        market and context is not None and context.moves,
        context is not None and context.passing,
    )


def _raw_weight(weights: list[float]) -> float:
    """Mentions' weights summed, the strongest first, each repeat worth less."""
    ordered = sorted(weights, reverse=True)
    return sum(weight * REPEAT_DECAY**n for n, weight in enumerate(ordered))


def _inside_proper_name(content: str, start: int, end: int) -> bool:
    """A capitalised ambiguous name next to another capitalised word ("Union Street")."""
    if not content[start].isupper():
        return False
    following = _NEXT_WORD.match(content, end)
    if following and following.group(1) not in _FUNCTION_WORDS:
        return True
    preceding = _PREVIOUS_WORD.search(content, max(0, start - 40), start)
    if not preceding or preceding.group(1) in _FUNCTION_WORDS:
        return False
    before = content[: preceding.start(1)].rstrip()
    return bool(before) and before[-1] not in '.!?:"“(\n'


def _spells(content: str, bracket: int, symbol: str) -> bool:
    """The capitalised words before "(" spell the symbol: an acronym being defined, as in
    "Homeland Security Investigations (HSI)", not a ticker.
    """
    words = _TOKEN.findall(content, max(0, bracket - 80), max(0, bracket - 1))
    initials = "".join(word[0] for word in words if word[0].isupper())
    letters = "".join(char for char in symbol if char.isalpha())
    return bool(letters) and initials.endswith(letters)


def _names_a_role(content: str, start: int, end: int) -> bool:
    """The company only says where a person works: "Tesla CEO Elon Musk"."""
    if _ROLE_AFTER.match(content, end):
        return True
    before = _ROLE_BEFORE.search(content[max(0, start - 80) : start])
    return bool(before and before.group("first") not in _FUNCTION_WORDS)


def _is_title_case(content: str) -> bool:
    """Headline style: most longer words capitalised, so capitals say nothing."""
    words = [match.group() for match in islice(_LONG_WORD.finditer(content), 40)]
    return len(words) >= 2 and sum(word[0].isupper() for word in words) / len(words) > 0.6


def _is_shouting(content: str) -> bool:
    """Mostly capitals: bare capitalised words are no evidence of a ticker."""
    sample = content[:2000]
    upper, lower = len(_UPPER.findall(sample)), len(_LOWER.findall(sample))
    return upper + lower >= 12 and upper / (upper + lower) > 0.7
