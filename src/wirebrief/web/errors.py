"""Which HTTP status answers each of our errors: one table, used by every route and page."""

from __future__ import annotations

from wirebrief.errors import (
    ConfigError,
    DuplicateSource,
    FetchError,
    FetchTimeout,
    NoPrices,
    NotFoundError,
    NotInitialised,
    PriceError,
    PriceRateLimited,
    RemovalStateError,
    SearchQueryError,
    WeakPasswordError,
    WirebriefError,
)

# The nearest class in an error's MRO decides; an error not listed is a 500.
HTTP_STATUSES: dict[type[WirebriefError], int] = {
    NotFoundError: 404,
    SearchQueryError: 400,
    WeakPasswordError: 400,
    DuplicateSource: 409,
    RemovalStateError: 409,
    FetchError: 502,  # another server failed us
    FetchTimeout: 504,
    PriceError: 503,
    PriceRateLimited: 503,
    NoPrices: 404,
    NotInitialised: 503,
    ConfigError: 500,
}


def http_status(error: WirebriefError) -> int:
    """The HTTP status that answers ``error``: the entry of its nearest listed class."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUSES:
            return HTTP_STATUSES[cls]
    return 500


def retry_after_header(error: WirebriefError) -> dict[str, str]:
    """A ``Retry-After`` header when the error says when to come back."""
    if error.retry_after_s is None:
        return {}
    return {"Retry-After": str(max(1, round(error.retry_after_s)))}
