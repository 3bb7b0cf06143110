"""The sign-in limiter: per (address, account), in the database (every web process counts
against one limit), proxy headers believed only from WIREBRIEF_TRUSTED_PROXIES."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage import users
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app
from wirebrief.web.signin_limits import SigninLimiter

PASSWORD = "correct horse battery"
PROXY = (ipaddress.ip_network("127.0.0.1/32"),)


def sign_in(base: str, password: str, name: str = "admin", **headers: str) -> int:
    form = {"name": name, "password": password}
    return httpx.post(base + "/signin", data=form, headers=headers).status_code


@pytest.fixture
def admin_db(db: Database) -> Database:
    with db.session() as session:
        users.add_user(session, "admin", PASSWORD, role=users.Role.ADMIN)
        users.add_user(session, "alice", PASSWORD)
    return db


@pytest.fixture
def untrusting(settings: Settings, admin_db: Database) -> Iterator[str]:
    with AppServer(create_app(settings, admin_db)) as server:
        yield server.base_url


@pytest.fixture
def behind_proxy(settings: Settings, admin_db: Database) -> Iterator[str]:
    with AppServer(create_app(settings.with_overrides(trusted_proxies=PROXY), admin_db)) as server:
        yield server.base_url


def test_proxy_headers_from_an_untrusted_peer_buy_no_attempts(untrusting: str) -> None:
    codes = [
        sign_in(untrusting, f"wrong {i}", **{"X-Forwarded-For": f"198.51.100.{i}",
                                            "Forwarded": f"for=203.0.113.{i}"})
        for i in range(7)
    ]  # fmt: skip
    assert codes == [401] * 5 + [429, 429]


def test_a_correct_password_from_an_address_that_has_not_failed_is_never_refused(
    behind_proxy: str,
) -> None:
    attacker = {"X-Forwarded-For": "198.51.100.7"}
    assert [sign_in(behind_proxy, f"guess {i}", **attacker) for i in range(6)] == [401] * 5 + [429]
    assert sign_in(behind_proxy, PASSWORD, **attacker) == 429  # that address failed
    assert sign_in(behind_proxy, PASSWORD, "alice", **attacker) == 303  # on another account
    assert sign_in(behind_proxy, PASSWORD, **{"X-Forwarded-For": "192.0.2.10"}) == 303
    assert sign_in(behind_proxy, PASSWORD, Forwarded='for="[2001:db8::1]:4711";proto=https') == 303


def test_the_client_is_the_last_address_a_trusted_proxy_did_not_add(behind_proxy: str) -> None:
    # The client wrote its own X-Forwarded-For; our proxy appended the real address.
    codes = [
        sign_in(behind_proxy, "wrong", **{"X-Forwarded-For": f"10.9.9.{i}, 198.51.100.8"})
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]


def test_failures_count_in_every_web_process(settings: Settings, admin_db: Database) -> None:
    first, second = create_app(settings, admin_db), create_app(settings, Database(admin_db.url))
    with AppServer(first) as one, AppServer(second) as two:
        codes = [sign_in((one, two)[i % 2].base_url, f"wrong {i}") for i in range(6)]
    assert codes == [401] * 5 + [429]


def test_app_sign_in_counts_wrong_api_passwords_the_same_way(untrusting: str) -> None:
    def client_login(password: str) -> int:
        form = {"Email": "admin", "Passwd": password}
        return httpx.post(untrusting + "/accounts/ClientLogin", data=form).status_code

    assert [client_login(f"wrong {i}") for i in range(6)] == [401] * 5 + [429]
    assert sign_in(untrusting, PASSWORD, "alice") == 303


def test_failures_on_one_account_leave_the_others_alone(any_db: Database) -> None:
    limiter = SigninLimiter(failures=3, window_s=60)
    with any_db.session() as session:
        for _ in range(3):
            limiter.failed(session, "192.0.2.5", "alice")
        assert limiter.refusal(session, "192.0.2.5", "alice") is not None
        assert limiter.refusal(session, "192.0.2.5", "admin") is None
        assert limiter.refusal(session, "192.0.2.6", "alice") is None
        limiter.succeeded(session, "192.0.2.5", "alice")
        assert limiter.refusal(session, "192.0.2.5", "alice") is None


def test_ipv6_addresses_count_by_their_64(any_db: Database) -> None:
    limiter = SigninLimiter(failures=2, window_s=60)
    with any_db.session() as session:
        limiter.failed(session, "2001:db8:1:2::1", "admin")
        limiter.failed(session, "2001:db8:1:2:ffff::9", "admin")
        wait = limiter.refusal(session, "2001:db8:1:2::abcd", "admin")
        assert wait is not None and 0 < wait <= 60
        assert limiter.refusal(session, "2001:db8:1:3::1", "admin") is None
        assert limiter.refusal(session, "::ffff:192.0.2.1", "admin") is None


def test_a_window_that_is_over_starts_again(any_db: Database) -> None:
    from wirebrief.storage import ratelimits

    with any_db.session() as session:
        assert ratelimits.add_hit(session, "test", "k", 60)[0] == 1
        assert ratelimits.add_hit(session, "test", "k", 60)[0] == 2
        assert ratelimits.hits(session, "test", "k", 60)[0] == 2
        assert ratelimits.add_hit(session, "test", "k", 0)[0] == 1  # a window of 0 s is over


def test_wrong_fever_keys_are_counted_per_address(admin_db: Database, settings: Settings) -> None:
    with admin_db.session() as session:
        api_password = users.new_api_password(session, users.get_user(session, "alice"))
    right = hashlib.md5(f"alice:{api_password}".encode()).hexdigest()
    app = create_app(settings.with_overrides(trusted_proxies=PROXY), admin_db)
    with AppServer(app) as server:

        def fever(api_key: str, address: str) -> tuple[int, int]:
            answer = httpx.post(server.base_url + "/fever/?api", data={"api_key": api_key},
                                headers={"X-Forwarded-For": address})  # fmt: skip
            return answer.status_code, answer.json()["auth"]

        guesses = [fever(f"{i:032x}", "198.51.100.9") for i in range(21)]
        assert guesses == [(200, 0)] * 20 + [(429, 0)]
        assert fever(right, "198.51.100.9") == (429, 0)  # that address guessed: no more tries
        assert fever(right, "192.0.2.10") == (200, 1)  # anyone else signs in
        assert fever("", "198.51.100.9") == (200, 0)  # an app asking what the API is, unlimited
