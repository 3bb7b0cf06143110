"""Alerts: signed webhook POSTs to a receiver on 127.0.0.1, retries, and failure isolation."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.articles import START, add_article, add_filler, story
from tests.support.receiver import WebhookReceiver
from wirebrief.alerts import webhooks
from wirebrief.alerts.runner import AlertReport, run_alerts
from wirebrief.alerts.webhooks import MAX_ATTEMPTS, SIGNATURE_HEADER, backoff_s, sign, verify
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import AlertDelivery

SECRET = "s3cret-for-tests"


def run(db: Database, settings: Settings, at=START) -> AlertReport:
    return asyncio.run(run_alerts(db, settings, now=at))


def deliveries(db: Database) -> list[AlertDelivery]:
    with db.session() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def watch(db: Database, name: str, query: str, *urls: str) -> None:
    with db.session() as session:
        saved = alert_store.add_saved_search(session, name, query)
        for url in urls:
            alert_store.add_webhook(session, saved, url, SECRET)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/hook"


def test_signature_is_hmac_sha256_of_the_exact_body() -> None:
    body = b'{"event": "search.match"}'
    expected = hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert sign("key", body) == f"sha256={expected}"
    assert verify("key", body, sign("key", body))
    assert not verify("key", body + b" ", sign("key", body))
    assert not verify("other", body, sign("key", body))


def test_new_matches_are_posted_once_per_story_and_signed(db: Database, settings: Settings) -> None:
    with db.session() as session:
        add_filler(session)
        add_article(session, "Glasswing upgrade date set (old news)", "Ethereum's glasswing.")
    with WebhookReceiver() as receiver:
        watch(db, "glasswing", "glasswing", receiver.hook_url)
        with db.session() as session:
            event = story(session)
            first = add_article(session, "Glasswing upgrade ships", "The glasswing upgrade shipped.",
                                story_id=event.id, hours=1, tldr_headline="It shipped",
                                tldr_bullets=["On time", "No bugs"])  # fmt: skip
            add_article(session, "Glasswing ships, a copy", "The glasswing upgrade shipped.",
                        story_id=event.id, duplicate_of=first.id, hours=2)  # fmt: skip
            add_article(session, "Gold climbs", "Nothing to do with it.", hours=3)
        report = run(db, settings)
        assert report.queued == 1 and report.delivery.delivered == 1
        assert run(db, settings).queued == 0  # nothing new: nothing queued twice
    (received,) = receiver.received
    assert verify(SECRET, received.body, received.headers[SIGNATURE_HEADER.lower()])
    assert received.headers["content-type"] == "application/json"
    assert received.headers["x-wirebrief-event"] == "search.match"
    payload = json.loads(received.body)
    assert payload["saved_search"]["name"] == "glasswing"
    assert payload["article"]["id"] == first.id
    assert payload["article"]["tldr"] == {
        "headline": "It shipped",
        "bullets": ["On time", "No bugs"],
    }
    assert payload["article"]["reader_url"].endswith(f"/articles/{first.id}")
    assert payload["attempt"] == 1
    (delivery,) = deliveries(db)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.last_http_status == 200


def test_failed_deliveries_are_retried_with_exponential_backoff(
    db: Database, settings: Settings
) -> None:
    assert [backoff_s(n) for n in (1, 2, 3, 4)] == [30.0, 60.0, 120.0, 240.0]
    assert backoff_s(2, jitter=1.2) == 72.0
    with WebhookReceiver(statuses=[500, 503]) as receiver:
        watch(db, "meridian", "meridian", receiver.hook_url)
        with db.session() as session:
            add_filler(session)
            add_article(session, "Meridian dollar audit", "The meridian reserve audit.")
        first = run(db, settings, START)
        assert (first.delivery.delivered, first.delivery.retrying) == (0, 1)
        (pending,) = deliveries(db)
        retry_at = pending.next_attempt_at
        # 30 s ±20 %
        assert START + timedelta(seconds=24) <= retry_at <= START + timedelta(seconds=36)
        assert pending.last_error == "HTTP 500" and pending.attempts == 1
        assert run(db, settings, START + timedelta(seconds=10)).delivery.retrying == 0  # not due
        assert len(receiver.received) == 1
        second = run(db, settings, retry_at)
        assert second.delivery.retrying == 1
        (pending,) = deliveries(db)
        wait = pending.next_attempt_at - retry_at
        assert timedelta(seconds=48) <= wait <= timedelta(seconds=72)  # then 60 s ±20 %
        third = run(db, settings, pending.next_attempt_at)
        assert third.delivery.delivered == 1
    assert [json.loads(r.body)["attempt"] for r in receiver.received] == [1, 2, 3]
    bodies = {r.body for r in receiver.received}
    assert all(
        verify(SECRET, r.body, r.headers[SIGNATURE_HEADER.lower()]) for r in receiver.received
    )
    assert len(bodies) == 3  # each attempt is signed afresh
    (done,) = deliveries(db)
    assert (done.status, done.attempts, done.last_error) == ("delivered", 3, None)


def test_a_failing_webhook_never_holds_up_the_others(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.5)
    with WebhookReceiver() as good, WebhookReceiver(delay_s=3) as slow:
        watch(db, "tidepool", "tidepool", closed_port_url(), slow.hook_url, good.hook_url)
        with db.session() as session:
            add_filler(session)
            add_article(session, "Tidepool halts withdrawals", "Tidepool paused withdrawals.")
        report = run(db, settings)
        assert report.delivery.delivered == 1 and report.delivery.retrying == 2
        assert len(good.received) == 1
        errors = {d.webhook_id: d.last_error for d in deliveries(db) if d.status == "pending"}
        assert any("ConnectError" in e for e in errors.values())
        assert any("Timeout" in e for e in errors.values())
        # After the last attempt a delivery is marked failed and leaves the queue.
        at = START
        for _ in range(MAX_ATTEMPTS - 1):
            at += timedelta(hours=2)
            run(db, settings, at)
    statuses = sorted(d.status for d in deliveries(db))
    assert statuses == ["delivered", "failed", "failed"]
    assert all(d.attempts == MAX_ATTEMPTS for d in deliveries(db) if d.status == "failed")


def test_storing_articles_never_waits_for_webhooks(db: Database, settings: Settings) -> None:
    """The store stage only indexes; deliveries are queued and sent by the alerts pass."""
    with WebhookReceiver(delay_s=5) as slow:
        watch(db, "xrp", "xrp", slow.hook_url)
        with db.session() as session:
            add_filler(session)
            add_article(session, "XRP jumps on bank pilot", "XRP rose after a bank pilot.")
        assert deliveries(db) == [] and slow.received == []


def test_a_broken_saved_search_does_not_stop_the_others(db: Database, settings: Settings) -> None:
    with WebhookReceiver() as receiver:
        watch(db, "broken", "fine", receiver.hook_url)
        watch(db, "good", "silver", receiver.hook_url)
        with db.session() as session:
            saved = alert_store.get_saved_search(session, "broken")
            saved.query = '"never closed'  # as if an older version had accepted it
            add_filler(session)
            add_article(session, "Silver surges", "Silver surged on solar demand. Fine.")
        report = run(db, settings)
    assert report.queued == 1 and report.delivery.delivered == 1


def test_a_removed_article_is_never_delivered(db: Database, settings: Settings) -> None:
    with WebhookReceiver(statuses=[500]) as receiver:
        watch(db, "veridian", "veridian", receiver.hook_url)
        with db.session() as session:
            add_filler(session)
            article = add_article(session, "Veridian cuts jobs", "Veridian cut 1,200 jobs.")
        run(db, settings)  # the first attempt fails
        with db.session() as session:
            session.get(type(article), article.id).hidden = True
        run(db, settings, START + timedelta(hours=1))
    assert len(receiver.received) == 1
    (delivery,) = deliveries(db)
    assert delivery.status == "cancelled"
