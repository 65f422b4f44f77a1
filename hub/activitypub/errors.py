"""Errors of the ActivityPub routes, as JSON `{"error": message}` with the status of the
domain error (400, 404, 410, 429, 503 with `Retry-After`); an outage of PostgreSQL, Redis or
the disk answers 503 like every other API. The routes sit at the app's top level (not in a
Mount), so each endpoint is wrapped with `answers_errors`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.core.outages import is_outage, unavailable
from hub.web.errors import lookup, retry_after
from hub.web.responses import JSONResponse

STATUS: dict[type[errors.DomainError], int] = {
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Gone: 410,
    errors.Invalid: 400,
    errors.TooLarge: 413,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.Unavailable: 503,
}


def render(request: Request, exc: errors.DomainError, *, media_type: str = "application/json"
           ) -> Response:  # fmt: skip
    status = lookup(STATUS, exc, 400)
    headers = {"Cache-Control": "no-store", **retry_after(exc)}
    response = JSONResponse({"error": exc.message}, status_code=status, headers=headers)
    response.headers["content-type"] = media_type
    return response


Endpoint = Callable[[Request], Awaitable[Response]]


def answers_errors(endpoint: Endpoint) -> Endpoint:
    """`endpoint` with its domain errors and outages answered as JSON."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except errors.DomainError as exc:
            return render(request, exc)
        except Exception as exc:
            if not is_outage(exc):
                raise
            return render(request, unavailable(exc))

    return wrapped
