"""Domain errors → the directory's DRF-style `{"detail": ...}` (pine-blog-directory-resolved.md).

One table maps each error class to its status and, where DRF fixes it, its text. The few
errors that only this API raises (406, 415, 422) are defined here; 405 is `hub.web`'s.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.web.errors import MethodNotAllowed, error_handler, lookup, retry_after
from hub.web.responses import JSONResponse


class NotAuthenticated(errors.DomainError):
    """An action needs a token and none was sent."""

    code = "not_authenticated"


class NotAcceptable(errors.DomainError):
    code = "not_acceptable"


class UnsupportedMediaType(errors.DomainError):
    code = "unsupported_media_type"


class Unprocessable(errors.DomainError):
    code = "unprocessable"


class InvalidPage(errors.NotFound):
    code = "invalid_page"


STATUS: dict[type[errors.DomainError], tuple[int, str | None]] = {
    NotAuthenticated: (401, None),
    MethodNotAllowed: (405, None),
    NotAcceptable: (406, None),
    UnsupportedMediaType: (415, None),
    Unprocessable: (422, None),
    errors.Unavailable: (503, None),
    InvalidPage: (404, "Invalid page."),
    errors.Unauthenticated: (401, "Invalid token."),
    errors.Forbidden: (403, "You do not have permission to perform this action."),
    errors.NotFound: (404, "Not found."),
    errors.Gone: (404, "Not found."),
    errors.Invalid: (400, None),
    errors.TooLarge: (413, None),
    errors.Conflict: (409, None),
    errors.RateLimited: (429, None),
    errors.FetchRefused: (400, None),
    errors.FetchFailed: (400, None),
}


def render(request: Request, exc: errors.DomainError) -> Response:
    status, fixed = lookup(STATUS, exc, (400, None))
    detail = fixed or exc.message
    body: dict[str, object] = {"detail": detail}
    headers = retry_after(exc)
    if isinstance(exc, (errors.Unauthenticated, NotAuthenticated)):
        headers["WWW-Authenticate"] = "Token"
    elif isinstance(exc, errors.RateLimited):
        body["detail"] = f"Request was throttled. Expected available in {exc.retry_after} seconds."
    elif isinstance(exc, MethodNotAllowed):
        body["detail"] = f'Method "{exc.method}" not allowed.'
        if exc.allow:  # the router's 405; an endpoint's own gets its `Allow` from its row
            headers["Allow"] = ", ".join(exc.allow)
    position = getattr(exc, "position", None)
    if position is not None:
        body["position"] = position
    return JSONResponse(body, status_code=status, headers=headers)


handle = error_handler(render)
