"""How the documents go out: `application/activity+json` (or another JSON type), a weak ETag
over the body with 304 on `If-None-Match`, `Cache-Control` like the site's pages, HEAD
without a body, `Vary: Accept` where the same URL also serves HTML."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.documents.context import ACTIVITY_JSON

DOCUMENT_CACHE = "public, max-age=60"  # as the site's pages
GONE_CACHE = "public, max-age=3600"


def _fresh(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def document_response(
    request: Request,
    document: Any,
    *,
    status: int = 200,
    media_type: str = ACTIVITY_JSON,
    cache_control: str = DOCUMENT_CACHE,
    vary_accept: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    body = document if isinstance(document, bytes) else orjson.dumps(document)
    etag = 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    out = {"Cache-Control": cache_control, "ETag": etag, **(headers or {})}
    if vary_accept:
        out["Vary"] = "Accept"
    if status == 200 and _fresh(request, etag):
        return Response(status_code=304, headers=out)
    if request.method == "HEAD":
        out["Content-Length"] = str(len(body))
        return Response(status_code=status, headers=out, media_type=media_type)
    return Response(body, status_code=status, headers=out, media_type=media_type)
