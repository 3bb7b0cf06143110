"""Search on SQLite with FTS5: BM25 ranking, phrases, prefixes, highlighted snippets.

Every FTS5 query in Wirebrief is in this module (the table's DDL is storage/searchindex.py).
The index is an FTS5 table keyed by article id (its rowid) over three columns: title,
TLDR (headline and bullets) and body. It keeps its own copy of the text, so an entry can
be replaced by rowid without knowing what was indexed before; the store stage calls
:meth:`SqliteFtsBackend.index` for each article it writes. Hidden articles are dropped
from the index, and every query also filters on ``articles.hidden``, so a removed article
never shows even if a writer forgot to re-index it.

Ranking is BM25 for any query that matches up to ``BM25_MAX_MATCHES`` articles. FTS5's
``bm25()`` first counts every article that contains each term or phrase (its IDF), a pass
over all matches that grows with the corpus (about 50 ms for a common phrase in a million
articles); a query matching more than that is ranked by matches in the title, then by
time, among its newest matches, which costs the same at any size.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import BindParameter, Select, bindparam, column, literal_column, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from wirebrief.search.backend import (
    SearchFilters,
    SearchHit,
    SearchResults,
    collapse,
    filter_clauses,
    list_filtered,
    marked_by_python,
    missing_entries,
    order_for,
    pool_size,
    stray_entries,
)
from wirebrief.search.query import SearchQuery, Syntax, Term, render
from wirebrief.search.snippets import CLOSE, ELLIPSIS, OPEN, marked_html
from wirebrief.storage import searchindex
from wirebrief.storage.models import Article

TABLE = searchindex.SQLITE_TABLE
# BM25 weight of a match in each column: a title match outweighs a passing mention.
TITLE_WEIGHT, TLDR_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
SNIPPET_TOKENS = 32
BM25_MAX_MATCHES = 5000
FILTER_INDEX = "ix_articles_search"  # see models.Article

_DOCUMENTS = searchindex.SQLITE_DOCUMENTS
_fts = table(TABLE, column("rowid"))
_BM25 = f"-bm25({TABLE}, {TITLE_WEIGHT}, {TLDR_WEIGHT}, {BODY_WEIGHT})"
# How many matches the title holds (marks counted in its highlight; titles are short).
_TITLE_MARKED = f"highlight({TABLE}, 0, char(2), '')"
_TITLE_HITS = f"length({_TITLE_MARKED}) - length(replace({_TITLE_MARKED}, char(2), ''))"


def match_expression(query: SearchQuery) -> str:
    """Our query model as an FTS5 MATCH expression; every word is a quoted string."""
    return render(query, _FTS5)


class SqliteFtsBackend:
    """The FTS5 search backend."""

    name = "sqlite-fts5"

    def search(
        self,
        session: Session,
        query: SearchQuery,
        filters: SearchFilters,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """Visible articles matching ``query`` and ``filters``, one per story."""
        if not query:
            return list_filtered(session, filters, limit, offset)
        expression = match_expression(query)
        params = {"match": expression}
        if sort == "time":
            rank = "NULL"
        elif self._matches_at_most(session, params, BM25_MAX_MATCHES):
            rank = _BM25
        else:
            rank = _TITLE_HITS
        # FTS5 streams matches newest first (rowid = article id) and stops at the pool size.
        candidates: Select[int, Any] = (
            select(Article.id, literal_column(rank).label("score"))
            .select_from(_MatchedArticles(_fts, Article.__table__, Article.id == _fts.c.rowid))
            .where(text(f"{TABLE} MATCH :match"), *filter_clauses(filters))
            .order_by(_fts.c.rowid.desc())
            .limit(pool_size(limit, offset))
        )
        statement = collapse(candidates, order_for(sort), limit, offset)
        rows = session.execute(statement, params).all()
        page = rows[:limit]
        ids = [row.id for row in page]
        if any(term.prefix for term in query.terms):
            # FTS5 re-expands a prefix for every row it highlights: ours is much cheaper.
            marked = marked_by_python(session, query, ids)
        else:
            marked = self._marked(session, expression, ids)
        hits = [
            SearchHit(row.id, row.score, *marked.get(row.id, (marked_html(""),) * 2))
            for row in page
        ]
        return SearchResults(hits, has_more=len(rows) > limit)

    def index(self, session: Session, article_ids: list[int]) -> None:
        """Replace these articles' entries; hidden or deleted articles just leave."""
        if not article_ids:
            return
        ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
        session.execute(text(f"DELETE FROM {TABLE} WHERE rowid IN :ids").bindparams(ids),
                        {"ids": article_ids})  # fmt: skip
        session.execute(text(_DOCUMENTS + " AND a.id IN :ids").bindparams(ids),
                        {"ids": article_ids})  # fmt: skip

    def rebuild(self, session: Session) -> int:
        """Index every visible article from scratch, then merge the index's segments."""
        session.execute(text(f"DELETE FROM {TABLE}"))
        session.execute(text(_DOCUMENTS))
        session.execute(text(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')"))
        return session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()

    def missing(self, session: Session) -> list[int]:
        """Visible articles without an index entry."""
        return missing_entries(session, TABLE, "rowid")

    def stray(self, session: Session) -> list[int]:
        """Index entries of hidden or deleted articles."""
        return stray_entries(session, TABLE, "rowid")

    def _matches_at_most(self, session: Session, params: dict, most: int) -> bool:
        """Whether the expression matches at most ``most`` articles (reads that many, newest
        first, and no more)."""
        probe = text(
            f"SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :match "
            f"ORDER BY rowid DESC LIMIT :most) AS probe"
        )
        return session.execute(probe, {**params, "most": most + 1}).scalar_one() <= most

    def _marked(
        self, session: Session, expression: str, ids: list[int]
    ) -> dict[int, tuple[Markup, Markup]]:
        """Highlighted title and best snippet (body, else TLDR) of each article in ``ids``."""
        if not ids:
            return {}
        marks = f"'{OPEN}', '{CLOSE}'"
        query = text(
            f"SELECT rowid, highlight({TABLE}, 0, {marks}), "
            f"snippet({TABLE}, 2, {marks}, '{ELLIPSIS}', {SNIPPET_TOKENS}), "
            f"snippet({TABLE}, 1, {marks}, '{ELLIPSIS}', {SNIPPET_TOKENS}) "
            f"FROM {TABLE} WHERE {TABLE} MATCH :match AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        out = {}
        for rowid, title, body, tldr in session.execute(query, {"match": expression, "ids": ids}):
            best = body if OPEN in body or OPEN not in tldr else tldr
            out[rowid] = (marked_html(title), marked_html(best))
        return out


class _MatchedArticles(Join):
    """``search_fts JOIN articles INDEXED BY ix_articles_search``: without statistics SQLite
    would read each matching article's row, long with its text; the index holds every
    column a filter or the story collapse needs."""

    inherit_cache = True


@compiles(_MatchedArticles, "sqlite")
def _indexed_join(join: _MatchedArticles, compiler: SQLCompiler, **kw: Any) -> str:
    sql = compiler.visit_join(join, **kw)
    return sql.replace(" JOIN articles ON ", f" JOIN articles INDEXED BY {FILTER_INDEX} ON ", 1)


def _phrase(term: Term) -> str:
    # Words hold letters and digits only (query.py), so quoting them needs no escaping.
    return '"' + " ".join(term.words) + '"' + (" *" if term.prefix else "")


_FTS5 = Syntax(_phrase, any_of=" OR ", all_of=" AND ", excluding="({included}) NOT ({excluded})")
