"""The article's own TLDR or key-points list, taken out of the body as structured bullets.

The shape looked for: a short label ("TLDR", "Key points", "Key takeaways", "In brief")
as a heading or a paragraph of its own, followed by a list, near the top of the body.
A label with its text on the same line ("TL;DR: one sentence") gives one bullet and
stays in the body. A teaser above it that only repeats the start of the bullets ("TLDR
Tesla has …", often doubled by the page template) goes too.
"""

from __future__ import annotations

import re

from lxml import etree

from wirebrief.extract.body import block_text, words

_LABEL = (
    r"(?:tl;?\s?dr|too long;? didn.t read|key (?:points|takeaways|facts)|(?:the )?takeaways"
    r"|(?:the )?highlights|in brief|at a glance|the gist|quick take|summary|das wichtigste"
    r"|en bref|en resumen|in breve)"
)
_LABEL_ONLY = re.compile(rf"^{_LABEL}\s*:?$", re.IGNORECASE)
_LABEL_WITH_TEXT = re.compile(rf"^{_LABEL}\s*[:\-\u2013\u2014]\s*(?P<text>.{{20,600}})$", re.I)
_LABEL_PREFIX = re.compile(rf"^{_LABEL}\s*[:\-\u2013\u2014]?\s*", re.IGNORECASE)
# A TLDR sits above the article: among its first blocks (title, date and byline lines first).
_SEARCH_BLOCKS = 8
_MIN_BULLETS, _MAX_BULLETS = 2, 12
_MIN_TEASER_CHARS = 30


def take_tldr(body: etree._Element) -> list[str]:
    """Remove the author's TLDR list from ``body`` and return its bullets (``[]`` when none);
    a one-line TLDR is read, not removed.
    """
    blocks = list(body)[:_SEARCH_BLOCKS]
    for index, block in enumerate(blocks):
        text = block_text(block)
        if _LABEL_ONLY.match(text) and index + 1 < len(blocks):
            bullets = _bullets(blocks[index + 1])
            if bullets:
                _drop_teasers(body, blocks[:index], bullets)
                body.remove(block)
                body.remove(blocks[index + 1])
                return bullets
        inline = _LABEL_WITH_TEXT.match(text) if block.tag in {"p", "head"} else None
        if inline and not _is_teaser(text, blocks[index + 1 :]):
            # The paragraph stays: "Summary: <first paragraph>" is often the article's own
            # start (taking it out failed the recall guard of benchmarks/extraction_cv.py).
            return [inline.group("text").strip()]
    return []


def _bullets(block: etree._Element) -> list[str]:
    """The items of a short list of sentences; ``[]`` when the block is not one."""
    if block.tag != "list":
        return []
    items = [block_text(item) for item in block.iter("item")]
    items = [item for item in items if item]
    if not _MIN_BULLETS <= len(items) <= _MAX_BULLETS:
        return []
    return items


def _drop_teasers(body: etree._Element, above: list, bullets: list[str]) -> None:
    """Blocks above the TLDR that only repeat its beginning (a truncated meta description)."""
    joined = words(" ".join(bullets))
    for block in above:
        if _repeats(block_text(block), joined):
            body.remove(block)


def _is_teaser(text: str, following: list) -> bool:
    """A "TLDR …" line repeating what comes below it is a teaser, not the TLDR itself."""
    rest = words(" ".join(block_text(block) for block in following))
    return _repeats(text, rest)


def _repeats(text: str, reference: str) -> bool:
    """True when ``text`` (label left off, possibly shown twice) starts ``reference``."""
    text = _LABEL_PREFIX.sub("", text)
    teaser = words(text)
    if len(text) < _MIN_TEASER_CHARS or not teaser:
        return False
    if reference.startswith(teaser):
        return True
    # The seed page shows its teaser twice in a row: "TLDR abc…TLDR abc…".
    half = re.split(_LABEL, text, maxsplit=1, flags=re.IGNORECASE)[0]
    return len(half) >= _MIN_TEASER_CHARS and reference.startswith(words(half))
