"""One exception hierarchy, every class in this module. Messages say what happened and what
to do next; callers read the fields, never the message.

The web layer answers each class with the HTTP status ``web/errors.py`` maps it to.
"""

from __future__ import annotations

from collections.abc import Sequence

from wirebrief.redaction import redact_url


class WirebriefError(Exception):
    """Base class for every error Wirebrief raises on purpose."""

    reason: str = "error"  # short and stable: logs, metrics, stored fetch attempts
    status: int | None = None  # the HTTP status another server answered, when it did
    retry_after_s: float | None = None  # when to try again, when the other side said
    transient: bool = False  # whether the same work may well succeed later


class ConfigError(WirebriefError):
    """A setting or environment variable has a value we cannot use."""

    reason = "config"


class NotInitialised(WirebriefError):
    """The database has no schema yet, or an old one."""

    reason = "not_initialised"


class DatabaseUnavailable(WirebriefError):
    """The database cannot be opened: no such server, not a database file, no access."""

    reason = "database_unavailable"


class FetchError(WirebriefError):
    """A URL could not be fetched."""

    reason = "fetch_failed"

    def __init__(self, url: str, message: str) -> None:
        # The message is shown and logged: without the URL's credentials (``url`` keeps them).
        super().__init__(f"{redact_url(url)}: {message}")
        self.url = url


class ConnectionFailed(FetchError):
    """The connection was refused, reset or dropped."""

    transient = True


class AddressNotAllowed(FetchError):
    """The URL resolves to an address the fetcher is configured to refuse."""

    reason = "address_refused"


class ResolveError(FetchError):
    """The host name could not be resolved."""

    reason = "dns"


class UnsupportedURL(FetchError):
    """The URL is not an absolute http(s) URL."""

    reason = "unsupported_url"


class ResponseTooLarge(FetchError):
    """The body grew past the configured size cap while streaming."""

    reason = "too_large"


class FetchTimeout(FetchError):
    """Connecting, reading or the whole fetch took longer than allowed."""

    reason = "timeout"
    transient = True


class HTTPStatusError(FetchError):
    """The server answered with an HTTP error status."""

    reason = "http_error"

    def __init__(self, url: str, status: int, message: str) -> None:
        super().__init__(url, message)
        self.status = status
        # Server errors and rate limits pass; 4xx answers other than 429 stay.
        self.transient = status >= 500 or status == 429


class RateLimited(HTTPStatusError):
    """The server answered 429 or 503; ``retry_after_s`` says when to come back."""

    reason = "rate_limited"

    def __init__(self, url: str, status: int, retry_after_s: float | None) -> None:
        wait = f"; retrying after {retry_after_s:.0f} s" if retry_after_s else ""
        super().__init__(url, status, f"server answered HTTP {status}{wait}")
        self.retry_after_s = retry_after_s


class HostCoolingDown(FetchError):
    """An earlier answer from this host asked us to wait, and the wait is not over."""

    reason = "rate_limited"
    transient = True
    retry_after_s: float

    def __init__(self, url: str, retry_after_s: float) -> None:
        super().__init__(url, f"the host asked us to wait; retrying after {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids our user agent to fetch this URL."""

    reason = "robots_disallowed"


class RobotsUnreachable(FetchError):
    """robots.txt could not be read (server error, 429, timeout, no connection) and no
    earlier copy is known: nothing of the host is fetched until it can be (RFC 9309)."""

    reason = "robots_unreachable"
    transient = True

    def __init__(self, url: str, why: str, retry_after_s: float) -> None:
        super().__init__(
            url, f"robots.txt of this host is unreachable ({why}); retrying after "
            f"{retry_after_s:.0f} s"
        )  # fmt: skip
        self.retry_after_s = retry_after_s


class TooManyRedirects(FetchError):
    """The redirect chain was too long or looped."""

    reason = "redirects"


class StoreFailed(WirebriefError):
    """The database did not take an article (a lock that did not come free, a lost
    connection); the entry stays in the inbox and is tried again later."""

    reason = "store_failed"
    transient = True

    def __init__(self, cause: Exception) -> None:
        first_line = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        super().__init__(f"the database did not store it ({first_line}); trying again later")


class FeedError(WirebriefError):
    """A document could not be read as a feed."""

    reason = "feed_error"


class ExtractionError(WirebriefError):
    """No article text could be extracted from a page."""

    reason = "extraction"


class WarcError(WirebriefError):
    """A WARC file could not be opened or read to its end (truncated or corrupt)."""

    reason = "warc_damaged"


# ── records ──


class NotFoundError(WirebriefError):
    """A requested record does not exist."""

    reason = "not_found"


class DuplicateSource(WirebriefError):
    """A source with this URL is already registered."""

    reason = "duplicate_source"


class RemovalStateError(WirebriefError):
    """A removal request was decided already."""

    reason = "already_decided"


class AccountError(WirebriefError):
    """An account cannot be created or changed as asked; the message says why."""

    reason = "account_error"


class WeakPasswordError(AccountError):
    """The password is too short."""

    reason = "weak_password"


class FolderError(WirebriefError):
    """A folder name that cannot be used; the message says why."""

    reason = "folder_error"


class TransferError(WirebriefError):
    """The copy cannot start, or what arrived differs from what was sent."""

    reason = "transfer_failed"


# ── markets: price providers ──


class PriceError(WirebriefError):
    """Prices could not be had from a provider; ``reason`` is short and stable."""

    reason = "price_error"

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"price provider {provider}: {message}")
        self.provider = provider


class PriceUnavailable(PriceError):
    """The provider is down, slow or unreachable; try again later."""

    reason = "unavailable"


class PriceRateLimited(PriceError):
    """The provider asked us to slow down; ``retry_after_s`` says when to come back."""

    reason = "rate_limited"

    def __init__(self, provider: str, retry_after_s: float) -> None:
        super().__init__(provider, f"rate limited; not asking again for {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class PriceDataError(PriceError):
    """The provider answered something that is not a price series."""

    reason = "bad_data"


class PriceNotListed(PriceError):
    """The provider has no prices for this asset (no identifier, or it says not found)."""

    reason = "not_listed"


class NoPrices(PriceError):
    """No provider had prices for an asset; ``problems`` says why, provider by provider."""

    reason = "no_prices"

    def __init__(self, symbol: str, problems: Sequence[PriceError]) -> None:
        detail = "; ".join(str(problem) for problem in problems) or (
            "no price provider is configured; set WIREBRIEF_PRICE_PROVIDERS or WIREBRIEF_PRICES_DIR"
        )
        providers = ", ".join(problem.provider for problem in problems) or "none"
        super().__init__(providers, f"no prices for {symbol}: {detail}")
        self.problems = list(problems)

    @property
    def unconfigured(self) -> bool:
        """No provider is configured at all."""
        return not self.problems

    @property
    def unlisted(self) -> bool:
        """Every provider answered that it does not know the asset."""
        return bool(self.problems) and all(isinstance(p, PriceNotListed) for p in self.problems)


class RegistryError(WirebriefError):
    """An asset file has a row we cannot use."""

    reason = "bad_asset_file"


# ── summarize: the optional LLM backend ──


class LlmError(WirebriefError):
    """The LLM endpoint gave no usable answer; the extractive TLDR is used instead."""

    reason = "llm_error"


class LlmUnavailable(LlmError):
    """The endpoint timed out, refused or failed after every retry."""

    reason = "unavailable"


class LlmAnswerRejected(LlmError):
    """The endpoint answered, but the answer failed a check (shape, length, language, facts)."""

    reason = "rejected"


# ── search ──


class SearchQueryError(WirebriefError):
    """A search query we cannot read; the message says what to change (an HTTP 400)."""

    reason = "bad_query"
