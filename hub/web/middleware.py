"""The ASGI middleware: request body limits (app-wide), and the refusal of a
NUL in an API's path or query string (per API mount)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core.errors import Invalid, TooLarge
from hub.core.inputs import refused_character


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


class RefuseNulMiddleware:
    """Refuse a request whose path or query string holds a NUL (raw or `%00`), which no
    PostgreSQL text can hold: `Invalid` from inside the mount, so its own error table answers
    in that API's shape (Micropub 400, v1 422, `/api` 400) before any handler or SQL runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if refused_character(scope.get("path", "")) is not None:
                raise Invalid.field("path", "The path contains a forbidden character (U+0000).",
                                    code="forbidden_character")  # fmt: skip
            if b"\x00" in query or b"%00" in query:
                raise Invalid.field("query", "The query string contains a forbidden character "
                                    "(U+0000).", code="forbidden_character")  # fmt: skip
        await self.app(scope, receive, send)
