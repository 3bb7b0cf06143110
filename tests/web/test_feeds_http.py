"""Output feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and HTTP behaviour: conditional GET,
compression, security headers, fingerprinted static files, /metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import fastfeedparser
import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import update

from tests.support.desk import Desk, build_desk
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import PendingEntry
from wirebrief.times import utcnow
from wirebrief.web.app import create_app
from wirebrief.web.staticfiles import static_url


@pytest.fixture
def desk(db: Database) -> Desk:
    return build_desk(db)


@pytest.fixture
def client(settings: Settings, db: Database, desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db), base_url="http://desk.test") as client:
        yield client


def feed_paths(desk: Desk) -> list[str]:
    return ["/feeds/stories", "/feeds/assets/BTC", f"/feeds/sources/{desk.source_id}"]


def korvex_entry(entries: list, desk: Desk) -> dict | None:
    return next((e for e in entries if e["link"].endswith(f"/articles/{desk.original_id}")), None)


def assert_tldr_and_origin(content: str) -> None:
    assert "Korvex paused withdrawals." in content  # a TLDR bullet
    assert "https://orchard.example/korvex-halts" in content  # the origin link


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_xml_feeds_parse_in_feedparser_without_bozo(
    client: TestClient, desk: Desk, kind: str
) -> None:
    for path in feed_paths(desk):
        parsed = feedparser.parse(client.get(f"{path}.{kind}").content)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.version == {"rss": "rss20", "atom": "atom10"}[kind]
        assert parsed.feed.title and parsed.feed.link and parsed.entries, path
        entry = korvex_entry(parsed.entries, desk)
        assert entry is not None, path
        assert entry.id and entry.title and entry.get("published")
        assert_tldr_and_origin(entry.get("content", [{}])[0].get("value") or entry.summary)


def test_json_feeds_follow_json_feed_1_1(client: TestClient, desk: Desk) -> None:
    # feedparser 6 reads no JSON Feed; fastfeedparser (what the pipeline reads feeds with) does
    for path in feed_paths(desk):
        response = client.get(f"{path}.json")
        assert response.headers["content-type"].startswith("application/feed+json")
        feed = json.loads(response.content)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] and feed["feed_url"].endswith(f"{path}.json")
        item = next(i for i in feed["items"] if i["url"].endswith(f"/articles/{desk.original_id}"))
        assert item["id"] and item["external_url"] == "https://orchard.example/korvex-halts"
        assert_tldr_and_origin(item["content_html"])
        parsed = fastfeedparser.parse(response.content)
        assert korvex_entry(parsed["entries"], desk) is not None


def test_feeds_have_their_specs_required_elements(client: TestClient) -> None:
    rss = etree.fromstring(client.get("/feeds/stories.rss").content)
    channel = rss.find("channel")
    assert rss.get("version") == "2.0"
    assert all(channel.find(tag) is not None for tag in ("title", "link", "description"))
    assert all(item.find("title") is not None or item.find("description") is not None
               for item in channel.findall("item"))  # fmt: skip
    atom = etree.fromstring(client.get("/feeds/stories.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for tag in ("a:id", "a:title", "a:updated", "a:author/a:name", "a:link[@rel='self']"):
        assert atom.find(tag, ns) is not None, tag
    for entry in atom.findall("a:entry", ns):
        assert all(entry.find(f"a:{t}", ns) is not None for t in ("id", "title", "updated"))
    feed = json.loads(client.get("/feeds/stories.json").content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    assert all(
        "id" in item and ("content_html" in item or "content_text" in item)
        for item in feed["items"]
    )


def test_pages_link_their_feeds(client: TestClient, desk: Desk) -> None:
    for page, feed in [("/", "/feeds/stories"), ("/assets/BTC", "/feeds/assets/BTC"),
                       (f"/sources/{desk.source_id}", f"/feeds/sources/{desk.source_id}")]:  # fmt: skip
        html = client.get(page).text
        for kind, mime in [("rss", "application/rss+xml"), ("atom", "application/atom+xml"),
                           ("json", "application/feed+json")]:  # fmt: skip
            assert re.search(
                rf'<link rel="alternate" type="{re.escape(mime)}"[^>]*href="{feed}.{kind}"', html
            ), (page, kind)


def test_unknown_feed_format_or_asset_is_404(client: TestClient) -> None:
    assert client.get("/feeds/stories.xml").status_code == 404
    assert client.get("/feeds/assets/NOPE123.rss").status_code == 404


@pytest.mark.parametrize("path", ["/", "/feeds/stories.atom", "/api/articles"])
def test_etag_and_last_modified_give_304(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_pages_are_compressed_and_carry_security_headers(client: TestClient, desk: Desk) -> None:
    response = client.get(f"/articles/{desk.original_id}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "referrer-policy" in response.headers


def test_static_files_are_fingerprinted_and_cached_for_a_year(client: TestClient) -> None:
    url = static_url("wirebrief.css")
    assert re.fullmatch(r"/static/wirebrief\.[0-9a-f]{12}\.css", url)
    assert f'href="{url}"' in client.get("/").text
    response = client.get(url)
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    stale = client.get("/static/wirebrief.000000000000.css")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("cache-control", "")


def test_metrics_report_requests_in_prometheus_format(client: TestClient, desk: Desk) -> None:
    client.get(f"/articles/{desk.original_id}")
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'wirebrief_http_request_duration_seconds_count{method="GET",route="/articles/{article_id}",status="200"}'
        in text
    )
    assert "# TYPE wirebrief_articles_stored_total counter" in text
    assert "# TYPE wirebrief_fetch_errors_total counter" in text


def test_metrics_show_the_inbox_and_how_late_polling_is(client: TestClient, db: Database) -> None:
    """Gauges an operator alerts on when a poller stops: entries due and deferred, the
    longest wait of a due entry, the lateness of the latest source."""
    now = utcnow()
    with db.session() as session:
        source = source_store.add_source(session, "http://127.0.0.1:9/feed.xml", "Stalled")
        source.next_poll_at = now - timedelta(hours=2)
        session.flush()
        urls = [f"http://127.0.0.1:9/news/{n}" for n in range(3)]
        inbox.queue(session, source.id, [(url, {"url": url}) for url in urls])
        session.execute(update(PendingEntry).values(not_before=now - timedelta(minutes=30)))
        inbox.defer(session, inbox.find(session, source.id, urls[0]) or 0, 600, "HTTP 429")
    text = client.get("/metrics").text
    assert 'wirebrief_inbox_entries{state="due"} 2' in text
    assert 'wirebrief_inbox_entries{state="deferred"} 1' in text
    wait = float(re.search(r"^wirebrief_inbox_longest_wait_seconds (\S+)$", text, re.M)[1])
    assert 1790 <= wait <= 1900
    late = float(re.search(r"^wirebrief_sources_poll_lateness_seconds (\S+)$", text, re.M)[1])
    assert 7190 <= late <= 7300
