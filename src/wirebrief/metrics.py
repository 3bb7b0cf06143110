"""Process metrics in Prometheus format: what was ingested, what failed, how fast we answer.

Counters live in this process (``wirebrief run`` polls and serves in one process), so a
scrape costs no database query for them; what the database holds (the inbox, late sources,
the job queue) is read at scrape time and written out with :func:`gauge_lines`.
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


def gauge_lines(
    name: str, help_text: str, values: dict[str, float | None] | float | None, label: str = ""
) -> list[str]:
    """A gauge in the Prometheus text format: one value, or one per value of ``label``
    (``{"due": 3, "deferred": 5}``); a missing value is written as 0."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    if not isinstance(values, dict):
        return [*lines, f"{name} {0 if values is None else values}"]
    return lines + [
        f'{name}{{{label}="{key}"}} {0 if value is None else value}'
        for key, value in values.items()
    ]
