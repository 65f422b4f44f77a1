"""HTTP caching of public pages and feeds (webmention-site-feeds §3.7): weak ETags from the
versions a page depends on, Last-Modified, 304 on If-None-Match / If-Modified-Since, HEAD
without a body, Cache-Control per kind of answer, Vary, and the discovery `Link` header."""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

PAGE_CACHE = "public, max-age=60"
FEED_CACHE = "public, max-age=300"
GONE_CACHE = "public, max-age=3600"


def etag_of(*parts: object) -> str:
    """A weak ETag over the values a representation depends on."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


def newest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present) if present else None


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def is_fresh(request: Request, etag: str | None, last_modified: datetime | None) -> bool:
    """True when the client's copy is current: If-None-Match (weak comparison) wins over
    If-Modified-Since, which is compared at one-second precision."""
    none_match = request.headers.get("if-none-match")
    if none_match is not None:
        if etag is None:
            return False
        tags = _etags(none_match)
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= when
    return False


@functools.lru_cache(maxsize=1024)
def http_date(when: datetime) -> str:
    """An HTTP date (`Last-Modified`); cached: a page's change time repeats on every request."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


def respond(
    request: Request,
    body: str | bytes,
    *,
    media_type: str,
    status: int = 200,
    cache_control: str = PAGE_CACHE,
    etag: str | None = None,
    last_modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The answer to a GET or HEAD: 304 when the client's copy is fresh (same validators and
    cache headers, no body); HEAD gets the headers and Content-Length of the GET."""
    out = {"Cache-Control": cache_control, "Vary": "Accept-Encoding", **(headers or {})}
    if etag:
        out["ETag"] = etag
    if last_modified is not None:
        out["Last-Modified"] = http_date(last_modified)
    if status == 200 and is_fresh(request, etag, last_modified):
        out.pop("Content-Type", None)
        return Response(status_code=304, headers=out)
    data = body.encode() if isinstance(body, str) else body
    if request.method == "HEAD":
        out["Content-Length"] = str(len(data))
        return Response(status_code=status, headers=out, media_type=media_type)
    return Response(data, status_code=status, headers=out, media_type=media_type)
