"""The one way every adapter maps an error to its answer.

Each adapter's `errors.py` is a table (domain error class → its status and words) plus its
body shape; `lookup` finds an error's row along its class's MRO, `retry_after` gives the
header every API sends with a 429 and a 503, and `error_handler` turns a shape into the
handler a mount installs. The router's own 404 and 405 (Starlette's `HTTPException`) arrive as
`NotFound` and `MethodNotAllowed`, and an outage of PostgreSQL, Redis or the disk
(`hub.core.outages`) as `Unavailable`, so each API answers them in its own shape too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.core.errors import DomainError, NotFound, RateLimited, Unavailable
from hub.core.outages import OUTAGE_ERRORS, is_outage, unavailable

log = logging.getLogger("hub.web")
Row = TypeVar("Row")
Render = Callable[[Request, DomainError], Response]
Handler = Callable[[Request, Exception], Awaitable[Response]]

# What a mount hands to `error_handler`: every domain error, the router's 404 and 405, and the
# classes of infrastructure errors (the handler answers 503 for outages, re-raises the rest).
HANDLED: tuple[type[BaseException] | int, ...] = (DomainError, 404, 405, *OUTAGE_ERRORS)


class MethodNotAllowed(DomainError):
    """The path exists but not for this method; `allow` lists the methods it takes."""

    code = "method_not_allowed"

    def __init__(
        self, allow: Sequence[str] = (), *, method: str = "", message: str = "Method not allowed."
    ) -> None:
        super().__init__(message)
        self.method = method
        self.allow = list(allow)


def lookup(
    table: Mapping[type[DomainError], Row],
    exc: DomainError,
    default: Row,
    *,
    codes: Mapping[str, Row] | None = None,
) -> Row:
    """`exc`'s row: by its code in `codes` first, then the first of its classes (in MRO order)
    in `table`, else `default`."""
    if codes and exc.code in codes:
        return codes[exc.code]
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return default


def retry_after(exc: DomainError) -> dict[str, str]:
    """`Retry-After` for a rate-limited or unavailable (503) answer, nothing for other errors."""
    if isinstance(exc, (RateLimited, Unavailable)):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def from_router(request: Request, exc: HTTPException) -> DomainError:
    """The router's 405 (with the route's methods, sorted) or 404, as a domain error."""
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        methods = sorted(m.strip() for m in allow.split(",") if m.strip())
        return MethodNotAllowed(methods, method=request.method)
    return NotFound("Not found.")


_OUTAGE_LOG_EVERY = 10.0  # seconds: one line per outage burst, not one per request
_last_outage_log = -_OUTAGE_LOG_EVERY


def _log_outage(request: Request, exc: Exception) -> None:
    global _last_outage_log
    now = time.monotonic()
    if now - _last_outage_log >= _OUTAGE_LOG_EVERY:
        _last_outage_log = now
        log.warning("answering 503 (%s %s): %s: %s", request.method, request.url.path,
                    type(exc).__name__, exc)  # fmt: skip


def error_handler(render: Render) -> Handler:
    """A mount's exception handler answering domain errors, router 404/405 and outages with
    `render`; any other error goes on to the server's 500."""

    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            exc = from_router(request, exc)
        elif not isinstance(exc, DomainError):
            if not is_outage(exc):
                raise exc
            _log_outage(request, exc)
            exc = unavailable(exc)
        return render(request, exc)

    return handle
