"""The removal workflow: public form and API, admin sign-in with CSRF, approval hiding an
article everywhere and blocking its re-ingestion, source blocking, the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests.support.desk import Desk, build_desk
from wirebrief.settings import Settings
from wirebrief.storage import removals, users
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Story
from wirebrief.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def desk(db: Database) -> Desk:
    built = build_desk(db)
    with db.session() as session:
        users.add_user(session, "editor", PASSWORD, role=users.Role.ADMIN)
    return built


@pytest.fixture
def client(settings: Settings, db: Database, desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db), base_url="http://desk.test") as client:
        yield client


def sign_in(client: TestClient, name: str = "editor") -> str:
    """Sign in; returns the CSRF token of the admin page."""
    response = client.post(
        "/signin", data={"name": name, "password": PASSWORD, "next": "/admin"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/admin")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_removal_api_validates_and_queues(client: TestClient) -> None:
    bad = client.post("/api/removals", json={"url": "javascript:alert(1)", "reason": "short",
                                             "contact_email": "nobody"})  # fmt: skip
    assert bad.status_code == 422
    fields = {e["loc"][-1] for e in bad.json()["detail"]}
    assert fields == {"url", "reason", "contact_email"}
    ok = client.post("/api/removals", json={"url": "https://orchard.example/korvex-halts",
                     "reason": "I wrote it and did not agree", "contact_email": "me@orchard.example"})  # fmt: skip
    assert ok.status_code == 201 and ok.json()["status"] == "pending"


def test_removal_form_shows_errors_then_thanks(client: TestClient) -> None:
    form = client.get("/removal", params={"url": "https://x.example/<script>"})
    assert "https://x.example/&lt;script&gt;" in form.text
    bad = client.post("/removal", data={"url": "ftp://x", "reason": "", "contact_email": "a@b"})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.text and "full address" in bad.text
    done = client.post("/removal", data={"url": "https://x.example/a", "reason": "Not yours to copy",
                                         "contact_email": "a@b.example"})  # fmt: skip
    assert done.status_code == 201 and "Request received" in done.text


def test_removal_requests_are_rate_limited(client: TestClient) -> None:
    body = {
        "url": "https://x.example/a",
        "reason": "Please remove it",
        "contact_email": "a@b.example",
    }
    codes = [client.post("/api/removals", json=body).status_code for _ in range(12)]
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]


def test_admin_needs_an_admin_account_csrf_and_limits_sign_in(client: TestClient) -> None:
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/signin?next=/admin"
    assert (
        client.get("/admin/login", follow_redirects=False).headers["location"]
        == "/signin?next=/admin"
    )
    assert client.post("/admin/removals/1/approve", data={"csrf": "x"}).status_code == 403
    codes = [client.post("/signin", data={"name": "editor", "password": f"wrong {i}"}).status_code
             for i in range(6)]  # fmt: skip
    assert codes == [401] * 5 + [429]
    # still limited, even with the right password
    assert client.post("/signin", data={"name": "editor", "password": PASSWORD}).status_code == 429


def test_a_reader_account_cannot_use_the_admin_area(client: TestClient, db: Database) -> None:
    with db.session() as session:
        users.add_user(session, "reader", PASSWORD)
    response = client.post(
        "/signin", data={"name": "reader", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/admin").status_code == 403
    page = client.get("/")
    assert "Sign out reader" in page.text and 'href="/admin"' not in page.text
    assert page.headers["cache-control"] == "private, no-cache"  # no shared cache keeps it
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/admin/removals/1/approve", data={"csrf": csrf}).status_code == 403


def test_sign_in_returns_only_to_local_pages(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/signin", data={"name": "editor", "password": PASSWORD,
                                                "next": target}, follow_redirects=False)  # fmt: skip
        assert response.headers["location"] == "/"


def test_csrf_token_is_required_for_every_action(client: TestClient, desk: Desk) -> None:
    sign_in(client)
    client.post("/api/removals", json={"url": "https://orchard.example/korvex-halts",
                "reason": "Please remove it", "contact_email": "a@b.example"})  # fmt: skip
    assert client.post("/admin/removals/1/approve", data={"csrf": "forged"}).status_code == 403
    assert client.post(f"/admin/sources/{desk.source_id}/block").status_code == 403


def test_approval_hides_article_and_copies_everywhere_and_blocks_reingestion(
    client: TestClient, db: Database, desk: Desk
) -> None:
    assert "Korvex halts withdrawals" in client.get("/").text
    client.post("/api/removals", json={"url": f"http://desk.test/articles/{desk.original_id}",
                "reason": "Published without permission", "contact_email": "legal@orchard.example"})  # fmt: skip
    csrf = sign_in(client)
    assert "Korvex halts withdrawals" in client.get("/admin").text  # matched article shown
    response = client.post("/admin/removals/1/approve", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303

    for article_id in (desk.original_id, desk.copy_id):
        assert client.get(f"/articles/{article_id}").status_code == 404
        assert client.get(f"/api/articles/{article_id}").status_code == 404
    assert client.get(f"/stories/{desk.story_id}").status_code == 404
    assert "Korvex halts" not in client.get("/").text
    api_ids = {a["id"] for a in client.get("/api/articles", params={"limit": 100}).json()["items"]}
    assert not api_ids & {desk.original_id, desk.copy_id}
    assert desk.other_id in api_ids
    search = client.get("/api/search", params={"q": "korvex"}).json()["items"]
    assert [r["article"]["id"] for r in search] == [desk.other_id]
    related = client.get(f"/api/articles/{desk.other_id}/related").json()["items"]
    assert desk.original_id not in {r["article"]["id"] for r in related}
    for feed in (
        "/feeds/stories.rss",
        "/feeds/assets/BTC.atom",
        f"/feeds/sources/{desk.source_id}.json",
    ):
        links = [e.link for e in feedparser.parse(client.get(feed).content).entries]
        assert not any(link.endswith(f"/articles/{desk.original_id}") for link in links), feed
    with db.session() as session:
        assert session.get(Story, desk.story_id).article_count == 0
        # the store stage refuses the URL, its copy's URL and its text at any URL
        for url, digest in [("https://orchard.example/korvex-halts", "f" * 64),
                            ("https://copycat.example/korvex", "e" * 64),
                            ("https://elsewhere.example/new", session.get(Article, desk.original_id).content_hash)]:  # fmt: skip
            page = Article(url=url, title="t", text="t", html="", content_hash=digest)
            assert removals.is_blocked(session, page), url
        fresh = Article(
            url="https://elsewhere.example/n", title="t", text="t", html="", content_hash="1" * 64
        )
        assert not removals.is_blocked(session, fresh)

    audit = client.get("/admin").text
    for action in ("removal_requested", "login", "removal_approved"):
        assert f"<td>{action}</td>" in audit
    assert client.post("/admin/removals/1/reject", data={"csrf": csrf}).status_code == 409


def test_rejection_keeps_the_article(client: TestClient, desk: Desk) -> None:
    client.post("/api/removals", json={"url": "https://orchard.example/korvex-halts",
                "reason": "I just do not like it", "contact_email": "a@b.example"})  # fmt: skip
    csrf = sign_in(client)
    client.post("/admin/removals/1/reject", data={"csrf": csrf})
    assert client.get(f"/articles/{desk.original_id}").status_code == 200
    assert "<td>removal_rejected</td>" in client.get("/admin").text


def test_blocking_a_source_hides_its_articles_and_unblocking_shows_them(
    client: TestClient, desk: Desk
) -> None:
    csrf = sign_in(client)
    client.post(f"/admin/sources/{desk.source_id}/block", data={"csrf": csrf})
    assert client.get(f"/articles/{desk.other_id}").status_code == 404
    sources = {s["id"]: s for s in client.get("/api/sources").json()}
    assert sources[desk.source_id]["health"] == "blocked"
    client.post(f"/admin/sources/{desk.source_id}/unblock", data={"csrf": csrf})
    assert client.get(f"/articles/{desk.other_id}").status_code == 200
    assert "<td>source_blocked</td>" in client.get("/admin").text


def test_sign_out_ends_the_session(client: TestClient) -> None:
    csrf = sign_in(client)
    client.post("/signout", data={"csrf": csrf})
    assert client.get("/admin", follow_redirects=False).status_code == 303
