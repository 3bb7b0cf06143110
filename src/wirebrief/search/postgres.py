"""Search on PostgreSQL full text: a weighted tsvector per article, a GIN index, ts_rank
ranking and ts_headline snippets.

Every PostgreSQL full-text query in Wirebrief is in this module. Like the FTS5 index, the
documents live in their own table keyed by article id (``search_documents``, outside the
models and the Alembic chain: ``storage/searchindex.py`` makes it idempotently on every
``wirebrief init``), and the store stage calls :meth:`PostgresFtsBackend.index` for each
article it writes. Words are indexed with the ``simple`` configuration: no stemming and no
stop words, so phrases and prefixes behave as on FTS5 in every language.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import BindParameter, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from wirebrief.search.backend import (
    SearchFilters,
    SearchHit,
    SearchResults,
    collapse,
    filter_clauses,
    list_filtered,
    missing_entries,
    order_for,
    pool_size,
    stray_entries,
)
from wirebrief.search.query import SearchQuery, Syntax, Term, render
from wirebrief.search.snippets import CLOSE, ELLIPSIS, OPEN, marked_html
from wirebrief.storage import searchindex
from wirebrief.storage.models import Article

TABLE = searchindex.POSTGRES_TABLE
CONFIG = searchindex.POSTGRES_CONFIG
# ts_rank weights for D (body), C (unused), B (TLDR), A (title): a title match counts most.
WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
_HEADLINE = (
    f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=32, MinWords=12, ShortWord=2, "
    f"MaxFragments=1, FragmentDelimiter={ELLIPSIS}"
)
_DOCUMENTS = searchindex.POSTGRES_DOCUMENTS
_UPSERT = " ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
_docs = table(TABLE, column("article_id"), column("document"))


def tsquery_text(query: SearchQuery) -> str:
    """Our query model as ``to_tsquery`` text; words hold letters and digits only, so
    quoting them needs no escaping."""
    return render(query, _TSQUERY)


class PostgresFtsBackend:
    """The PostgreSQL full-text search backend."""

    name = "postgresql-fts"

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
        tsquery = func.to_tsquery(literal_column(f"'{CONFIG}'"), bindparam("q"))
        score = func.ts_rank(literal_column(f"'{WEIGHTS}'::float4[]"), _docs.c.document, tsquery)
        # The GIN index finds the matches; ranking looks at the newest pool of them only.
        candidates = (
            select(Article.id, score.label("score"))
            .select_from(_docs)
            .join(Article, Article.id == _docs.c.article_id)
            .where(_docs.c.document.op("@@")(tsquery), *filter_clauses(filters))
            .order_by(_docs.c.article_id.desc())
            .limit(pool_size(limit, offset))
        )
        expression = tsquery_text(query)
        statement = collapse(candidates, order_for(sort), limit, offset)
        rows = session.execute(statement, {"q": expression}).all()
        page = rows[:limit]
        marked = _marked(session, expression, [row.id for row in page])
        hits = [
            SearchHit(row.id, row.score, *marked.get(row.id, (marked_html(""),) * 2))
            for row in page
        ]
        return SearchResults(hits, has_more=len(rows) > limit)

    def index(self, session: Session, article_ids: list[int]) -> None:
        """Replace these articles' documents; hidden or deleted articles just leave."""
        if not article_ids:
            return
        ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
        session.execute(text(f"DELETE FROM {TABLE} WHERE article_id IN :ids").bindparams(ids),
                        {"ids": article_ids})  # fmt: skip
        session.execute(text(_DOCUMENTS + " AND a.id IN :ids" + _UPSERT).bindparams(ids),
                        {"ids": article_ids})  # fmt: skip

    def rebuild(self, session: Session) -> int:
        """Index every visible article from scratch."""
        session.execute(text(f"DELETE FROM {TABLE}"))
        session.execute(text(_DOCUMENTS))
        return session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()

    def missing(self, session: Session) -> list[int]:
        """Visible articles without an index entry."""
        return missing_entries(session, TABLE, "article_id")

    def stray(self, session: Session) -> list[int]:
        """Index entries of hidden or deleted articles."""
        return stray_entries(session, TABLE, "article_id")


def _marked(session: Session, expression: str, ids: list[int]) -> dict[int, tuple[Markup, Markup]]:
    """Highlighted title and best snippet (body, else TLDR) of each article in ``ids``."""
    if not ids:
        return {}
    statement = text(
        f"SELECT a.id, ts_headline('{CONFIG}', a.title, q, :all_options), "
        f"ts_headline('{CONFIG}', coalesce(a.text, ''), q, :options), "
        f"ts_headline('{CONFIG}', coalesce(a.tldr_headline, ''), q, :options) "
        f"FROM articles AS a, to_tsquery('{CONFIG}', :q) AS q WHERE a.id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    params = {"q": expression, "ids": ids, "options": _HEADLINE,
              "all_options": _HEADLINE + ", HighlightAll=true"}  # fmt: skip
    out: dict[int, tuple[Markup, Markup]] = {}
    for article_id, title, body, tldr in session.execute(statement, params):
        best = body if OPEN in body or OPEN not in tldr else tldr
        out[article_id] = (marked_html(title), marked_html(best))
    return out


def _phrase(term: Term) -> str:
    words = [f"'{word}'" for word in term.words]
    if term.prefix:
        words[-1] += ":*"
    return " <-> ".join(words)


_TSQUERY = Syntax(
    _phrase, any_of=" | ", all_of=" & ", excluding="({included}) & !({excluded})",
    parenthesise_single=True,
)  # fmt: skip
