"""The async Fetcher against a real HTTP server on 127.0.0.1 (tests/support/httpserver.py).

No test here talks to any host but 127.0.0.1. Refused addresses are literal IPs
(or ``localhost``, from /etc/hosts) that the guard rejects before connecting; the
``connections`` fixture makes sure of it: every test runs with the real socket
connect wrapped so that a non-loopback address fails the test instead of being
dialled.
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import brotli
import httpcore
import pytest

from tests.support.httpserver import FixtureServer, Route
from wirebrief.errors import (
    AddressNotAllowed,
    FetchError,
    FetchTimeout,
    HostCoolingDown,
    HTTPStatusError,
    RateLimited,
    ResponseTooLarge,
    RobotsDisallowed,
    RobotsUnreachable,
    TooManyRedirects,
    UnsupportedURL,
)
from wirebrief.fetch import Fetcher, FetchResult
from wirebrief.fetch.fetcher import MAX_RETRY_AFTER_S, host_key, parse_retry_after
from wirebrief.fetch.hosts import HostLimiter
from wirebrief.settings import Settings

MIB = 1024 * 1024
PAGE = b"<html><body><p>Hello from the fixture server.</p></body></html>"
T = TypeVar("T")


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FixtureServer]:
    """One server for the module; each test sets its own routes."""
    with FixtureServer() as server:
        yield server


@pytest.fixture
def server(shared_server: FixtureServer) -> FixtureServer:
    """The shared server with no routes and no recorded requests."""
    shared_server.routes.clear()
    shared_server.requests.clear()
    return shared_server


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Hosts the fetcher really dialled; anything but a loopback literal fails the test.

    This wraps the socket-level connect under the guard, so even a broken guard
    could not send a packet to a non-loopback address from this module.
    """
    dialled: list[str] = []
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def loopback_only(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        dialled.append(host)
        try:
            loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise AssertionError(f"the fetcher tried to connect to {host}:{port}")
        return await real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", loopback_only)
    return dialled


def run(make: Callable[[Fetcher], Awaitable[T]], settings: Settings, **kwargs: Any) -> T:
    """``make(fetcher)`` on a fresh event loop, with a Fetcher that is closed afterwards."""

    async def scenario() -> T:
        async with Fetcher(settings, **kwargs) as fetcher:
            return await make(fetcher)

    return asyncio.run(scenario())


def fetch(settings: Settings, url: str, **kwargs: Any) -> FetchResult:
    """One fetch with a fresh Fetcher."""
    return run(lambda fetcher: fetcher.fetch(url, **kwargs), settings)


def paths(server: FixtureServer) -> list[str]:
    """The request paths the server saw, in order."""
    return [path for path, _headers in server.requests]


def host_of(server: FixtureServer) -> str:
    """The key the fetcher's HostLimiter uses for ``server``."""
    return urlsplit(server.base_url).netloc


# ── plain exchanges ──────────────────────────────────────────────────────────


def test_200_returns_body_headers_and_urls(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/page": Route(PAGE, headers={"X-Fixture": "yes"})})
    result = fetch(settings, server.url("/page"))

    assert result.status == 200
    assert result.body == PAGE
    assert result.headers["x-fixture"] == "yes"  # header names are lower-cased
    assert result.content_type == "text/html"
    assert result.url == result.final_url == server.url("/page")
    assert result.redirects == ()
    assert not result.not_modified
    assert result.elapsed_ms >= 0


def test_request_headers_name_wirebrief_and_accepted_encodings(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update({"/": Route(PAGE)})
    fetch(settings, server.url("/"), accept="text/html")

    _path, headers = server.requests[0]
    assert "Wirebrief" in headers["user-agent"]
    assert headers["user-agent"] == settings.user_agent
    assert headers["accept"] == "text/html"
    assert headers["accept-encoding"] == "gzip, deflate, br"


def test_default_accept_is_anything(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/": Route(PAGE)})
    fetch(settings, server.url("/"))
    assert server.requests[0][1]["accept"] == "*/*"


def test_404_raises_http_status_error_with_status(
    server: FixtureServer, settings: Settings
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(settings, server.url("/missing"))

    assert type(caught.value) is HTTPStatusError  # not RateLimited
    assert caught.value.status == 404
    assert caught.value.reason == "http_error"
    assert caught.value.url == server.url("/missing")


def test_connection_refused_is_a_fetch_error(server: FixtureServer, settings: Settings) -> None:
    with socket.socket() as probe:  # find a free loopback port, then close it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError):
        fetch(settings, f"http://127.0.0.1:{port}/")


def test_connection_dropped_mid_body_is_a_fetch_error(
    server: FixtureServer, settings: Settings
) -> None:
    """The server promises 100 kB, sends 1 kB and hangs up: an error, quickly."""
    server.routes.update({"/cut": Route(b"x" * 100_000, drop_after=1_000)})
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(settings, server.url("/cut"))

    assert time.monotonic() - started < 2.0  # not a wait for the read timeout
    assert not isinstance(caught.value, FetchTimeout | ResponseTooLarge)
    assert caught.value.reason == "fetch_failed"
    assert caught.value.url == server.url("/cut")


def test_one_fetcher_serves_many_concurrent_fetches(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update({f"/p{i}": Route(b"page %d" % i) for i in range(6)})

    async def many(fetcher: Fetcher) -> list[FetchResult]:
        return await asyncio.gather(*(fetcher.fetch(server.url(f"/p{i}")) for i in range(6)))

    results = run(many, settings)
    assert [r.body for r in results] == [b"page %d" % i for i in range(6)]


# ── rate limiting ────────────────────────────────────────────────────────────


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limit_status_raises_rate_limited_with_retry_after(
    server: FixtureServer, settings: Settings, status: int
) -> None:
    routes = {"/busy": Route(b"slow down", status=status, headers={"Retry-After": "120"})}
    server.routes.update(routes)
    with pytest.raises(RateLimited) as caught:
        fetch(settings, server.url("/busy"))

    assert isinstance(caught.value, HTTPStatusError)
    assert caught.value.status == status
    assert caught.value.retry_after_s == 120
    assert caught.value.reason == "rate_limited"
    assert caught.value.url == server.url("/busy")
    assert "120 s" in str(caught.value)


def test_retry_after_as_http_date(server: FixtureServer, settings: Settings) -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.routes.update({"/busy": Route(status=429, headers={"Retry-After": when})})
    with pytest.raises(RateLimited) as caught:
        fetch(settings, server.url("/busy"))

    assert caught.value.retry_after_s is not None
    assert 100 < caught.value.retry_after_s <= 120


def test_missing_retry_after_gives_none(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/busy": Route(status=503)})
    with pytest.raises(RateLimited) as caught:
        fetch(settings, server.url("/busy"))

    assert caught.value.status == 503
    assert caught.value.retry_after_s is None
    assert "retrying" not in str(caught.value)


def test_rate_limited_host_is_cooled_down(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/busy": Route(status=429, headers={"Retry-After": "120"})})
    limiter = HostLimiter(per_host=2, min_delay_s=0.0)

    async def scenario(fetcher: Fetcher) -> None:
        assert fetcher.limiter is limiter
        with pytest.raises(RateLimited):
            await fetcher.fetch(server.url("/busy"))

        assert 100 < await limiter.cooldown_left(host_of(server)) <= 120
        assert await limiter.cooldown_left("other.example:80") == 0.0

    run(scenario, settings, limiter=limiter)


def test_cooled_down_host_fails_fast(server: FixtureServer, settings: Settings) -> None:
    """While a host cools down for long, fetches give up at once, without a request."""
    server.routes.update({"/busy": Route(status=503, headers={"Retry-After": "60"})})

    async def scenario(fetcher: Fetcher) -> HostCoolingDown:
        with pytest.raises(RateLimited):
            await fetcher.fetch(server.url("/busy"))
        with pytest.raises(HostCoolingDown) as caught:
            await fetcher.fetch(server.url("/page"))
        return caught.value

    error = run(scenario, settings)
    assert paths(server) == ["/busy"]
    assert error.url == server.url("/page")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://news.example/feed", "news.example"),
        ("https://News.Example:8443/a?b=c", "news.example:8443"),
        ("https://reader:s3cret@news.example/private.xml", "news.example"),
        ("http://[2001:db8::1]:8080/", "[2001:db8::1]:8080"),
    ],
)
def test_host_key_is_host_and_port_without_credentials(url: str, key: str) -> None:
    assert host_key(url) == key


# ── parse_retry_after ────────────────────────────────────────────────────────

NOW = datetime(2024, 5, 14, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Tue, 14 May 2024 07:32:00 GMT", 120.0),  # an HTTP date in the future
        ("Tue, 14 May 2024 07:32:00 -0000", 120.0),  # no zone: taken as UTC
        ("Tue, 14 May 2024 07:00:00 GMT", 0.0),  # in the past: go ahead now
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
        ("999999999", MAX_RETRY_AFTER_S),  # capped at 24 h
        ("9" * 400, MAX_RETRY_AFTER_S),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER_S),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Tue, 99 Foo", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_cap_is_24_hours() -> None:
    assert MAX_RETRY_AFTER_S == 24 * 3600


def test_parse_retry_after_defaults_to_the_current_time() -> None:
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT") == 0.0
    ahead = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    seconds = parse_retry_after(ahead)
    assert seconds is not None
    assert 3500 < seconds <= 3600


def test_parse_retry_after_non_ascii_digit_is_garbage() -> None:
    assert parse_retry_after("\u00b2", NOW) is None


# ── size caps and content encodings ──────────────────────────────────────────


def test_declared_content_length_over_cap_is_refused(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update({"/big": Route(b"x" * (MIB + 1))})
    with pytest.raises(ResponseTooLarge, match="declares") as caught:
        fetch(settings, server.url("/big"))
    assert caught.value.reason == "too_large"


def test_streamed_body_without_length_over_cap_is_refused(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update({"/stream": Route(b"x" * (MIB + 4096), send_length=False, chunks=8)})
    with pytest.raises(ResponseTooLarge, match="exceeds"):
        fetch(settings, server.url("/stream"))


def test_body_exactly_at_cap_is_accepted(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/edge": Route(b"x" * MIB, send_length=False, chunks=4)})
    assert len(fetch(settings, server.url("/edge")).body) == MIB


def test_small_gzip_body_is_decoded(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/gz": Route(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})})
    assert fetch(settings, server.url("/gz")).body == PAGE


def test_brotli_body_is_decoded(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/br": Route(brotli.compress(PAGE), headers={"Content-Encoding": "br"})})
    result = fetch(settings, server.url("/br"))
    assert result.body == PAGE
    assert result.headers["content-encoding"] == "br"


def test_stacked_gzip_then_brotli_is_decoded(server: FixtureServer, settings: Settings) -> None:
    """``gzip, br``: gzip was applied first, so brotli is undone first."""
    body = brotli.compress(gzip.compress(PAGE))
    server.routes.update({"/both": Route(body, headers={"Content-Encoding": "gzip, br"})})
    assert fetch(settings, server.url("/both")).body == PAGE


@pytest.mark.parametrize(
    ("coding", "compress"),
    [("gzip", gzip.compress), ("br", brotli.compress)],
)
def test_compression_bomb_is_stopped_at_the_cap(
    server: FixtureServer,
    settings: Settings,
    coding: str,
    compress: Callable[[bytes], bytes],
) -> None:
    """A few KiB on the wire that inflate past the cap: the cap counts decoded bytes."""
    bomb = compress(b"\0" * (4 * MIB))
    assert len(bomb) < 16 * 1024
    server.routes.update({"/bomb": Route(bomb, headers={"Content-Encoding": coding})})
    with pytest.raises(ResponseTooLarge, match="decompressed"):
        fetch(settings, server.url("/bomb"))


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"this is not gzip data at all"),
        ("gzip", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64),  # bad deflate
        ("gzip", gzip.compress(PAGE)[:-12]),  # truncated
        ("br", b"\xff" * 64),
        ("compress", b"whatever"),  # a coding nobody decodes
    ],
    ids=["not-gzip", "corrupt-gzip", "truncated-gzip", "corrupt-br", "unsupported"],
)
def test_undecodable_body_is_a_fetch_error(
    server: FixtureServer, settings: Settings, coding: str, body: bytes
) -> None:
    server.routes.update({"/bad": Route(body, headers={"Content-Encoding": coding})})
    with pytest.raises(FetchError, match="decode") as caught:
        fetch(settings, server.url("/bad"))
    assert caught.value.reason == "fetch_failed"


# ── time limits ──────────────────────────────────────────────────────────────


def test_slow_server_hits_read_timeout(server: FixtureServer, settings: Settings) -> None:
    fast = settings.with_overrides(read_timeout_s=0.5)
    server.routes.update({"/slow": Route(PAGE, delay_s=1.5)})
    with pytest.raises(FetchTimeout) as caught:
        fetch(fast, server.url("/slow"))
    assert caught.value.reason == "timeout"


def test_trickling_body_hits_total_deadline(server: FixtureServer, settings: Settings) -> None:
    """Every read is quick, but the whole body would take 4 s: the deadline is hard."""
    limited = settings.with_overrides(read_timeout_s=2.0, total_timeout_s=0.5)
    routes = {"/trickle": Route(b"x" * 20_000, chunks=20, chunk_delay_s=0.2)}
    server.routes.update(routes)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="in total"):
        fetch(limited, server.url("/trickle"))
    assert time.monotonic() - started < 2.0


@contextmanager
def trickling_headers_server(interval_s: float, lines: int) -> Iterator[str]:
    """A raw socket server whose response headers arrive one line every ``interval_s``."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5.0)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        try:
            connection, _address = listener.accept()
        except OSError:
            return
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                for i in range(lines):
                    if stop.wait(interval_s):
                        return
                    connection.sendall(b"X-Trickle-%d: x\r\n" % i)
            except OSError:
                pass  # the client hung up, as intended

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop.set()
        thread.join(timeout=6.0)
        listener.close()


def test_trickling_headers_hit_total_deadline(settings: Settings) -> None:
    """Headers that never end (one line per 0.1 s for 4 s) cannot outlast the deadline."""
    limited = settings.with_overrides(read_timeout_s=2.0, total_timeout_s=0.5)
    with trickling_headers_server(interval_s=0.1, lines=40) as url:
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match="in total"):
            fetch(limited, url)
        assert time.monotonic() - started < 2.0


def test_per_host_concurrency_limits_fetches(server: FixtureServer, settings: Settings) -> None:
    """With one slot per host, three 0.15 s answers take at least 0.45 s."""
    serial = settings.with_overrides(per_host_concurrency=1)
    server.routes.update({f"/s{i}": Route(PAGE, delay_s=0.15) for i in range(3)})

    async def three(fetcher: Fetcher) -> list[FetchResult]:
        return await asyncio.gather(*(fetcher.fetch(server.url(f"/s{i}")) for i in range(3)))

    started = time.monotonic()
    results = run(three, serial)
    assert time.monotonic() - started >= 0.4  # two at once would take 0.3 s
    assert all(r.status == 200 for r in results)


# ── redirects ────────────────────────────────────────────────────────────────


def test_redirect_is_followed_and_final_url_recorded(
    server: FixtureServer, settings: Settings
) -> None:
    routes = {
        "/old": Route(status=301, headers={"Location": "/middle"}),
        "/middle": Route(status=302, headers={"Location": "/new"}),
        "/new": Route(PAGE),
    }
    server.routes.update(routes)
    result = fetch(settings, server.url("/old"))

    assert result.status == 200
    assert result.body == PAGE
    assert result.url == server.url("/old")
    assert result.final_url == server.url("/new")
    assert result.redirects == (server.url("/old"), server.url("/middle"))


def test_redirect_loop_is_refused(server: FixtureServer, settings: Settings) -> None:
    routes = {
        "/a": Route(status=302, headers={"Location": "/b"}),
        "/b": Route(status=302, headers={"Location": "/a"}),
    }
    server.routes.update(routes)
    with pytest.raises(TooManyRedirects, match="loop"):
        fetch(settings, server.url("/a"))
    assert paths(server) == ["/a", "/b"]


def _chain(length: int) -> dict[str, Route]:
    """/r0 -> /r1 -> ... -> /r{length}, which answers 200."""
    routes = {
        f"/r{i}": Route(status=302, headers={"Location": f"/r{i + 1}"}) for i in range(length)
    }
    routes[f"/r{length}"] = Route(PAGE)
    return routes


def test_too_many_redirects_is_refused(server: FixtureServer, settings: Settings) -> None:
    hops = settings.max_redirects + 1
    server.routes.update(_chain(hops))
    with pytest.raises(TooManyRedirects, match="more than"):
        fetch(settings, server.url("/r0"))
    assert f"/r{hops}" not in paths(server)


def test_exactly_max_redirects_is_allowed(server: FixtureServer, settings: Settings) -> None:
    hops = settings.max_redirects
    server.routes.update(_chain(hops))
    result = fetch(settings, server.url("/r0"))
    assert result.final_url == server.url(f"/r{hops}")
    assert len(result.redirects) == hops


# ── address checks ───────────────────────────────────────────────────────────


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_refused_when_no_private_network_is_allowed(
    server: FixtureServer, settings: Settings, connections: list[str], host: str
) -> None:
    """``localhost`` resolves to loopback, so it is refused like the literal address."""
    strict = Settings(allowed_private_networks=())
    server.routes.update({"/": Route(PAGE)})
    port = urlsplit(server.base_url).port
    with pytest.raises(AddressNotAllowed) as caught:
        fetch(strict, f"http://{host}:{port}/")

    assert caught.value.reason == "address_refused"
    assert caught.value.url == f"http://{host}:{port}/"
    assert server.requests == []
    assert connections == []  # refused before any connection was attempted


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/internal",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_redirect_to_private_address_is_refused(
    server: FixtureServer, settings: Settings, connections: list[str], target: str
) -> None:
    """Every hop is checked: an allowed first hop cannot bounce us inward."""
    server.routes.update({"/bounce": Route(status=302, headers={"Location": target})})
    with pytest.raises(AddressNotAllowed) as caught:
        fetch(settings, server.url("/bounce"))

    assert caught.value.url == target
    assert paths(server) == ["/bounce"]
    assert connections == ["127.0.0.1"]  # only the first hop was ever dialled


def test_redirect_to_file_url_is_refused(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/bounce": Route(status=302, headers={"Location": "file:///etc/passwd"})})
    with pytest.raises(UnsupportedURL):
        fetch(settings, server.url("/bounce"))


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "/relative"])
def test_non_http_schemes_are_unsupported(
    settings: Settings, connections: list[str], url: str
) -> None:
    with pytest.raises(UnsupportedURL) as caught:
        fetch(settings, url)
    assert caught.value.reason == "unsupported_url"
    assert connections == []


# ── conditional GET ──────────────────────────────────────────────────────────


def test_etag_round_trip_gives_not_modified(server: FixtureServer, settings: Settings) -> None:
    routes = {
        "/feed": Route(b"<rss/>", headers={"ETag": '"v1"'}, content_type="application/rss+xml")
    }
    server.routes.update(routes)

    async def twice(fetcher: Fetcher) -> tuple[FetchResult, FetchResult]:
        first = await fetcher.fetch(server.url("/feed"))
        second = await fetcher.fetch(server.url("/feed"), etag=first.etag)
        return first, second

    first, second = run(twice, settings)

    assert first.etag == '"v1"'
    assert not first.not_modified
    assert second.not_modified
    assert second.status == 304
    assert second.body == b""
    assert server.requests[1][1]["if-none-match"] == '"v1"'


def test_last_modified_is_sent_as_if_modified_since(
    server: FixtureServer, settings: Settings
) -> None:
    stamp = "Tue, 14 May 2024 07:30:00 GMT"
    server.routes.update({"/feed": Route(b"<rss/>", headers={"Last-Modified": stamp})})

    async def twice(fetcher: Fetcher) -> FetchResult:
        first = await fetcher.fetch(server.url("/feed"))
        await fetcher.fetch(server.url("/feed"), last_modified=first.last_modified)
        return first

    first = run(twice, settings)

    assert first.last_modified == stamp
    assert "if-modified-since" not in server.requests[0][1]
    assert server.requests[1][1]["if-modified-since"] == stamp


# ── robots.txt ───────────────────────────────────────────────────────────────

ROBOTS = b"User-agent: Wirebrief\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"


def _robots_routes(robots: Route) -> dict[str, Route]:
    routes = {"/robots.txt": robots, "/private/page": Route(PAGE)}
    routes.update({f"/public/page{i}": Route(PAGE) for i in range(5)})
    return routes


def test_robots_disallow_applies_only_with_check_robots(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update(_robots_routes(Route(ROBOTS, content_type="text/plain")))

    async def scenario(fetcher: Fetcher) -> None:
        with pytest.raises(RobotsDisallowed) as caught:
            await fetcher.fetch(server.url("/private/page"), check_robots=True)
        assert caught.value.reason == "robots_disallowed"
        assert "/private/page" not in paths(server)

        public = await fetcher.fetch(server.url("/public/page0"), check_robots=True)
        assert public.status == 200
        unchecked = await fetcher.fetch(server.url("/private/page"))  # no robots check
        assert unchecked.status == 200

    run(scenario, settings)
    assert paths(server).count("/robots.txt") == 1  # cached per origin


def test_robots_fetched_once_for_concurrent_pages(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update(_robots_routes(Route(ROBOTS, content_type="text/plain", delay_s=0.1)))
    urls = [server.url(f"/public/page{i}") for i in range(5)] + [server.url("/private/page")]

    async def together(fetcher: Fetcher) -> list[FetchResult | BaseException]:
        return await asyncio.gather(
            *(fetcher.fetch(url, check_robots=True) for url in urls), return_exceptions=True
        )

    results = run(together, settings)

    assert paths(server).count("/robots.txt") == 1
    assert paths(server)[0] == "/robots.txt"  # every page waited for the rules
    assert all(isinstance(r, FetchResult) and r.status == 200 for r in results[:5])
    assert isinstance(results[5], RobotsDisallowed)
    assert "/private/page" not in paths(server)
    assert sorted(paths(server)[1:]) == [f"/public/page{i}" for i in range(5)]


def test_robots_ignored_when_settings_say_so(server: FixtureServer, settings: Settings) -> None:
    relaxed = settings.with_overrides(respect_robots_txt=False)
    server.routes.update(_robots_routes(Route(ROBOTS, content_type="text/plain")))
    assert fetch(relaxed, server.url("/private/page"), check_robots=True).status == 200
    assert "/robots.txt" not in paths(server)


def test_missing_robots_txt_allows_everything(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/private/page": Route(PAGE)})  # /robots.txt answers 404
    assert fetch(settings, server.url("/private/page"), check_robots=True).status == 200
    assert paths(server) == ["/robots.txt", "/private/page"]


@pytest.mark.parametrize(
    "robots",
    [
        Route(b"oops", status=500, content_type="text/plain"),
        Route(b"oops", status=503, content_type="text/plain"),
        Route(b"slow down", status=429, content_type="text/plain"),
        Route(b"User-agent: *\nAllow: /\n", delay_s=3.0, content_type="text/plain"),  # timeout
        Route(b"User-agent: *\nAllow: /\n", drop_after=3, content_type="text/plain"),
    ],
    ids=["500", "503", "429", "timeout", "dropped"],
)
def test_unreachable_robots_txt_means_do_not_crawl_and_try_later(
    server: FixtureServer, settings: Settings, robots: Route
) -> None:
    """RFC 9309 §2.3.1.4: an unreachable robots.txt disallows everything. The failure
    passes (the page is tried again later), and robots.txt is not asked again per page."""
    server.routes.update(_robots_routes(robots))
    quick = settings.with_overrides(read_timeout_s=0.5, total_timeout_s=1.0)

    async def scenario(fetcher: Fetcher) -> list[BaseException]:
        errors = []
        for i in range(3):
            try:
                await fetcher.fetch(server.url(f"/public/page{i}"), check_robots=True)
            except FetchError as exc:
                errors.append(exc)
        return errors

    errors = run(scenario, quick)
    assert len(errors) == 3
    assert all(isinstance(e, RobotsUnreachable) for e in errors), errors
    assert all(e.transient and e.reason == "robots_unreachable" for e in errors)
    assert all(0 < e.retry_after_s <= 300 for e in errors)
    assert "retrying after" in str(errors[0])
    assert [p for p in paths(server) if p != "/robots.txt"] == []
    assert paths(server).count("/robots.txt") == 1


def test_robots_txt_on_a_host_that_refuses_connections(settings: Settings) -> None:
    with FixtureServer() as closed:
        url = closed.url("/public/page0")
    with pytest.raises(RobotsUnreachable):
        fetch(settings, url, check_robots=True)


def test_robots_txt_client_errors_allow_everything(
    server: FixtureServer, settings: Settings
) -> None:
    """§2.3.1.3: robots.txt answering 4xx (here 403) is unavailable: no rules apply."""
    server.routes.update(_robots_routes(Route(b"no", status=403, content_type="text/plain")))
    assert fetch(settings, server.url("/private/page"), check_robots=True).status == 200


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_robots_txt_is_read_again_after_24_hours(server: FixtureServer, settings: Settings) -> None:
    server.routes.update(_robots_routes(Route(ROBOTS, content_type="text/plain")))
    clock = Clock()

    async def scenario(fetcher: Fetcher) -> None:
        fetcher.robots.clock = clock
        await fetcher.fetch(server.url("/public/page0"), check_robots=True)
        clock.now += 23 * 3600
        await fetcher.fetch(server.url("/public/page1"), check_robots=True)
        assert paths(server).count("/robots.txt") == 1
        # The publisher opens /private/ to us; a day later we read it again and see that.
        server.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
        clock.now += 3600
        await fetcher.fetch(server.url("/private/page"), check_robots=True)
        assert paths(server).count("/robots.txt") == 2

    run(scenario, settings)


def test_a_copy_read_earlier_is_used_while_robots_txt_is_unreachable(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update(_robots_routes(Route(ROBOTS, content_type="text/plain")))
    clock = Clock()

    async def scenario(fetcher: Fetcher) -> None:
        fetcher.robots.clock = clock
        await fetcher.fetch(server.url("/public/page0"), check_robots=True)
        server.routes["/robots.txt"] = Route(b"down", status=502)
        clock.now += 25 * 3600  # expired: read again, and it is unreachable
        assert (await fetcher.fetch(server.url("/public/page1"), check_robots=True)).status == 200
        with pytest.raises(RobotsDisallowed):  # the earlier rules still apply
            await fetcher.fetch(server.url("/private/page"), check_robots=True)
        assert paths(server).count("/robots.txt") == 2
        clock.now += 301  # an unreachable robots.txt is asked again after five minutes
        server.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
        assert (await fetcher.fetch(server.url("/private/page"), check_robots=True)).status == 200
        assert paths(server).count("/robots.txt") == 3

    run(scenario, settings)


def test_an_unreachable_robots_txt_is_asked_again_later(
    server: FixtureServer, settings: Settings
) -> None:
    server.routes.update(_robots_routes(Route(b"down", status=500)))
    clock = Clock()

    async def scenario(fetcher: Fetcher) -> None:
        fetcher.robots.clock = clock
        with pytest.raises(RobotsUnreachable):
            await fetcher.fetch(server.url("/public/page0"), check_robots=True)
        server.routes["/robots.txt"] = Route(ROBOTS, content_type="text/plain")
        clock.now += 299
        with pytest.raises(RobotsUnreachable):
            await fetcher.fetch(server.url("/public/page0"), check_robots=True)
        clock.now += 2
        assert (await fetcher.fetch(server.url("/public/page0"), check_robots=True)).status == 200

    run(scenario, settings)
    assert paths(server).count("/robots.txt") == 2


def test_a_long_cooldown_never_holds_queued_fetches(settings: Settings) -> None:
    """One page answers 429 with Retry-After 3600 while more fetches of its host wait for
    the host's one slot: each of them fails at once as HostCoolingDown (a passing failure,
    retried after the hour), and a second host is served meanwhile."""
    with FixtureServer() as busy, FixtureServer() as calm:
        busy.routes["/first"] = Route(b"no", status=429, headers={"Retry-After": "3600"},
                                      delay_s=0.2)  # fmt: skip
        busy.routes.update({f"/page{i}": Route(PAGE) for i in range(6)})
        calm.routes.update({f"/page{i}": Route(PAGE) for i in range(6)})
        limiter = HostLimiter(per_host=1, min_delay_s=0.0)

        async def scenario(fetcher: Fetcher) -> tuple[list[object], list[object], float]:
            began = time.monotonic()
            busy_urls = [busy.url("/first")] + [busy.url(f"/page{i}") for i in range(6)]
            results = await asyncio.gather(
                *(fetcher.fetch(url) for url in busy_urls),
                *(fetcher.fetch(calm.url(f"/page{i}")) for i in range(6)),
                return_exceptions=True,
            )
            return results[:7], results[7:], time.monotonic() - began

        busy_results, calm_results, took = run(scenario, settings, limiter=limiter)
        assert busy.requests and [p for p, _ in busy.requests] == ["/first"]
    assert isinstance(busy_results[0], RateLimited)
    assert all(isinstance(r, HostCoolingDown) for r in busy_results[1:]), busy_results
    assert all(3590 < r.retry_after_s <= 3600 for r in busy_results[1:])  # type: ignore[union-attr]
    assert all(isinstance(r, FetchResult) for r in calm_results)
    assert took < 5.0
