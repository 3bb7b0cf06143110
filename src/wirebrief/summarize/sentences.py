"""Sentence splitting by rules, offline: abbreviations, initials, decimals, quotes, CJK.

No model to download: a boundary is terminal punctuation (with any closing quotes and
brackets) followed by space and the start of a new sentence, unless the word before it is
a known abbreviation or an initial. Line breaks always end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Never a sentence end: a name follows ("Dr. Venter", "Sen. Warren", "St. Louis").
_TITLES = _wordset(
    "mr mrs ms messrs dr prof sen sens rep reps gov gen lt col capt sgt maj adm cmdr brig supt "
    "insp det rev hon pres atty st mt ft vs v cf approx"
)
# A sentence end unless a number follows ("No. 5", "Jan. 6", "pp. 12").
_BEFORE_NUMBER = _wordset(
    "no nos vol vols fig figs art sec ch pp op p jan feb mar apr jun jul aug sep sept oct nov "
    "dec est"
)
# Can end a sentence or not: split only when a typical sentence opener follows. Name
# suffixes, company forms, street words and the U.S. states' AP abbreviations ("Miami, Fla.").
_AMBIGUOUS = _wordset(
    "inc ltd co corp bros plc llc lp etc al jr sr esq ave blvd rd hwy ala ariz ark calif colo "
    "conn del fla ga kan kans ky md mich minn mo mont neb nev okla pa "
    "tenn tex va vt wis wyo"
)
_OPENERS = _wordset(
    "a an the he she it they we i you his her its their our this that these those there "
    "but and or so yet however meanwhile still also in on at by for after before when while "
    "as if since what who why how where last next some many most both then today yesterday "
    "according during although though because each all"
)

_OPENING = "\"'“‘«(["
_CLOSING = "\"'”’»)]"
_BOUNDARY = re.compile(rf"(?P<end>[.!?…]+[{re.escape(_CLOSING)}]*)(?P<gap>\s+)")
# Paragraphs glued without a space by a scraper: "…the community.Dr Venter said…".
_GLUED = re.compile(r"(?<=[a-z]{2}|\d{2})[.!?][\"”’]?(?=[A-Z][a-z])")
_LAST_WORD = re.compile(r"\w+$")
_CJK_END = re.compile(r"[。！？]+[」』”’）)]*")
_LIST_MARKER = re.compile(r"^(?:[-*•–—]\s+|\d{1,2}[.)]\s+)")
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]?$")  # u.s, e.g, a.m, ph.d
_INITIAL = re.compile(r"^[A-Z]$")


@dataclass(frozen=True)
class Sentence:
    """One sentence and where it stands: its order in the text and its paragraph."""

    text: str
    index: int
    paragraph: int


def split_sentences(text: str, limit: int | None = None) -> list[Sentence]:
    """Split plain text into sentences; every line break ends a sentence.

    List markers (``- ``, ``• ``, ``1. ``) at the start of a line are not part of a sentence.
    With ``limit``, only the first ``limit`` sentences are split off (the rest is not read).
    """
    sentences: list[Sentence] = []
    paragraphs = (_LIST_MARKER.sub("", line.strip()) for line in text.splitlines())
    for number, paragraph in enumerate(p for p in paragraphs if p):
        for piece in _split_paragraph(paragraph):
            sentences.append(Sentence(piece, len(sentences), number))
        if limit is not None and len(sentences) >= limit:
            return sentences[:limit]
    return sentences


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [sentence.text for sentence in split_sentences(text)]


def _split_paragraph(paragraph: str) -> list[str]:
    paragraph = _GLUED.sub(_unglue, paragraph)
    paragraph = _CJK_END.sub(lambda match: match.group(0) + "\n", paragraph)
    pieces: list[str] = []
    for part in paragraph.split("\n"):
        pieces.extend(_split_at_boundaries(part))
    return [piece for piece in (p.strip() for p in pieces) if piece]


def _unglue(match: re.Match[str]) -> str:
    word = _LAST_WORD.search(match.string, 0, match.start())
    if word is not None and word.group(0).lower() in _TITLES:
        return match.group(0)
    return match.group(0) + "\n"


def _split_at_boundaries(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _is_boundary(text, match):
            pieces.append(text[start : match.end("end")])
            start = match.end("gap")
    pieces.append(text[start:])
    return pieces


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    following = text[match.end("gap") :].lstrip(_OPENING)
    if not following or following[0].islower():
        return False  # '"Is it?" she asked.', "… and then"
    end = match.group("end")
    if end[0] != "." or end.rstrip(_CLOSING) != "." or end[-1] in _CLOSING:
        return True  # ! ? … and closing quotes end a sentence when a capital follows
    word = text[: match.start("end")].rsplit(None, 1)[-1].lstrip(_OPENING)
    stem = word.lower()
    if stem in _TITLES:
        return False
    # An initial before the initial-like abbreviations: "John P. Cronan" is not "p. 12".
    if stem in _AMBIGUOUS or _DOTTED.match(stem) or _INITIAL.match(word):
        return _next_word(following).lower() in _OPENERS
    if stem in _BEFORE_NUMBER:
        return not following[0].isdigit()
    return True


def _next_word(text: str) -> str:
    match = re.match(r"\w+", text)
    return match.group(0) if match else ""
