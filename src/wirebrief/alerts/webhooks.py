"""Webhook delivery: signed JSON POSTs from a queue, retried with exponential backoff.

Deliveries are rows of ``alert_deliveries``, queued by ``matching.queue_new_matches`` and
sent here, outside any ingestion transaction: a slow, failing or unreachable receiver only
ever delays its own deliveries. Each POST body is signed with the webhook's secret:

    X-Wirebrief-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>

A receiver recomputes the HMAC over the raw body and compares in constant time
(:func:`verify`). A delivery that fails is retried after 30 s, 1 min, 2 min, … (at most
one hour apart), and marked failed after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from wirebrief import __version__
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import AlertDelivery, AlertWebhook, Article
from wirebrief.times import utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Wirebrief-Signature"
EVENT = "search.match"
MAX_ATTEMPTS = 6
BACKOFF_BASE_S = 30.0
BACKOFF_MAX_S = 3600.0
TIMEOUT_S = 10.0
CONCURRENCY = 4
BATCH = 100


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is ours for ``body`` (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), signature)


def backoff_s(attempts: int, jitter: float = 1.0) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: doubling, capped, times
    ``jitter`` (deliveries that failed together must not all retry in the same second).
    """
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0)) * jitter


@dataclass(frozen=True)
class Job:
    """One POST to make, prepared from the database."""

    delivery_id: int
    url: str
    body: bytes
    signature: str


@dataclass(frozen=True)
class Outcome:
    """What one POST did: ``error`` is None on success."""

    delivery_id: int
    http_status: int | None
    error: str | None


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


async def deliver_due(
    db: Database, settings: Settings, now: datetime | None = None
) -> DeliveryReport:
    """POST every due delivery (a few at a time) and record each outcome."""
    now = now or utcnow()
    jobs = await asyncio.to_thread(_prepare, db, settings, now)
    if not jobs:
        return DeliveryReport()
    limit = asyncio.Semaphore(CONCURRENCY)
    headers = {"User-Agent": settings.user_agent, "Content-Type": "application/json"}
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(TIMEOUT_S), follow_redirects=False, trust_env=False, headers=headers
    ) as client:

        async def one(job: Job) -> Outcome:
            async with limit:
                return await _post(client, job)

        outcomes = await asyncio.gather(*(one(job) for job in jobs))
    return await asyncio.to_thread(_record, db, outcomes, now)


def payload(delivery: AlertDelivery, webhook: AlertWebhook, article: Article, reader: str) -> dict:
    """The JSON body of a delivery: which saved search matched which article."""
    saved = webhook.saved_search
    return {
        "event": EVENT,
        "delivery_id": delivery.id,
        "attempt": delivery.attempts + 1,
        "saved_search": {"id": saved.id, "name": saved.name, "query": saved.query},
        "article": {
            "id": article.id,
            "title": article.title,
            "reader_url": f"{reader}/articles/{article.id}",
            "url": article.url,
            "origin": {"name": article.origin_name, "url": article.origin_url}
            if article.origin_url or article.origin_name
            else None,
            "source": article.source.name if article.source else article.site_name,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "story_id": article.story_id,
            "tldr": {"headline": article.tldr_headline, "bullets": article.tldr_bullets or []},
        },
        "sent_at": utcnow().isoformat(),
        "generator": f"Wirebrief {__version__}",
    }


def _prepare(db: Database, settings: Settings, now: datetime) -> list[Job]:
    reader = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    jobs = []
    with db.session() as session:
        for delivery in alert_store.due_deliveries(session, now, BATCH):
            webhook = session.get(AlertWebhook, delivery.webhook_id)
            article = session.get(Article, delivery.article_id)
            if webhook is None or article is None or article.hidden:
                delivery.status, delivery.last_error = "cancelled", "the article was removed"
                continue
            body = json.dumps(payload(delivery, webhook, article, reader)).encode()
            jobs.append(Job(delivery.id, webhook.url, body, sign(webhook.secret, body)))
    return jobs


async def _post(client: httpx.AsyncClient, job: Job) -> Outcome:
    headers = {
        SIGNATURE_HEADER: job.signature,
        "X-Wirebrief-Event": EVENT,
        "X-Wirebrief-Delivery": str(job.delivery_id),
    }
    try:
        response = await client.post(job.url, content=job.body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(job.delivery_id, None, f"{type(exc).__name__}: {exc}".rstrip(": "))
    if 200 <= response.status_code < 300:
        return Outcome(job.delivery_id, response.status_code, None)
    return Outcome(job.delivery_id, response.status_code, f"HTTP {response.status_code}")


def _record(db: Database, outcomes: list[Outcome], now: datetime) -> DeliveryReport:
    report = DeliveryReport()
    with db.session() as session:
        for outcome in outcomes:
            delivery = alert_store.get_delivery(session, outcome.delivery_id)
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.last_http_status = outcome.http_status
            delivery.last_error = outcome.error
            if outcome.error is None:
                delivery.status, delivery.delivered_at = "delivered", now
                report.delivered += 1
                continue
            log.warning("webhook delivery failed delivery_id=%s attempt=%s: %s",
                        delivery.id, delivery.attempts, outcome.error)  # fmt: skip
            report.errors.append(f"delivery {delivery.id}: {outcome.error}")
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                report.failed += 1
            else:
                delivery.next_attempt_at = now + timedelta(
                    seconds=backoff_s(delivery.attempts, random.uniform(0.8, 1.2))
                )
                report.retrying += 1
    return report
