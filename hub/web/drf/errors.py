"""Domain errors → the directory's DRF-style `{"detail": ...}` (pine-blog-directory-resolved.md).

One table maps each error class to its status and, where DRF fixes it, its text. The few
errors that only this API raises (405, 406, 415, 422, 503) are defined here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.web.responses import JSONResponse


class NotAuthenticated(errors.DomainError):
    """An action needs a token and none was sent."""

    code = "not_authenticated"


class MethodNotAllowed(errors.DomainError):
    code = "method_not_allowed"


class NotAcceptable(errors.DomainError):
    code = "not_acceptable"


class UnsupportedMediaType(errors.DomainError):
    code = "unsupported_media_type"


class Unprocessable(errors.DomainError):
    code = "unprocessable"


class Unavailable(errors.DomainError):
    code = "unavailable"


class InvalidPage(errors.NotFound):
    code = "invalid_page"


STATUS: dict[type[errors.DomainError], tuple[int, str | None]] = {
    NotAuthenticated: (401, None),
    MethodNotAllowed: (405, None),
    NotAcceptable: (406, None),
    UnsupportedMediaType: (415, None),
    Unprocessable: (422, None),
    Unavailable: (503, None),
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


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    status, fixed = next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), (400, None))
    detail = fixed or exc.message
    body: dict[str, object] = {"detail": detail}
    headers: dict[str, str] = {}
    if isinstance(exc, (errors.Unauthenticated, NotAuthenticated)):
        headers["WWW-Authenticate"] = "Token"
    elif isinstance(exc, errors.RateLimited):
        body["detail"] = f"Request was throttled. Expected available in {exc.retry_after} seconds."
        headers["Retry-After"] = str(exc.retry_after)
    position = getattr(exc, "position", None)
    if position is not None:
        body["position"] = position
    return JSONResponse(body, status_code=status, headers=headers)
