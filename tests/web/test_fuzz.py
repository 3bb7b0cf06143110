"""Fuzzing on a real server with a small newsroom: schemathesis generates requests from
/openapi.json (valid and invalid), and Hypothesis throws odd path and query values at the
HTML pages. No input may be answered with a 5xx; the API's answers must match its schema,
and pages must answer HTML."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from tests.support.appdesk import NAME, PASSWORD, seed_accounts
from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app

# Bounded so that the suite stays within CI time on 2 cores.
API_EXAMPLES = 25
PAGE_EXAMPLES = 60
QUICK = settings(
    max_examples=API_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The reader over a small newsroom with an account; its URL and the account's API
    password."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "wirebrief.db"
    # Generous limits: the fuzzer sends far more removal requests than a visitor may.
    app_settings = Settings(database_url=f"sqlite:///{path}", web_queue_timeout_s=10.0)
    db = Database(app_settings.database_url)
    db.upgrade()
    _, _, api_password = seed_accounts(db)
    with AppServer(create_app(app_settings, db)) as running:
        yield running.base_url, api_password
    db.dispose()


@pytest.fixture(scope="module")
def server(served: tuple[str, str]) -> str:
    return served[0]


def test_api_never_fails_and_matches_its_schema(server: str) -> None:
    api = schemathesis.openapi.from_url(server + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        # Some schema-valid values are still refused, with a message that says what to change:
        # a query the query language cannot read (400), a removal request whose text is too
        # short once surrounding spaces (in Python's Unicode sense) are stripped (422).
        lenient = operation.path in ("/api/search", "/api/removals")
        excluded = [positive_data_acceptance] if lenient else []
        _fuzz(operation, excluded)


def _fuzz(operation, excluded: list) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @QUICK
    def call(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(timeout=30)
        where = f"{case.method} {case.formatted_path} {case.query}"
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        if response.status_code != 429:  # the removal limit doing its job
            case.validate_response(response, excluded_checks=excluded)

    call()


PAGES = ["/", "/articles/{}", "/stories/{}", "/sources/{}", "/assets/{}", "/search",
         "/feeds/sources/{}.rss", "/feeds/assets/{}.atom", "/feeds/searches/{}.json",
         "/removal", "/sources", "/admin/login"]  # fmt: skip
PARAMS = ["page", "source", "asset", "topic", "q", "since", "until", "sort", "lang", "url"]
odd_text = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["9" * 5000, "²", "٣", "NaN", "1e9", "-0", "%00", "../..", "<script>", " "]),
)


@given(
    page=st.sampled_from(PAGES),
    segment=odd_text,
    query=st.dictionaries(st.sampled_from(PARAMS), odd_text, max_size=3),
)
@settings(max_examples=PAGE_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_pages_answer_odd_input_with_html_never_a_5xx(
    server: str, page: str, segment: str, query: dict[str, str]
) -> None:
    path = page.format(quote(segment, safe="")) if "{}" in page else page
    answer = httpx.get(server + path, params=query, timeout=30)
    assert answer.status_code < 500, f"{path} {query}: {answer.text[:300]}"
    kind = answer.headers.get("content-type", "")
    if answer.status_code >= 400:
        assert kind.startswith("text/html"), f"{path} {query}: {kind}"
        assert "Traceback" not in answer.text


# A signed-in reader's pages and forms, and the reader apps' APIs: ids and numbers beyond
# what the database holds, odd digits, words where numbers go.
READER_CALLS = [("GET", "/reader", "folder"), ("GET", "/reader", "source"),
                ("GET", "/reader", "after"), ("GET", "/reader", "view"),
                ("POST", "/reader/items/{}/read", ""), ("POST", "/reader/items/1/{}", ""),
                ("POST", "/reader/mark-all-read", "folder"),
                ("POST", "/reader/mark-all-read", "source"),
                ("POST", "/reader/mark-all-read", "story"),
                ("POST", "/reader/mark-all-read", "older_than"),
                ("POST", "/reader/subscriptions/{}", ""),
                ("POST", "/reader/subscriptions/1", "folder"),
                ("POST", "/reader/folders/{}", "")]  # fmt: skip
GREADER_CALLS = [("GET", "/reader/api/0/stream/contents/feed/{}", ""),
                 ("GET", "/reader/api/0/stream/items/ids?s=feed/{}", ""),
                 ("GET", "/reader/api/0/stream/contents", "n"),
                 ("GET", "/reader/api/0/stream/contents", "ot"),
                 ("GET", "/reader/api/0/stream/contents", "c"),
                 ("POST", "/reader/api/0/stream/items/contents", "i"),
                 ("POST", "/reader/api/0/edit-tag?a=user/-/state/com.google/read", "i"),
                 ("POST", "/reader/api/0/mark-all-as-read?s=feed/{}", ""),
                 ("POST", "/reader/api/0/mark-all-as-read?s=feed/1", "ts")]  # fmt: skip
FEVER_CALLS = [("items", "max_id"), ("items", "since_id"), ("items", "with_ids"),
               ("items", "feed_ids"), ("items", "group_ids"), ("links", "offset"),
               ("links", "range"), ("links", "page"), ("mark=item&as=read", "id"),
               ("mark=feed&as=read&id=1", "before"), ("mark=group&as=read", "id"),
               ("mark=group&as=read&id=0", "before")]  # fmt: skip
ACCOUNT_EXAMPLES = 40


@pytest.fixture(scope="module")
def signed_in(served: tuple[str, str]) -> Iterator[tuple[httpx.Client, str]]:
    """A client signed in to the reader, and its CSRF token."""
    with httpx.Client(base_url=served[0], timeout=30) as client:
        client.post("/signin", data={"name": NAME, "password": PASSWORD})
        page = client.get("/reader")
        found = re.search(r'data-csrf="([^"]+)"', page.text)
        assert found, page.text[:300]
        yield client, found.group(1)


@pytest.fixture(scope="module")
def app_client(served: tuple[str, str]) -> Iterator[tuple[httpx.Client, str, str]]:
    """A client with the Reader API's token and action token, and the Fever key."""
    base, api_password = served
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/accounts/ClientLogin", data={"Email": NAME, "Passwd": api_password})
        auth = re.search(r"Auth=(\S+)", login.text)
        assert auth, login.text
        client.headers["Authorization"] = f"GoogleLogin auth={auth.group(1)}"
        action = client.get("/reader/api/0/token").text.strip()
        fever_key = hashlib.md5(f"{NAME}:{api_password}".encode()).hexdigest()
        yield client, action, fever_key


def _placed(path: str, field: str, value: str) -> tuple[str, dict[str, str]]:
    """The path with ``value`` in its ``{}``, or the field carrying it."""
    if "{}" in path:
        return path.replace("{}", quote(value, safe="")), {}
    return path, {field: value} if field else {}


@given(call=st.sampled_from(READER_CALLS), value=odd_text)
@settings(max_examples=ACCOUNT_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_a_readers_pages_answer_odd_input_with_html_never_a_5xx(
    signed_in: tuple[httpx.Client, str], call: tuple[str, str, str], value: str
) -> None:
    client, csrf = signed_in
    method, path, field = call
    path, fields = _placed(path, field, value)
    if method == "GET":
        answer = client.get(path, params=fields)
    else:
        answer = client.post(path, data={"csrf": csrf, **fields})
    assert answer.status_code < 500, f"{method} {path} {fields}: {answer.text[:300]}"
    if answer.status_code >= 400:
        assert answer.headers.get("content-type", "").startswith("text/html"), path
        assert "Traceback" not in answer.text


@given(call=st.sampled_from(GREADER_CALLS), fever=st.sampled_from(FEVER_CALLS), value=odd_text)
@settings(max_examples=ACCOUNT_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_the_reader_apps_apis_never_answer_odd_input_with_a_5xx(
    app_client: tuple[httpx.Client, str, str],
    call: tuple[str, str, str],
    fever: tuple[str, str],
    value: str,
) -> None:
    client, action, fever_key = app_client
    method, path, field = call
    path, fields = _placed(path, field, value)
    if method == "GET":
        answer = client.get(path, params=fields)
    else:
        answer = client.post(path, data={"T": action, **fields})
    assert answer.status_code < 500, f"{method} {path} {fields}: {answer.text[:300]}"
    what, field = fever
    answer = client.post(f"/fever/?api&{what}", data={"api_key": fever_key, field: value})
    assert answer.status_code == 200, f"fever {what} {field}={value!r}: {answer.text[:300]}"
    assert answer.json()["auth"] == 1
