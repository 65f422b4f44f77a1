"""E8 POST /channels/{channel_slug}/media (multipart/form-data)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels.access import authenticate
from hub.channels.endpoints.common import is_dry_run, respond, run_write
from hub.channels.idempotency import form_digest
from hub.channels.media import service as media
from hub.channels.media import uploads
from hub.core.writes import Tx
from hub.web.requests import resources_of


async def upload_media(request: Request) -> Response:
    """401, 404/403 (channel, scope) before the body is read; 413 on Content-Length or while
    streaming; 422 on the fields; then the image is processed off the event loop and stored in
    one transaction (201 Media). At most `Resources.image_uploads` requests read and convert
    at once; the others wait before their body is read."""
    principal = await authenticate(request)
    resources = resources_of(request)
    channel_slug = request.path_params["channel_slug"]
    limit = resources.settings.max_upload_bytes
    await media.check_target(resources, principal, channel_slug, None)
    async with resources.image_uploads:  # a bounded number of bodies in memory at once
        raw = await uploads.read_capped(request, limit)
        content_type = request.headers.get("content-type", "")
        form = await uploads.parse_upload_async(raw, content_type, limit)
        del raw
        await media.check_target(resources, principal, channel_slug, form)
        prepared = await media.prepare(resources, form)

    async def work(tx: Tx) -> Response:
        document = await media.store(tx, resources, principal, channel_slug, form, prepared)
        headers = {"Location": document["url"]}
        return respond(request, document, 201, headers=headers, dry_run=is_dry_run(request))

    digest = form_digest(form.fields, form.sha256, form.filename)
    return await run_write(request, principal, digest, work)
