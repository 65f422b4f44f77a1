"""Domain errors → plain HTML pages for the public site."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.core import errors

STATUS: dict[type[errors.DomainError], int] = {
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Gone: 410,
    errors.Invalid: 400,
    errors.TooLarge: 413,
    errors.Conflict: 409,
    errors.RateLimited: 429,
}


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    status = next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 400)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else {}
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{status}</title><h1>{status}</h1><p>{escape(exc.message)}</p></html>"
    )
    return HTMLResponse(page, status_code=status, headers=headers)
