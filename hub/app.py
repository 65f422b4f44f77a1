"""The composition root: the only module that imports the API packages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from hub.activitypub.negotiation import NegotiationMiddleware
from hub.activitypub.routes import ROUTES as ACTIVITYPUB_ROUTES
from hub.channels.routes import mount as channels_mount
from hub.channels.routes import top_level_routes as channels_top_level_routes
from hub.config import Settings
from hub.core import heartbeats
from hub.core.resources import Resources, open_resources
from hub.directory import desk as directory_desk
from hub.directory.queries import health as directory_health
from hub.directory.routes import ENDPOINTS as DIRECTORY_ENDPOINTS
from hub.micropub.routes import mount as micropub_mount
from hub.site import media_files
from hub.site.routes import mount as site_mount
from hub.web.compression import TextGZipMiddleware
from hub.web.drf.mounts import drf_mount
from hub.web.metrics import serve_metrics
from hub.web.middleware import BodyLimitMiddleware
from hub.web.observe import AccessMiddleware
from hub.web.page_cache import PageCache, PageCacheMiddleware, following
from hub.web.requests import header, resources_of
from hub.web.responses import JSONResponse
from hub.web.routing import Shortcut
from hub.webmentions.routes import ENDPOINTS as WEBMENTION_ENDPOINTS


async def healthz(request: Request) -> Response:
    """200 when the database and Redis answer and a job worker is alive, 503 naming the part
    that is not. The worker of this process (`hub serve` in the embedded default) is judged
    by its own state; without one (production: `hub worker` processes), by the heartbeats in
    Redis (`hub.core.heartbeats`), listed under `workers` either way."""
    resources = resources_of(request)
    checks = {"database": "ok", "redis": "ok"}
    worker = getattr(request.app.state, "worker_health", None)  # set by `hub serve`
    if worker is not None:
        checks["worker"] = "ok" if worker.ok else worker.state
    beats: list[heartbeats.Beat] = []
    try:
        async with asyncio.timeout(2):
            await resources.pool.fetchval("SELECT 1")
    except Exception as exc:  # any failure means unhealthy; say which
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        async with asyncio.timeout(2):
            beats = await heartbeats.alive(resources.redis)  # also tells that Redis answers
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    else:
        if worker is None:
            checks["worker"] = "ok" if beats else "no worker alive"
    healthy = all(v == "ok" for v in checks.values())
    workers = [{"id": b.worker, "last_beat_seconds_ago": round(b.age, 1)} for b in beats]
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "workers": workers},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store", **({} if healthy else {"Retry-After": "5"})},
    )


def body_limit(settings: Settings):
    def limit_for(scope: Scope) -> int:
        if scope["path"].startswith("/activitypub/"):
            return settings.ap_max_body_bytes  # the inboxes: activities are small
        if header(scope, b"content-type").lower().startswith("multipart/"):
            return settings.max_multipart_bytes
        if scope["path"].startswith("/api/v1"):
            return settings.v1_max_body_bytes
        return settings.max_body_bytes

    return limit_for


def create_app(settings: Settings, resources: Resources | None = None) -> Starlette:
    """The ASGI app. With `resources` given (tests, `hub serve`), it uses them as they are;
    otherwise its lifespan opens them from `settings` and closes them on shutdown."""

    # anonymous readers' pages and feeds, rendered once (hub.web.page_cache); it serves only
    # while the lifespan listens for page changes, so an app without one never caches
    page_cache = PageCache(settings.page_cache_bytes, settings.page_cache_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if resources is not None:
            app.state.resources = resources
            async with following(page_cache, settings.database_url):
                yield
            return
        async with open_resources(settings) as opened:
            app.state.resources = opened
            async with following(page_cache, settings.database_url):
                yield

    routes = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/metrics", serve_metrics, methods=["GET"]),  # 404 without HUB_METRICS_TOKEN
        media_files.route(),  # /storage/..., before the site's catch-alls
        micropub_mount(),
        *channels_top_level_routes(),  # GET /api/v1 and /api-docs, before /api and the site
        channels_mount(),  # /api/v1 before /api
        # /api: one mount for the DRF-style rows of both adapters, webmentions first
        drf_mount("/api", [*WEBMENTION_ENDPOINTS, *DIRECTORY_ENDPOINTS], name="directory"),
        *ACTIVITYPUB_ROUTES,  # /.well-known/webfinger, /nodeinfo, /activitypub/...
    ]
    site = site_mount()
    app = Starlette(
        # a page's path goes straight to the site when no route above can take it
        routes=[Shortcut(site, routes), *routes, site],
        middleware=[
            # the request id, one log line and the metrics of each request
            Middleware(AccessMiddleware),
            Middleware(PageCacheMiddleware, cache=page_cache),  # hits end here
            Middleware(TextGZipMiddleware),  # HTML, XML and JSON, when the client accepts gzip
            # the actor and entry documents at the channel and entry URLs (Accept: activity+json)
            Middleware(NegotiationMiddleware),
            Middleware(BodyLimitMiddleware, limit_for=body_limit(settings)),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.page_cache = page_cache
    # the dashboard's reads of the directory tables (hub.core.directory_health.DirectoryHealth)
    app.state.directory_health = directory_health
    app.state.directory_desk = directory_desk  # its writes (hub.core.directory_desk)
    if resources is not None:
        app.state.resources = resources
    return app


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory hub.app:app_from_env` (several processes behind one
    load balancer); needs DATABASE_URL and REDIS_URL."""
    return create_app(Settings.from_env())
