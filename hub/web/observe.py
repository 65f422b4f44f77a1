"""What each request leaves behind: one access line (`hub.access`: method, path, status,
duration in ms, request id) and its count and latency in the metrics, by route template
(`/api/v1/channels/{slug}/pages`, never the raw path). In memory only: no I/O but the log
line. The request id (from `RequestIdMiddleware`, which runs first) is put in the log context
for every record made while the request is served."""

from __future__ import annotations

import logging
import time

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core import logs, metrics

log = logging.getLogger("hub.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the route label of a request no route took


class AccessMiddleware:
    """Log and count every HTTP request once it is answered (or failed with an error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        base = scope.get("root_path", "")
        request_id = scope.get("state", {}).get("request_id")
        token = logs.request_id.set(request_id)
        status = 500  # an exception before the answer starts becomes the server's 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - began
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope, base)
            metrics.record_request(method, route, status, seconds)
            path = _printable(scope)
            log.info("%s %s %s %.1f ms id=%s", method, path, status, seconds * 1000, request_id,
                     extra={"method": method, "path": path, "route": route, "status": status,
                            "duration_ms": round(seconds * 1000, 1)})  # fmt: skip
            logs.request_id.reset(token)


def route_template(scope: Scope, base: str = "") -> str:
    """The path format of the route that took the request, with its mounts' prefixes:
    `/api/v1/channels/{slug}`; `<mount>/*` for a path a mount's routes did not take;
    `unmatched` when no route did. `base` is the app's own root path."""
    route = scope.get("hub.site.route") or scope.get("route")  # the site's Gate keeps its own
    if route is None:
        return UNMATCHED
    if isinstance(route, Mount):  # the mount matched, none of its routes did
        return (route.path or "") + "/*"
    prefix = scope.get("root_path", "")[len(base) :]
    return prefix + getattr(route, "path_format", getattr(route, "path", ""))


def _printable(scope: Scope) -> str:
    """The path as it came on the wire (percent-encoded), safe for a one-line log."""
    raw = scope.get("raw_path") or scope["path"].encode()
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")
