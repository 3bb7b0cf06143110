"""Fingerprinted static files: ``/static/wirebrief.<hash>.css`` is cached for a year.

Templates call ``static_url("wirebrief.css")``; the hash is of the file's bytes, so a new
release gets new URLs and no browser keeps a stale stylesheet.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from wirebrief.web.templating import templates

STATIC_DIR = Path(__file__).with_name("static")
IMMUTABLE = "public, max-age=31536000, immutable"
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")


@cache
def fingerprint(name: str) -> str:
    """The first 12 hex digits of the file's SHA-256."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The fingerprinted URL of a file in ``web/static``."""
    path = Path(name)
    return f"/static/{path.stem}.{fingerprint(name)}{path.suffix}"


class FingerprintedStaticFiles(StaticFiles):
    """Serves ``name.<hash>.ext`` as ``name.ext``, with a year-long cache when the hash is
    current (an old hash still gets the file, revalidated as usual)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        match = _FINGERPRINTED.match(path)
        if match is None:
            return await super().get_response(path, scope)
        name = match["stem"] + match["suffix"]
        response = await super().get_response(name, scope)
        if response.status_code in (200, 304) and match["hash"] == _current(name):
            response.headers["cache-control"] = IMMUTABLE
        return response


def _current(name: str) -> str | None:
    try:
        return fingerprint(name)
    except OSError:
        return None


templates.env.globals["static_url"] = static_url
