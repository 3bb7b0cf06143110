"""Our errors carry their fields on the base class, live in one module, and map to statuses."""

from __future__ import annotations

import importlib
import pkgutil

import wirebrief
from wirebrief import errors
from wirebrief.errors import (
    DuplicateSource,
    ExtractionError,
    FeedError,
    FetchTimeout,
    HostCoolingDown,
    HTTPStatusError,
    NoPrices,
    NotFoundError,
    RateLimited,
    SearchQueryError,
    WirebriefError,
)
from wirebrief.web.errors import http_status, retry_after_header


def every_subclass(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *every_subclass(sub)]
    return found


def test_every_error_class_is_in_the_errors_module() -> None:
    for info in pkgutil.walk_packages(wirebrief.__path__, "wirebrief."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    elsewhere = [c for c in every_subclass(WirebriefError) if c.__module__ != errors.__name__]
    assert [f"{c.__module__}.{c.__name__}" for c in elsewhere] == []


def test_fields_are_on_the_base_class_so_callers_never_guess() -> None:
    plain = ExtractionError("https://wire.example/a: the article has no text after cleaning")
    assert (plain.reason, plain.status, plain.retry_after_s) == ("extraction", None, None)
    assert FeedError("not a feed").reason == "feed_error"
    limited = RateLimited("https://wire.example/feed", 429, 120.0)
    assert (limited.reason, limited.status, limited.retry_after_s) == ("rate_limited", 429, 120.0)
    assert "retrying after 120 s" in str(limited)
    assert HTTPStatusError("https://wire.example/a", 404, "gone").status == 404
    assert {c.reason for c in every_subclass(WirebriefError)} >= {"timeout", "not_found"}


def test_the_table_maps_each_error_by_its_nearest_listed_class() -> None:
    assert http_status(NotFoundError("there is no article 7")) == 404
    assert http_status(SearchQueryError("a query needs a word")) == 400
    assert http_status(DuplicateSource("https://wire.example/feed is already registered")) == 409
    assert http_status(NoPrices("XAU", [])) == 404
    assert http_status(FetchTimeout("https://wire.example/", "took too long")) == 504
    assert http_status(RateLimited("https://wire.example/", 429, None)) == 502
    assert http_status(WirebriefError("something we did not plan for")) == 500


def test_an_error_that_says_when_to_come_back_gives_retry_after() -> None:
    assert retry_after_header(HostCoolingDown("https://wire.example/", 89.6)) == {
        "Retry-After": "90"
    }
    assert retry_after_header(NotFoundError("there is no story 3")) == {}
