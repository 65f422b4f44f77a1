"""Routes of `hub/channels`, mounted at `/api/v1` by the app factory. Every route is served
under `/channels` and under the legacy `/projects` prefix (DOC, R-90). The API's documents
are served beside them; `top_level_routes` are the two that live outside the mount
(`GET /api/v1` itself and `/api-docs`), placed by the app before `/api` and the site."""

from __future__ import annotations

from starlette.routing import Mount, Route

from hub.channels import errors
from hub.channels.endpoints import channels, docs, media, pages
from hub.channels.endpoints.common import methods
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


def top_level_routes() -> list[Route]:
    return [
        Route("/api/v1", docs.discovery, methods=["GET", "HEAD"], name="v1_discovery"),
        Route("/api-docs", docs.api_docs_page, methods=["GET", "HEAD"], name="v1_api_docs"),
    ]
