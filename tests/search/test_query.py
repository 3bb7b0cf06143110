"""The query language: what users type, what we understand, and readable errors."""

from __future__ import annotations

import pytest

from wirebrief.errors import SearchQueryError
from wirebrief.search.query import SearchQuery, Term, parse_query, parse_required
from wirebrief.search.sqlite_fts import match_expression


def test_words_phrases_prefixes_exclusions_and_or() -> None:
    query = parse_query('Bitcoin "spot ETF" regulat* -scam gold OR silver -"press release"')
    assert query.groups == (
        (Term(("bitcoin",)),),
        (Term(("spot", "etf")),),
        (Term(("regulat",), prefix=True),),
        (Term(("gold",)), Term(("silver",))),
    )
    assert query.excluded == (Term(("scam",)), Term(("press", "release")))
    assert str(query) == 'bitcoin "spot etf" regulat* gold OR silver -scam -"press release"'


def test_punctuation_splits_words_like_the_index() -> None:
    assert parse_query("S&P").groups == ((Term(("s", "p")),),)
    assert parse_query("U.S. café").groups == ((Term(("u", "s")),), (Term(("café",)),))
    assert parse_query('"bitcoin et*"').groups == ((Term(("bitcoin", "et"), prefix=True),),)
    assert parse_query("bitcoin ;; &&").groups == ((Term(("bitcoin",)),),)


def test_fts5_expression_quotes_every_word() -> None:
    query = parse_query('etf "spot bitcoin" regul* -scam sol OR eth')
    assert match_expression(query) == (
        '("etf" AND "spot bitcoin" AND "regul" * AND ("sol" OR "eth")) NOT ("scam")'
    )
    # FTS5 operators typed by a user are plain words to us, never syntax.
    expression = match_expression(parse_query("NEAR(a b) AND NOT"))
    assert expression == '"near a" AND "b" AND "and" AND "not"'


def test_empty_and_blank_queries_mean_filters_only() -> None:
    assert parse_query("") == SearchQuery()
    assert not parse_query("   ")
    with pytest.raises(SearchQueryError, match="no words"):
        parse_required("  ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"spot bitcoin', "never closed"),
        ('bitcoin etf"', "never closed"),
        ("OR", "OR needs a word"),
        ("bitcoin OR", "OR needs a word"),
        ("OR bitcoin", "OR needs a word"),
        ("gold OR OR silver", "OR needs a word"),
        ("-bitcoin", "only excludes"),
        ("-bitcoin -ether", "only excludes"),
        ("gold OR -silver", "cannot be part of OR"),
        ("b*", "at least 2 letters"),
        ("x" * 10_240, "10,240 characters"),
        (" ".join(f"w{i}" for i in range(40)), "too many terms"),
    ],
)
def test_malformed_queries_raise_readable_errors(text: str, message: str) -> None:
    with pytest.raises(SearchQueryError, match=message):
        parse_query(text)


@pytest.mark.parametrize("text", ["*", "-", '""', "- *", "((", "-*", "&&&"])
def test_operators_only_have_nothing_to_search_for(text: str) -> None:
    with pytest.raises(SearchQueryError):
        parse_required(text)
