"""ReDoc at /redoc, served entirely from this server (Swagger UI at /docs comes offline with
fastapi-offline).

fastapi-offline's ReDoc bundle still loads a logo from Redocly's CDN, which the strict
Content-Security-Policy blocks (a console error on every visit); our copy points it at an
empty ``data:`` image, which ReDoc's own fallback then hides.
"""

from __future__ import annotations

import functools
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
_BUNDLE = Path(fastapi_offline.__file__).with_name("static") / "redoc.standalone.js"
_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
OFFLINE_DOCS = "/static-offline-docs"  # where fastapi-offline mounts its files


@functools.cache
def _redoc_bundle() -> bytes:
    return _BUNDLE.read_bytes().replace(_CDN_LOGO, b"data:,")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """The API reference, rendered by ReDoc."""
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}/redoc.js",
        redoc_favicon_url=f"{root}{OFFLINE_DOCS}/favicon.png",
        with_google_fonts=False,
    )


@router.get("/redoc.js")
def redoc_script() -> Response:
    """ReDoc's script, without the request to a CDN."""
    return Response(
        _redoc_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
