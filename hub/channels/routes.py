"""Routes of `hub/channels`, mounted at `/api/v1` by the app factory. Every route is served
under `/channels` and under the legacy `/projects` prefix (DOC, R-90). The API's documents
are served beside them; `top_level_routes` are the two that live outside the mount
(`GET /api/v1` itself and `/api-docs`), placed by the app before `/api` and the site."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.channels import errors
from hub.channels.endpoints import channels, docs, media, pages
from hub.channels.endpoints.common import methods
from hub.web.errors import MethodNotAllowed
from hub.web.mounts import api_mount


def _route(path: str, endpoint) -> Route:
    # the methods `methods()` dispatches; any other is the router's 405, with `Allow`
    return Route(path, endpoint, methods=endpoint.allowed_methods)


def _routes(prefix: str) -> list[Route]:
    page = prefix + "/{channel_slug}/pages/{page_slug}"
    return [
        _route(prefix, methods(get=channels.list_channels, post=channels.create_channel)),
        _route(
            prefix + "/{channel_slug}",
            methods(get=channels.get_channel, patch=channels.patch_channel),
        ),
        _route(
            prefix + "/{channel_slug}/pages",
            methods(get=pages.list_pages, post=pages.upsert_page),
        ),
        _route(prefix + "/{channel_slug}/media", methods(post=media.upload_media)),
        _route(page, methods(get=pages.get_page, delete=pages.delete_page)),
        _route(
            page + "/translations/{language}",
            methods(put=pages.put_translation, delete=pages.delete_translation),
        ),
        _route(page + "/status", methods(patch=pages.patch_status)),
        _route(page + "/revisions", methods(get=pages.list_revisions)),
    ]


def _doc_routes() -> list[Route]:
    return [
        _route("/openapi.json", methods(get=docs.openapi_json)),
        _route("/skill.md", methods(get=docs.skill_md)),
    ]


def mount() -> Mount:
    routes = [*_doc_routes(), *_routes("/channels"), *_routes("/projects")]
    return api_mount("/api/v1", routes, errors.handle, name="channels")


async def _discovery(request: Request) -> Response:
    """`GET /api/v1`; any other method, non-standard ones (`QUERY`) included, is the v1 405
    with `Allow`, answered here because the route lies outside the mount (a Route limited to
    GET would let `/api`'s mount answer 404)."""
    if request.method in ("GET", "HEAD"):
        return await docs.discovery(request)
    return errors.render(request, MethodNotAllowed(["GET", "HEAD"], method=request.method))


_discovery.allowed_methods = ["GET", "HEAD"]  # type: ignore[attr-defined]  # for the docs test


def _any_method(route: Route) -> Route:
    """The route matching every method, even ones no list could name in advance."""
    route.methods = None  # Starlette's Route then matches any method (it defaults to GET)
    return route


def top_level_routes() -> list[Route]:
    return [
        _any_method(Route("/api/v1", _discovery, name="v1_discovery")),
        Route("/api-docs", docs.api_docs_page, methods=["GET", "HEAD"], name="v1_api_docs"),
    ]
