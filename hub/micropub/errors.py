"""Domain errors → Micropub's `{"error", "error_description"}` (micropub-resolved.md §1.4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core import errors
from hub.web.errors import MethodNotAllowed, error_handler, lookup, retry_after
from hub.web.responses import JSONResponse

# (status, error) per domain error class; the first match in MRO order wins.
STATUS: dict[type[errors.DomainError], tuple[int, str]] = {
    MethodNotAllowed: (405, "invalid_request"),
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
    errors.Unavailable: (503, "temporarily_unavailable"),  # RFC 6749 §4.1.2.1's word for it
}


# Codes whose status differs from their class's (the first table wins over this one).
CODES: dict[str, tuple[int, str]] = {
    "unsupported_media_type": (415, "invalid_request"),  # a body type /micropub does not read
    "unsupported_type": (415, "invalid_request"),  # an upload of a refused type (R-M6)
}


def render(request: Request, exc: errors.DomainError) -> Response:
    status, error = lookup(STATUS, exc, (400, "invalid_request"), codes=CODES)
    body: dict[str, str] = {"error": error, "error_description": exc.message}
    headers = retry_after(exc)
    if isinstance(exc, errors.Forbidden) and exc.code == "insufficient_scope":
        status, body["error"] = 401, "insufficient_scope"
        body["scope"] = exc.scope or ""
        headers["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    elif isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = (
            'Bearer realm="hub"' if exc.code == "missing_token" else 'Bearer error="invalid_token"'
        )
    elif isinstance(exc, MethodNotAllowed):
        allow = ", ".join([*exc.allow, "OPTIONS"])  # OPTIONS: every path's CORS preflight
        body["error_description"] = f"{exc.method} is not allowed here; use {allow}."
        headers["Allow"] = allow
    return JSONResponse(body, status_code=status, headers=headers)


handle = error_handler(render)
