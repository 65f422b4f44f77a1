"""A Mount per API whose errors, including 404 for unknown paths under it, are answered in
its own API's error shape."""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.core.errors import DomainError, NotFound


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
