"""HTTP plumbing every adapter shares: JSON responses, body limits, request ids, client IPs.

Not part of `hub/core` (core knows no HTTP); the API packages and the app factory use it.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core.auth import PresentedToken, Principal, resolve_guarded
from hub.core.errors import DomainError, NotFound, TooLarge
from hub.core.resources import Resources


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def resources_of(request: Request) -> Resources:
    return request.app.state.resources


class BodyLimitMiddleware:
    """Refuse request bodies over a limit before they are read: a declared Content-Length over
    the limit, or a streamed body that grows past it, raises TooLarge from `receive`, which the
    mount's own error table turns into that API's 413."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise TooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


class RequestIdMiddleware:
    """Give every response an `X-Request-Id` (the caller's, when it sent a sane one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = header(scope, b"x-request-id")
        request_id = sent if 0 < len(sent) <= 128 and sent.isprintable() else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id)


def client_ip(request: Request, trusted_proxies: tuple[str, ...] = ()) -> str | None:
    """The caller's address; `X-Forwarded-For` is believed only from a trusted proxy, and then
    its right-most address that is not itself a trusted proxy is taken."""
    peer = request.client.host if request.client else None
    if not peer or not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([p for p in forwarded if p]):
        if not _in(address, trusted_proxies):
            return address
    return peer


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def api_mount(path: str, routes: list, handler: Callable, *, name: str) -> Mount:
    """A Mount whose domain errors, including 404 for unknown paths under it, are answered
    in its own API's error shape."""

    async def unknown_path(request: Request) -> Response:
        raise NotFound("Not found.")

    return Mount(
        path,
        routes=[*routes, Route("/{rest:path}", unknown_path, methods=_ALL_METHODS)],
        name=name,
        middleware=[Middleware(ExceptionMiddleware, handlers={DomainError: handler})],
    )


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def guarded_principal(
    request: Request, presented: PresentedToken | None, *, namespace: str
) -> Principal:
    """`auth.resolve_guarded` for a request: its resources, its client address (behind the
    trusted proxies) and the node's failed-authentication limit, counted in `namespace`."""
    resources = resources_of(request)
    settings = resources.settings
    return await resolve_guarded(
        resources.pool,
        resources.limiter,
        presented,
        client_ip=client_ip(request, settings.trusted_proxies),
        namespace=namespace,
        per_minute=settings.rate_failed_auth_per_ip,
    )
