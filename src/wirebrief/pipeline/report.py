"""What a poll or an ingest did: the report the CLI prints, the scheduler logs and jobs return."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from wirebrief.pipeline.listing import SourceSnapshot
from wirebrief.storage.articles import StoreOutcome


class PollStatus(StrEnum):
    """How reading a source went (stored as the source's ``last_status``)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    PARTIAL = "partial"  # a damaged archive: the pages before the damage are stored
    NOT_DUE = "not_due"  # not polled; only its entries waiting in the inbox were fetched


@dataclass
class SourceReport:
    """What one poll of one source did."""

    source_id: int
    name: str
    status: PollStatus = PollStatus.OK
    error: str | None = None
    feed_problem: str | None = None
    listed: int = 0  # entries the feed or sitemap lists now
    outcomes: Counter[StoreOutcome] = field(default_factory=Counter)  # entries, by outcome
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    # Entries put back in the inbox after a passing failure (url, why): tried again later.
    deferred: list[tuple[str, str]] = field(default_factory=list)

    @property
    def new(self) -> int:
        return self.outcomes[StoreOutcome.NEW]

    @property
    def updated(self) -> int:
        return self.outcomes[StoreOutcome.UPDATED]

    @property
    def unchanged(self) -> int:
        return self.outcomes[StoreOutcome.UNCHANGED]

    @property
    def copies(self) -> int:
        """New pages that copy another outlet's article (exact or near)."""
        return self.outcomes[StoreOutcome.COPIES]


@dataclass
class Poll:
    """One poll of a source and its report so far (its entries wait in the inbox)."""

    source: SourceSnapshot
    report: SourceReport
