"""Integration tests for the offline sample newsroom served on 127.0.0.1."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime

import pytest
from markupsafe import escape

from wirebrief.demo.server import NewsroomServer, publications
from wirebrief.demo.site import Article, Publication, load_newsroom, word_count

feedparser = pytest.importorskip("feedparser")

ROOM = load_newsroom()
ARTICLES = ROOM.articles
FEED_VERSIONS = {"rss": "rss20", "atom": "atom10"}


@pytest.fixture(scope="module")
def server() -> Iterator[NewsroomServer]:
    with NewsroomServer() as srv:
        yield srv


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def by_key(key: str) -> Article:
    """The article with ``<pub-slug>/<article-slug>`` key."""
    return next(a for a in ARTICLES if a.key == key)


def test_publications_and_feed_formats() -> None:
    pubs = publications()
    assert len(pubs) == 5
    assert {p.feed_format for p in pubs} == {"rss", "atom", "json"}
    assert sum(p.is_aggregator for p in pubs) == 2
    assert len({p.slug for p in pubs}) == 5


def test_content_minimums() -> None:
    reposts = [a for a in ARTICLES if a.source]
    assert len(ARTICLES) >= 34
    assert len(reposts) >= 6
    assert all(a.pub.is_aggregator for a in reposts)
    assert sum(1 for a in ARTICLES if a.tldr and not a.source) >= 5
    assert all(3 <= len(a.tldr) <= 6 for a in ARTICLES if a.tldr)
    for a in ARTICLES:
        assert 250 <= word_count(a.body) <= 600, a.key
    originals = [a for a in ARTICLES if not a.source]
    assert len({a.title for a in originals}) == len(originals)


def test_event_covered_by_three_outlets() -> None:
    nvidia = [a for a in ARTICLES if not a.source and "$71.3 billion" in a.body]
    assert len({a.pub.slug for a in nvidia}) == 3


XML_PUBS = [p for p in publications() if p.feed_format != "json"]
JSON_PUBS = [p for p in publications() if p.feed_format == "json"]


def first_sentence(article: Article) -> str:
    """First sentence of the article body (used to check extraction)."""
    return re.split(r"(?<=\.) ", article.body.strip().split("\n\n")[0])[0]


@pytest.mark.parametrize("pub", XML_PUBS, ids=lambda p: p.slug)
def test_xml_feed_parses_and_lists_all_articles(server: NewsroomServer, pub: Publication) -> None:
    url = server.base_url + pub.feed_path
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == f"{pub.feed_type}; charset=utf-8"
    parsed = feedparser.parse(body, response_headers={"content-type": headers["Content-Type"]})
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == FEED_VERSIONS[pub.feed_format]
    assert parsed.feed.title == pub.name
    expected = {server.base_url + a.path for a in ROOM.of(pub)}
    assert {e.link for e in parsed.entries} == expected
    for entry in parsed.entries:
        assert entry.title and entry.published_parsed and entry.author and entry.summary
        assert entry.content[0].value.startswith("<")
    assert (pub.name, url) in server.feed_urls()


@pytest.mark.parametrize("pub", JSON_PUBS, ids=lambda p: p.slug)
def test_json_feed_is_valid_1_1(server: NewsroomServer, pub: Publication) -> None:
    # feedparser 6.0.x predates JSON Feed support, so check the 1.1 spec fields directly.
    url = server.base_url + pub.feed_path
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == pub.name and feed["feed_url"] == url
    assert feed["home_page_url"] == server.base_url + pub.home_path
    assert {i["url"] for i in feed["items"]} == {server.base_url + a.path for a in ROOM.of(pub)}
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["title"] and item["content_html"]
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert item["authors"][0]["name"]
    assert (pub.name, url) in server.feed_urls()


def test_article_pages(server: NewsroomServer) -> None:
    for a in ARTICLES:
        status, headers, raw = fetch(server.base_url + a.path)
        assert status == 200, a.key
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert int(headers["Content-Length"]) == len(raw)
        page = raw.decode("utf-8")
        title = escape(a.title)
        assert f"<title>{title} | {escape(a.pub.name)}</title>" in page
        assert f'<meta property="og:title" content="{title}">' in page
        assert f'content="{a.published.isoformat()}"' in page
        assert '<html lang="en">' in page
        assert "You May Also Like" in page
        assert "Copy link" in page
        if a.source:
            src = a.source
            footer = (
                f'The post <a rel="nofollow" href="{server.base_url}{src.path}">'
                f"{escape(src.title)}</a> appeared first on"
            )
            assert footer in page, a.key
            assert f">{escape(src.pub.name)}</a>.</p>" in page
        else:
            assert "appeared first on" not in page
        if a.pub.is_aggregator:
            assert "Market Opportunity" in page
            assert f"removals@{a.pub.slug}.example" in page
        if a.tldr:
            assert a.pub.tldr_label in page


def test_home_pages_list_articles_and_advertise_feeds(server: NewsroomServer) -> None:
    for pub in publications():
        status, _, raw = fetch(server.base_url + pub.home_path)
        page = raw.decode("utf-8")
        assert status == 200
        assert f'type="{pub.feed_type}"' in page
        assert f'href="{server.base_url}{pub.feed_path}"' in page
        for a in ROOM.of(pub):
            assert f'href="{a.path}"' in page


def test_repost_of_repost_chain(server: NewsroomServer) -> None:
    digest = by_key("chainwire-digest/korvex-breach-what-we-know")
    relay = by_key("coin-relay/korvex-hack-41m-drained")
    origin = by_key("ledger-lantern/korvex-exchange-hot-wallet-drained")
    assert digest.source is relay and relay.source is origin and digest.origin is origin
    first_paragraph = origin.body.split("\n\n")[0]
    assert first_paragraph in relay.body and first_paragraph in digest.body

    page = fetch(server.base_url + digest.path)[2].decode("utf-8")
    assert page.count("appeared first on") == 1
    assert 'appeared first on <a rel="nofollow" href="' in page
    assert f'{server.base_url}/coin-relay/">Coin Relay</a>.' in page
    assert f'<link rel="canonical" href="{server.base_url}{digest.path}">' in page

    relay_page = fetch(server.base_url + relay.path)[2].decode("utf-8")
    assert f">{origin.pub.name}</a>.</p>" in relay_page
    assert f'<link rel="canonical" href="{server.base_url}{origin.path}">' in relay_page


def test_trimmed_and_tldr_reposts() -> None:
    trimmed = by_key("coin-relay/bitcoin-reclaims-104000")
    source = trimmed.source
    assert source is not None and trimmed.trim_paragraphs == 1
    *kept, dropped = source.body.strip().split("\n\n")
    assert trimmed.body.strip() == "\n\n".join(kept)
    assert dropped not in trimmed.body
    added = by_key("coin-relay/solana-stall-vote-cache-bug")
    assert added.tldr and added.source is not None and not added.source.tldr


def test_robots_404_and_redirect(server: NewsroomServer) -> None:
    status, headers, body = fetch(server.base_url + "/robots.txt")
    assert status == 200 and b"Allow: /" in body
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert fetch(server.base_url + "/no-such-page.html")[0] == 404
    assert fetch(server.base_url + "/ledger-lantern/2026/11/missing.html")[0] == 404
    status, _, body = fetch(server.base_url + "/ledger-lantern")
    assert status == 200 and b"Ledger Lantern" in body
    assert fetch(server.base_url + "/ledger-lantern/?utm_source=test")[0] == 200


def test_conditional_get(server: NewsroomServer) -> None:
    url = server.base_url + ARTICLES[0].path
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304


def test_only_loopback() -> None:
    with pytest.raises(ValueError):
        NewsroomServer(host="0.0.0.0")
    with pytest.raises(RuntimeError):
        _ = NewsroomServer().base_url


@pytest.mark.parametrize("pub", publications(), ids=lambda p: p.slug)
def test_trafilatura_extracts_body_not_chrome(server: NewsroomServer, pub: Publication) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    for a in ROOM.of(pub):
        raw = fetch(server.base_url + a.path)[2].decode("utf-8")
        text = trafilatura.extract(raw, url=server.base_url + a.path) or ""
        assert first_sentence(a) in text, a.key
        assert "Accept all" not in text
        assert "Get the " + pub.name not in text
        if a.source:
            assert f"appeared first on {a.source.pub.name}." in text, a.key
