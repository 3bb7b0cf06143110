"""The Google Reader API over real HTTP on 127.0.0.1, as the apps use it: each test replays
one app's request sequence, built the way its source builds it (NetNewsWire's
ReaderAPICaller.swift, Read You's GoogleReaderAPI.kt, Fluent Reader's greader.ts), plus
FeedMe's empty action token and the cases CommaFeed's GoogleReaderIT checks.

Every test sees copies folded: the Korvex original, its near copy on Copycat Daily and its
exact copy on Mirror Post are one item, filed under the original's feed, naming the others.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import httpx
import pytest

from tests.support.appdesk import AppDesk
from wirebrief.storage import articles as article_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.greader import ITEM_ID_OFFSET, LONG_ID_PREFIX, parse_item_id

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"


def nnw_client_login(client: httpx.Client, desk: AppDesk) -> str:
    """NetNewsWire: a form POST, the answer split into lines and each line on '='."""
    body = f"Email={desk.name}&Passwd={desk.api_password}"
    response = client.post("/accounts/ClientLogin", content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert response.status_code == 200, response.text
    auth = dict(line.split("=")[:2] for line in response.text.split("\n") if line)
    return auth["Auth"]


def nnw_post(client: httpx.Client, path: str, body: str) -> httpx.Response:
    """NetNewsWire writes its form bodies by hand (no percent-encoding)."""
    return client.post(path, content=body.encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip


def test_netnewswire_sync(app_desk: AppDesk) -> None:
    desk = app_desk.desk
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        auth = nnw_client_login(client, app_desk)
        client.headers["Authorization"] = f"GoogleLogin auth={auth}"
        token = client.get("/reader/api/0/token").text  # used as is, whole body
        assert len(token) == 57

        tags = client.get("/reader/api/0/tag/list", params={"output": "json"}).json()["tags"]
        assert {"id": STARRED, "sortid": "00000000"} in tags
        subscriptions = client.get("/reader/api/0/subscription/list?output=json").json()
        feeds = {s["id"]: s for s in subscriptions["subscriptions"]}
        assert {
            f"feed/{desk.source_id}",
            f"feed/{desk.copier_id}",
            f"feed/{app_desk.mirror_id}",
        } <= set(feeds)
        assert all({"id", "title", "categories", "url", "htmlUrl", "iconUrl"} <= set(s)
                   for s in feeds.values())  # fmt: skip

        since = time.time() - 90 * 24 * 3600  # three months back, as a Double
        ids_url = (f"/reader/api/0/stream/items/ids?ot={since}&n=10000&output=json"
                   f"&xt={READ}&s={READING_LIST}")  # fmt: skip
        unread = [int(ref["id"]) for ref in client.get(ids_url).json()["itemRefs"]]
        assert len(unread) == 2  # the Korvex family once, and the other story
        starred = client.get(f"/reader/api/0/stream/items/ids?s={STARRED}&n=10000&output=json")
        assert starred.json()["itemRefs"] == []

        # contents: unpadded lower-case hex ids, as NetNewsWire converts them
        hex_ids = "&".join(f"i={format(i, 'x')}" for i in unread)
        entries = nnw_post(client, "/reader/api/0/stream/items/contents",
                           f"T={token}&output=json&{hex_ids}")  # fmt: skip
        wrapper = entries.json()
        assert isinstance(wrapper["id"], str) and isinstance(wrapper["updated"], int)
        items = {item["title"]: item for item in wrapper["items"]}
        assert set(items) == {"Korvex halts withdrawals", "Korvex customers queue for refunds"}
        korvex = items["Korvex halts withdrawals"]
        for key in ("id", "title", "published", "crawlTimeMsec", "timestampUsec", "summary",
                    "alternate", "categories", "origin"):  # fmt: skip
            assert key in korvex, key
        assert korvex["origin"]["streamId"] == f"feed/{desk.source_id}"
        assert korvex["alternate"][0]["href"] == "https://orchard.example/korvex-halts"
        also = {a["title"] for a in korvex["alsoIn"]}
        assert also == {"Copycat Daily", "Mirror Post"}
        assert "Also published by" in korvex["summary"]["content"]
        assert "Copycat Daily" in korvex["summary"]["content"]
        # NetNewsWire's uniqueID: the last path part, hex, back to decimal
        assert int(korvex["id"].split("/")[-1], 16) in unread

        # mark read with 16-digit padded hex ids; the unread list and count fall
        korvex_id = int(korvex["id"].split("/")[-1], 16)
        marked = nnw_post(
            client, "/reader/api/0/edit-tag", f"T={token}&i={korvex_id:016x}&a={READ}"
        )
        assert marked.status_code == 200 and marked.text == "OK"
        after = [int(r["id"]) for r in client.get(ids_url).json()["itemRefs"]]
        assert after == [i for i in unread if i != korvex_id]
        counts = client.get("/reader/api/0/unread-count?output=json").json()
        total = next(c for c in counts["unreadcounts"] if c["id"] == READING_LIST)
        assert total["count"] == 1 and counts["max"] == 1
        # star and unstar, mark unread again
        nnw_post(client, "/reader/api/0/edit-tag", f"T={token}&i={korvex_id:016x}&a={STARRED}")
        starred = client.get(f"/reader/api/0/stream/items/ids?s={STARRED}&n=10000&output=json")
        assert [int(r["id"]) for r in starred.json()["itemRefs"]] == [korvex_id]
        nnw_post(client, "/reader/api/0/edit-tag", f"T={token}&i={korvex_id:016x}&r={STARRED}")
        nnw_post(client, "/reader/api/0/edit-tag", f"T={token}&i={korvex_id:016x}&r={READ}")
        assert len(client.get(ids_url).json()["itemRefs"]) == 2

        # folders: tag a subscription, rename the folder, untag, delete
        copier = f"feed/{desk.copier_id}"
        edit = "/reader/api/0/subscription/edit"
        assert (
            nnw_post(client, edit, f"T={token}&s={copier}&ac=edit&a=user/-/label/Copy Cats").text
            == "OK"
        )
        listed = {
            s["id"]: s
            for s in client.get("/reader/api/0/subscription/list?output=json").json()[
                "subscriptions"
            ]
        }
        assert listed[copier]["categories"] == [
            {"id": "user/-/label/Copy Cats", "label": "Copy Cats"}
        ]
        nnw_post(client, "/reader/api/0/rename-tag",
                 f"T={token}&s=user/-/label/Copy Cats&dest=user/-/label/Reposts")  # fmt: skip
        nnw_post(client, edit, f"T={token}&s={copier}&ac=edit&t=Copycat")
        listed = {
            s["id"]: s
            for s in client.get("/reader/api/0/subscription/list?output=json").json()[
                "subscriptions"
            ]
        }
        assert listed[copier]["title"] == "Copycat"
        assert listed[copier]["categories"][0]["label"] == "Reposts"
        nnw_post(client, edit, f"T={token}&s={copier}&ac=edit&r=user/-/label/Reposts")
        nnw_post(client, "/reader/api/0/disable-tag", f"T={token}&s=user/-/label/Reposts")
        tags = client.get("/reader/api/0/tag/list?output=json").json()["tags"]
        assert not [t for t in tags if t["id"].endswith("/Reposts")]
        # unsubscribe, then subscribe again by feed URL with a folder
        nnw_post(client, edit, f"T={token}&s={copier}&ac=unsubscribe")
        listed = client.get("/reader/api/0/subscription/list?output=json").json()["subscriptions"]
        assert copier not in {s["id"] for s in listed}
        subscribed = nnw_post(client, edit, f"T={token}&ac=subscribe&s=feed/https://copycat.example/rss"
                              f"&a=user/-/label/Back&t=Copycat Daily")  # fmt: skip
        assert subscribed.text == "OK"
        listed = {
            s["url"]: s
            for s in client.get("/reader/api/0/subscription/list?output=json").json()[
                "subscriptions"
            ]
        }
        assert listed["https://copycat.example/rss"]["categories"][0]["label"] == "Back"


def test_read_you_sync(app_desk: AppDesk) -> None:
    desk = app_desk.desk
    with httpx.Client(base_url=app_desk.base_url + "/", timeout=30) as client:
        login = client.post("accounts/ClientLogin", data={
            "output": "json", "Email": app_desk.name, "Passwd": app_desk.api_password,
            "client": "ReadYou/0.10", "accountType": "HOSTED_OR_GOOGLE", "service": "reader"})  # fmt: skip
        auth = login.json()["Auth"]
        headers = {"Authorization": f"GoogleLogin auth={auth}"}
        action = client.get("reader/api/0/token", headers=headers).text

        def get(query: str, params: list[tuple[str, str]] = ()) -> dict:
            url = f"{query}?output=json" + "".join(f"&{k}={v}" for k, v in params)
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.text)
            return response.json()

        def post(
            query: str, form: list[tuple[str, str]], params: list[tuple[str, str]] = ()
        ) -> httpx.Response:
            url = f"{query}?output=json" + "".join(f"&{k}={v}" for k, v in params)
            body = urlencode([*form, ("T", action)])  # OkHttp's FormBody: repeated names kept
            response = client.post(url, content=body, headers={**headers, **FORM})
            assert response.status_code == 200, (url, response.text)
            return response

        assert get("reader/api/0/user-info")["userName"] == "ana"
        feeds = get("reader/api/0/subscription/list")["subscriptions"]
        assert len(feeds) == 3
        since = int(time.time()) - 3600
        assert (
            get("reader/api/0/stream/items/ids", [("s", READ), ("ot", str(since)), ("n", "10000")])[
                "itemRefs"
            ]
            == []
        )
        unread = get(
            "reader/api/0/stream/items/ids", [("s", READING_LIST), ("xt", READ), ("n", "10000")]
        )["itemRefs"]
        assert len(unread) == 2
        assert (
            get("reader/api/0/stream/items/ids", [("s", STARRED), ("n", "10000")])["itemRefs"] == []
        )
        # contents by 16-digit hex ids (ofItemIdToHexId)
        contents = post("reader/api/0/stream/items/contents",
                        [("i", format(int(r["id"]), "016x")) for r in unread]).json()  # fmt: skip
        assert len(contents["items"]) == 2
        for item in contents["items"]:
            assert isinstance(item["published"], int)
            assert item["canonical"][0]["href"] and item["origin"]["streamId"].startswith("feed/")
        # edit-tag with long ids (ofItemIdToStreamId)
        first = unread[0]["id"]
        long = f"{LONG_ID_PREFIX}{int(first):016x}"
        assert post("reader/api/0/edit-tag", [("i", long), ("a", READ)]).text == "OK"
        read_now = get(
            "reader/api/0/stream/items/ids", [("s", READ), ("ot", str(since)), ("n", "10000")]
        )
        assert [r["id"] for r in read_now["itemRefs"]] == [first]
        # quickadd of a feed the desk follows; of one it does not, as a reader
        added = post("reader/api/0/subscription/quickadd", [("quickadd", "https://copycat.example/rss")],
                     [("quickadd", "https://copycat.example/rss")]).json()  # fmt: skip
        assert added["numResults"] == 1 and added["streamId"] == f"feed/{desk.copier_id}"
        refused = post("reader/api/0/subscription/quickadd", [("quickadd", "https://new.example/feed")],
                       [("quickadd", "https://new.example/feed")]).json()  # fmt: skip
        assert refused["numResults"] == 0 and "ask an admin" in refused["error"]
        # mark everything in one feed read, up to now (ts in microseconds)
        post("reader/api/0/mark-all-as-read", [("s", f"feed/{desk.source_id}"),
                                                ("ts", str(int(time.time() * 1e6)))])  # fmt: skip
        assert (
            get("reader/api/0/stream/items/ids", [("s", READING_LIST), ("xt", READ)])["itemRefs"]
            == []
        )


def test_fluent_reader_sync(app_desk: AppDesk) -> None:
    """Fluent Reader: no action token at all, ids compacted to signed 64-bit decimals,
    contents paged by ``c`` with ``n=125``."""
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        body = {"Email": app_desk.name, "Passwd": app_desk.api_password}
        text = client.post("/accounts/ClientLogin", data=body).text
        client.headers["Authorization"] = "GoogleLogin auth=" + re.search(r"Auth=(\S+)", text)[1]
        assert client.get("/reader/api/0/user-info").status_code == 200
        subscriptions = client.get("/reader/api/0/subscription/list?output=json").json()[
            "subscriptions"
        ]
        sources = {s["id"] for s in subscriptions}

        def fetch_all(params: str) -> set[str]:
            results, continuation = [], None
            while True:
                p = params + (f"&c={continuation}" if continuation else "")
                parsed = client.get(p).json()
                results += [i["id"] for i in parsed["itemRefs"]]
                continuation = parsed.get("continuation")
                if not (continuation and len(parsed["itemRefs"]) >= 1000):
                    return set(results)

        unread = fetch_all(
            f"/reader/api/0/stream/items/ids?output=json&s={READING_LIST}&xt={READ}&n=1000"
        )
        starred = fetch_all(f"/reader/api/0/stream/items/ids?output=json&s={STARRED}&n=1000")
        assert len(unread) == 2 and starred == set()
        items, continuation = [], None
        while True:  # pages of one item, so the continuation is exercised
            params = "/reader/api/0/stream/contents?output=json&n=1"
            if continuation:
                params += f"&c={continuation}"
            fetched = client.get(params).json()
            items += fetched["items"]
            continuation = fetched.get("continuation")
            if not continuation:
                break
        assert len(items) == 2 and all(i["origin"]["streamId"] in sources for i in items)
        compact = {compact_id(i["id"]) for i in items}
        assert compact == unread
        # markRead: editTag without T, i = the compact decimal id
        target = sorted(compact)[0]
        response = client.post("/reader/api/0/edit-tag", content=f"i={target}&a={READ}",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert response.status_code == 200
        assert fetch_all(
            f"/reader/api/0/stream/items/ids?output=json&s={READING_LIST}&xt={READ}&n=1000"
        ) == unread - {target}
        # markAllRead for each source, without T
        for source in sources:
            client.post("/reader/api/0/mark-all-as-read", data={"s": source})
        assert (
            fetch_all(
                f"/reader/api/0/stream/items/ids?output=json&s={READING_LIST}&xt={READ}&n=1000"
            )
            == set()
        )


def compact_id(long_id: str) -> str:
    """Fluent Reader's compactId with useInt64: BigInt.asIntN(64, 0x…).toString()."""
    value = int(long_id.split("/")[-1], 16)
    return str(value - (1 << 64) if value >= 1 << 63 else value)


def test_tokens_per_client_and_bad_credentials(app_desk: AppDesk) -> None:
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        wrong = client.post(
            "/accounts/ClientLogin", data={"Email": app_desk.name, "Passwd": "nope"}
        )
        assert wrong.status_code == 401 and "BadAuthentication" in wrong.text
        assert client.get("/reader/api/0/user-info").status_code == 401
        bad = client.get(
            "/reader/api/0/user-info", headers={"Authorization": "GoogleLogin auth=ana/forged"}
        )
        assert bad.status_code == 401 and bad.headers["Google-Bad-Token"] == "true"
        auth = client.post("/accounts/ClientLogin", data={"Email": app_desk.name,
                                                          "Passwd": app_desk.api_password}).text  # fmt: skip
        client.headers["Authorization"] = "GoogleLogin auth=" + re.search(r"Auth=(\S+)", auth)[1]
        ids = client.get(f"/reader/api/0/stream/items/ids?s={READING_LIST}").json()["itemRefs"]
        item = f"{LONG_ID_PREFIX}{int(ids[0]['id']):016x}"
        # FeedMe sends an empty T, Reeder "x": both accepted; a wrong token is not
        for token in ("", "x"):
            assert (
                client.post(
                    "/reader/api/0/edit-tag", data={"T": token, "i": item, "a": STARRED}
                ).text
                == "OK"
            )
        forged = client.post("/reader/api/0/edit-tag", data={"T": "f" * 57, "i": item, "a": READ})
        assert forged.status_code == 401
        real = client.get("/reader/api/0/token").text
        assert (
            client.post("/reader/api/0/edit-tag", data={"T": real, "i": item, "a": READ}).text
            == "OK"
        )
        # a web password is not an API password
        web = client.post(
            "/accounts/ClientLogin",
            data={"Email": app_desk.name, "Passwd": "correct horse battery"},
        )
        assert web.status_code == 401


def test_streams_and_parameters_as_commafeed_checks_them(app_desk: AppDesk) -> None:
    """Feeds by id and by URL, labels, r=o, nt and ot, n and c, it and xt, bad input."""
    desk = app_desk.desk
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        auth = client.post("/accounts/ClientLogin", data={"Email": app_desk.name,
                                                          "Passwd": app_desk.api_password}).text  # fmt: skip
        client.headers["Authorization"] = "GoogleLogin auth=" + re.search(r"Auth=(\S+)", auth)[1]

        def ids(**params: str) -> list[int]:
            response = client.get("/reader/api/0/stream/items/ids", params=params)
            assert response.status_code == 200, response.text
            return [int(r["id"]) for r in response.json()["itemRefs"]]

        newest_first = ids(s=READING_LIST)
        assert ids(s=READING_LIST, r="o") == newest_first[::-1]
        assert ids(s=f"feed/{desk.source_id}") == newest_first
        assert ids(s="feed/https://orchard.example/feed.xml") == newest_first
        # the copier and the mirror carried only copies: the original is their item too
        assert ids(s=f"feed/{desk.copier_id}") == ids(s=f"feed/{app_desk.mirror_id}")
        assert len(ids(s=f"feed/{desk.copier_id}")) == 1
        assert ids(s=READING_LIST, nt="1") == []
        assert ids(s=READING_LIST, ot=str(int(time.time()) + 3600)) == []
        first_page = client.get(
            "/reader/api/0/stream/items/ids", params={"s": READING_LIST, "n": "1"}
        ).json()
        second_page = client.get("/reader/api/0/stream/items/ids", params={
            "s": READING_LIST, "n": "1", "c": first_page["continuation"]}).json()  # fmt: skip
        assert [
            int(r["id"]) for r in first_page["itemRefs"] + second_page["itemRefs"]
        ] == newest_first
        assert "continuation" not in second_page
        client.post("/reader/api/0/edit-tag", data={"i": str(newest_first[0]), "a": STARRED})
        assert ids(s=READING_LIST, it=STARRED) == newest_first[:1]
        assert ids(s=READING_LIST, xt=STARRED) == newest_first[1:]
        # labels on items, and a label stream
        client.post(
            "/reader/api/0/edit-tag", data={"i": str(newest_first[1]), "a": "user/-/label/Later"}
        )
        assert ids(s="user/-/label/Later") == newest_first[1:]
        tags = client.get("/reader/api/0/tag/list?output=json").json()["tags"]
        assert {"id": "user/-/label/Later", "type": "tag"} in tags
        contents = client.get("/reader/api/0/stream/contents/user/-/label/Later").json()
        assert "user/-/label/Later" in contents["items"][0]["categories"]
        # stream/contents by path with a feed URL, and by s=
        by_path = client.get(
            "/reader/api/0/stream/contents/feed/https://orchard.example/feed.xml"
        ).json()
        assert len(by_path["items"]) == 2
        # bad input is a plain 400, never a 500
        for params in ({"s": "user/-/state/com.google/nonsense"}, {"s": "nowhere"}, {"n": "many"},
                       {"c": "not-a-continuation"}, {"ot": "yesterday"}):  # fmt: skip
            response = client.get("/reader/api/0/stream/items/ids", params=params)
            assert response.status_code == 400 and response.headers["content-type"].startswith(
                "text/plain"
            )
        assert (
            client.post(
                "/reader/api/0/subscription/edit", data={"ac": "dance", "s": "feed/1"}
            ).status_code
            == 400
        )


def test_a_page_read_again_is_not_sent_again_to_apps_syncing_since(
    app_desk: AppDesk, any_db: Database
) -> None:
    """``ot`` is "stored since": the desk reading a page again (a changed title) does not
    make it new to an app, and the app gets the new title when it asks for the item."""
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        auth = client.post("/accounts/ClientLogin", data={"Email": app_desk.name,
                                                          "Passwd": app_desk.api_password}).text  # fmt: skip
        client.headers["Authorization"] = "GoogleLogin auth=" + re.search(r"Auth=(\S+)", auth)[1]
        synced = time.time()

        def since_sync() -> list[str]:
            answer = client.get("/reader/api/0/stream/items/ids",
                                params={"s": READING_LIST, "ot": str(synced), "n": "1000"})  # fmt: skip
            return [r["id"] for r in answer.json()["itemRefs"]]

        assert since_sync() == []
        with any_db.session() as session:
            stored = session.get(Article, app_desk.desk.original_id)
            again = Article(url=stored.url, title="Korvex halts withdrawals, then resumes",
                            text=stored.text, html=stored.html, content_hash=stored.content_hash,
                            published_at=stored.published_at)  # fmt: skip
            assert article_store.upsert_article(session, again).outcome == "updated"
        assert since_sync() == []
        item = client.post("/reader/api/0/stream/items/contents",
                           data={"i": str(app_desk.desk.original_id + ITEM_ID_OFFSET)}).json()  # fmt: skip
        assert item["items"][0]["title"] == "Korvex halts withdrawals, then resumes"


@pytest.mark.parametrize("raw", ["", "garbage", "tag:google.com,2005:reader/item/zz", "-1", "12"])
def test_unreadable_item_ids_name_nothing(raw: str) -> None:
    assert parse_item_id(raw) is None


def test_every_item_id_form_reads_back() -> None:
    for article_id in (1, 255, 256, 4096, 99_999, 123_456_789):
        value = ITEM_ID_OFFSET + article_id
        for form in (
            f"{LONG_ID_PREFIX}{value:016x}",
            f"{value:016x}",
            format(value, "x"),
            str(value),
        ):
            assert parse_item_id(form) == article_id, form
