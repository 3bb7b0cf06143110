"""take_tldr on hand-built body trees: the author's key points, out of the body."""

from __future__ import annotations

import pytest
from lxml import etree

from wirebrief.extract.body import block_text
from wirebrief.extract.tldr import take_tldr

ARTICLE = [
    "<p>The harbour board met on Tuesday to discuss the new ferry timetable for the winter.</p>",
    "<p>Members agreed that the early crossing would move by a quarter of an hour.</p>",
]
BULLETS = [
    "The early ferry moves by a quarter of an hour.",
    "Fishers say the morning market gets easier to reach.",
    "A final vote is planned for January.",
]
LIST = "<list>" + "".join(f"<item>{b}</item>" for b in BULLETS) + "</list>"


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{''.join(blocks)}</body>")


def texts(tree: etree._Element) -> list[str]:
    return [block_text(block) for block in tree]


@pytest.mark.parametrize(
    "label",
    [
        '<p><hi rend="#b">TLDR</hi></p>',
        "<p>TL;DR:</p>",
        '<head rend="h2">Key points</head>',
        '<head rend="h3">Key Takeaways</head>',
        "<p>In brief</p>",
    ],
)
def test_label_and_list_become_bullets_and_leave_the_body(label: str) -> None:
    tree = body('<head rend="h1">Ferry Timetable</head>', label, LIST, *ARTICLE)
    assert take_tldr(tree) == BULLETS
    assert texts(tree) == ["Ferry Timetable", *(block_text(etree.fromstring(p)) for p in ARTICLE)]


def test_doubled_teaser_above_the_tldr_goes_too() -> None:
    """The seed page: "TLDR <start of the bullets>" shown twice, run together, at the top."""
    teaser = "TLDR The early ferry moves by a quarter of an hour. Fishers say the morning"
    tree = body(f"<p>{teaser}{teaser}</p>", "<p>2026/02/07 01:11</p>", "<p>TLDR</p>", LIST,
                *ARTICLE)  # fmt: skip
    assert take_tldr(tree) == BULLETS
    assert texts(tree) == ["2026/02/07 01:11", *(block_text(etree.fromstring(p)) for p in ARTICLE)]


def test_single_teaser_above_the_tldr_goes_too() -> None:
    teaser = "TLDR The early ferry moves by a quarter of an hour. Fishers say the morning"
    tree = body(f"<p>{teaser}</p>", "<p>TLDR</p>", LIST, *ARTICLE)
    assert take_tldr(tree) == BULLETS
    assert len(tree) == len(ARTICLE)


def test_inline_tldr_sentence_is_one_bullet() -> None:
    sentence = "The early ferry moves by a quarter of an hour from January."
    tree = body(f"<p>TL;DR: {sentence}</p>", *ARTICLE)
    assert take_tldr(tree) == [sentence]
    assert len(tree) == 1 + len(ARTICLE)  # the line stays: it may be the article's start


def test_article_without_tldr_is_untouched() -> None:
    tree = body(*ARTICLE, LIST)
    assert take_tldr(tree) == []
    assert len(tree) == len(ARTICLE) + 1


@pytest.mark.parametrize(
    ("blocks", "why"),
    [
        (["<p>TLDR</p>", "<list><item>Only one point.</item></list>"], "one bullet is no list"),
        (["<p>Key points</p>", "<p>A paragraph, not a list of points at all.</p>"], "no list"),
        (["<p>TLDR</p>"], "label at the very end"),
    ],
)
def test_label_without_a_proper_list_is_left_alone(blocks: list[str], why: str) -> None:
    tree = body(*blocks, *ARTICLE)
    assert take_tldr(tree) == [], why
    assert len(tree) == len(blocks) + len(ARTICLE)


def test_a_list_deep_in_the_article_is_not_a_tldr() -> None:
    """A "Highlights" section far down the article is article text, not the author's TLDR."""
    paragraphs = [f"<p>Paragraph {n} about the harbour and its ferries.</p>" for n in range(10)]
    tree = body(*paragraphs, '<head rend="h2">Highlights</head>', LIST)
    assert take_tldr(tree) == []
    assert len(tree) == len(paragraphs) + 2
