"""What every v1 endpoint does the same way: answer JSON, dispatch methods, run a write in its
transaction with `Idempotency-Key` and `?dry_run=true` handled (publicasta-v1-resolved §4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from hub.channels import idempotency
from hub.channels.legacy import deprecation_headers, successor_path
from hub.core.auth import Principal
from hub.core.idempotency import StoredResponse
from hub.core.writes import Tx, write
from hub.web.requests import resources_of
from hub.web.responses import JSONResponse

Handler = Callable[[Request], Awaitable[Response]]
JSON_TYPE = "application/json; charset=utf-8"


def respond(request: Request, body: object, status_code: int = 200, *,
            headers: dict[str, str] | None = None, dry_run: bool = False) -> Response:  # fmt: skip
    out = {"Cache-Control": "no-store", **(headers or {})}
    if dry_run:
        out["X-Dry-Run"] = "true"
        out.pop("Location", None)
        status_code = 200
    out.update(deprecation_headers(request))
    if status_code == 204:
        return Response(status_code=204, headers=out)
    return JSONResponse(body, status_code=status_code, headers=out, media_type=JSON_TYPE)


def is_dry_run(request: Request) -> bool:
    return request.query_params.get("dry_run", "").lower() in ("1", "true")


def methods(**handlers: Handler) -> Handler:
    """One endpoint per path, dispatching on the method. Its route takes only these methods
    (`allowed_methods`), so any other is the router's 405 with `Allow` (R-08)."""
    allowed = {name.upper(): handler for name, handler in handlers.items()}
    if "GET" in allowed:
        allowed.setdefault("HEAD", allowed["GET"])

    async def endpoint(request: Request) -> Response:
        return await allowed[request.method](request)

    endpoint.allowed_methods = sorted(allowed)  # type: ignore[attr-defined]  # for the docs test
    return endpoint


async def run_write(
    request: Request,
    principal: Principal,
    body_digest: bytes | Callable[[], bytes],
    work: Callable[[Tx], Awaitable[Response]],
    *,
    lazy: bool = False,
) -> Response:
    """Run `work` in one write unit (`hub.core.writes`). With an `Idempotency-Key`, the key
    is claimed in its transaction and the response stored there too; a completed key replays
    its stored response. A dry run checks the key's format (a malformed key is 422 either way)
    but does not claim it: it writes nothing to replay. `body_digest`
    may be a function: it is only called when there is a key. `lazy`: `work` begins the
    transaction itself before its first write, unless there is a key or a dry run."""
    resources = resources_of(request)
    dry_run = is_dry_run(request)
    key = idempotency.read_key(request.headers)
    if dry_run:
        key = None
    unit_key = None
    if key is not None:
        digest = body_digest() if callable(body_digest) else body_digest
        unit_key = idempotency.for_request(
            principal.credential_id, key, request.method, successor_path(request.url.path), digest
        )
    async with write(resources, dry_run=dry_run, lazy=lazy, idempotency=unit_key) as tx:
        if tx.replay is None:
            response = await work(tx)
            if tx.idempotency is not None:  # kept for replays (a big body: encoded off the loop)
                if isinstance(response, JSONResponse):
                    await response.prepare()
                await tx.remember(response.status_code, response.headers, response.body)
    if tx.replay is not None:
        return _replayed(request, tx.replay)
    return response


def _replayed(request: Request, stored: StoredResponse) -> Response:
    headers = {
        **stored.headers,
        "Cache-Control": "no-store",
        idempotency.REPLAYED_HEADER: "true",
    }
    headers.update(deprecation_headers(request))
    return Response(stored.body or None, status_code=stored.status, headers=headers)
