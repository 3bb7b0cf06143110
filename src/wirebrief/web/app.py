"""Application factory: one FastAPI app serving pages, the API and static assets."""

from __future__ import annotations

import base64
import logging
import os
import pickle
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from wirebrief import __version__
from wirebrief.errors import WirebriefError
from wirebrief.settings import Settings
from wirebrief.storage.dataversion import VersionReader
from wirebrief.storage.db import Database
from wirebrief.web import (
    admin,
    api,
    assets,
    auth,
    discovery,
    feeds,
    fever,
    greader,
    metrics,
    pages,
    reader,
    removal,
)
from wirebrief.web.errors import http_status, retry_after_header
from wirebrief.web.httpcache import ConditionalGetMiddleware
from wirebrief.web.metrics import RequestMetricsMiddleware
from wirebrief.web.pagecache import PageCache
from wirebrief.web.security import SecurityHeadersMiddleware
from wirebrief.web.staticfiles import FingerprintedStaticFiles
from wirebrief.web.templating import templates

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

API_DESCRIPTION = """
Read what Wirebrief has ingested. Every article carries its source, publication time,
reading time and, when it is a repost, the origin it was copied from.

All endpoints are read-only and return JSON. Lists are paginated with `limit` and `offset`.
"""


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app for ``settings``; pass ``db`` to share an open database."""
    app = FastAPIOffline(
        title="Wirebrief",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_tags=[{"name": "stories", "description": "Events, each with all its coverage."},
                      {"name": "articles", "description": "Ingested articles."},
                      {"name": "search", "description": "Full-text search and saved searches."},
                      {"name": "sources", "description": "Followed feeds."},
                      {"name": "feeds", "description": "RSS 2.0, Atom 1.0 and JSON Feed 1.1."},
                      {"name": "removals", "description": "Ask for an article to be taken down."},
                      {"name": "health", "description": "For load balancers and monitors."}],
    )  # fmt: skip
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url)
    app.state.versions = VersionReader(app.state.db.url)
    app.add_middleware(ConditionalGetMiddleware)  # innermost: hashes the uncompressed body
    app.add_middleware(auth.PrivateWhenSignedIn)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Outside the compression (it keeps pages gzipped once) and inside the metrics (hits
    # are counted); anonymous requests for public pages only.
    app.add_middleware(
        PageCache,
        versions=app.state.versions,
        enabled=settings.public_reader and settings.page_cache,
        period_s=lambda: settings.price_cache_ttl_s if settings.price_providers else 0,
        in_thread=app.state.db.engine.dialect.name != "sqlite",
    )
    app.add_middleware(RequestMetricsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", FingerprintedStaticFiles(directory=STATIC_DIR), name="static")
    reading = [Depends(auth.reader_access)]  # the public reads unless WIREBRIEF_PUBLIC_READER=0
    app.include_router(api.router, dependencies=reading)
    app.include_router(pages.router, dependencies=reading)
    app.include_router(assets.router, dependencies=reading)
    app.include_router(discovery.router, dependencies=reading)
    app.include_router(feeds.router, dependencies=reading)
    app.include_router(removal.router, dependencies=[Depends(auth.viewer)])  # always public
    app.include_router(auth.router, dependencies=[Depends(auth.viewer)])
    app.include_router(reader.router, dependencies=[Depends(auth.viewer)])
    app.include_router(admin.router)
    app.include_router(greader.router)  # apps sign in with their own tokens
    app.include_router(fever.router)
    app.include_router(metrics.router)

    @app.exception_handler(greader.ApiError)
    async def reader_api_error(request: Request, exc: greader.ApiError):
        return greader.api_error(request, exc)

    @app.exception_handler(auth.SignInRequired)
    async def sign_in_first(request: Request, exc: auth.SignInRequired):
        return auth.sign_in_redirect(exc)

    @app.exception_handler(WirebriefError)
    async def our_error(request: Request, exc: WirebriefError):
        status = http_status(exc)
        if status >= 500:
            log.error("request failed path=%s reason=%s: %s", request.url.path, exc.reason, exc)
        response = _error(request, status, str(exc))
        response.headers.update(retry_after_header(exc))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        response = _error(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Retry-After on a 429
        return response

    return app


SETTINGS_ENV = "WIREBRIEF_WEB_SETTINGS"


def pass_settings(settings: Settings) -> str:
    """``settings`` as an environment value for the web worker processes."""
    return base64.b64encode(pickle.dumps(settings)).decode()


def app_from_environment() -> FastAPI:
    """The app of one web worker process (``wirebrief serve --workers``): the settings the
    command passed down, else the environment's."""
    passed = os.environ.get(SETTINGS_ENV)
    settings = pickle.loads(base64.b64decode(passed)) if passed else Settings.from_env()
    return create_app(settings)


def _error(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )
