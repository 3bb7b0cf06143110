"""Fetcher against a real HTTP server on 127.0.0.1 (tests/support/httpserver.py).

No test here talks to any host but 127.0.0.1; refused addresses are literal IPs
that are rejected before any connection is attempted.
"""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator

import pytest

from tests.support.httpserver import FixtureServer, Route
from wirebrief.errors import (
    AddressNotAllowed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    UnsupportedURL,
)
from wirebrief.fetch import Fetcher
from wirebrief.settings import Settings

MIB = 1024 * 1024
PAGE = b"<html><body><p>Hello from the fixture server.</p></body></html>"


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


def paths(server: FixtureServer) -> list[str]:
    """The request paths the server saw, in order."""
    return [path for path, _headers in server.requests]


# ── plain exchanges ──────────────────────────────────────────────────────────


def test_200_returns_body_headers_and_urls(server: FixtureServer, settings: Settings) -> None:
    routes = {"/page": Route(PAGE, headers={"X-Fixture": "yes"})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(server.url("/page"))

    assert result.status == 200
    assert result.body == PAGE
    assert result.headers["x-fixture"] == "yes"  # header names are lower-cased
    assert result.content_type == "text/html"
    assert result.url == result.final_url == server.url("/page")
    assert result.redirects == ()
    assert not result.not_modified
    assert result.elapsed_ms >= 0


def test_user_agent_names_wirebrief(server: FixtureServer, settings: Settings) -> None:
    server.routes.update({"/": Route(PAGE)})
    with Fetcher(settings) as fetcher:
        fetcher.fetch(server.url("/"), accept="text/html")

    _path, headers = server.requests[0]
    assert "Wirebrief" in headers["user-agent"]
    assert headers["accept"] == "text/html"


def test_404_raises_http_status_error_with_status(
    server: FixtureServer, settings: Settings
) -> None:
    with Fetcher(settings) as fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(server.url("/missing"))

    assert caught.value.status == 404
    assert caught.value.reason == "http_error"
    assert caught.value.url == server.url("/missing")


def test_connection_refused_is_a_fetch_error(server: FixtureServer, settings: Settings) -> None:
    with socket.socket() as probe:  # find a free loopback port, then close it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with Fetcher(settings) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(f"http://127.0.0.1:{port}/")


# ── size caps ────────────────────────────────────────────────────────────────


def test_declared_content_length_over_cap_is_refused(
    server: FixtureServer, settings: Settings
) -> None:
    routes = {"/big": Route(b"x" * (MIB + 1))}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(ResponseTooLarge, match="declares"):
        fetcher.fetch(server.url("/big"))


def test_streamed_body_without_length_over_cap_is_refused(
    server: FixtureServer, settings: Settings
) -> None:
    routes = {"/stream": Route(b"x" * (MIB + 4096), send_length=False, chunks=8)}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(ResponseTooLarge, match="exceeds"):
        fetcher.fetch(server.url("/stream"))


def test_body_exactly_at_cap_is_accepted(server: FixtureServer, settings: Settings) -> None:
    routes = {"/edge": Route(b"x" * MIB, send_length=False, chunks=4)}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        assert len(fetcher.fetch(server.url("/edge")).body) == MIB


def test_gzip_bomb_is_stopped_at_the_cap(server: FixtureServer, settings: Settings) -> None:
    """A few KiB on the wire that inflate past the cap: the cap counts decoded bytes."""
    bomb = gzip.compress(b"\0" * (4 * MIB))
    assert len(bomb) < 16 * 1024
    routes = {"/bomb": Route(bomb, headers={"Content-Encoding": "gzip"})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(ResponseTooLarge):
        fetcher.fetch(server.url("/bomb"))


def test_small_gzip_body_is_decoded(server: FixtureServer, settings: Settings) -> None:
    routes = {"/gz": Route(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(server.url("/gz")).body == PAGE


# ── time limits ──────────────────────────────────────────────────────────────


def test_slow_server_hits_read_timeout(server: FixtureServer, settings: Settings) -> None:
    fast = settings.with_overrides(read_timeout_s=0.5)
    server.routes.update({"/slow": Route(PAGE, delay_s=1.5)})
    with Fetcher(fast) as fetcher, pytest.raises(FetchTimeout) as caught:
        fetcher.fetch(server.url("/slow"))
    assert caught.value.reason == "timeout"


def test_trickling_body_hits_total_deadline(server: FixtureServer, settings: Settings) -> None:
    """Every read is quick, but the whole body takes longer than total_timeout_s."""
    limited = settings.with_overrides(read_timeout_s=2.0, total_timeout_s=0.5)
    routes = {"/trickle": Route(b"x" * 8000, chunks=8, chunk_delay_s=0.15)}
    server.routes.update(routes)
    with Fetcher(limited) as fetcher, pytest.raises(FetchTimeout, match="in total"):
        fetcher.fetch(server.url("/trickle"))


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
    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(server.url("/old"))

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
    with Fetcher(settings) as fetcher, pytest.raises(TooManyRedirects, match="loop"):
        fetcher.fetch(server.url("/a"))
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
    with Fetcher(settings) as fetcher, pytest.raises(TooManyRedirects, match="more than"):
        fetcher.fetch(server.url("/r0"))
    assert f"/r{hops}" not in paths(server)


def test_exactly_max_redirects_is_allowed(server: FixtureServer, settings: Settings) -> None:
    hops = settings.max_redirects
    server.routes.update(_chain(hops))
    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(server.url("/r0"))
    assert result.final_url == server.url(f"/r{hops}")
    assert len(result.redirects) == hops


# ── address checks ───────────────────────────────────────────────────────────


def test_loopback_refused_when_no_private_network_is_allowed(
    server: FixtureServer, settings: Settings
) -> None:
    strict = Settings(allowed_private_networks=())
    server.routes.update({"/": Route(PAGE)})
    with Fetcher(strict) as fetcher, pytest.raises(AddressNotAllowed) as caught:
        fetcher.fetch(server.url("/"))
    assert caught.value.reason == "address_refused"
    assert server.requests == []


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"],
)
def test_redirect_to_private_address_is_refused(
    server: FixtureServer, settings: Settings, target: str
) -> None:
    """Every hop is checked: a public-looking first hop cannot bounce us inward."""
    routes = {"/bounce": Route(status=302, headers={"Location": target})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(server.url("/bounce"))
    assert paths(server) == ["/bounce"]


def test_redirect_to_file_url_is_refused(server: FixtureServer, settings: Settings) -> None:
    routes = {"/bounce": Route(status=302, headers={"Location": "file:///etc/passwd"})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(UnsupportedURL):
        fetcher.fetch(server.url("/bounce"))


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd"])
def test_non_http_schemes_are_unsupported(
    server: FixtureServer, settings: Settings, url: str
) -> None:
    with Fetcher(settings) as fetcher, pytest.raises(UnsupportedURL):
        fetcher.fetch(url)


# ── conditional GET ──────────────────────────────────────────────────────────


def test_etag_round_trip_gives_not_modified(server: FixtureServer, settings: Settings) -> None:
    routes = {
        "/feed": Route(b"<rss/>", headers={"ETag": '"v1"'}, content_type="application/rss+xml")
    }
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        first = fetcher.fetch(server.url("/feed"))
        second = fetcher.fetch(server.url("/feed"), etag=first.etag)

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
    routes = {"/feed": Route(b"<rss/>", headers={"Last-Modified": stamp})}
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        first = fetcher.fetch(server.url("/feed"))
        fetcher.fetch(server.url("/feed"), last_modified=first.last_modified)

    assert first.last_modified == stamp
    assert "if-modified-since" not in server.requests[0][1]
    assert server.requests[1][1]["if-modified-since"] == stamp


# ── robots.txt ───────────────────────────────────────────────────────────────

ROBOTS = b"User-agent: Wirebrief\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"


def _robots_routes(robots: Route) -> dict[str, Route]:
    return {
        "/robots.txt": robots,
        "/private/page": Route(PAGE),
        "/public/page": Route(PAGE),
    }


def test_robots_disallow_applies_only_with_check_robots(
    server: FixtureServer, settings: Settings
) -> None:
    routes = _robots_routes(Route(ROBOTS, content_type="text/plain"))
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        with pytest.raises(RobotsDisallowed):
            fetcher.fetch(server.url("/private/page"), check_robots=True)
        assert "/private/page" not in paths(server)

        assert fetcher.fetch(server.url("/public/page"), check_robots=True).status == 200
        assert fetcher.fetch(server.url("/private/page")).status == 200  # no robots check

    assert paths(server).count("/robots.txt") == 1  # cached per origin


def test_robots_ignored_when_settings_say_so(server: FixtureServer, settings: Settings) -> None:
    relaxed = settings.with_overrides(respect_robots_txt=False)
    routes = _robots_routes(Route(ROBOTS, content_type="text/plain"))
    server.routes.update(routes)
    with Fetcher(relaxed) as fetcher:
        assert fetcher.fetch(server.url("/private/page"), check_robots=True).status == 200
    assert "/robots.txt" not in paths(server)


def test_missing_robots_txt_allows_everything(server: FixtureServer, settings: Settings) -> None:
    routes = {"/private/page": Route(PAGE)}  # /robots.txt answers 404
    server.routes.update(routes)
    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(server.url("/private/page"), check_robots=True).status == 200
    assert paths(server) == ["/robots.txt", "/private/page"]


def test_robots_server_error_means_do_not_crawl(server: FixtureServer, settings: Settings) -> None:
    """RFC 9309: an unreachable robots.txt (5xx) disallows everything."""
    routes = _robots_routes(Route(b"oops", status=503, content_type="text/plain"))
    server.routes.update(routes)
    with Fetcher(settings) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url("/public/page"), check_robots=True)
