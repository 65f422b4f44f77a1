"""Domain errors → the directory's DRF-style `{"detail": ...}` (pine-blog-directory-resolved.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.web import JSONResponse

STATUS: dict[type[errors.DomainError], tuple[int, str | None]] = {
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
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = "Token"
    elif isinstance(exc, errors.RateLimited):
        detail = f"Request was throttled. Expected available in {exc.retry_after} seconds."
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
