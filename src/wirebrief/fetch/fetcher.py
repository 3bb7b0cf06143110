"""Asynchronous HTTP fetching with the limits a hostile internet calls for.

Caps: redirects (with loop detection), body size while streaming, before and
after decompression (so a compression bomb stops at the cap), connect and read
timeouts, and a hard deadline for the whole fetch. Addresses are checked when
each connection is made (see ``netguard``), robots.txt is honoured for pages, and
each host gets at most a few requests at a time, spaced out (see ``hosts``).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from wirebrief.errors import (
    AddressNotAllowed,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HostCoolingDown,
    HTTPStatusError,
    RateLimited,
    ResolveError,
    ResponseTooLarge,
    TooManyRedirects,
)
from wirebrief.fetch.decoding import (
    ACCEPT_ENCODING,
    CorruptBody,
    DecodedTooLarge,
    UnsupportedEncoding,
    make_decoder,
)
from wirebrief.fetch.hosts import HostLimiter
from wirebrief.fetch.netguard import GuardedNetworkBackend, check_scheme
from wirebrief.fetch.robots import RobotsCache
from wirebrief.settings import Settings
from wirebrief.times import as_utc

_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_RATE_LIMIT_STATUSES = {429, 503}
MAX_RETRY_AFTER_S = 24 * 3600.0


@dataclass(frozen=True)
class FetchResult:
    """One completed HTTP exchange (after redirects)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: int
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        """True when a conditional GET answered 304."""
        return self.status == 304

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def etag(self) -> str | None:
        """The ETag validator, if the server sent one."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified validator, if the server sent one."""
        return self.headers.get("last-modified")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every fetcher: building one costs tens of milliseconds."""
    return httpx.create_ssl_context(trust_env=False)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with a connection pool that only connects to checked addresses."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(verify=_ssl_context())
        # httpx does not take a network backend; its pool does. Same pool, our backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=settings.fetch_concurrency,
            max_keepalive_connections=settings.fetch_concurrency,
            keepalive_expiry=5.0,
            network_backend=GuardedNetworkBackend(settings.allowed_private_networks),
        )


class Fetcher:
    """A reusable async HTTP client: ``async with Fetcher(settings) as fetcher: ...``."""

    def __init__(self, settings: Settings, limiter: HostLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or HostLimiter.from_settings(settings)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=settings.connect_timeout_s,
                read=settings.read_timeout_s,
                write=settings.read_timeout_s,
                pool=settings.total_timeout_s,
            ),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            transport=_GuardedTransport(settings),
            trust_env=False,
        )
        self.robots = RobotsCache(self._get_robots, settings.user_agent)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release pooled connections."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        check_robots: bool = False,
    ) -> FetchResult:
        """GET ``url``; raise a :class:`FetchError` subclass on any failure or HTTP error."""
        check_scheme(url)
        if check_robots and self.settings.respect_robots_txt:
            await self.robots.check(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = await self._polite_get(url, headers)
        if result.status in _RATE_LIMIT_STATUSES:
            retry_after = parse_retry_after(result.headers.get("retry-after"))
            raise RateLimited(url, result.status, retry_after)
        if result.status >= 400:
            raise HTTPStatusError(url, result.status, f"server answered HTTP {result.status}")
        return result

    async def _polite_get(self, url: str, headers: dict[str, str]) -> FetchResult:
        """:meth:`_get` in a slot of the host's limiter; an answer asking us to slow down
        cools the host down (Retry-After, else 10 × the delay between requests)."""
        host = host_key(url)
        try:
            async with self.limiter.slot(host):
                result = await self._get(url, headers)
        except HostCoolingDown as exc:  # raised before any request: name the URL
            raise HostCoolingDown(url, exc.retry_after_s) from None
        if result.status in _RATE_LIMIT_STATUSES:
            retry_after = parse_retry_after(result.headers.get("retry-after"))
            await self.limiter.cool_down(host, retry_after or self.settings.per_host_delay_s * 10)
        return result

    async def _get_robots(self, url: str) -> tuple[int, bytes]:
        result = await self._polite_get(url, {"Accept": "text/plain"})
        return result.status, result.body

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        started = time.monotonic()
        total = self.settings.total_timeout_s
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, headers, started)
        except TimeoutError as exc:
            raise FetchTimeout(url, f"took longer than {total:g} s in total") from exc

    async def _follow(self, url: str, headers: dict[str, str], started: float) -> FetchResult:
        seen: list[str] = []
        current = url
        while True:
            check_scheme(current)
            status, response_headers, body = await self._exchange(current, headers)
            location = response_headers.get("location")
            if status not in _REDIRECT_STATUSES or not location:
                elapsed = int((time.monotonic() - started) * 1000)
                return FetchResult(url, current, status, response_headers, body, elapsed,
                                   tuple(seen))  # fmt: skip
            seen.append(current)
            current = urljoin(current, location.strip())
            if current in seen:
                raise TooManyRedirects(url, f"redirect loop back to {current}")
            if len(seen) > self.settings.max_redirects:
                raise TooManyRedirects(
                    url, f"more than {self.settings.max_redirects} redirects (last: {current})"
                )

    async def _exchange(
        self, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        cap = self.settings.max_body_bytes
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                status = response.status_code
                if status in _REDIRECT_STATUSES or status == 304 or status >= 400:
                    return status, response_headers, b""
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise ResponseTooLarge(url, f"declares {declared} bytes; the cap is {cap}")
                decoder = make_decoder(response_headers.get("content-encoding", ""), cap)
                chunks: list[bytes] = []
                received = 0
                async for raw in response.aiter_raw():
                    received += len(raw)
                    if received > cap:
                        raise ResponseTooLarge(url, f"body exceeds the cap of {cap} bytes")
                    chunks.append(decoder.decode(raw))
                chunks.append(decoder.flush())
                return status, response_headers, b"".join(chunks)
        except (AddressNotAllowed, ResolveError) as exc:  # raised by the guard: name the URL
            raise type(exc)(url, str(exc).split(": ", 1)[-1]) from exc
        except DecodedTooLarge as exc:
            raise ResponseTooLarge(
                url, f"decompressed body exceeds the cap of {cap} bytes"
            ) from exc
        except (CorruptBody, UnsupportedEncoding) as exc:
            raise FetchError(url, f"could not decode the compressed body: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            message = f"{type(exc).__name__}: {exc or 'connection failed'}"
            raise ConnectionFailed(url, message) from exc


def host_key(url: str) -> str:
    """The host (and port) politeness counts requests by; never the URL's credentials,
    which would otherwise end up in the shared host schedule."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), bounded."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (as_utc(when) - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
