"""E1-E3: GET/POST /channels, PATCH /channels/{channel_slug}; EXT GET /channels/{slug}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels import service
from hub.channels.access import authenticate
from hub.channels.endpoints.common import is_dry_run, respond, run_write
from hub.channels.idempotency import json_digest
from hub.core.writes import Tx
from hub.web.requests import resources_of


async def list_channels(request: Request) -> Response:
    principal = await authenticate(request)
    return respond(request, await service.list_channels(resources_of(request), principal))


async def get_channel(request: Request) -> Response:
    principal = await authenticate(request)
    slug = request.path_params["channel_slug"]
    channel, etag = await service.get_channel(resources_of(request), principal, slug)
    return respond(request, channel, headers={"ETag": etag})


async def create_channel(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()

    async def work(tx: Tx) -> Response:
        channel, etag = await service.create_channel(tx, resources_of(request), principal, raw)
        headers = {"Location": f"/api/v1/channels/{channel['slug']}", "ETag": etag}
        return respond(request, channel, 201, headers=headers, dry_run=is_dry_run(request))

    return await run_write(request, principal, lambda: json_digest(raw), work)


async def patch_channel(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    slug = request.path_params["channel_slug"]

    async def work(tx: Tx) -> Response:
        channel, etag = await service.patch_channel(
            tx, resources_of(request), principal, slug, raw,
            if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return respond(request, channel, headers={"ETag": etag}, dry_run=is_dry_run(request))

    return await run_write(request, principal, lambda: json_digest(raw), work)
