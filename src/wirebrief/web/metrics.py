"""``/metrics`` in Prometheus text format, and the middleware that times every request."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wirebrief.jobs.operations import prometheus_lines, queue_metrics
from wirebrief.metrics import REGISTRY, REQUEST_SECONDS, gauge_lines
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.times import utcnow
from wirebrief.web.deps import SESSION

router = APIRouter()


@router.get("/metrics", tags=["health"], response_class=Response)
def metrics(request: Request, session: Session = SESSION) -> Response:
    """Ingest counts, fetch errors, request latency, the inbox and late sources (what shows
    a stalled poller) and, on PostgreSQL with workers, the job queue (depth, wait,
    failures), for Prometheus to scrape."""
    lines = ingest_lines(session) + prometheus_lines(
        queue_metrics(session, request.app.state.settings)
    )
    body = generate_latest(REGISTRY) + "".join(f"{line}\n" for line in lines).encode()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def ingest_lines(session: Session) -> list[str]:
    """What waits to be ingested, and for how long: alert on these, not on counters that
    stop moving (a quiet hour moves them as little as a dead poller)."""
    now = utcnow()
    waiting = inbox.backlog(session, now)
    latest = source_store.late_sources(session, limit=1, now=now)
    return [
        *gauge_lines("wirebrief_inbox_entries",
                     "Listed entries not stored yet: due now, or deferred after a passing failure.",
                     {"due": waiting.due, "deferred": waiting.deferred}, "state"),
        *gauge_lines("wirebrief_inbox_longest_wait_seconds",
                     "How long the entry due the longest has waited since its time came.",
                     round(waiting.longest_wait_s, 1)),
        *gauge_lines("wirebrief_sources_poll_lateness_seconds",
                     "How far past its poll time the latest followed source is.",
                     round(latest[0][1], 1) if latest else 0),
    ]  # fmt: skip


class RequestMetricsMiddleware:
    """Observes each request's duration under its route template (never the raw path, so
    the label set stays small)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or (
                "/static" if scope["path"].startswith("/static/") else "unmatched"
            )
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )
