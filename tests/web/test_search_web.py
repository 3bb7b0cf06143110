"""Search page and API, related stories, saved-search feeds: served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import feedparser
import httpx
import pytest

from tests.support.appserver import AppServer
from tests.support.articles import add_article, add_filler, story
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app


@dataclass
class Reader:
    url: str
    ids: dict[str, int]


@pytest.fixture
def reader(settings: Settings, db: Database) -> Iterator[Reader]:
    with db.session() as session:
        wire = source_store.add_source(session, "https://wire.example/feed", "Wire Daily")
        add_filler(session)
        halt = story(session, "Solana halts")
        first = add_article(session, "Solana <em>halts</em> block production",
                            "Solana validators stopped producing blocks for five hours.",
                            story_id=halt.id, source_id=wire.id, assets=("SOL",),
                            tldr_headline="Solana stopped for five hours",
                            tldr_bullets=["Validators restarted"])  # fmt: skip
        ids = {
            "halt": first.id,
            "copy": add_article(session, "Solana halts block production (copy)",
                                "Solana validators stopped producing blocks for five hours.",
                                story_id=halt.id, hours=1, duplicate_of=first.id).id,
            "postmortem": add_article(session, "Solana postmortem",
                                      "Why Solana validators stopped producing blocks.", hours=20,
                                      origin_name="Circuit Daily",
                                      origin_url="https://circuit.example/solana").id,
            "hidden": add_article(session, "Solana removed article", "Solana text.", hidden=True).id,
        }  # fmt: skip
        alert_store.add_saved_search(session, "solana watch", "solana")
    with AppServer(create_app(settings, db)) as server:
        yield Reader(server.base_url, ids)


def test_api_search_collapses_copies_and_highlights(reader: Reader) -> None:
    answer = httpx.get(reader.url + "/api/search", params={"q": "solana"})
    assert answer.status_code == 200
    body = answer.json()
    found = [item["article"]["id"] for item in body["items"]]
    assert reader.ids["hidden"] not in found
    assert len({reader.ids["halt"], reader.ids["copy"]} & set(found)) == 1
    assert reader.ids["postmortem"] in found
    halt = next(i for i in body["items"] if i["article"]["id"] == reader.ids["halt"])
    assert halt["title_html"] == "<mark>Solana</mark> &lt;em&gt;halts&lt;/em&gt; block production"
    assert "<mark>Solana</mark>" in halt["snippet_html"]
    assert body["query"] == "solana" and body["has_more"] is False


def test_api_search_filters(reader: Reader) -> None:
    def found(**params: object) -> set[int]:
        items = httpx.get(reader.url + "/api/search", params={"q": "solana", **params}).json()[
            "items"
        ]
        return {item["article"]["id"] for item in items}

    assert found(asset="SOL") == {reader.ids["halt"]}
    assert found(asset="sol,btc") == {reader.ids["halt"]}
    assert found(source="1") == {reader.ids["halt"]}
    assert found(since="2026-11-20T12:00:00Z") == {reader.ids["postmortem"]}
    assert found(until="2026-11-19") == set()
    assert found(lang="de") == set()
    by_time = httpx.get(reader.url + "/api/search", params={"q": "solana", "sort": "time"}).json()
    assert by_time["items"][0]["article"]["id"] == reader.ids["postmortem"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"solana halts'}, "never closed"),
        ({"q": "OR"}, "OR needs a word"),
        ({"q": "- * OR"}, "OR needs a word"),
        ({"q": "-solana"}, "only excludes"),
        ({"q": "solana " * 2000}, "characters long"),
        ({"q": ""}, "type a word"),
        ({"q": "solana", "sort": "best"}, "sort must be"),
        ({"q": "solana", "since": "last week"}, "not a date"),
        ({"q": "solana", "source": "wire"}, "source id"),
    ],
)
def test_api_search_malformed_input_is_a_400_with_a_message(
    reader: Reader, params: dict, message: str
) -> None:
    answer = httpx.get(reader.url + "/api/search", params=params)
    assert answer.status_code == 400
    assert message in answer.json()["detail"]


def test_search_page_shows_escaped_highlighted_results_and_errors(reader: Reader) -> None:
    page = httpx.get(reader.url + "/search", params={"q": "solana"})
    assert page.status_code == 200
    assert "<mark>Solana</mark> &lt;em&gt;halts&lt;/em&gt;" in page.text
    assert "<em>halts</em>" not in page.text
    assert 'href="/feeds/searches/1.rss"' in page.text
    empty = httpx.get(reader.url + "/search")
    assert empty.status_code == 200 and "<mark>" not in empty.text
    bad = httpx.get(reader.url + "/search", params={"q": '"solana'})
    assert bad.status_code == 400 and "never closed" in bad.text
    assert 'href="/search"' in httpx.get(reader.url + "/").text  # in the navigation


def test_related_api_and_you_may_also_like_block(reader: Reader) -> None:
    related = httpx.get(f"{reader.url}/api/articles/{reader.ids['halt']}/related").json()["items"]
    found = [item["article"]["id"] for item in related]
    assert found and reader.ids["postmortem"] in found
    assert reader.ids["copy"] not in found and reader.ids["hidden"] not in found
    page = httpx.get(f"{reader.url}/articles/{reader.ids['halt']}").text
    block = page[page.index("You May Also Like") :]
    assert "Solana postmortem" in block and "2026-11-21 05:00 UTC" in block
    assert httpx.get(f"{reader.url}/api/articles/{reader.ids['hidden']}/related").status_code == 404
    assert httpx.get(f"{reader.url}/api/articles/424242/related").status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_saved_search_feeds_parse_and_carry_tldr_and_origin(reader: Reader, kind: str) -> None:
    answer = httpx.get(f"{reader.url}/feeds/searches/1.{kind}")
    assert answer.status_code == 200
    parsed = feedparser.parse(answer.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    assert "Solana removed article" not in titles and len(titles) == 2
    entries = {entry.link.rsplit("/", 1)[1]: entry for entry in parsed.entries}
    halt = entries[str(reader.ids["halt"])]
    html = halt.get("content", [{}])[0].get("value") or halt.description
    assert "Solana stopped for five hours" in html and "Validators restarted" in html
    postmortem = entries[str(reader.ids["postmortem"])]
    html = postmortem.get("content", [{}])[0].get("value") or postmortem.description
    assert "https://circuit.example/solana" in html


def test_saved_search_json_feed_and_listing(reader: Reader) -> None:
    feed = httpx.get(f"{reader.url}/feeds/searches/1.json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    assert feed.json()["version"] == "https://jsonfeed.org/version/1.1"
    listing = httpx.get(reader.url + "/api/searches").json()
    assert listing[0]["name"] == "solana watch"
    assert listing[0]["feeds"]["atom"].endswith("/feeds/searches/1.atom")
    assert httpx.get(f"{reader.url}/feeds/searches/1.rdf").status_code == 404
    assert httpx.get(f"{reader.url}/feeds/searches/9.rss").status_code == 404
