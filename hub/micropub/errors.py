"""Domain errors → Micropub's `{"error", "error_description"}` (micropub-resolved.md §1.4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.web.responses import JSONResponse

# (status, error) per domain error class; the first match in MRO order wins.
STATUS: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.Unauthenticated: (401, "unauthorized"),
    errors.Forbidden: (403, "forbidden"),
    errors.NotFound: (404, "not_found"),
    errors.Gone: (404, "not_found"),
    errors.Invalid: (400, "invalid_request"),
    errors.TooLarge: (413, "invalid_request"),
    errors.Conflict: (409, "invalid_request"),
    errors.RateLimited: (429, "rate_limited"),
    errors.FetchRefused: (400, "invalid_request"),
    errors.FetchFailed: (400, "invalid_request"),
}


# Codes whose status differs from their class's (the first table wins over this one).
CODES: dict[str, tuple[int, str]] = {
    "unsupported_media_type": (415, "invalid_request"),  # a body type /micropub does not read
    "unsupported_type": (415, "invalid_request"),  # an upload of a refused type (R-M6)
}


def _lookup(exc: errors.DomainError) -> tuple[int, str]:
    if exc.code in CODES:
        return CODES[exc.code]
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400, "invalid_request"


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.DomainError)
    status, error = _lookup(exc)
    body: dict[str, str] = {"error": error, "error_description": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Forbidden) and exc.code == "insufficient_scope":
        status, body["error"] = 401, "insufficient_scope"
        body["scope"] = exc.scope or ""
        headers["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    elif isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = (
            'Bearer realm="hub"' if exc.code == "missing_token" else 'Bearer error="invalid_token"'
        )
    elif isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(body, status_code=status, headers=headers)
