"""Every shipped cleaning rule, one example each, at the place where it applies.

Each example is a block placed in a short article (head: first block, tail: last block,
any: between paragraphs). A test checks that the table covers every rule of every file,
so a new rule cannot ship without an example.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from wirebrief.clean.cleaner import article_blocks, clean_body
from wirebrief.clean.rules import load_rules
from wirebrief.extract.body import block_text

ARTICLE = [
    "<p>The harbour board met on Tuesday to discuss the new ferry timetable for the winter.</p>",
    "<p>Members agreed that the early crossing would move by a quarter of an hour.</p>",
    "<p>Fishers said the change would make the morning market easier to reach.</p>",
    "<p>A final vote is planned for the first meeting of the new year, the board said.</p>",
]
# A longer article of distinct paragraphs (repeated ones would be taken for a repeated lead).
LONG = [f"<p>Paragraph {n}: the board also discussed item {n} of the harbour agenda.</p>"
        for n in range(12)]  # fmt: skip
LINKED = '<ref target="https://other.example/{n}">{text}</ref>'

# rule name -> (where the block goes, the block)
EXAMPLES: dict[str, tuple[str, str]] = {
    # syndication.toml
    "syndication-footer": ("tail", "<p>The post Ferry Changes appeared first on Tide Times.</p>"),
    "republished-note": ("tail", "<p>This article is republished from Tide Times under a Creative Commons license.</p>"),
    "source-line": ("tail", "<p>Source: Tide Times</p>"),
    "source-line-head": ("head", "<p>Via: Tide Times</p>"),
    # related.toml
    "related-block": ("tail", '<head rend="h3">You may also like...</head>'),
    "related-link-line": ("any", "<p>Read more: Ferry fares rise on the island route</p>"),
    "related-also-on": ("any", "<p>Also on tidetimes.example Harbour board votes on the budget</p>"),
    "related-link-list": ("tail", '<list><item><ref target="https://o.example/a">Ferry fares rise</ref></item><item><ref target="https://o.example/b">Market moves indoors</ref></item></list>'),
    "headline-links-head": ("head", '<p><ref target="https://o.example/c">Harbour lights switched on early this winter</ref></p>'),
    "headline-links-tail": ("tail", '<p><ref target="https://o.example/d">Island school gets a new roof before the storms</ref></p>'),
    # share.toml
    "share-prompt": ("any", "<p>Share on Telegram</p>"),
    "share-sentence": ("any", "<p>Like this story? Share it with a friend!</p>"),
    "social-follow": ("tail", "<p>Mira Fenwick covers the harbour. Follow her on Twitter @mirafen.</p>"),
    "tip-line": ("tail", "<p>Have a tip? Mira Fenwick may be reached at mira@tide.example.</p>"),
    # newsletter.toml
    "newsletter-prompt": ("any", "<p>Start your morning with the Harbour Brief. Sign up for the free daily newsletter.</p>"),
    "newsletter-heading": ("any", '<head rend="h3">Harbour Brief Newsletter</head>'),
    "newsletter-confirmation": ("any", "<p>Thanks for signing up!</p>"),
    "inbox-prompt": ("any", "<p>Get the harbour news delivered to your inbox every morning.</p>"),
    # consent.toml
    "cookie-notice": ("any", "<p>By continuing to use this site you agree to our use of cookies.</p>"),
    # disclaimers.toml
    "repost-disclaimer": ("any", "<p>Disclaimer: The content republished on this website comes from public sources.</p>"),
    "investment-disclaimer": ("tail", "<p>Disclaimer: The information in this article is not investment advice; do your own research.</p>"),
    # widgets.toml
    "price-widget": ("any", "<p>Harbour Token (HBT) Live Price Chart</p>"),
    "price-widget-figures": ("any", "<p>$0.001582$0.001582</p>"),
    "logo-alt-text": ("any", "<p>Harbour Token Logo</p>"),
    # credits.toml
    "copyright-line": ("tail", "<p>© 2026 Tide Times. ISSN 1234-5678</p>"),
    "all-rights-reserved": ("tail", "<p>Tide Times Ltd. All rights reserved.</p>"),
    # page-meta.toml
    "reading-time": ("head", "<p>3 min read</p>"),
    "dateline-only": ("head", "<p>2026/02/07 01:11</p>"),
    "updated-note": ("tail", "<p>Updated at 1:23 p.m.</p>"),
    "comments-prompt": ("tail", "<p>Leave a Reply</p>"),
}  # fmt: skip


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{''.join(blocks)}</body>")


def placed(where: str, block: str) -> etree._Element:
    if where == "head":
        return body(block, *ARTICLE)
    if where == "tail":
        return body(*ARTICLE, block)
    return body(*ARTICLE[:2], block, *ARTICLE[2:])


def test_every_shipped_rule_has_an_example() -> None:
    assert {rule.name for rule in load_rules()} == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_removes_its_example_and_nothing_else(name: str) -> None:
    where, block = EXAMPLES[name]
    tree = placed(where, block)
    report = clean_body(tree, title=None)
    assert [text for _rule, text in report.removed] == [block_text(etree.fromstring(block))]
    assert {rule for rule, _text in report.removed} == {name}
    assert [block_text(b) for b in tree] == [block_text(etree.fromstring(p)) for p in ARTICLE]


@pytest.mark.parametrize(
    "name",
    # related-block truncates, so its place is tested in test_cleaner
    sorted(n for n, (where, _b) in EXAMPLES.items() if where != "any" and n != "related-block"),
)
def test_edge_rule_leaves_the_same_block_in_the_middle(name: str) -> None:
    """Head and tail rules only look at the first and last blocks."""
    block = EXAMPLES[name][1]
    tree = body(*LONG[:5], block, *LONG[5:])
    clean_body(tree, title=None)
    assert block_text(etree.fromstring(block)) in [block_text(b) for b in tree]


@pytest.mark.parametrize(
    "prose",
    [
        "He posted photos by the dozen on the harbour office noticeboard, and the crowd grew.",
        "Subscribers to the newsletter of the rowing club heard about the regatta first.",
        "Analysts follow the market closely, and some follow the harbour's ferry data on paper.",
        "Updated figures from the harbour office show the ferry carried more cars than ever.",
        "The source of the leak was a valve at the fuel depot, the board said on Tuesday night.",
        "Copyright lawyers for the band said the harbour festival had not asked for permission.",
        "More than forty stalls took part: fish, pottery, second-hand books and a string band.",
        "Market opportunity knocks for the fishers, who sold out of smoked eel before noon.",
    ],
)
def test_prose_that_resembles_a_rule_survives_at_the_edges(prose: str) -> None:
    for tree in (body(f"<p>{prose}</p>", *ARTICLE), body(*ARTICLE, f"<p>{prose}</p>")):
        assert clean_body(tree, title=None).removed == []


# ── the structural parts of the cleaner ──────────────────────────────────────


def test_headline_links_are_removed_as_a_run() -> None:
    links = [
        f"<p>{LINKED.format(n=n, text=f'Other headline number {n} about the coast')}</p>"
        for n in range(5)
    ]
    tree = body(*ARTICLE, *links)
    report = clean_body(tree, title=None)
    assert len(report.removed) == 5
    assert len(tree) == len(ARTICLE)


def test_numbered_references_are_not_headline_links() -> None:
    reference = (
        f"<p>{LINKED.format(n=1, text='[1] Tide survey of 1998, harbour board archive')}</p>"
    )
    tree = body(*ARTICLE, reference)
    assert clean_body(tree, title=None).removed == []


def test_related_heading_early_in_the_article_drops_only_itself() -> None:
    """An inline "Read more" box after the first paragraph; the article goes on below it."""
    tree = body(LONG[0], '<head rend="h3">Read more</head>', *LONG[1:])
    report = clean_body(tree, title=None)
    assert report.removed == [("related-block", "Read more")]
    assert len(tree) == len(LONG)


def test_lead_shown_twice_in_one_block_is_dropped() -> None:
    teaser = "The harbour board met on Tuesday to discuss the ferry timetable"
    tree = body(f"<p>{teaser}{teaser}</p>", *ARTICLE)
    assert clean_body(tree, title=None).removed == [("repeated-lead", teaser + teaser)]


def test_lead_repeated_by_the_first_paragraph_is_dropped() -> None:
    lead = "The harbour board met on Tuesday to discuss the new ferry timetable"
    tree = body(f"<p>{lead}</p>", *ARTICLE)
    assert clean_body(tree, title=None).removed == [("repeated-lead", lead)]
    assert len(tree) == len(ARTICLE)


def test_one_paragraph_article_that_repeats_a_sentence_is_kept() -> None:
    sentence = "The scheduler fetched this article on its own, without anyone asking. "
    tree = body(f"<p>{sentence * 4}</p>")
    assert clean_body(tree, title=None).removed == []


def test_short_first_line_found_again_later_is_kept() -> None:
    tree = body("<p>Ferry timetable</p>", *ARTICLE)
    assert clean_body(tree, title=None).removed == []


def test_article_blocks_leave_out_chrome_but_keep_edge_notes() -> None:
    footer = "<p>The post Ferry Changes appeared first on Tide Times.</p>"
    tree = body(
        *ARTICLE, footer, "<p>Market Opportunity</p>", "<p>+1.93%</p>",
        '<head rend="h3">You May Also Like</head>', "<p>Other story</p>",
    )  # fmt: skip
    kept = [block_text(b) for b in article_blocks(tree)]
    assert kept[-1] == "The post Ferry Changes appeared first on Tide Times."
    assert len(kept) == len(ARTICLE) + 1
    assert len(tree) == len(ARTICLE) + 5  # reading does not change the body


def test_tail_rules_apply_above_widgets_and_related_lists() -> None:
    footer = "<p>The post Ferry Changes appeared first on Tide Times.</p>"
    chrome = ["<p>Harbour Token Price(HBT)</p>", "<p>$0.0015</p>", "<p>USD</p>"]
    related = ['<head rend="h3">Related</head>', *LONG[8:]]
    tree = body(*LONG[:8], footer, *chrome, *related)
    report = clean_body(tree, title=None)
    assert "syndication-footer" in {rule for rule, _text in report.removed}
    assert len(tree) == 8


# ── rule file validation ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('action = "drop"\nwhere = "middle"\nreason = "r"', "unknown where"),
        ('action = "drop"\nreason = "  "', "does not say why"),
        ('action = "drop"', "does not say why"),
    ],
)
def test_invalid_rule_files_are_rejected(tmp_path: Path, fields: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(
        f'[[rule]]\nname = "oops"\npattern = "^x$"\n{fields}\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=message):
        load_rules(tmp_path)


def test_optional_fields_are_read(tmp_path: Path) -> None:
    (tmp_path / "links.toml").write_text(
        '[[rule]]\nname = "links"\npattern = "^.+$"\naction = "drop"\nwhere = "tail"\n'
        'tags = ["list"]\nmin_link_share = 0.5\nrun = true\nmax_chars = 300\nreason = "r"\n',
        encoding="utf-8",
    )
    (rule,) = load_rules(tmp_path)
    assert rule.tags == frozenset({"list"})
    assert (rule.min_link_share, rule.run, rule.max_chars) == (0.5, True, 300)
