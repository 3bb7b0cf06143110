"""Application factory: one FastAPI app serving pages, the API and static assets."""

from __future__ import annotations

import base64
import logging
import os
import pickle
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from wirebrief import __version__
from wirebrief.errors import WirebriefError
from wirebrief.redaction import RedactingFilter
from wirebrief.settings import Settings
from wirebrief.storage.dataversion import VersionReader
from wirebrief.storage.db import Database, PoolLimits
from wirebrief.web import (
    admin,
    api,
    apidocs,
    assets,
    auth,
    discovery,
    feeds,
    fever,
    greader,
    health,
    metrics,
    overload,
    pages,
    reader,
    removal,
)
from wirebrief.web.clientaddr import TrustedProxyMiddleware
from wirebrief.web.errorpages import error_response, validation_response
from wirebrief.web.errors import http_status, retry_after_header
from wirebrief.web.head import HeadAsGetMiddleware
from wirebrief.web.health import DatabaseProbe
from wirebrief.web.httpcache import ConditionalGetMiddleware
from wirebrief.web.metrics import RequestMetricsMiddleware
from wirebrief.web.pagecache import PageCache
from wirebrief.web.security import SecurityHeadersMiddleware
from wirebrief.web.staticfiles import FingerprintedStaticFiles

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
        redoc_url=None,  # apidocs.py serves ReDoc without its CDN logo
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
    app.state.db = db or Database(settings.database_url, web_pool(settings))
    app.state.versions = VersionReader(app.state.db.url)
    app.state.health = DatabaseProbe(settings.database_url)
    app.add_middleware(ConditionalGetMiddleware)  # innermost: hashes the uncompressed body
    app.add_middleware(auth.PrivateWhenSignedIn)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Below the page cache: a hit (memory, no thread, no database) is never queued or shed;
    # a miss, and every other route, is.
    overload.install(app, settings.web_threads, settings.web_queue, settings.web_queue_timeout_s)
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
    app.add_middleware(HeadAsGetMiddleware)  # every layer below sees a GET
    # Every layer below sees the real client (proxy headers only from trusted proxies).
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies)
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
    app.include_router(apidocs.router)
    app.include_router(health.router)

    @app.exception_handler(greader.ApiError)
    async def reader_api_error(request: Request, exc: greader.ApiError):
        return greader.api_error(request, exc)

    @app.exception_handler(auth.SignInRequired)
    async def sign_in_first(request: Request, exc: auth.SignInRequired) -> Response:
        return auth.sign_in_redirect(exc)

    @app.exception_handler(WirebriefError)
    async def our_error(request: Request, exc: WirebriefError) -> Response:
        status = http_status(exc)
        if status >= 500:
            log.error("request failed path=%s reason=%s: %s", request.url.path, exc.reason, exc)
        return error_response(request, status, str(exc), retry_after_header(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # e.g. Retry-After on a 429
        return error_response(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return validation_response(request, exc)

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
    if not logging.getLogger().handlers:
        # A worker process starts without the command's logging; its records (uvicorn's
        # too) pass the same filter, so no source credentials reach a log line.
        handler = logging.StreamHandler()
        handler.addFilter(RedactingFilter())
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                            handlers=[handler])  # fmt: skip
    return create_app(settings)


def web_pool(settings: Settings) -> PoolLimits:
    """Database connections for a web process: one per request thread, as many again for
    a request's second session (the price book), and short waits, so that a saturated
    database is answered with 503 within seconds instead of after minutes."""
    return PoolLimits(
        size=settings.web_threads,
        overflow=settings.web_threads,
        timeout_s=max(1.0, settings.web_queue_timeout_s),
        busy_timeout_s=2.0,
    )
