"""Secrets in URLs, hidden wherever a URL is shown or logged (never where it is fetched).

A source may be followed at ``https://user:pass@host/feed?api_key=KEY``: the fetcher needs
the whole URL, but pages, the API, error messages and logs show
``https://***@host/feed?api_key=***``. What counts as secret: the userinfo, and the value of
any query parameter whose name says key, token, secret, password, signature, session or
credential (``api_key``, ``apiKey``, ``X-Amz-Signature``, ``access_token``, ``sid``, …).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
# Parts of a parameter name (split at punctuation and camelCase) that mark a secret value.
_SECRET_WORDS = frozenset({
    "key", "apikey", "token", "secret", "password", "passwd", "pass", "pwd", "passphrase",
    "auth", "authorization", "sig", "signature", "session", "sessionid", "sid", "credential",
    "credentials", "jwt", "bearer", "otp", "hmac", "ticket", "private",
})  # fmt: skip
# Single-word names that end in one of these (``feedtoken``, ``apisecret``).
_SECRET_SUFFIXES = ("key", "token", "secret", "password", "passwd", "pwd", "signature")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# A URL inside free text: up to whitespace, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")


def is_secret_parameter(name: str) -> bool:
    """Whether a query parameter called ``name`` is likely to carry a credential."""
    name = unquote(name)
    lowered = name.lower()
    if lowered.endswith(_SECRET_SUFFIXES):
        return True
    return any(word.lower() in _SECRET_WORDS for word in _WORD.findall(name))


def redact_url(url: str) -> str:
    """``url`` with its userinfo and secret query values replaced by ``***``; any other
    part is returned exactly as given."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal: show no part of it that could leak
        return MASK if "@" in url or "=" in url else url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    query = "&".join(_redact_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL in it redacted."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    # A sentence's closing punctuation is not part of the URL it ends with.
    url = match.group(0)
    core = url.rstrip(".,;:!?)]")
    return redact_url(core) + url[len(core) :]


def _redact_pair(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if equals and value and is_secret_parameter(name):
        return f"{name}={MASK}"
    return pair


class RedactingFilter(logging.Filter):
    """Redacts the URLs in every record a handler emits (the message with its arguments
    merged, and any exception text); attach it to handlers, so every logger's records pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True
