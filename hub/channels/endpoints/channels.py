"""E1-E3: GET/POST /channels, PATCH /channels/{channel_slug}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels import service
from hub.channels.access import authenticate
from hub.channels.endpoints.common import respond
from hub.web import resources_of


async def list_channels(request: Request) -> Response:
    principal = await authenticate(request)
    return respond(request, await service.list_channels(resources_of(request), principal))


async def create_channel(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    channel = await service.create_channel(resources_of(request), principal, raw)
    location = f"/api/v1/channels/{channel['slug']}"
    return respond(request, channel, 201, headers={"Location": location})


async def patch_channel(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    slug = request.path_params["channel_slug"]
    return respond(
        request, await service.patch_channel(resources_of(request), principal, slug, raw)
    )
