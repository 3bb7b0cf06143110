"""Remove boilerplate blocks from an extracted body, by the rules in ``rules/``.

Two passes. Rules that may match anywhere run first: they cut related-links blocks and
drop widgets, so that "the first and last blocks" of the second pass are the article's
own edges (a syndication footer sits above a price widget and a "You May Also Like"
list on aggregator pages). Then the repeated title and lead, then head and tail rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from lxml import etree

from wirebrief.clean.rules import Rule, load_rules
from wirebrief.extract.body import block_text, words
from wirebrief.extract.metadata import TITLE_SEPARATOR

_EDGE_BLOCKS = 3
# A head block is only a "repeated lead" when it is long enough not to repeat by chance.
_MIN_LEAD_CHARS = 40
_MIN_TITLE_WORDS, _MAX_TITLE_WORDS = 2, 30
_TITLE_SIMILARITY = 0.9  # "Week 2018 | Anastassiades' …" vs "Week 2018 | Michael Anastassiades' …"


@dataclass
class CleanReport:
    """Which rule removed which text, for debugging extraction quality."""

    removed: list[tuple[str, str]] = field(default_factory=list)


REPEAT_CHECKS = ("repeated-title", "repeated-lead")


def clean_body(
    body: etree._Element,
    title: str | None,
    rules: tuple[Rule, ...] | None = None,
    *,
    skip: frozenset[str] = frozenset(),
) -> CleanReport:
    """Drop boilerplate blocks from ``body`` in place; return what was removed and why.

    ``skip`` names rules and repeat checks to leave out (the benchmark's ablation).
    """
    rules = load_rules() if rules is None else rules
    if skip:
        rules = tuple(rule for rule in rules if rule.name not in skip)
    report = CleanReport()
    for chrome_rule, chrome_block in _chrome(_blocks(body), rules):
        _remove(body, chrome_block.element, chrome_rule.name, report)
    if "repeated-title" not in skip:
        _drop_repeated_title(body, title, report)
    if "repeated-lead" not in skip:
        _drop_repeated_lead(body, report)
    blocks = _blocks(body)
    for index, block in enumerate(blocks):
        edges = _places(index, len(blocks)) - {"any"}
        if not edges or block.element.getparent() is None:
            continue  # not at an edge, or already cut by a truncating rule or with a run
        rule = _matching_rule(rules, block, edges)
        if rule is None:
            continue
        if rule.action == "truncate":
            doomed = blocks[index:]
        elif rule.run:
            doomed = _run(blocks, index, rule)
        else:
            doomed = [block]
        for element in doomed:
            _remove(body, element.element, rule.name, report)
    return report


def article_blocks(
    body: etree._Element, rules: tuple[Rule, ...] | None = None
) -> list[etree._Element]:
    """The body's blocks without page chrome (related lists, widgets), edge notes kept.

    Stages that read notes at the article's end (provenance) look at these blocks, so a
    widget or a related list below the note does not hide it.
    """
    rules = load_rules() if rules is None else rules
    blocks = _blocks(body)  # holds the element proxies, so their ids stay unique below
    chrome = {id(block) for _rule, block in _chrome(blocks, rules)}
    return [block.element for block in blocks if id(block) not in chrome]


def link_share(block: etree._Element) -> float:
    """The share of a block's text that sits inside links (1.0 for a list of links)."""
    text = len(block_text(block))
    if not text:
        return 0.0
    linked = sum(len(block_text(ref)) for ref in block.iter("ref"))
    return min(1.0, linked / text)


class _Block:
    """A body block with its text computed once (rules test every block many times)."""

    __slots__ = ("_link_share", "element", "text")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.text = block_text(element)
        self._link_share: float | None = None

    @property
    def link_share(self) -> float:
        if self._link_share is None:
            self._link_share = link_share(self.element)
        return self._link_share


def _blocks(body: etree._Element) -> list[_Block]:
    return [_Block(element) for element in body]


def _chrome(blocks: Sequence[_Block], rules: tuple[Rule, ...]) -> list[tuple[Rule, _Block]]:
    """``(rule, block)`` for every block that a rule matching anywhere removes.

    A truncating heading in the first third of the text only loses itself: there, a
    "Read more" box sits inside the article, which goes on below it. Further down, what
    follows is the list it announces (and an aggregator's teasers can be long).
    """
    found: list[tuple[Rule, _Block]] = []
    total = sum(len(block.text) for block in blocks)
    before = 0
    for index, block in enumerate(blocks):
        rule = _matching_rule(rules, block, {"any"})
        if rule is not None and rule.action == "truncate" and before >= total / 3:
            return found + [(rule, doomed) for doomed in blocks[index:]]
        if rule is not None:
            found.append((rule, block))
        before += len(block.text)
    return found


def _run(blocks: list[_Block], index: int, rule: Rule) -> list[_Block]:
    """The block at ``index`` and its neighbours that match too, inward from its edge."""
    step = 1 if rule.where == "head" else -1
    run = [blocks[index]]
    position = index + step
    while 0 <= position < len(blocks) and _matches(rule, blocks[position]):
        run.append(blocks[position])
        position += step
    return run


def _places(index: int, count: int) -> set[str]:
    places = {"any"}
    if index < _EDGE_BLOCKS:
        places.add("head")
    if index >= count - _EDGE_BLOCKS:
        places.add("tail")
    return places


def _matching_rule(rules: tuple[Rule, ...], block: _Block, places: set[str]) -> Rule | None:
    for rule in rules:
        if rule.where in places and _matches(rule, block):
            return rule
    return None


def _matches(rule: Rule, block: _Block) -> bool:
    if not block.text or (rule.tags and block.element.tag not in rule.tags):
        return False
    if rule.max_chars is not None and len(block.text) > rule.max_chars:
        return False
    if rule.min_link_share and block.link_share < rule.min_link_share:
        return False
    return rule.pattern.match(block.text) is not None


def _remove(body: etree._Element, block: etree._Element, name: str, report: CleanReport) -> None:
    if block.getparent() is not None:
        report.removed.append((name, block_text(block)))
        body.remove(block)


def _drop_repeated_title(body: etree._Element, title: str | None, report: CleanReport) -> None:
    """The title is shown separately; pages repeat it (or it with a section) near the top."""
    if not title:
        return
    wanted = _title_forms(title)
    for block in list(body)[:_EDGE_BLOCKS]:
        if block.tag in {"head", "p"} and _is_title(block_text(block), wanted):
            _remove(body, block, "repeated-title", report)
            return


def _is_title(text: str, title_forms: set[str]) -> bool:
    """The same words, or nearly (a word added or dropped), as one form of the title."""
    forms = _title_forms(text)
    if forms & title_forms:
        return True
    text_words = words(text)
    if not text_words or len(text_words.split()) > _MAX_TITLE_WORDS:
        return False
    for form in title_forms:
        matcher = SequenceMatcher(None, text_words, form)
        if matcher.quick_ratio() >= _TITLE_SIMILARITY and matcher.ratio() >= _TITLE_SIMILARITY:
            return True
    return False


def _title_forms(text: str) -> set[str]:
    """The words of a title, and of it without a "Section | " or " | Site" part."""
    forms = {words(text)}
    parts = TITLE_SEPARATOR.split(text)
    if len(parts) > 1:
        forms |= {words(" ".join(parts[1:])), words(" ".join(parts[:-1]))}
    return {form for form in forms if len(form.split()) >= _MIN_TITLE_WORDS}


def _drop_repeated_lead(body: etree._Element, report: CleanReport) -> None:
    """A teaser at the top that the article repeats: shown twice, or again further down."""
    blocks = list(body)
    rest_words: list[str] | None = None  # the words of every block, computed when needed
    # The last block is never a lead: a one-paragraph article may well repeat a sentence.
    for index, block in enumerate(blocks[: min(_EDGE_BLOCKS, len(blocks) - 1)]):
        text = block_text(block)
        if len(text) < _MIN_LEAD_CHARS or block.tag not in {"p", "head"}:
            continue
        if _is_doubled(text):
            _remove(body, block, "repeated-lead", report)
            continue
        if rest_words is None:
            rest_words = [words(block_text(b)) for b in blocks]
        lead = rest_words[index]
        if lead and lead in " ".join(rest_words[index + 1 :]):
            _remove(body, block, "repeated-lead", report)


def _is_doubled(text: str) -> bool:
    """``s + s`` (or ``s + " " + s``): a lead rendered twice, as on the seed page."""
    compact = text.replace(" ", "")
    half = len(compact) // 2
    return len(compact) % 2 == 0 and compact[:half] == compact[half:]
