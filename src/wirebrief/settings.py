"""Settings: one object, read from the environment, passed explicitly to every stage."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wirebrief import __version__
from wirebrief.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///./var/wirebrief.db"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Settings:
    """Every knob Wirebrief has. ``docs`` in the README mirror this list."""

    database_url: str = DEFAULT_DATABASE_URL
    user_agent: str = f"Wirebrief/{__version__} (+https://github.com/wirebrief/wirebrief)"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allowed_private_networks: tuple[Network, ...] = ()
    respect_robots_txt: bool = True
    fetch_concurrency: int = 32
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    extract_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    default_poll_interval_s: int = 15 * 60
    min_poll_interval_s: int = 5 * 60
    max_poll_interval_s: int = 24 * 3600
    reading_words_per_minute: int = 230
    reading_cjk_chars_per_minute: int = 500
    removal_contact: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # web: requests served at once per process (= database connections), how many may wait
    # for one and for how long; beyond that a request is answered 503 with Retry-After.
    web_threads: int = 4
    web_queue: int = 100
    web_queue_timeout_s: float = 2.0
    # Reverse proxies whose X-Forwarded-For / Forwarded headers name the client (none: the
    # headers are ignored, and the connecting address is the client).
    trusted_proxies: tuple[Network, ...] = ()
    # The reader's address as its users reach it, for links in feeds, share links and webhooks
    # (without it, links follow each request's Host header).
    public_url: str | None = None
    # Whether anyone may read without signing in (changing anything always needs an account).
    public_reader: bool = True
    # web: public pages kept per data version in each web process (web/pagecache.py)
    page_cache: bool = True
    # web: processes serving the reader (`wirebrief serve --workers`)
    web_workers: int = 1
    # web: a port of its own for /healthz, answered by a thread outside the request loop, so a
    # monitor gets its answer however busy the pages are (none: /healthz on the reader's port)
    health_port: int | None = None
    # summarize: an optional OpenAI-compatible LLM for TLDRs (none: extractive only)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_timeout_s: float = 60.0
    llm_retries: int = 2
    llm_concurrency: int = 4
    # markets: where prices come from (none by default: Wirebrief stays offline)
    price_providers: tuple[str, ...] = ()
    prices_dir: Path | None = None
    sample_prices: bool = False  # the demo's generated series, labelled as sample data
    coingecko_url: str = "https://api.coingecko.com/api/v3"
    yahoo_url: str = "https://query1.finance.yahoo.com"
    stooq_url: str = "https://stooq.com"
    price_cache_ttl_s: int = 300
    price_request_interval_s: float = 2.0
    # jobs (PostgreSQL): how often a worker proves it is alive, and when its jobs are retried
    worker_heartbeat_s: float = 10.0
    stalled_job_after_s: float = 60.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``WIREBRIEF_*`` variables; explicit overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (variable, parse) in _ENVIRONMENT.items():
            raw = env.get(variable)
            if raw is None or raw == "":
                continue
            try:
                values[name] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{variable}={raw!r} is not valid: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the URL is a SQLite file URL, else ``None``."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


def parse_networks(raw: str) -> tuple[Network, ...]:
    """Parse ``WIREBRIEF_ALLOW_PRIVATE_NETWORKS``: a comma list of CIDRs or addresses."""
    networks = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(f"{part!r} is not an IP network such as 127.0.0.1/32") from exc
    return tuple(networks)


PRICE_PROVIDERS = ("files", "coingecko", "yahoo", "stooq")


def parse_price_providers(raw: str) -> tuple[str, ...]:
    """Parse ``WIREBRIEF_PRICE_PROVIDERS``: a comma list, asked in this order."""
    names = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = [name for name in names if name not in PRICE_PROVIDERS]
    if unknown:
        raise ValueError(f"unknown {', '.join(unknown)}; use {', '.join(PRICE_PROVIDERS)}")
    return names


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 or a positive integer")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise ValueError("must be 0 or a positive number")
    return value


def parse_public_url(raw: str) -> str:
    """Parse ``WIREBRIEF_PUBLIC_URL``: an absolute http(s) address, without a trailing slash."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("use the reader's address as users reach it, e.g. https://news.example")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("give only scheme, host, port and path, e.g. https://news.example/desk")
    return raw.strip().rstrip("/")


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("use true or false")


_ENVIRONMENT: dict[str, tuple[str, Callable[[str], object]]] = {
    "database_url": ("WIREBRIEF_DATABASE_URL", str),
    "user_agent": ("WIREBRIEF_USER_AGENT", str),
    "connect_timeout_s": ("WIREBRIEF_CONNECT_TIMEOUT", _positive_float),
    "read_timeout_s": ("WIREBRIEF_READ_TIMEOUT", _positive_float),
    "total_timeout_s": ("WIREBRIEF_TOTAL_TIMEOUT", _positive_float),
    "max_body_bytes": ("WIREBRIEF_MAX_BODY_BYTES", _positive_int),
    "max_redirects": ("WIREBRIEF_MAX_REDIRECTS", _positive_int),
    "allowed_private_networks": ("WIREBRIEF_ALLOW_PRIVATE_NETWORKS", parse_networks),
    "respect_robots_txt": ("WIREBRIEF_RESPECT_ROBOTS_TXT", _boolean),
    "fetch_concurrency": ("WIREBRIEF_FETCH_CONCURRENCY", _positive_int),
    "per_host_concurrency": ("WIREBRIEF_PER_HOST_CONCURRENCY", _positive_int),
    "per_host_delay_s": ("WIREBRIEF_PER_HOST_DELAY", _non_negative_float),
    "extract_workers": ("WIREBRIEF_EXTRACT_WORKERS", _non_negative_int),
    "default_poll_interval_s": ("WIREBRIEF_POLL_INTERVAL", _positive_int),
    "min_poll_interval_s": ("WIREBRIEF_MIN_POLL_INTERVAL", _positive_int),
    "max_poll_interval_s": ("WIREBRIEF_MAX_POLL_INTERVAL", _positive_int),
    "reading_words_per_minute": ("WIREBRIEF_READING_WPM", _positive_int),
    "removal_contact": ("WIREBRIEF_REMOVAL_CONTACT", str),
    "host": ("WIREBRIEF_HOST", str),
    "port": ("WIREBRIEF_PORT", _positive_int),
    "web_threads": ("WIREBRIEF_WEB_THREADS", _positive_int),
    "web_queue": ("WIREBRIEF_WEB_QUEUE", _non_negative_int),
    "web_queue_timeout_s": ("WIREBRIEF_WEB_QUEUE_TIMEOUT", _non_negative_float),
    "trusted_proxies": ("WIREBRIEF_TRUSTED_PROXIES", parse_networks),
    "public_url": ("WIREBRIEF_PUBLIC_URL", parse_public_url),
    "public_reader": ("WIREBRIEF_PUBLIC_READER", _boolean),
    "page_cache": ("WIREBRIEF_PAGE_CACHE", _boolean),
    "web_workers": ("WIREBRIEF_WEB_WORKERS", _positive_int),
    "health_port": ("WIREBRIEF_HEALTH_PORT", _positive_int),
    "llm_base_url": ("WIREBRIEF_LLM_BASE_URL", str),
    "llm_model": ("WIREBRIEF_LLM_MODEL", str),
    "llm_api_key": ("WIREBRIEF_LLM_API_KEY", str),
    "llm_timeout_s": ("WIREBRIEF_LLM_TIMEOUT", _positive_float),
    "llm_retries": ("WIREBRIEF_LLM_RETRIES", _non_negative_int),
    "llm_concurrency": ("WIREBRIEF_LLM_CONCURRENCY", _positive_int),
    "price_providers": ("WIREBRIEF_PRICE_PROVIDERS", parse_price_providers),
    "prices_dir": ("WIREBRIEF_PRICES_DIR", Path),
    "coingecko_url": ("WIREBRIEF_COINGECKO_URL", str),
    "yahoo_url": ("WIREBRIEF_YAHOO_URL", str),
    "stooq_url": ("WIREBRIEF_STOOQ_URL", str),
    "price_cache_ttl_s": ("WIREBRIEF_PRICE_CACHE_TTL", _positive_int),
    "price_request_interval_s": ("WIREBRIEF_PRICE_REQUEST_INTERVAL", _non_negative_float),
    "worker_heartbeat_s": ("WIREBRIEF_WORKER_HEARTBEAT", _positive_float),
    "stalled_job_after_s": ("WIREBRIEF_STALLED_JOB_AFTER", _positive_float),
}
