"""HTTP fetching with the limits a hostile internet calls for.

Caps: redirects (with loop detection), body size while streaming (after
decompression, so a gzip bomb stops at the cap), connect/read timeouts and a
deadline for the whole fetch. Addresses are checked on every hop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from wirebrief.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
)
from wirebrief.fetch.netguard import check_url
from wirebrief.settings import Settings

_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


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


class Fetcher:
    """A reusable HTTP client; use as a context manager or call :meth:`close`."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        timeout = httpx.Timeout(
            connect=settings.connect_timeout_s,
            read=settings.read_timeout_s,
            write=settings.read_timeout_s,
            pool=settings.connect_timeout_s,
        )
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,
        )
        self._robots: dict[str, Protego | None] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections."""
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        check_robots: bool = False,
    ) -> FetchResult:
        """GET ``url``; raise a :class:`FetchError` subclass on any failure or HTTP error."""
        if check_robots and self.settings.respect_robots_txt:
            self._check_robots(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = self._get(url, headers)
        if result.status >= 400:
            raise HTTPStatusError(url, result.status, f"server answered HTTP {result.status}")
        return result

    def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        started = time.monotonic()
        deadline = started + self.settings.total_timeout_s
        seen: list[str] = []
        current = url
        while True:
            if time.monotonic() > deadline:
                raise FetchTimeout(url, f"took longer than {self.settings.total_timeout_s:g} s")
            check_url(current, self.settings.allowed_private_networks)
            status, response_headers, body = self._exchange(current, headers, deadline)
            location = response_headers.get("location")
            if status not in _REDIRECT_STATUSES or not location:
                elapsed = int((time.monotonic() - started) * 1000)
                return FetchResult(
                    url, current, status, response_headers, body, elapsed, tuple(seen)
                )
            seen.append(current)
            current = urljoin(current, location.strip())
            if current in seen:
                raise TooManyRedirects(url, f"redirect loop back to {current}")
            if len(seen) > self.settings.max_redirects:
                raise TooManyRedirects(
                    url, f"more than {self.settings.max_redirects} redirects (last: {current})"
                )

    def _exchange(
        self, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        cap = self.settings.max_body_bytes
        try:
            # No single read may outlive the deadline of the whole fetch.
            left = max(0.001, deadline - time.monotonic())
            timeout = httpx.Timeout(
                connect=min(self.settings.connect_timeout_s, left),
                read=min(self.settings.read_timeout_s, left),
                write=min(self.settings.read_timeout_s, left),
                pool=min(self.settings.connect_timeout_s, left),
            )
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code in _REDIRECT_STATUSES or response.status_code == 304:
                    return response.status_code, response_headers, b""
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise ResponseTooLarge(url, f"declares {declared} bytes; the cap is {cap}")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise ResponseTooLarge(url, f"body exceeds the cap of {cap} bytes")
                    if time.monotonic() > deadline:
                        raise FetchTimeout(
                            url, f"took longer than {self.settings.total_timeout_s:g} s in total"
                        )
                    chunks.append(chunk)
                return response.status_code, response_headers, b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, f"timed out ({type(exc).__name__})") from exc
        except httpx.DecodingError as exc:
            raise FetchError(url, f"could not decode the compressed body: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is not None and not rules.can_fetch(url, self.settings.user_agent):
            raise RobotsDisallowed(url, "robots.txt of this host disallows fetching it")

    def _load_robots(self, origin: str) -> Protego | None:
        """Parsed robots.txt; ``None`` (allow all) when the host has none."""
        try:
            result = self._get(f"{origin}/robots.txt", {"Accept": "text/plain"})
        except FetchError:
            return None
        if result.status >= 500:
            # A server error on robots.txt means "do not crawl now" (RFC 9309, 2.3.1.4).
            return Protego.parse("User-agent: *\nDisallow: /")
        if result.status >= 400:
            return None
        return Protego.parse(result.body.decode("utf-8", errors="replace"))
