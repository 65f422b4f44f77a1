"""What every v1 endpoint does the same way: read the body, answer JSON, dispatch methods."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from hub.channels.errors import MethodNotAllowed, deprecation_headers
from hub.web import JSONResponse

Handler = Callable[[Request], Awaitable[Response]]


def respond(request: Request, body: object, status_code: int = 200, *,
            headers: dict[str, str] | None = None, dry_run: bool = False) -> Response:  # fmt: skip
    out = {"Cache-Control": "no-store", **(headers or {})}
    if dry_run:
        out["X-Dry-Run"] = "true"
        out.pop("Location", None)
        status_code = 200
    if request.url.path.startswith("/api/v1/projects"):
        out.update(deprecation_headers(request.url.path))
    return JSONResponse(body, status_code=status_code, headers=out)


def is_dry_run(request: Request) -> bool:
    return request.query_params.get("dry_run", "").lower() in ("1", "true")


def methods(**handlers: Handler) -> Handler:
    """One endpoint per path; an undefined method gets 405 with `Allow` (R-08)."""
    allowed = {name.upper(): handler for name, handler in handlers.items()}
    if "GET" in allowed:
        allowed.setdefault("HEAD", allowed["GET"])

    async def endpoint(request: Request) -> Response:
        handler = allowed.get(request.method)
        if handler is None:
            raise MethodNotAllowed(sorted(allowed))
        return await handler(request)

    return endpoint
