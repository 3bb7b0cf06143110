"""The Fever API over real HTTP on 127.0.0.1, as Reeder syncs with it: every call a POST to
``/fever/?api&…`` with ``api_key`` in the form; a first sync of groups, feeds, favicons,
unread and saved ids, then items by ``with_ids`` and by ``since_id`` until none come back;
then marks. Copies are folded: the Korvex family is one item."""

from __future__ import annotations

import hashlib
import time

import httpx

from tests.support.appdesk import AppDesk


def key(desk: AppDesk, password: str | None = None) -> str:
    return hashlib.md5(f"{desk.name}:{password or desk.api_password}".encode()).hexdigest()


def call(client: httpx.Client, api_key: str, query: str = "", **form: object) -> dict:
    response = client.post(f"/fever/?api{query}", data={"api_key": api_key, **form})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["api_version"] == 3
    return body


def ids(csv: str) -> list[int]:
    return [int(i) for i in csv.split(",") if i]


def test_reeder_sync(app_desk: AppDesk) -> None:
    desk = app_desk.desk
    api_key = key(app_desk)
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        assert call(client, key(app_desk, "wrong"))["auth"] == 0
        hello = call(client, api_key)
        assert hello["auth"] == 1 and "last_refreshed_on_time" in hello

        groups = call(client, api_key, "&groups")
        assert groups["groups"] == [] and groups["feeds_groups"] == []
        feeds = call(client, api_key, "&feeds")["feeds"]
        assert {f["id"] for f in feeds} == {desk.source_id, desk.copier_id, app_desk.mirror_id}
        favicons = call(client, api_key, "&favicons")["favicons"]
        assert favicons[0]["data"].startswith("image/png;base64,")
        assert all(f["favicon_id"] == favicons[0]["id"] for f in feeds)

        unread = ids(call(client, api_key, "&unread_item_ids")["unread_item_ids"])
        assert len(unread) == 2  # the Korvex family once, and the other story
        assert call(client, api_key, "&saved_item_ids")["saved_item_ids"] == ""

        by_ids = call(client, api_key, f"&items&with_ids={','.join(map(str, unread))}")
        assert {i["id"] for i in by_ids["items"]} == set(unread)
        assert by_ids["total_items"] == 2
        # since_id paging, oldest first, until nothing comes back
        synced, since = [], 0
        while True:
            page = call(client, api_key, f"&items&since_id={since}")["items"]
            if not page:
                break
            synced += page
            since = max(i["id"] for i in page)
        assert sorted(i["id"] for i in synced) == sorted(unread)
        korvex = next(i for i in synced if i["title"] == "Korvex halts withdrawals")
        assert korvex["feed_id"] == desk.source_id and korvex["is_read"] == 0
        assert korvex["url"] == "https://orchard.example/korvex-halts"
        assert "Also published by" in korvex["html"] and "Mirror Post" in korvex["html"]
        # max_id paging, newest first
        newest = call(client, api_key, f"&items&max_id={max(unread) + 1}")["items"]
        assert [i["id"] for i in newest] == sorted(unread, reverse=True)

        # mark the family read by its item id: the unread ids fall, and come back with it
        marked = call(client, api_key, "", mark="item", **{"as": "read"}, id=korvex["id"])
        assert ids(marked["unread_item_ids"]) == [i for i in unread if i != korvex["id"]]
        saved = call(client, api_key, "", mark="item", **{"as": "saved"}, id=korvex["id"])
        assert ids(saved["saved_item_ids"]) == [korvex["id"]]
        again = call(client, api_key, f"&items&with_ids={korvex['id']}")["items"][0]
        assert again["is_read"] == 1 and again["is_saved"] == 1
        call(client, api_key, "", mark="item", **{"as": "unsaved"}, id=korvex["id"])
        call(client, api_key, "", mark="item", **{"as": "unread"}, id=korvex["id"])
        assert len(ids(call(client, api_key, "&unread_item_ids")["unread_item_ids"])) == 2

        # a feed read up to the last sync; a group; everything (group 0)
        before = int(time.time()) + 1
        call(client, api_key, "", mark="feed", **{"as": "read"}, id=desk.copier_id, before=before)
        assert ids(call(client, api_key, "&unread_item_ids")["unread_item_ids"]) == [
            i for i in unread if i != korvex["id"]]  # fmt: skip
        call(client, api_key, "", mark="group", **{"as": "read"}, id=0, before=before)
        assert call(client, api_key, "&unread_item_ids")["unread_item_ids"] == ""


def test_hot_links_are_stories_many_sources_carried(app_desk: AppDesk) -> None:
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        links = call(client, key(app_desk), "&links&range=36500")["links"]
    assert [link["title"] for link in links] == ["Korvex halts withdrawals"]
    assert links[0]["temperature"] >= 2 and links[0]["is_item"] == 1


def test_api_key_in_the_query_and_get_work_too(app_desk: AppDesk) -> None:
    with httpx.Client(base_url=app_desk.base_url, timeout=30) as client:
        body = client.get(f"/fever/?api&feeds&api_key={key(app_desk)}").json()
        assert body["auth"] == 1 and len(body["feeds"]) == 3
        assert (
            client.post(
                "/fever/?api&items&since_id=nonsense", data={"api_key": key(app_desk)}
            ).status_code
            == 200
        )
