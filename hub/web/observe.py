"""What each request carries and leaves behind: an `X-Request-Id` on its answer (the
caller's, when it sent a sane one), one access line (`hub.access`: method, path, status,
duration in ms, request id) and its count and latency in the metrics, by route template
(`/api/v1/channels/{slug}/pages`, never the raw path). In memory only: no I/O but the log
line. The request id is put in the log context for every record made while the request is
served, and in `scope["state"]["request_id"]` for the handlers.

One middleware, the outermost of the app's own: a page-cache hit (the commonest request of
a busy blog) passes through this layer, the cache's, and nothing else."""

from __future__ import annotations

import logging
import random
import time

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core import logs, metrics

log = logging.getLogger("hub.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the route label of a request no route took


def _new_request_id() -> str:
    """16 hex digits naming a request in the logs: unique enough, and no secret, so from the
    fast generator (`secrets` reads the kernel's random source: a system call per request)."""
    return f"{random.getrandbits(64):016x}"


def _sent_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            sent = value.decode("latin-1")
            return sent if 0 < len(sent) <= 128 and sent.isprintable() else None
    return None


class AccessMiddleware:
    """Name, log and count every HTTP request once it is answered (or failed with an error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        base = scope.get("root_path", "")
        request_id = _sent_request_id(scope) or _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        id_header = (b"x-request-id", request_id.encode())
        token = logs.request_id.set(request_id)
        status = 500  # an exception before the answer starts becomes the server's 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - began
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope, base)
            metrics.record_request(method, route, status, seconds)
            path = _printable(scope)
            took = seconds * 1000
            logs.log_info(log, f"{method} {path} {status} {took:.1f} ms id={request_id}",
                          {"method": method, "path": path, "route": route, "status": status,
                           "duration_ms": round(took, 1)})  # fmt: skip
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
