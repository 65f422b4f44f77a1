"""Routes of `hub/channels`, mounted at `/api/v1` by the app factory. Every route is served
under `/channels` and under the legacy `/projects` prefix (DOC, R-90)."""

from __future__ import annotations

from starlette.routing import Mount, Route

from hub.channels import errors
from hub.channels.endpoints import channels, media, pages
from hub.channels.endpoints.common import methods
from hub.web import api_mount

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _route(path: str, endpoint) -> Route:
    return Route(path, endpoint, methods=ALL_METHODS)  # `methods()` answers 405 itself


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


def mount() -> Mount:
    return api_mount(
        "/api/v1", [*_routes("/channels"), *_routes("/projects")], errors.handle, name="channels"
    )
