"""Domain errors → plain HTML pages for the public site."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.core import errors
from hub.web.errors import MethodNotAllowed, error_handler, lookup, retry_after

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


def render(request: Request, exc: errors.DomainError) -> Response:
    if isinstance(exc, MethodNotAllowed):
        # The public catch-all takes GET, HEAD and the write methods (answering the latter
        # 405 itself); a method no route of the site takes (OPTIONS) finds no page.
        exc = errors.NotFound("Not found.")
    status = lookup(STATUS, exc, 400)
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{status}</title><h1>{status}</h1><p>{escape(exc.message)}</p></html>"
    )
    return HTMLResponse(page, status_code=status, headers=retry_after(exc))


handle = error_handler(render)
