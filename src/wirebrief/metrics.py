"""Process metrics in Prometheus format: what was ingested, what failed, how fast we answer.

Counters live in this process (``wirebrief run`` polls and serves in one process), so a
scrape costs no database query.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

ARTICLES_STORED = Counter(
    "wirebrief_articles_stored",
    "Pages through the store stage, by outcome (new, updated, unchanged, copies).",
    ["outcome"],
    registry=REGISTRY,
)
FETCH_ERRORS = Counter(
    "wirebrief_fetch_errors",
    "Failed fetches, by what was fetched (feed, sitemap, page) and why.",
    ["kind", "reason"],
    registry=REGISTRY,
)
REQUESTS_SHED = Counter(
    "wirebrief_http_requests_shed",
    "Requests answered 503 because the web process was busy or the database did not answer.",
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "wirebrief_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
