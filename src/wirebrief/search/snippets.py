"""Highlighted titles and snippets as safe HTML: everything escaped except our own <mark>.

Engines mark matches with two control characters (never HTML), and :func:`marked_html`
escapes the text before it turns them into tags, so article text can never inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from wirebrief.search.query import Term
from wirebrief.text import excerpt

OPEN = "\x02"
CLOSE = "\x03"
ELLIPSIS = "…"
EXCERPT_CHARS = 240
_CONTEXT_CHARS = 90


def marked_html(text: str) -> Markup:
    """Escape ``text``; spans between OPEN and CLOSE become ``<mark>`` (always balanced)."""
    out: list[str] = []
    inside = False
    for part in re.split(f"([{OPEN}{CLOSE}])", " ".join(text.split())):
        if part == OPEN:
            if not inside:
                out.append("<mark>")
            inside = True
        elif part == CLOSE:
            if inside:
                out.append("</mark>")
            inside = False
        else:
            out.append(str(escape(part)))
    if inside:
        out.append("</mark>")
    return Markup("".join(out))


def excerpt_html(text: str, limit: int = EXCERPT_CHARS) -> Markup:
    """The start of ``text`` (whitespace folded, cut at a word), escaped."""
    return Markup(escape(excerpt(_plain(text), limit)))


def highlight(text: str, terms: Iterable[Term]) -> str:
    """``text`` with every match of ``terms`` between OPEN and CLOSE (case-insensitive)."""
    pattern = term_pattern(terms)
    if pattern is None:
        return text
    return pattern.sub(lambda m: f"{OPEN}{m.group(0)}{CLOSE}", text)


def snippet_html(text: str, terms: Iterable[Term], limit: int = EXCERPT_CHARS) -> Markup:
    """A window of ``text`` around its first match, matches marked; the start if none."""
    flat = _plain(text)
    pattern = term_pattern(terms)
    found = pattern.search(flat) if pattern else None
    if found is None:
        return excerpt_html(flat, limit)
    start = max(0, found.start() - _CONTEXT_CHARS)
    if start:
        start = flat.find(" ", start, found.start()) + 1 or start
    end = min(len(flat), start + limit)
    window = flat[start:end]
    if end < len(flat):
        window = window.rsplit(" ", 1)[0] + ELLIPSIS
    return marked_html((ELLIPSIS if start else "") + highlight(window, terms))


def term_pattern(terms: Iterable[Term]) -> re.Pattern[str] | None:
    """One regex matching any of ``terms`` as whole words (phrases across punctuation)."""
    alternatives = []
    for term in terms:
        body = r"[\W_]+".join(re.escape(word) for word in term.words)
        alternatives.append(rf"\b{body}" + (r"\w*" if term.prefix else r"\b"))
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _plain(text: str) -> str:
    return " ".join(text.replace(OPEN, "").replace(CLOSE, "").split())
