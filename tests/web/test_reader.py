"""The web reader and the JSON API, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Story
from wirebrief.web.app import create_app

PUBLISHED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def make_article(n: int, source_id: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "source_id": source_id,
        "url": f"https://news.example/story-{n}",
        "title": f"Story number {n}",
        "text": f"Paragraph one of story {n}.\n\nParagraph two with more words.",
        "html": f"<p>Paragraph one of story {n}.</p><p>Paragraph two with more words.</p>",
        "published_at": PUBLISHED - timedelta(hours=n),
        "reading_minutes": 3,
        "content_hash": f"{n:064x}",
        "site_name": "News Example",
    }
    values.update(fields)
    return Article(**values)


@pytest.fixture
def reader(settings: Settings, db: Database) -> Iterator[str]:
    with db.session() as session:
        demo = source_store.add_source(
            session, "http://127.0.0.1:1/feed.xml", "Demo Daily", is_demo=True
        )
        articles = [make_article(n, demo.id) for n in range(1, 26)]
        articles.append(
            make_article(
                99,
                demo.id,
                title="Repost <b>with</b> origin",
                origin_name="Ledger Lantern",
                origin_url="https://ledger.example/original",
                published_at=PUBLISHED + timedelta(hours=1),
            )
        )
        articles.append(make_article(100, demo.id, title="Removed one", hidden=True))
        for article in articles:  # one story per article, as the pipeline would make them
            story = Story(headline=article.title, first_seen_at=PUBLISHED, last_seen_at=PUBLISHED)
            session.add_all([story, article])
            session.flush()
            article.story_id = story.id
            story_store.refresh(session, story)
    settings = settings.with_overrides(removal_contact="takedown@desk.example")
    with AppServer(create_app(settings, db)) as server:
        yield server.base_url


def test_home_lists_latest_stories_with_carriers_time_and_reading_time(reader: str) -> None:
    page = httpx.get(reader + "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.index("Repost &lt;b&gt;with&lt;/b&gt; origin") < html.index("Story number 1<")
    assert "Carried by 1 source: Demo Daily" in html
    assert "3 min read" in html
    assert "2026-11-20 10:30 UTC" in html
    assert "Removed one" not in html
    assert 'name="viewport"' in html
    assert 'rel="next"' in html
    second = httpx.get(reader + "/?page=2").text
    assert "Story number 25" in second


def test_source_filter_lists_that_sources_articles_labelled_demo(reader: str) -> None:
    source_id = httpx.get(reader + "/api/sources").json()[0]["id"]
    html = httpx.get(reader + "/", params={"source": source_id}).text
    assert "Demo Daily" in html and ">demo<" in html
    assert "Story number 1<" in html


def test_article_page_shows_body_origin_and_disclaimer(reader: str) -> None:
    items = httpx.get(reader + "/api/articles", params={"limit": 1}).json()["items"]
    page = httpx.get(f"{reader}/articles/{items[0]['id']}")
    assert page.status_code == 200
    html = page.text
    assert "Originally published by" in html
    assert 'href="https://ledger.example/original"' in html
    assert "removal" in html.lower()
    assert 'href="mailto:takedown@desk.example"' in html
    assert "3 min read" in html
    assert "<p>Paragraph one of story 99.</p>" in html


def test_api_lists_paginates_and_filters(reader: str) -> None:
    listing = httpx.get(reader + "/api/articles", params={"limit": 10, "offset": 0}).json()
    assert listing["total"] == 26
    assert len(listing["items"]) == 10
    first = listing["items"][0]
    assert first["origin"] == {"name": "Ledger Lantern", "url": "https://ledger.example/original"}
    assert first["source"]["is_demo"] is True
    assert first["published_at"].startswith("2026-11-20T10:30:00")
    offset = httpx.get(reader + "/api/articles", params={"limit": 10, "offset": 20}).json()
    assert len(offset["items"]) == 6
    assert httpx.get(reader + "/api/articles", params={"source": 999}).json()["total"] == 0
    assert httpx.get(reader + "/api/articles", params={"limit": 0}).status_code == 422


def test_api_article_detail_and_not_found(reader: str) -> None:
    listing = httpx.get(reader + "/api/articles").json()
    article_id = listing["items"][1]["id"]
    detail = httpx.get(f"{reader}/api/articles/{article_id}").json()
    assert detail["text"].startswith("Paragraph one")
    assert detail["html"].startswith("<p>")
    missing = httpx.get(reader + "/api/articles/424242")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "there is no article 424242"}
    assert httpx.get(reader + "/articles/424242").status_code == 404
    assert "Not found" in httpx.get(reader + "/articles/424242").text
    not_a_number = httpx.get(reader + "/articles/not-a-number")
    assert not_a_number.status_code == 404
    assert "article_id must be a whole number" in not_a_number.text
    assert httpx.get(reader + "/api/articles/not-a-number").status_code == 422


def test_openapi_docs_are_served_offline_and_security_headers_are_set(reader: str) -> None:
    spec = httpx.get(reader + "/openapi.json").json()
    assert {"/api/articles", "/api/articles/{article_id}", "/api/sources"} <= set(spec["paths"])
    docs = httpx.get(reader + "/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr" not in docs.text
    home = httpx.get(reader + "/")
    assert "default-src 'self'" in home.headers["content-security-policy"]
    assert home.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(reader + "/healthz").text == "ok"
    css = httpx.get(reader + "/static/wirebrief.css", headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200 and "prefers-color-scheme: dark" in css.text


def test_sources_page_labels_demo_content(reader: str) -> None:
    page = httpx.get(reader + "/sources").text
    assert "Demo Daily" in page and ">demo<" in page


def test_story_api_and_page_show_coverage(reader: str) -> None:
    listing = httpx.get(reader + "/api/stories", params={"limit": 5}).json()
    assert listing["total"] == 26  # the removed article's story is not listed
    first = listing["items"][0]
    assert first["headline"] == "Repost <b>with</b> origin"
    # One source, one article, copied by nobody: no "original" or "coverage" label.
    assert first["carriers"] == [
        {"name": "Demo Daily", "role": "", "copies": 0, "is_origin": False}
    ]
    assert first["representative"]["origin"]["name"] == "Ledger Lantern"
    detail = httpx.get(f"{reader}/api/stories/{first['id']}").json()
    assert [page["source_name"] for page in detail["timeline"]] == ["Demo Daily"]
    page = httpx.get(f"{reader}/stories/{first['id']}")
    assert page.status_code == 200
    assert "Coverage timeline" in page.text and "Repost &lt;b&gt;with&lt;/b&gt; origin" in page.text
    assert httpx.get(reader + "/api/stories/999999").status_code == 404
    assert httpx.get(reader + "/stories/999999").status_code == 404


def test_pager_links_keep_the_home_filters() -> None:
    from wirebrief.web.pages import _pager_base

    assert _pager_base(asset=None, topic=None) == "?"
    assert _pager_base(asset="TSLA", topic=None) == "?asset=TSLA&"
    assert _pager_base(asset="a&b", topic="crypto") == "?asset=a%26b&topic=crypto&"
