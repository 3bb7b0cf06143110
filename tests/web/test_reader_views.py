"""The signed-in reader: views, one item per family, marking with CSRF, mark all read, the
web app's manifest and service worker, and a private reader when the setting says so."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.support.appdesk import NAME, PASSWORD, seed_accounts
from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app


@pytest.fixture
def signed_in(settings: Settings, db: Database) -> Iterator[tuple[TestClient, object, str]]:
    desk, _, _ = seed_accounts(db)
    with TestClient(create_app(settings, db), base_url="http://desk.test") as client:
        client.post("/signin", data={"name": NAME, "password": PASSWORD})
        page = client.get("/reader")
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        yield client, desk, csrf


def titles(html: str) -> list[str]:
    return re.findall(r'class="item-link" href="/articles/\d+">([^<]+)<', html)


def test_unread_view_folds_copies_and_marking_needs_the_csrf_token(signed_in) -> None:
    client, desk, csrf = signed_in
    page = client.get("/reader")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert titles(page.text) == ["Korvex customers queue for refunds", "Korvex halts withdrawals"]
    assert "Also published by Mirror Post, Copycat Daily" in page.text
    assert (
        client.post(f"/reader/items/{desk.copy_id}/read", data={"csrf": "forged"}).status_code
        == 403
    )
    # marking the copy reads the family: the original leaves the unread list
    done = client.post(f"/reader/items/{desk.copy_id}/read", data={"csrf": csrf},
                       headers={"Accept": "application/json"})  # fmt: skip
    assert done.json() == {"ok": True}
    assert titles(client.get("/reader").text) == ["Korvex customers queue for refunds"]
    assert titles(client.get("/reader?view=all").text)[1] == "Korvex halts withdrawals"
    client.post(f"/reader/items/{desk.original_id}/star", data={"csrf": csrf})
    assert titles(client.get("/reader?view=starred").text) == ["Korvex halts withdrawals"]
    assert (
        client.post(f"/reader/items/{desk.original_id}/dance", data={"csrf": csrf}).status_code
        == 404
    )


def test_mark_all_read_by_source_and_age(signed_in) -> None:
    client, desk, csrf = signed_in
    old = client.post("/reader/mark-all-read", data={"csrf": csrf, "older_than": "week",
                                                     "source": desk.copier_id},
                      headers={"Accept": "application/json"})  # fmt: skip
    assert old.json()["marked"] == 1  # the fixtures were published weeks ago
    assert titles(client.get("/reader").text) == ["Korvex customers queue for refunds"]
    client.post("/reader/mark-all-read", data={"csrf": csrf})
    assert "Nothing unread" in client.get("/reader").text
    assert (
        client.post(
            "/reader/mark-all-read", data={"csrf": csrf, "older_than": "forever"}
        ).status_code
        == 400
    )


def test_a_new_original_in_a_read_story_is_marked_new(signed_in, db: Database) -> None:
    from tests.support.articles import add_article
    from wirebrief.storage import reading

    client, desk, csrf = signed_in
    client.post(f"/reader/items/{desk.original_id}/read", data={"csrf": csrf})
    with db.session() as session:
        added = add_article(session, "Korvex: the audit", "Auditors said the Korvex gap was larger.",
                            hours=5, source_id=desk.source_id, story_id=desk.story_id)  # fmt: skip
        reading.file_families(session, [added.id])  # as the store stage files it
    page = client.get("/reader").text
    assert titles(page)[0] == "Korvex: the audit"
    assert page.count("New in a story you read") == 1


def test_the_web_app_manifest_and_service_worker(signed_in) -> None:
    client, _, _ = signed_in
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/reader" and body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__SHELL__" not in worker.text and "/static/wirebrief." in worker.text
    assert client.get("/offline").status_code == 200
    assert 'rel="manifest"' in client.get("/").text


def test_signing_out_and_a_private_reader(settings: Settings, db: Database) -> None:
    seed_accounts(db)
    private = settings.with_overrides(public_reader=False)
    with TestClient(create_app(private, db), base_url="http://desk.test") as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/signin?next=/"
        assert client.get("/api/articles").status_code == 401
        assert client.get("/healthz").status_code == 200
        assert client.get("/reader", follow_redirects=False).status_code == 303
        client.post("/signin", data={"name": NAME, "password": PASSWORD})
        assert client.get("/").status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        client.post("/signout", data={"csrf": csrf})
        assert client.get("/", follow_redirects=False).status_code == 303


def test_the_story_page_marks_what_is_new_and_reads_the_story(signed_in) -> None:
    client, desk, csrf = signed_in
    story = client.get(f"/stories/{desk.story_id}").text
    assert "Mark the story read (1 new)" in story and story.count(">new</span>") == 3
    client.post("/reader/mark-all-read", data={"csrf": csrf, "story": desk.story_id})
    story = client.get(f"/stories/{desk.story_id}").text
    assert ">new</span>" not in story and "Mark the story read</button>" in story
    assert "Korvex halts withdrawals" not in titles(client.get("/reader").text)


def test_subscriptions_folders_opml_and_the_api_password(signed_in) -> None:
    client, desk, csrf = signed_in
    page = client.get("/reader/subscriptions")
    assert page.status_code == 200 and "Copycat Daily" in page.text
    client.post(f"/reader/subscriptions/{desk.copier_id}",
                data={"csrf": csrf, "title": "Copycats", "folder": "Reposts"})  # fmt: skip
    opml = client.get("/reader/subscriptions.opml")
    assert 'text="Reposts"' in opml.text and 'title="Copycats"' in opml.text
    folder_id = re.search(
        r'action="/reader/folders/(\d+)"', client.get("/reader/subscriptions").text
    )[1]
    client.post(f"/reader/folders/{folder_id}", data={"csrf": csrf, "name": "Mirrors"})
    assert 'text="Mirrors"' in client.get("/reader/subscriptions.opml").text
    assert (
        client.post(f"/reader/folders/{folder_id}", data={"csrf": csrf, "name": "a/b"}).status_code
        == 400
    )
    client.post(
        f"/reader/subscriptions/{desk.copier_id}", data={"csrf": csrf, "action": "unfollow"}
    )
    assert "Copycats" not in client.get("/reader/subscriptions.opml").text
    # a reader's OPML import follows what the desk knows and leaves the rest out
    document = (b'<opml version="2.0"><body><outline text="Back">'
                b'<outline xmlUrl="https://copycat.example/rss" text="Copycat"/>'
                b'<outline xmlUrl="https://unknown.example/feed" text="New"/></outline></body></opml>')  # fmt: skip
    imported = client.post("/reader/subscriptions.opml", data={"csrf": csrf},
                           files={"opml": ("mine.opml", document, "text/x-opml")})  # fmt: skip
    assert (
        "Followed 1 feeds in 1 folders" in imported.text
        and "1 feeds the desk does not follow" in imported.text
    )
    bad = client.post("/reader/subscriptions.opml", data={"csrf": csrf},
                      files={"opml": ("bad.opml", b"<html>", "text/x-opml")})  # fmt: skip
    assert bad.status_code == 400
    made = client.post("/reader/api-password", data={"csrf": csrf})
    assert "shown only now" in made.text
    assert client.post("/reader/api-password", data={"csrf": "forged"}).status_code == 403


def test_a_write_is_committed_before_it_is_answered(settings: Settings, db: Database) -> None:
    """A client told "done" finds it done: the commit comes before the answer (an app's
    next request must know the token it was just given; a failed commit is an error, not
    a 200 after the fact). The commit is slowed here so that the order shows."""
    _, _, api_password = seed_accounts(db)
    commits: list[float] = []

    def slow_commit(connection: object) -> None:
        time.sleep(0.3)
        commits.append(time.monotonic())

    with (
        AppServer(create_app(settings, db)) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        event.listen(db.engine, "commit", slow_commit)
        try:
            login = client.post(
                "/accounts/ClientLogin", data={"Email": NAME, "Passwd": api_password}
            )
            answered = time.monotonic()
        finally:
            event.remove(db.engine, "commit", slow_commit)
        assert login.status_code == 200
        assert commits and max(commits) < answered  # the token was stored, then sent
        token = re.search(r"Auth=(\S+)", login.text)
        assert token is not None
        client.headers["Authorization"] = f"GoogleLogin auth={token.group(1)}"
        assert client.get("/reader/api/0/user-info").status_code == 200
