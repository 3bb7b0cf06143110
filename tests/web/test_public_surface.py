"""What any visitor can reach: no credentials shown, no 500 from odd input, HTML errors for
pages and JSON errors for the API, HEAD like GET, links from WIREBRIEF_PUBLIC_URL, and
story timelines in pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.appserver import AppServer
from tests.support.desk import Desk, build_desk
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Source
from wirebrief.web.app import create_app

SECRET_URL = "http://user:hunter2@feeds.example/private.xml?api_key=K3Y-S3CR3T&lang=en"
SHOWN_URL = "http://***@feeds.example/private.xml?api_key=***&lang=en"
PASSWORD = "correct horse battery"
HUGE = "9223372036854775808"


@dataclass(frozen=True)
class Site:
    base_url: str
    desk: Desk
    secret_source_id: int
    long_story_id: int
    api_password: str  # of the reader account "rita", who follows every source


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("surface") / "wirebrief.db"
    settings = Settings(database_url=f"sqlite:///{path}")
    db = Database(settings.database_url)
    db.upgrade()
    desk = build_desk(db)
    with db.session() as session:
        secret = source_store.add_source(session, SECRET_URL, "Members Wire")
        secret.last_error = f"{SECRET_URL}: server answered HTTP 503"
        secret.last_error_reason = "http_error"
        long_story = _story_with_pages(session, secret, 250)
        secret.site_url = SECRET_URL  # as an OPML file may give it
        reader = users.add_user(session, "rita", PASSWORD)
        subs.subscribe_to_desk(session, reader)
        api_password = users.new_api_password(session, reader)
        subs.subscribe_to_desk(
            session, users.add_user(session, "ed", PASSWORD, role=users.Role.ADMIN)
        )
    with AppServer(create_app(settings, db)) as server:
        yield Site(server.base_url, desk, secret.id, long_story, api_password)
    db.dispose()


def _story_with_pages(session, source: Source, pages: int) -> int:
    """One story carried by ``pages`` articles (as a syndicated wire story would be)."""
    from tests.support.articles import add_article, story

    event = story(session, "Harbour bridge reopens")
    for n in range(pages):  # every page its own row (as each syndicated copy is stored)
        add_article(
            session, f"Harbour bridge reopens after repairs ({n})",
            "The harbour bridge reopened on Monday after two years of repairs. " * 3,
            hours=n / 10, source_id=source.id, story_id=event.id, index=False,
            url=f"https://syndicate{n}.example/bridge",
        )  # fmt: skip
    story_store.refresh(session, event)
    return event.id


# ── item 4: credentials ──


def test_source_credentials_are_never_shown(site: Site) -> None:
    surfaces = [
        httpx.get(site.base_url + "/sources").text,
        httpx.get(site.base_url + "/api/sources").text,
        httpx.get(site.base_url + "/api/articles", params={"source": site.secret_source_id}).text,
        httpx.get(site.base_url + f"/sources/{site.secret_source_id}").text,
    ]
    for text in surfaces:
        assert "hunter2" not in text and "K3Y-S3CR3T" not in text and "user:" not in text
    listed = {s["id"]: s for s in httpx.get(site.base_url + "/api/sources").json()}
    shown = listed[site.secret_source_id]
    assert shown["url"] == "http://***@feeds.example/private.xml?api_key=***&lang=en"
    assert shown["last_error"].startswith("http://***@feeds.example/private.xml?api_key=***")
    assert "http://***@feeds.example/private.xml?api_key=***&amp;lang=en" in surfaces[0]


def test_a_reader_account_and_its_apps_never_see_source_credentials(site: Site) -> None:
    with httpx.Client(base_url=site.base_url, timeout=30) as browser:
        assert (
            browser.post("/signin", data={"name": "rita", "password": PASSWORD}).status_code == 303
        )
        page = browser.get("/reader/subscriptions").text
        opml = browser.get("/reader/subscriptions.opml").text
    fever_key = hashlib.md5(f"rita:{site.api_password}".encode()).hexdigest()
    fever = httpx.post(site.base_url + "/fever/?api&feeds", data={"api_key": fever_key}).json()
    login = httpx.post(site.base_url + "/accounts/ClientLogin",
                       data={"Email": "rita", "Passwd": site.api_password}).text  # fmt: skip
    auth = {"Authorization": "GoogleLogin auth=" + login.split("Auth=")[1].strip()}
    greader = httpx.get(site.base_url + "/reader/api/0/subscription/list?output=json",
                        headers=auth).json()  # fmt: skip
    assert len(fever["feeds"]) > 1 and len(greader["subscriptions"]) > 1
    for text in (page, opml, json.dumps(fever), json.dumps(greader)):
        assert "hunter2" not in text and "K3Y-S3CR3T" not in text and "user:" not in text
    (listed,) = [f for f in fever["feeds"] if f["id"] == site.secret_source_id]
    assert listed["url"] == listed["site_url"] == SHOWN_URL
    (followed,) = [
        s for s in greader["subscriptions"] if s["id"] == f"feed/{site.secret_source_id}"
    ]
    assert followed["url"] == followed["htmlUrl"] == SHOWN_URL
    assert SHOWN_URL.replace("&", "&amp;") in page and SHOWN_URL.replace("&", "&amp;") in opml


def test_an_admin_exports_subscriptions_with_their_credentials(site: Site) -> None:
    with httpx.Client(base_url=site.base_url, timeout=30) as browser:
        browser.post("/signin", data={"name": "ed", "password": PASSWORD})
        opml = browser.get("/reader/subscriptions.opml").text
    assert SECRET_URL.replace("&", "&amp;") in opml  # the desk's backup, for its admin only


# ── item 6: no 500, HTML errors for pages, JSON errors for the API ──

PAGE_PATHS = [
    f"/articles/{HUGE}", f"/stories/{HUGE}", f"/sources/{HUGE}", "/articles/abc", "/articles/-1",
    f"/?source={HUGE}", "/?source=abc", "/?source=" + "9" * 5000, "/?page=abc", "/?page=0",
    f"/stories/1?page={HUGE}", f"/search?source={HUGE}", "/search?source=" + "7" * 5000,
    "/search?source=²", "/search?page=-4", f"/feeds/sources/{HUGE}.rss",
    f"/feeds/searches/{HUGE}.atom", "/assets/" + "X" * 3000,
]  # fmt: skip
API_PATHS = [
    f"/api/articles/{HUGE}", f"/api/stories/{HUGE}", f"/api/articles?source={HUGE}",
    "/api/articles?source=" + "9" * 5000, f"/api/articles/{HUGE}/related",
    f"/api/search?source={HUGE}", "/api/search?source=" + "7" * 5000, "/api/search?source=٣",
    f"/api/articles?offset={HUGE}", f"/api/stories/1?offset={HUGE}",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_pages_answer_bad_input_with_an_html_page(site: Site, path: str) -> None:
    answer = httpx.get(site.base_url + path)
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>" in answer.text and "Traceback" not in answer.text
    assert "Input should be" not in answer.text  # Pydantic's wording stays out of pages


@pytest.mark.parametrize("path", API_PATHS)
def test_api_answers_bad_input_with_json(site: Site, path: str) -> None:
    answer = httpx.get(site.base_url + path)
    assert answer.status_code in (400, 404, 422), answer.text[:300]
    assert "detail" in answer.json()


def test_bad_query_values_are_explained_in_words(site: Site) -> None:
    answer = httpx.get(site.base_url + "/", params={"source": "abc"})
    assert answer.status_code == 400
    assert "source must be a whole number" in answer.text
    too_big = httpx.get(site.base_url + f"/articles/{HUGE}")
    assert too_big.status_code == 404 and "article_id must be 2147483647 or less" in too_big.text


def test_removal_form_explains_mistakes_in_words(site: Site) -> None:
    answer = httpx.post(
        site.base_url + "/removal",
        data={"url": "https://news.example/1", "reason": "short", "contact_email": "a@b.example"},
    )
    assert answer.status_code == 400
    assert "Must be at least 10 characters long." in answer.text
    assert "String should" not in answer.text


# ── item 11 ──


@pytest.mark.parametrize("path", ["/", "/sources", "/api/articles", "/feeds/stories.rss"])
def test_head_answers_like_get_without_a_body(site: Site, path: str) -> None:
    got = httpx.get(site.base_url + path)
    head = httpx.head(site.base_url + path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["etag"] == got.headers["etag"]


def test_redoc_loads_nothing_from_another_origin(site: Site) -> None:
    page = httpx.get(site.base_url + "/redoc")
    assert page.status_code == 200 and 'src="/redoc.js"' in page.text
    assert "https://" not in page.text.replace("https://fastapi", "")
    script = httpx.get(site.base_url + "/redoc.js")
    assert script.status_code == 200 and b"cdn.redoc.ly" not in script.content


def test_long_story_timeline_is_paged_under_100_kb(site: Site) -> None:
    first = httpx.get(site.base_url + f"/stories/{site.long_story_id}")
    assert first.status_code == 200 and len(first.content) < 100_000
    assert first.text.count('<a href="/articles/') == 100 + 1  # 100 pages + the lead article
    assert 'rel="next" href="?page=2"' in first.text
    last = httpx.get(site.base_url + f"/stories/{site.long_story_id}", params={"page": 3})
    assert "(249)" in last.text and 'rel="next"' not in last.text
    api = httpx.get(
        site.base_url + f"/api/stories/{site.long_story_id}", params={"limit": 50, "offset": 200}
    ).json()
    assert api["timeline_total"] == 250 and len(api["timeline"]) == 50
    assert api["timeline"][-1]["title"].endswith("(249)")


def test_links_that_leave_the_page_use_the_request_host_without_public_url(site: Site) -> None:
    feed = httpx.get(site.base_url + "/feeds/stories.rss", headers={"Host": "evil.example"})
    assert "http://evil.example/" in feed.text  # the default: the address the client used


def test_public_url_decides_feed_and_share_links(tmp_path, site: Site) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'w.db'}", public_url="https://news.example/desk"
    )
    db = Database(settings.database_url)
    db.upgrade()
    desk = build_desk(db)
    with db.session() as session:
        assert session.get(Article, desk.original_id) is not None
    with AppServer(create_app(settings, db)) as server:
        headers = {"Host": "evil.example"}
        feed = httpx.get(server.base_url + "/feeds/stories.atom", headers=headers).text
        article = httpx.get(server.base_url + f"/articles/{desk.original_id}", headers=headers)
    db.dispose()
    assert "evil.example" not in feed and "https://news.example/desk/articles/" in feed
    assert "evil.example" not in article.text
    assert f'data-copy-url="https://news.example/desk/articles/{desk.original_id}"' in article.text


def test_public_url_must_be_an_http_address() -> None:
    from wirebrief.errors import ConfigError

    assert Settings.from_env({"WIREBRIEF_PUBLIC_URL": "https://a.example/"}).public_url == (
        "https://a.example"
    )
    for bad in ("news.example", "ftp://a.example", "https://a.example/?x=1"):
        with pytest.raises(ConfigError):
            Settings.from_env({"WIREBRIEF_PUBLIC_URL": bad})
