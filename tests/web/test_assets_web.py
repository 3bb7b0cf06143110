"""Markets in the reader: the article widget, the asset page and the asset API, served by
uvicorn on 127.0.0.1 with prices from files written by the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.markets import catalog
from wirebrief.markets.linker import Linker
from wirebrief.markets.registry import Registry, builtin_assets
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.app import create_app

PUBLISHED = datetime(2026, 11, 19, 20, 55, tzinfo=UTC)
LINKER = Linker(Registry(builtin_assets()))


def write_prices(directory: Path, name: str, first: float, step: float) -> None:
    """Daily closes from 2026-10-01 to 2026-11-25, rising by ``step`` a day."""
    rows = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    day, close = date(2026, 10, 1), first
    while day <= date(2026, 11, 25):
        rows.append(f"{day},{close},{close},{close},{close},{close},1000")
        day, close = day + timedelta(days=1), close + step
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.csv").write_text("\n".join(rows) + "\n")


def add_article(
    db: Database, source_id: int, n: int, title: str, text: str, **extra: object
) -> int:
    with db.session() as session:
        article = Article(
            source_id=source_id, url=f"https://news.example/{n}", title=title, text=text,
            html=f"<p>{text}</p>", content_hash=f"{n:064x}", published_at=PUBLISHED, **extra,
        )  # fmt: skip
        session.add(article)
        session.flush()
        catalog.store_links(session, article.url, LINKER.link(title, text))
        return article.id


@pytest.fixture
def newsroom(settings: Settings, db: Database, tmp_path: Path) -> dict[str, int]:
    write_prices(tmp_path / "prices", "TSLA", 400.0, 1.0)
    (tmp_path / "prices" / "NVDA.csv").write_text("not,a,price,file\n")
    with db.session() as session:
        source_id = source_store.add_source(session, "http://127.0.0.1:1/f.xml", "Desk").id
    return {
        "tesla": add_article(
            db, source_id, 1, "Tesla Shares Slide 5% as China Registrations Fall",
            "Shares of Tesla fell 5.2% on Thursday. Chip stocks rose after results from Nvidia.",
        ),
        "nvidia": add_article(
            db, source_id, 4, "Nvidia Beats Estimates With $71.3 Billion Quarter",
            "Nvidia reported revenue of $71.3 billion, ahead of forecasts. Shares rose 4%.",
        ),
        "quiet": add_article(db, source_id, 2, "A quiet day", "Nothing moved on the desk today."),
        "hidden": add_article(
            db, source_id, 3, "Tesla story removed", "Tesla was here.", hidden=True
        ),
    }  # fmt: skip


@pytest.fixture
def reader(
    settings: Settings, db: Database, tmp_path: Path, newsroom: dict[str, int]
) -> Iterator[str]:
    settings = settings.with_overrides(
        price_providers=("files",), prices_dir=tmp_path / "prices", sample_prices=True
    )
    with AppServer(create_app(settings, db)) as server:
        yield server.base_url


def test_article_page_widget_shows_price_change_sparkline_and_move_since_publication(
    reader: str, newsroom: dict[str, int]
) -> None:
    html = httpx.get(f"{reader}/articles/{newsroom['tesla']}").text
    widget = html[
        html.index('class="markets"') : html.index("</aside>", html.index('class="markets"'))
    ]
    assert "Markets in this story" in widget
    # about Tesla; Nvidia comes up in passing, named apart and without prices
    assert 'href="/assets/TSLA"' in widget
    assert (
        '<p class="also-mentions">Also mentions: <a href="/assets/NVDA">Nvidia Corp.</a></p>'
        in widget
    )
    assert widget.count('class="market"') == 1
    assert "455.00 USD" in widget  # the last close: 400 + 55 days
    assert "▲ +0.2 %" in widget and "24 h" in widget  # colour comes with an arrow and a sign
    assert "change-up" in widget
    assert '<svg class="spark"' in widget and 'aria-label="Tesla Inc., last 30 days"' in widget
    # published on 11-19 (close 449), last close 455
    assert f"+{(455 - 449) / 449 * 100:.1f} % since publication" in widget
    assert "sample data" in widget
    assert "2026-11-25 (daily close)" in widget
    assert not re.search(r"\sstyle=", html)  # the CSP allows no inline style
    nvidia = httpx.get(f"{reader}/articles/{newsroom['nvidia']}").text
    assert "Prices are unavailable right now." in nvidia  # NVDA's file is garbage
    assert "Also mentions" not in nvidia


def test_article_without_assets_has_no_widget(reader: str, newsroom: dict[str, int]) -> None:
    assert 'class="markets"' not in httpx.get(f"{reader}/articles/{newsroom['quiet']}").text


def test_asset_page_charts_prices_and_marks_the_stories(
    reader: str, newsroom: dict[str, int]
) -> None:
    page = httpx.get(f"{reader}/assets/tsla")
    assert page.status_code == 200
    html = page.text
    assert '<h1>Tesla Inc. <span class="symbol">TSLA</span></h1>' in html
    assert '<svg class="chart"' in html
    assert f'<a class="chart-mark" href="/articles/{newsroom["tesla"]}">' in html
    assert "Tesla Shares Slide 5% as China Registrations Fall (2026-11-19)" in html
    assert "Tesla story removed" not in html
    assert "sample data" in html
    assert httpx.get(f"{reader}/assets/NOPE").status_code == 404
    nvidia = httpx.get(f"{reader}/assets/NVDA").text  # the Tesla story only mentions Nvidia
    assert "Nvidia Beats Estimates" in nvidia and "Tesla Shares Slide" not in nvidia


def test_asset_api(reader: str, newsroom: dict[str, int]) -> None:
    body = httpx.get(f"{reader}/api/assets/TSLA", params={"days": 5}).json()
    assert (body["symbol"], body["kind"], body["exchange"], body["currency"]) == (
        "TSLA", "stock", "NASDAQ", "USD",
    )  # fmt: skip
    assert "Tesla" in body["aliases"]
    assert body["articles"] == 1
    assert body["quote"]["last"] == 455.0 and body["quote"]["sample"] is True
    assert body["quote"]["as_of"].startswith("2026-11-25")
    assert [bar["close"] for bar in body["history"]] == [450.0, 451.0, 452.0, 453.0, 454.0, 455.0]
    nvda = httpx.get(f"{reader}/api/assets/NVDA").json()
    assert nvda["quote"] is None and nvda["price_note"] == "Prices are unavailable right now."
    missing = httpx.get(f"{reader}/api/assets/NOPE")
    assert missing.status_code == 404 and "there is no asset NOPE" in missing.json()["detail"]
    assert httpx.get(f"{reader}/api/assets/TSLA", params={"days": 0}).status_code == 422


def test_asset_list_api(reader: str, newsroom: dict[str, int]) -> None:
    linked = httpx.get(f"{reader}/api/assets", params={"linked": "true"}).json()
    counts = {item["symbol"]: item["articles"] for item in linked["items"]}
    assert counts["TSLA"] == 1  # the removed Tesla story is not counted
    assert counts["NVDA"] == 1  # nor the Tesla story that mentions Nvidia in passing
    assert min(counts.values()) >= 1
    assert list(counts.values()) == sorted(counts.values(), reverse=True)  # most covered first
    assert linked["total"] == len(linked["items"])
    everything = httpx.get(f"{reader}/api/assets", params={"limit": 500}).json()
    assert everything["total"] > 100 and everything["total"] > linked["total"]
    page = httpx.get(f"{reader}/api/assets", params={"order": "symbol", "limit": 2, "offset": 1})
    symbols = [item["symbol"] for item in everything["items"]]
    assert [item["symbol"] for item in page.json()["items"]] == sorted(symbols)[1:3]
    crypto = httpx.get(f"{reader}/api/assets", params={"kind": "crypto", "limit": 500}).json()
    btc = next(item for item in crypto["items"] if item["symbol"] == "BTC")
    assert {item["kind"] for item in crypto["items"]} == {"crypto"} and "bitcoin" in btc["aliases"]
    for bad in ({"kind": "bond"}, {"limit": 0}, {"order": "price"}):
        assert httpx.get(f"{reader}/api/assets", params=bad).status_code == 422


def test_asset_news_api_and_article_json(reader: str, newsroom: dict[str, int]) -> None:
    news = httpx.get(f"{reader}/api/assets/TSLA/news").json()
    assert news["symbol"] == "TSLA" and news["total"] == 1
    (item,) = news["items"]
    assert item["id"] == newsroom["tesla"] and item["score"] > 0.5
    assert {"text": "Tesla", "start": 0, "end": 5, "field": "title", "kind": "name"} in item[
        "evidence"
    ]
    article = httpx.get(f"{reader}/api/articles/{newsroom['tesla']}").json()
    assets = article["assets"]
    assert [(a["symbol"], a["role"]) for a in assets] == [("TSLA", "about"), ("NVDA", "mention")]
    assert assets[0]["score"] > assets[1]["score"]
    assert assets[0]["evidence"][0]["field"] == "title"
    nvidia = httpx.get(f"{reader}/api/assets/NVDA/news").json()
    assert [item["id"] for item in nvidia["items"]] == [newsroom["nvidia"]]
    assert nvidia["total"] == 1
    assert httpx.get(f"{reader}/api/assets/NVDA").json()["articles"] == 1
    feed = httpx.get(f"{reader}/feeds/assets/NVDA.json").json()
    assert [item["title"] for item in feed["items"]] == [
        "Nvidia Beats Estimates With $71.3 Billion Quarter"
    ]
    assert httpx.get(f"{reader}/api/articles/{newsroom['quiet']}").json()["assets"] == []
    spec = httpx.get(f"{reader}/openapi.json").json()
    assert {"/api/assets", "/api/assets/{symbol}", "/api/assets/{symbol}/news"} <= set(
        spec["paths"]
    )


def test_without_a_price_source_the_widget_still_names_the_assets(
    settings: Settings, db: Database, newsroom: dict[str, int]
) -> None:
    with AppServer(create_app(settings, db)) as server:
        html = httpx.get(f"{server.base_url}/articles/{newsroom['tesla']}").text
        assert 'href="/assets/TSLA"' in html
        assert "No price source is configured." in html
        page = httpx.get(f"{server.base_url}/assets/TSLA").text
        assert "No price source is configured." in page and '<svg class="chart"' not in page
