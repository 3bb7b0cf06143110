"""clean_body and the rule files, on hand-built body trees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from wirebrief.clean.cleaner import clean_body
from wirebrief.clean.rules import Rule, load_rules
from wirebrief.extract.body import block_text

FILLER = [f"<p>Paragraph {n} of the article about the harbour.</p>" for n in range(1, 7)]


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{''.join(blocks)}</body>")


def texts(tree: etree._Element) -> list[str]:
    return [block_text(block) for block in tree]


# ── the shipped rules ────────────────────────────────────────────────────────


def test_shipped_rules_load_and_explain_themselves() -> None:
    rules = load_rules()
    names = {rule.name for rule in rules}
    assert {"syndication-footer", "related-block", "share-prompt", "cookie-notice"} <= names
    for rule in rules:
        assert rule.action in {"drop", "truncate"}
        assert rule.where in {"any", "head", "tail"}
        assert rule.reason.strip()


@pytest.mark.parametrize(
    "line",
    [
        "Share this article",
        "Share on X",
        "Copy link",
        "Follow us on Telegram:",
        "Sign up for our newsletter to get the morning briefing.",
        "Subscribe to the Harbour Weekly newsletter",
        "We use cookies to improve your experience.",
        "This website uses cookies.",
        "Disclaimer: The articles reposted on this site are sourced from public platforms.",
        "Market Opportunity",
        "Harbour Token Price(HBT)",
    ],
)
def test_chrome_lines_are_dropped_anywhere(line: str) -> None:
    tree = body(FILLER[0], FILLER[1], f"<p>{line}</p>", *FILLER[2:])
    report = clean_body(tree, title=None)
    assert line not in texts(tree)
    assert len(tree) == len(FILLER)
    assert [text for _rule, text in report.removed] == [line]


@pytest.mark.parametrize(
    "heading", ["You May Also Like", "Related Articles", "Read more:", "More from Harbour Desk"]
)
def test_related_heading_truncates_the_rest(heading: str) -> None:
    tree = body(*FILLER[:3], f'<head rend="h3">{heading}</head>', *FILLER[3:])
    report = clean_body(tree, title=None)
    assert texts(tree) == [block_text(etree.fromstring(p)) for p in FILLER[:3]]
    assert {rule for rule, _text in report.removed} == {"related-block"}
    assert len(report.removed) == 1 + len(FILLER[3:])


def test_syndication_footer_only_dropped_near_the_end() -> None:
    """A tail rule ignores a matching block in the middle of a long article."""
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    middle = body(FILLER[0], footer, *FILLER[1:])
    clean_body(middle, title=None)
    assert "The post Ferry appeared first on Origin Times." in texts(middle)

    end = body(*FILLER, footer)
    report = clean_body(end, title=None)
    assert report.removed == [
        ("syndication-footer", "The post Ferry appeared first on Origin Times.")
    ]


def test_ordinary_sentences_survive() -> None:
    """Words like 'share' or 'cookies' inside article prose do not trigger rules."""
    prose = [
        "<p>Shareholders of the ferry company meet on Friday.</p>",
        "<p>The bakery says we use cookies as a unit of currency at the fair.</p>",
        "<p>Related costs rose by a tenth, the report says.</p>",
    ]
    tree = body(*prose, *FILLER)
    report = clean_body(tree, title=None)
    assert report.removed == []
    assert len(tree) == len(prose) + len(FILLER)


# ── the repeated title ───────────────────────────────────────────────────────


def test_repeated_title_heading_is_dropped() -> None:
    tree = body('<head rend="h1">Ferry  Timetable Changes</head>', *FILLER)
    report = clean_body(tree, title="ferry timetable\nchanges")
    assert report.removed == [("repeated-title", "Ferry Timetable Changes")]
    assert len(tree) == len(FILLER)


def test_repeated_title_as_a_paragraph_or_with_a_section_is_dropped() -> None:
    as_paragraph = body("<p>Ferry Timetable Changes</p>", *FILLER)
    clean_body(as_paragraph, title="Ferry Timetable Changes")
    assert len(as_paragraph) == len(FILLER)

    with_section = body('<head rend="h1">Opinion | Ferry Timetable Changes</head>', *FILLER)
    clean_body(with_section, title="Ferry Timetable Changes")
    assert len(with_section) == len(FILLER)

    one_word_more = body('<head rend="h1">Island Ferry Timetable Changes Again</head>', *FILLER)
    clean_body(one_word_more, title="Island Ferry Timetable Changes")
    assert len(one_word_more) == len(FILLER)


def test_title_is_kept_when_it_differs_or_sits_further_down() -> None:
    different = body('<head rend="h1">Another Heading</head>', *FILLER)
    clean_body(different, title="Ferry Timetable Changes")
    assert len(different) == len(FILLER) + 1

    no_title = body('<head rend="h1">Ferry Timetable Changes</head>', *FILLER)
    clean_body(no_title, title=None)
    assert len(no_title) == len(FILLER) + 1

    further_down = body(*FILLER[:4], "<p>Ferry Timetable Changes</p>", *FILLER[4:])
    clean_body(further_down, title="Ferry Timetable Changes")
    assert len(further_down) == len(FILLER) + 1


# ── custom rules ─────────────────────────────────────────────────────────────


def rule(pattern: str, action: str = "drop", where: str = "any") -> Rule:
    return Rule("test", re.compile(pattern, re.IGNORECASE), action, where, "test rule")


def test_head_rule_only_matches_first_blocks() -> None:
    blocks = [f"<p>advert {n}</p>" for n in range(6)]
    tree = body(*blocks)
    clean_body(tree, title=None, rules=(rule(r"^advert \d$", where="head"),))
    assert texts(tree) == ["advert 3", "advert 4", "advert 5"]


def test_tail_rule_only_matches_last_blocks() -> None:
    blocks = [f"<p>advert {n}</p>" for n in range(6)]
    tree = body(*blocks)
    clean_body(tree, title=None, rules=(rule(r"^advert \d$", where="tail"),))
    assert texts(tree) == ["advert 0", "advert 1", "advert 2"]


def test_empty_rule_set_removes_nothing() -> None:
    tree = body(*FILLER, "<p>Share this article</p>")
    assert clean_body(tree, title=None, rules=()).removed == []
    assert len(tree) == len(FILLER) + 1


def test_rule_file_with_unknown_action_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[[rule]]\nname = "oops"\npattern = "^x$"\naction = "explode"\nreason = "test"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown action"):
        load_rules(tmp_path)


def test_rule_files_load_in_name_order(tmp_path: Path) -> None:
    for name, rule_name in [("b.toml", "second"), ("a.toml", "first")]:
        (tmp_path / name).write_text(
            f'[[rule]]\nname = "{rule_name}"\npattern = "^x$"\naction = "drop"\nreason = "r"\n',
            encoding="utf-8",
        )
    assert [r.name for r in load_rules(tmp_path)] == ["first", "second"]
