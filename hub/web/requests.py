"""Reading a request: the process's resources from the app's state, a header from an ASGI
scope (for middleware that runs before a `Request` exists)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

from hub.core.resources import Resources


def resources_of(request: Request) -> Resources:
    return request.app.state.resources


def header(scope: Scope, name: bytes) -> str:
    """The first value of header `name` (lower-case bytes), or ""."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""
