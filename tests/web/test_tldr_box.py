"""The TLDR box at the top of the article page, and the TLDR in the article API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.app import create_app

BULLETS = ["Profit rose 12% to $4.2 billion.", "Revenue beat <forecasts>.", "Shares rose 3.1%."]


def _article(n: int, source_id: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "source_id": source_id,
        "url": f"https://bank.example/{n}",
        "title": f"Orchard Bank results {n}",
        "text": "Orchard Bank reported a rise in profit.",
        "html": "<p>Orchard Bank reported a rise in profit.</p>",
        "content_hash": f"{n:064x}",
    }
    values.update(fields)
    return Article(**values)


@pytest.fixture
def reader(settings: Settings, db: Database) -> Iterator[tuple[str, dict[str, int]]]:
    with db.session() as session:
        source = source_store.add_source(session, "http://127.0.0.1:1/feed.xml", "Bank Daily")
        articles = {
            "extractive": _article(1, source.id, tldr_headline="Orchard Bank profit rose 12%.",
                                   tldr_bullets=BULLETS, tldr_method="extractive"),
            "author": _article(2, source.id, tldr_headline=BULLETS[0], tldr_bullets=BULLETS,
                               tldr_method="author"),
            "none": _article(3, source.id),
        }  # fmt: skip
        session.add_all(articles.values())
        session.flush()
        ids = {name: article.id for name, article in articles.items()}
    with AppServer(create_app(settings, db)) as server:
        yield server.base_url, ids


def test_the_article_page_opens_with_the_tldr_box(reader: tuple[str, dict[str, int]]) -> None:
    base, ids = reader
    html = httpx.get(f"{base}/articles/{ids['extractive']}").text
    box = html[html.index('<aside class="tldr"') : html.index("</aside>")]
    assert html.index('<aside class="tldr"') < html.index('<div class="body">')
    assert ">TLDR<" in box
    assert '<p class="tldr-headline">Orchard Bank profit rose 12%.</p>' in box
    assert "<li>Profit rose 12% to $4.2 billion.</li>" in box
    assert "<li>Revenue beat &lt;forecasts&gt;.</li>" in box  # escaped like all text
    assert "picked from the article" in box


def test_the_authors_tldr_is_labelled_and_not_repeated(reader: tuple[str, dict[str, int]]) -> None:
    base, ids = reader
    html = httpx.get(f"{base}/articles/{ids['author']}").text
    assert "Key points by the author" in html
    assert 'class="tldr-headline"' not in html  # the headline is the first bullet
    assert 'class="tldr"' not in httpx.get(f"{base}/articles/{ids['none']}").text


def test_the_api_carries_the_tldr(reader: tuple[str, dict[str, int]]) -> None:
    base, ids = reader
    detail = httpx.get(f"{base}/api/articles/{ids['extractive']}").json()
    assert detail["tldr"] == {
        "headline": "Orchard Bank profit rose 12%.",
        "bullets": BULLETS,
        "method": "extractive",
        "note": None,
    }
    assert httpx.get(f"{base}/api/articles/{ids['none']}").json()["tldr"] is None
    schema = httpx.get(f"{base}/openapi.json").json()["components"]["schemas"]
    assert {"headline", "bullets", "method", "note"} <= set(schema["TldrOut"]["properties"])
