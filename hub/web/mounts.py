"""A Mount per API that answers every error in its own API's shape: the domain errors its
endpoints raise, and the 404 and 405 its router raises for a path or a method none of its
routes take. Their paths match any character, a newline too, so a path parameter holding one
reaches the API (and its error shape) instead of the app's bare text/plain 404."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute, Mount, Router

from hub.web.errors import HANDLED, Handler
from hub.web.middleware import RefuseNulMiddleware

R = TypeVar("R", bound=BaseRoute)


def api_mount(path: str, routes: Sequence[BaseRoute], handler: Handler, *, name: str) -> Mount:
    """A Mount whose errors go to `handler` (made by `hub.web.errors.error_handler`). An
    unknown path is a 404 there, never a redirect to its twin with(out) a trailing slash. A
    NUL in the path or query string is refused there too, in the same shape."""
    return any_character(
        Mount(
            path,
            app=Router([any_character(r) for r in routes], redirect_slashes=False),
            name=name,
            middleware=[
                Middleware(ExceptionMiddleware, handlers=dict.fromkeys(HANDLED, handler)),
                Middleware(RefuseNulMiddleware),
            ],
        )
    )


def any_character(route: R) -> R:
    """`route` with its path pattern's `.` matching a newline too (Starlette compiles it
    without `re.DOTALL`, so `/{path:path}` and a Mount's tail stop at a `\n`)."""
    pattern = getattr(route, "path_regex", None)
    if pattern is not None:
        route.path_regex = re.compile(pattern.pattern, pattern.flags | re.DOTALL)  # type: ignore[attr-defined]
    return route
