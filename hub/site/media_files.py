"""GET /storage/{path}: the processed media files of the channels, served by the hub.

Only `projects/...` (v1 media: drafts, pages, channel images), `authors/...` (authors'
profile photos) and `webmentions/...` (the re-hosted author photos of received mentions,
R-W9) are served here; Micropub's uploads keep
their own URL and rules. Names carry a random suffix and a file never changes
once written, so responses are cacheable for a year (`immutable`), with a strong ETag and 304
on `If-None-Match`. Paths are resolved inside the media directory only (`media.safe_path`),
hidden and temporary files are never served, and `nosniff` stops browsers from guessing types.
"""

from __future__ import annotations

import asyncio
import os
import stat as stat_module
from pathlib import PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from hub.core.errors import Invalid
from hub.core.media import pipeline as media

CACHE_CONTROL = "public, max-age=31536000, immutable"
TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".avif": "image/avif",
}
SERVED_ROOTS = ("projects", "authors", "webmentions")  # v1 media; profile photos; mentions


def _not_found() -> Response:
    return Response(
        "Not found.",
        status_code=404,
        media_type="text/plain",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def _etag(stat: os.stat_result) -> str:
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'


async def storage_file(request: Request) -> Response:
    relative = request.path_params["path"]
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] not in SERVED_ROOTS or any(p.startswith(".") for p in parts):
        return _not_found()
    media_type = TYPES.get(PurePosixPath(relative).suffix.lower())
    if media_type is None:
        return _not_found()
    try:
        path = media.safe_path(request.app.state.settings.media_dir, relative)
        stat = await asyncio.to_thread(os.stat, path)
    except (Invalid, OSError):
        return _not_found()
    if not stat_module.S_ISREG(stat.st_mode):
        return _not_found()
    etag = _etag(stat)
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers, stat_result=stat)


def route() -> Route:
    return Route("/storage/{path:path}", storage_file, methods=["GET", "HEAD"], name="storage")
