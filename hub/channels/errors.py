"""Domain errors → the v1 body `{"message", "errors": {field: [..]}}` (publicasta-v1-resolved)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels.legacy import deprecation_headers
from hub.core import errors
from hub.web.errors import MethodNotAllowed, error_handler, lookup, retry_after
from hub.web.responses import JSONResponse


class PreconditionFailed(errors.DomainError):
    code = "precondition_failed"


STATUS: dict[type[errors.DomainError], int] = {
    MethodNotAllowed: 405,
    PreconditionFailed: 412,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Gone: 404,
    errors.Invalid: 422,
    errors.TooLarge: 413,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.FetchRefused: 422,
    errors.FetchFailed: 422,
    errors.Unavailable: 503,
}


def laravel_message(fields: dict[str, list[str]]) -> str:
    """The first field message, plus ` (and N more error[s])`, as Laravel words it."""
    messages = [m for ms in fields.values() for m in ms]
    if not messages:
        return "The given data was invalid."
    rest = len(messages) - 1
    if rest == 0:
        return messages[0]
    return f"{messages[0]} (and {rest} more error{'s' if rest > 1 else ''})"


def render(request: Request, exc: errors.DomainError) -> Response:
    status = lookup(STATUS, exc, 422)
    headers: dict[str, str] = {"Cache-Control": "no-store", **retry_after(exc)}
    fields: dict[str, list[str]] = {}
    message = exc.message
    if isinstance(exc, errors.Invalid):
        fields = exc.fields or {"body": [exc.message]}
        message = laravel_message(fields)
    elif isinstance(exc, errors.Unauthenticated):
        message = "Missing or invalid API key."
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, errors.Forbidden) and exc.code == "insufficient_scope":
        message = f"This API key lacks the '{(exc.scope or '').split()[0]}' scope."
    elif isinstance(exc, errors.RateLimited):
        message = f"Too many requests. Retry after {exc.retry_after} seconds."
    elif isinstance(exc, errors.TooLarge):
        limit = f" The limit is {exc.limit} bytes." if exc.limit else ""
        what = "uploaded file" if exc.code == "file_too_large" else "request body"
        message = f"The {what} is too large." + limit
    elif isinstance(exc, MethodNotAllowed):
        headers["Allow"] = ", ".join(exc.allow)
    headers.update(deprecation_headers(request))
    return JSONResponse(
        {"message": message, "errors": fields},
        status_code=status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )


handle = error_handler(render)


ARTICLE_CHANGED = "The article has changed since you read it."
CHANNEL_CHANGED = "The channel has changed since you read it."
