"""Public pages cached by the data version (issue 19): every write to what they show moves
the version, so a change shows at once in every web process; the validators are the same in
every process and a revalidation costs no rendering; a signed-in reader's pages never come
from the cache nor go into it. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import event, select, update

from tests.support.appdesk import NAME, PASSWORD, seed_accounts
from tests.support.appserver import AppServer
from tests.support.articles import add_article, story
from tests.support.desk import Desk
from wirebrief.moderation import block_source
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.dataversion import VersionReader
from wirebrief.storage.db import Database
from wirebrief.storage.models import (
    Article,
    ArticleAsset,
    Asset,
    ReadingState,
    RelatedArticle,
    User,
)
from wirebrief.web.app import create_app


def version(db: Database) -> int:
    reader = VersionReader(db.url)
    try:
        return reader.current().number
    finally:
        reader.close()


def test_every_write_to_what_public_pages_show_moves_the_version(any_db: Database) -> None:
    desk, _, _ = seed_accounts(any_db)
    writes = {
        "new article": lambda s: add_article(s, "Harbour cranes halt", "Cranes stopped.", hours=9),
        "near copy stored": lambda s: add_article(
            s,
            "Korvex halts withdrawals (mirror)",
            "Korvex paused withdrawals.",
            hours=4,
            duplicate_of=desk.original_id,
            story_id=desk.story_id,
        ),
        "story merge": lambda s: s.execute(
            update(Article).where(Article.id == desk.other_id).values(story_id=desk.story_id)
        ),
        "source renamed": lambda s: setattr(
            source_store.get_source(s, desk.source_id), "name", "Orchard Wire Daily"
        ),
        "related list": lambda s: s.add(
            RelatedArticle(article_id=desk.other_id, related_id=desk.copy_id, score=0.5)
        ),
        "asset added": lambda s: s.add(Asset(symbol="HRBR", name="Harbour", kind="stock")),
        "asset link": lambda s: s.add(
            ArticleAsset(
                article_id=desk.other_id,
                asset_id=s.scalar(select(Asset.id).where(Asset.symbol == "HRBR")),
                score=1.0,
                role="about",
            )
        ),
        "removal (source blocked)": lambda s: block_source(s, desk.copier_id, True),
    }
    for name, write in writes.items():
        before = version(any_db)
        with any_db.session() as session:
            write(session)
        assert version(any_db) > before, name
    before = version(any_db)
    with any_db.session() as session:  # one account's reading state: no public page changes
        user_id = session.scalar(select(User.id).where(User.name == NAME))
        session.add(ReadingState(user_id=user_id, article_id=desk.original_id, read=True))
    assert version(any_db) == before


def test_postgres_moves_the_version_once_per_transaction(any_db: Database) -> None:
    if any_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's triggers move it per row (one writer: no lock to hold)")
    before = version(any_db)
    with any_db.session() as session:
        found = story(session, "Ten at once")
        for n in range(10):
            add_article(session, f"Article {n}", "Words.", story_id=found.id, index=False)
    assert version(any_db) == before + 1


@pytest.fixture
def two_processes(settings: Settings, any_db: Database) -> Iterator[tuple[Desk, list[str]]]:
    """The desk served by two apps, each with its own engine and cache, as two web
    processes over one database."""
    desk, _, _ = seed_accounts(any_db)
    settings = settings.with_overrides(database_url=any_db.url)
    with ExitStack() as stack:
        urls = [
            stack.enter_context(AppServer(create_app(settings, Database(any_db.url)))).base_url
            for _ in range(2)
        ]
        yield desk, urls


def test_a_change_shows_at_once_in_every_process(
    any_db: Database, two_processes: tuple[Desk, list[str]]
) -> None:
    desk, urls = two_processes
    host = {"Host": "reader.example"}  # both behind one address, as behind a balancer
    first = [httpx.get(f"{url}/", headers=host, timeout=30) for url in urls]
    assert first[0].headers["etag"] == first[1].headers["etag"]  # the same in every process
    assert first[0].headers["last-modified"] == first[1].headers["last-modified"]
    assert "Harbour cranes halt" not in first[0].text
    with any_db.session() as session:  # what an ingesting process does
        cranes = story(session, "Harbour cranes halt")
        add_article(session, "Harbour cranes halt", "Cranes stopped.", hours=30, story_id=cranes.id)
        story_store.refresh(session, cranes)
    for url in urls:
        page = httpx.get(f"{url}/", headers={**host, "If-None-Match": first[0].headers["etag"]})
        assert page.status_code == 200 and "Harbour cranes halt" in page.text
    article = f"/articles/{desk.copy_id}"
    assert all(httpx.get(url + article).status_code == 200 for url in urls)
    with any_db.session() as session:
        block_source(session, desk.copier_id, True)  # the copy's source: its articles hidden
    assert all(httpx.get(url + article).status_code == 404 for url in urls)


def test_revalidation_and_hits_send_no_statement(settings: Settings, any_db: Database) -> None:
    desk, _, _ = seed_accounts(any_db)
    sent: list[str] = []
    event.listen(any_db.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    app = create_app(settings.with_overrides(database_url=any_db.url), any_db)
    paths = ["/", f"/articles/{desk.original_id}", f"/stories/{desk.story_id}", "/api/articles",
             "/feeds/stories.atom", "/search?q=korvex"]  # fmt: skip
    with AppServer(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        first = {path: client.get(path) for path in paths}
        assert all(answer.status_code == 200 for answer in first.values())
        sent.clear()
        for path, answer in first.items():
            etag, modified = answer.headers["etag"], answer.headers["last-modified"]
            assert answer.headers["cache-control"] == "public, no-cache"
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
            assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
            again = client.get(path, headers={"Accept-Encoding": "gzip"})
            assert again.text == answer.text and again.headers["etag"] == etag
            assert again.headers["content-encoding"] == "gzip" or len(answer.content) < 1024
    assert sent == []  # the routes never ran: hits and 304s come from the cache


def test_signed_in_pages_never_come_from_or_go_to_the_cache(
    settings: Settings, any_db: Database
) -> None:
    desk, _, _ = seed_accounts(any_db)
    app = create_app(settings.with_overrides(database_url=any_db.url), any_db)
    path = f"/stories/{desk.story_id}"
    with AppServer(app) as server:
        anonymous = httpx.get(server.base_url + path, timeout=30)
        with httpx.Client(base_url=server.base_url, timeout=30) as signed:
            signed.post("/signin", data={"name": NAME, "password": PASSWORD})
            mine = signed.get(path, headers={"If-None-Match": anonymous.headers["etag"]})
            assert mine.status_code == 200  # never the public page's 304
            assert "Mark the story read" in mine.text
            assert mine.headers["cache-control"].startswith("private")
            csrf = re.search(r'name="csrf" value="([^"]+)"', mine.text)
            assert csrf is not None and csrf.group(1) not in anonymous.text
        again = httpx.get(server.base_url + path, timeout=30)
    assert again.status_code == 200 and "Mark the story read" not in again.text
    assert again.headers["etag"] == anonymous.headers["etag"]


def test_serve_workers_show_a_change_at_once(settings: Settings, db: Database) -> None:
    """`wirebrief serve --workers 2`: two real processes behind one port, each with its
    cache; fresh connections spread over both."""
    seed_accounts(db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, WIREBRIEF_DATABASE_URL=db.url, NO_COLOR="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "wirebrief", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.5)
        before = {httpx.get(f"{base}/", timeout=30).headers["etag"] for _ in range(10)}
        assert len(before) == 1  # the same validator whichever process answers
        with db.session() as session:
            cranes = story(session, "Harbour cranes halt")
            add_article(session, "Harbour cranes halt", "Cranes.", hours=30, story_id=cranes.id)
            story_store.refresh(session, cranes)
        for _ in range(10):  # a fresh connection each: either process may answer
            page = httpx.get(f"{base}/", timeout=30)
            assert "Harbour cranes halt" in page.text and page.headers["etag"] not in before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_host_header_never_reaches_another_clients_page(
    settings: Settings, any_db: Database
) -> None:
    desk, _, _ = seed_accounts(any_db)
    app = create_app(settings.with_overrides(database_url=any_db.url), any_db)
    path = f"/articles/{desk.original_id}"
    with AppServer(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        assert "evil.example" in client.get(path, headers={"Host": "evil.example"}).text
        assert "evil.example" not in client.get(path).text
