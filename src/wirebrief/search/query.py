"""The search language, parsed into our own small model so no engine's syntax leaks out.

    bitcoin etf            both words (AND is implicit)
    "spot bitcoin etf"     the words in this order
    regulat*               any word starting with "regulat"
    bitcoin OR ether       either one (OR binds the two items beside it)
    -scam  -"press release"  none of these

Words are split the way the search index splits them (letters and digits; other
characters separate), so ``S&P`` is the phrase ``"s p"``. Anything we cannot read raises
:class:`SearchQueryError` with a message meant for the person who typed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wirebrief.errors import SearchQueryError

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MIN_PREFIX_CHARS = 2
OR = "OR"

_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words in order; ``prefix`` extends the last word."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        """Whether the term is several words that must appear in order."""
        return len(self.words) > 1

    def __str__(self) -> str:
        text = " ".join(self.words)
        text = f'"{text}"' if self.is_phrase else text
        return text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class SearchQuery:
    """Every group must match (a group is one term or several joined by OR); no excluded
    term may match. An empty query (no groups) means "filters only"."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms a match must contain some of (what a highlighter looks for)."""
        return tuple(term for group in self.groups for term in group)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __str__(self) -> str:
        parts = [f" {OR} ".join(map(str, group)) for group in self.groups]
        return " ".join(parts + [f"-{term}" for term in self.excluded])


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool = False
    negated: bool = False


def parse_query(text: str) -> SearchQuery:
    """Parse what a user typed; an empty or blank string is the empty query."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(
            f"the query is {len(text):,} characters long; keep it under {MAX_QUERY_CHARS}"
        )
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False  # the previous token was OR
    for token in _tokens(text):
        if token.text == OR and not token.quoted and not token.negated:
            if not groups or join_next:
                raise SearchQueryError("OR needs a word on each side, as in: bitcoin OR ether")
            join_next = True
            continue
        term = _term(token)
        if term is None:  # punctuation only: nothing to look for
            continue
        if token.negated:
            if join_next:
                raise SearchQueryError(
                    f"an excluded term cannot be part of OR: drop the OR before -{term}"
                )
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if join_next:
        raise SearchQueryError("OR needs a word on each side, as in: bitcoin OR ether")
    if not groups and excluded:
        raise SearchQueryError("the query only excludes words; add at least one word to search for")
    if len(excluded) + sum(len(group) for group in groups) > MAX_TERMS:
        raise SearchQueryError(f"the query has too many terms; use at most {MAX_TERMS}")
    return SearchQuery(tuple(tuple(group) for group in groups), tuple(excluded))


def parse_required(text: str) -> SearchQuery:
    """Like :func:`parse_query`, but a query with nothing to look for is an error."""
    query = parse_query(text)
    if not query:
        raise SearchQueryError("the query has no words to search for; type a word or a phrase")
    return query


def words_of(text: str) -> list[str]:
    """The lowercase words of ``text``, split as the search index splits them."""
    return _WORD.findall(text.casefold())


def _tokens(text: str) -> list[_Token]:
    """Split on spaces outside quotes; a leading ``-`` negates the token after it."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        space = _SPACE.match(text, position)
        if space:
            position = space.end()
            continue
        negated = text[position] == "-" and position + 1 < len(text)
        start = position + 1 if negated else position
        if text[start] == '"':
            end = text.find('"', start + 1)
            if end < 0:
                raise SearchQueryError(
                    'a quote is never closed: end the phrase with ", or remove the quote'
                )
            body = text[start + 1 : end]
            position = end + 1
            if text.startswith("*", position):
                body += "*"
                position += 1
            tokens.append(_Token(body, quoted=True, negated=negated))
            continue
        space = _SPACE.search(text, start)
        stop = space.start() if space else len(text)
        chunk = text[start:stop]
        if '"' in chunk:  # a quote glued to a word: "bitcoin"etf or etf"
            quote = chunk.index('"')
            stop = start + quote
            chunk = chunk[:quote]
        position = stop
        tokens.append(_Token(chunk, negated=negated))
    return tokens


def _term(token: _Token) -> Term | None:
    text = token.text
    prefix = text.endswith("*")
    words = tuple(words_of(text.rstrip("*")))
    if not words:
        return None
    if prefix and len(words[-1]) < MIN_PREFIX_CHARS:
        raise SearchQueryError(
            f"{text} matches too many words; give at least {MIN_PREFIX_CHARS} letters before *"
        )
    return Term(words, prefix)


@dataclass(frozen=True)
class Syntax:
    """How one search engine spells our query model."""

    phrase: Callable[[Term], str]
    any_of: str  # between the alternatives of a group
    all_of: str  # between groups
    excluding: str  # "{included}" and "{excluded}" are filled in
    parenthesise_single: bool = False


def render(query: SearchQuery, syntax: Syntax) -> str:
    """``query`` in an engine's own query language (never from the user's raw text)."""
    groups = []
    for group in query.groups:
        alternatives = syntax.any_of.join(syntax.phrase(term) for term in group)
        single = len(group) == 1 and not syntax.parenthesise_single
        groups.append(alternatives if single else f"({alternatives})")
    expression = syntax.all_of.join(groups)
    if query.excluded:
        excluded = syntax.any_of.join(syntax.phrase(term) for term in query.excluded)
        expression = syntax.excluding.format(included=expression, excluded=excluded)
    return expression
