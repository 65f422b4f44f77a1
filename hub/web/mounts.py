"""A Mount per API that answers every error in its own API's shape: the domain errors its
endpoints raise, and the 404 and 405 its router raises for a path or a method none of its
routes take."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute, Mount, Router

from hub.web.errors import HANDLED, Handler
from hub.web.middleware import RefuseNulMiddleware


def api_mount(path: str, routes: Sequence[BaseRoute], handler: Handler, *, name: str) -> Mount:
    """A Mount whose errors go to `handler` (made by `hub.web.errors.error_handler`). An
    unknown path is a 404 there, never a redirect to its twin with(out) a trailing slash. A
    NUL in the path or query string is refused there too, in the same shape."""
    return Mount(
        path,
        app=Router(list(routes), redirect_slashes=False),
        name=name,
        middleware=[
            Middleware(ExceptionMiddleware, handlers=dict.fromkeys(HANDLED, handler)),
            Middleware(RefuseNulMiddleware),
        ],
    )
