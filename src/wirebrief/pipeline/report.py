"""What a poll or an ingest did: the report the CLI prints, the scheduler logs and jobs return."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from wirebrief.feeds.parser import FeedEntry
from wirebrief.pipeline.listing import SourceSnapshot
from wirebrief.storage.articles import StoreOutcome


class PollStatus(StrEnum):
    """How reading a source went (stored as the source's ``last_status``)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    PARTIAL = "partial"  # a damaged archive: the pages before the damage are stored


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
    """One poll of a source: its report so far and the entries still to ingest."""

    source: SourceSnapshot
    report: SourceReport
    todo: list[FeedEntry]
