"""Credentials in URLs are hidden wherever a URL is shown or logged."""

from __future__ import annotations

import logging

import pytest

from wirebrief.errors import FetchTimeout
from wirebrief.redaction import RedactingFilter, is_secret_parameter, redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@host/feed?api_key=KEY", "http://***@host/feed?api_key=***"),
        ("https://token@host:8443/rss", "https://***@host:8443/rss"),
        ("https://host/feed?apiKey=K&lang=en", "https://host/feed?apiKey=***&lang=en"),
        ("https://host/f?X-Amz-Signature=abc&X-Amz-Credential=c&page=2",
         "https://host/f?X-Amz-Signature=***&X-Amz-Credential=***&page=2"),
        ("https://host/f?access_token=t&sid=s&feedtoken=f", "https://host/f?access_token=***&sid=***&feedtoken=***"),
        ("https://host/f?PASSWORD=p&secret=&q=bitcoin", "https://host/f?PASSWORD=***&secret=&q=bitcoin"),
        ("https://host/f?keyword=markets&category=a%20b", "https://host/f?keyword=markets&category=a%20b"),
        ("https://host/feed.xml", "https://host/feed.xml"),
        ("https://host/f?flag&auth=x#frag", "https://host/f?flag&auth=***#frag"),
        ("https://a@b@host/", "https://***@host/"),
    ],
)  # fmt: skip
def test_redact_url_hides_userinfo_and_secret_parameters(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize("name", ["key", "api_key", "apikey", "APIKEY", "token", "Session-Id",
                                  "signature", "sig", "client_secret", "passwd", "private_token"])  # fmt: skip
def test_secret_parameter_names(name: str) -> None:
    assert is_secret_parameter(name)


@pytest.mark.parametrize("name", ["q", "page", "lang", "keyword", "category", "format", "id"])
def test_ordinary_parameter_names(name: str) -> None:
    assert not is_secret_parameter(name)


def test_redact_text_finds_every_url_in_a_message() -> None:
    message = "GET http://u:p@a.example/x?token=T failed; redirected to https://b.example/?key=K."
    assert redact_text(message) == (
        "GET http://***@a.example/x?token=*** failed; redirected to https://b.example/?key=***."
    )
    assert redact_text("no url here") == "no url here"


def test_fetch_errors_keep_the_url_and_show_it_redacted() -> None:
    error = FetchTimeout("http://user:pass@host/feed?api_key=KEY", "no answer in 20 s")
    assert error.url == "http://user:pass@host/feed?api_key=KEY"  # what the fetcher retries
    assert str(error) == "http://***@host/feed?api_key=***: no answer in 20 s"


def test_log_records_are_redacted_with_their_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("wirebrief.test.redaction")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("polling %s (%d items)", "https://host/feed?api_key=KEY", 3)
    assert caplog.messages == ["polling https://host/feed?api_key=*** (3 items)"]


def test_the_web_servers_own_records_reach_the_redacting_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi import FastAPI

    from wirebrief.cli.serve import server_config
    from wirebrief.settings import Settings

    for name in ("uvicorn", "uvicorn.error"):  # as in a fresh `wirebrief serve` process
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    server_config(FastAPI(), Settings())  # uvicorn sets its loggers up here
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        assert logger.handlers == [] and logger.propagate  # to the CLI's handler and its filter
