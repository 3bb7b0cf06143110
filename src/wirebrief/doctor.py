"""``wirebrief doctor``: find stored articles missing from what readers find them by (the
search index, related stories, accounts' unread lists), and put them back; and say whether
ingest is moving (the inbox, late sources).

The store stage writes an article, its search index entry and its related stories in one
transaction, so a healthy database has nothing to repair. Versions before that could
commit an article whose indexing failed (two workers racing on a related list), and a
database edited by hand, restored in part or copied between engines can lose entries too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief.search.backend import backend_for
from wirebrief.search.related import update_related
from wirebrief.search.terms import term_vector
from wirebrief.storage import inbox, reading
from wirebrief.storage import related as related_store
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.times import utcnow

BATCH = 500
# A source this far past its poll time, or an entry due this long, means nothing is polling
# or fetching: `wirebrief run` polls a due source within seconds, the scheduler likewise.
STALLED_AFTER_S = 3600.0


@dataclass(frozen=True)
class Findings:
    """What :func:`examine` found; empty lists mean healthy."""

    unindexed: list[int]  # visible articles search cannot find
    stray: list[int]  # index entries of hidden or deleted articles
    unrelated: list[int]  # articles whose related stories were never computed
    misfiled: list[int] = field(default_factory=list)  # accounts whose unread rows are off

    @property
    def healthy(self) -> bool:
        """Whether nothing needs repairing."""
        return not (self.unindexed or self.stray or self.unrelated or self.misfiled)

    @property
    def count(self) -> int:
        """Articles, entries and accounts to repair."""
        return len(self.unindexed) + len(self.stray) + len(self.unrelated) + len(self.misfiled)


@dataclass(frozen=True)
class IngestFindings:
    """Whether ingest is moving: what :func:`examine_ingest` found."""

    backlog: inbox.Backlog
    retried: list[inbox.Retried]  # entries failing for a passing reason, most tries first
    late: list[tuple[int, float]]  # sources over STALLED_AFTER_S past their poll time

    @property
    def stalled(self) -> bool:
        """Whether nothing seems to poll or fetch: late sources, or entries long due."""
        return bool(self.late) or self.backlog.longest_wait_s > STALLED_AFTER_S


def examine_ingest(db: Database) -> IngestFindings:
    """Read the inbox and the sources' poll times."""
    now = utcnow()
    with db.session() as session:
        return IngestFindings(
            inbox.backlog(session, now),
            inbox.retried(session),
            source_store.late_sources(session, by_s=STALLED_AFTER_S, now=now),
        )


def examine(db: Database) -> Findings:
    """Compare the articles with the search index and the related-story postings."""
    with db.session() as session:
        backend = backend_for(session)
        unindexed, stray = backend.missing(session), backend.stray(session)
        without = related_store.without_terms(session)
        unrelated = [a.id for a in _articles(session, without) if _has_terms(a)]
        misfiled = reading.misfiled_accounts(session)
    return Findings(unindexed, stray, unrelated, misfiled)


def repair(
    db: Database, findings: Findings, on_progress: Callable[[int], None] | None = None
) -> None:
    """Index what search misses (and drop stray entries), then compute missing related
    stories, oldest article first, in transactions of :data:`BATCH`; then refile every
    account's unread lists if one was off."""
    entries = sorted(set(findings.unindexed) | set(findings.stray))
    for batch in _batches(entries):
        with db.session() as session:
            backend_for(session).index(session, batch)
        if on_progress:
            on_progress(len(batch))
    for batch in _batches(findings.unrelated):
        with db.session() as session:
            for article in _articles(session, batch):
                update_related(session, article)
        if on_progress:
            on_progress(len(batch))
    if findings.misfiled:
        with db.session() as session:
            reading.file_everything(session)
        if on_progress:
            on_progress(len(findings.misfiled))


def _articles(session: Session, ids: list[int]) -> Iterable[Article]:
    for batch in _batches(ids):
        query = select(Article).where(Article.id.in_(batch)).order_by(Article.id)
        yield from session.scalars(query)


def _has_terms(article: Article) -> bool:
    """Whether the article's text gives any term at all (else an empty list is right)."""
    return bool(term_vector(article.title, article.text, lang=article.lang))


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
