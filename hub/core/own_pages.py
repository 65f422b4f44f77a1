"""Reading this node's own pages from its ASGI app, in process: no socket, no DNS
(webmention-site-feeds R-W16). The result has the shape of a guarded fetch."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from yarl import URL

from hub.core.errors import FetchFailed
from hub.core.fetch import (
    CREDENTIAL_HEADERS,
    REDIRECTS,
    FetchResult,
    follow_location,
    origin,
    parse_url,
    without_headers,
)
from hub.core.headers import Headers
from hub.core.version import USER_AGENT


async def fetch_own_page(
    app: Any, url: str, *, headers: Mapping[str, str] | None = None, max_redirects: int = 5
) -> FetchResult:
    """GET `url` from `app`, following redirects within the app (whatever host they name).
    FetchRefused when `url` or a Location is not a URL, FetchFailed past `max_redirects` or
    on a redirect to another scheme than http(s); an exception of the app propagates."""
    sent = {"user-agent": USER_AGENT, **{k.lower(): v for k, v in (headers or {}).items()}}
    current = parse_url(url)
    chain: list[str] = []
    statuses: list[int] = []
    while True:
        if current.scheme not in ("http", "https") or not current.raw_host:
            raise FetchFailed(f"{current} is not a page of this node.")
        status, received, content = await _get(app, current, sent)
        location = received.get("location") if status in REDIRECTS else None
        if not location:
            return FetchResult(
                str(current), status, received, content, tuple(chain), tuple(statuses)
            )
        if len(chain) >= max_redirects:
            raise FetchFailed(f"More than {max_redirects} redirects, at {current}.")
        chain.append(str(current))
        statuses.append(status)
        following = follow_location(current, location)
        if origin(following) != origin(current):  # no credentials across origins
            sent = without_headers(sent, CREDENTIAL_HEADERS)
        current = following


async def _get(app: Any, url: URL, headers: Mapping[str, str]) -> tuple[int, Headers, bytes]:
    """One GET of `url` through `app` (ASGI 3): its status, headers and whole body."""
    host = url.raw_host or ""
    authority = f"[{host}]" if ":" in host else host
    if url.explicit_port is not None:
        authority += f":{url.explicit_port}"
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": url.scheme, "path": url.path, "raw_path": url.raw_path.encode(),
        "query_string": url.raw_query_string.encode(), "root_path": "",
        "headers": [(b"host", authority.encode()),
                    *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())],
        "client": ("127.0.0.1", 123), "server": (host, url.port),
    }  # fmt: skip
    done = asyncio.Event()
    requested = False
    start: dict[str, Any] = {}
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body" and not done.is_set():
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    finally:
        done.set()
    if "status" not in start:
        raise FetchFailed(f"{url} gave no response.")
    return start["status"], Headers(list(start.get("headers", ()))), b"".join(body)
