"""Remove boilerplate blocks from an extracted body, by the rules in ``rules/``."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from wirebrief.clean.rules import Rule, load_rules
from wirebrief.extract.body import block_text

_EDGE_BLOCKS = 3


@dataclass
class CleanReport:
    """Which rule removed which text, for debugging extraction quality."""

    removed: list[tuple[str, str]] = field(default_factory=list)


def clean_body(
    body: etree._Element, title: str | None, rules: tuple[Rule, ...] | None = None
) -> CleanReport:
    """Drop boilerplate blocks from ``body`` in place; return what was removed and why."""
    report = CleanReport()
    rules = load_rules() if rules is None else rules
    blocks = list(body)
    _drop_repeated_title(blocks, title, body, report)
    blocks = list(body)
    for index, block in enumerate(blocks):
        if block.getparent() is None:
            continue  # already removed by a truncate rule
        text = block_text(block)
        rule = _matching_rule(rules, text, index, len(blocks))
        if rule is None:
            continue
        doomed = blocks[index:] if rule.action == "truncate" else [block]
        for element in doomed:
            if element.getparent() is not None:
                report.removed.append((rule.name, block_text(element)))
                body.remove(element)
    return report


def _matching_rule(rules: tuple[Rule, ...], text: str, index: int, count: int) -> Rule | None:
    if not text:
        return None
    for rule in rules:
        if rule.where == "head" and index >= _EDGE_BLOCKS:
            continue
        if rule.where == "tail" and index < count - _EDGE_BLOCKS:
            continue
        if rule.pattern.match(text):
            return rule
    return None


def _drop_repeated_title(
    blocks: list[etree._Element], title: str | None, body: etree._Element, report: CleanReport
) -> None:
    """trafilatura keeps the page's <h1>; the title is shown separately."""
    if not blocks or not title:
        return
    first = blocks[0]
    if first.tag == "head" and block_text(first).casefold() == " ".join(title.split()).casefold():
        report.removed.append(("repeated-title", block_text(first)))
        body.remove(first)
