"""The anonymous response cache of the directory's public reads (§1.3, R-D7).

Anonymous GET/HEAD responses of the routes marked `cache=True` are kept in Redis for
`DIRECTORY_CACHE_SECONDS`, keyed by path, sorted query and representation (JSON or HTML).
Entries simply expire; nothing invalidates them, so an anonymous reader may see data up to that
many seconds old. Token holders never read or fill the cache: their responses carry per-user
fields (`is_recommended`, `is_subscribed`). The throttle runs before the cache, so a cached
response still counts (R-D7). Only 200 JSON and HTML bodies are stored.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

PREFIX = "hub:directory:cache:"
CACHED_TYPES = ("application/json", "text/html")


def key(request: Request) -> str:
    query = urlencode(sorted(request.query_params.multi_items()))
    accept = request.headers.get("accept", "").split(",")[0].split(";")[0].strip().lower()
    representation = "html" if accept in ("text/html", "text/*") else "json"
    material = f"{request.url.path}?{query}|{representation}"
    return PREFIX + hashlib.sha256(material.encode()).hexdigest()


async def get(redis: Any, request: Request) -> Response | None:
    stored = await redis.get(key(request))
    if not stored:
        return None
    media_type, _, body = bytes(stored).partition(b"\n")
    response = Response(body, media_type=media_type.decode())
    response.headers["X-Cache"] = "hit"
    return response


async def put(redis: Any, request: Request, response: Response, settings: Any) -> None:
    """Store a cacheable answer and mark it as a miss."""
    media_type = (response.media_type or "").split(";")[0]
    if response.status_code != 200 or media_type not in CACHED_TYPES:
        return
    await redis.set(
        key(request),
        media_type.encode() + b"\n" + bytes(response.body),
        ex=settings.directory_cache_seconds,
    )
    response.headers["X-Cache"] = "miss"
