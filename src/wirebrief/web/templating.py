"""The Jinja2 environment: autoescaping on, a few filters for dates and excerpts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from wirebrief.redaction import redact_text
from wirebrief.text import excerpt
from wirebrief.times import as_utc

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def human_time(value: datetime | None) -> str:
    """'2026-11-20 10:15 UTC' (always UTC on the server; no client-side script needed)."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def iso_time(value: datetime | None) -> str:
    """ISO 8601 for ``<time datetime>``."""
    return value.isoformat() if value else ""


def http_url(value: str | None) -> str:
    """``value`` if it is an http(s) URL, else "" (no javascript: or data: link ever renders)."""
    text = (value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


templates.env.filters.update(
    excerpt=excerpt, human_time=human_time, iso_time=iso_time, http_url=http_url,
    redact=redact_text,  # a source's URL or error, without its credentials
)  # fmt: skip
