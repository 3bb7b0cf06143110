"""Fetch attempts as the pipeline logs them, with the failure metrics."""

from __future__ import annotations

import time

from wirebrief import metrics
from wirebrief.errors import WirebriefError
from wirebrief.fetch import FetchResult
from wirebrief.storage.models import FetchAttempt


def answered_attempt(source_id: int, url: str, kind: str, result: FetchResult) -> FetchAttempt:
    """A fetch that got an answer (``ok`` or ``not_modified``)."""
    return FetchAttempt(
        source_id=source_id,
        url=url,
        kind=kind,
        duration_ms=result.elapsed_ms,
        outcome="not_modified" if result.not_modified else "ok",
        http_status=result.status,
        bytes_received=len(result.body),
    )


def failed_attempt(
    source_id: int,
    url: str,
    kind: str,
    error: WirebriefError,
    started: float,
    reason: str | None = None,
) -> FetchAttempt:
    """A fetch (or the processing of what it fetched) that failed; counted in the metrics."""
    reason = reason or error.reason
    metrics.FETCH_ERRORS.labels(kind, reason).inc()
    return FetchAttempt(
        source_id=source_id,
        url=url,
        kind=kind,
        duration_ms=int((time.monotonic() - started) * 1000),
        outcome="failed",
        http_status=error.status,
        error_reason=reason,
        error=str(error),
    )
