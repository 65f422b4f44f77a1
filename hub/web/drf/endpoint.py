"""What every directory endpoint does around its handler: content negotiation, token auth,
throttling per auth level, OPTIONS metadata, `Allow`, `RateLimit-*`, `_meta` notices, HEAD and
the `{"detail"}` error shape (pine-blog-directory-resolved.md §1).

Routes are declared once, as `Endpoint` rows in `routes.py`; `Allow`, OPTIONS and `_meta` are
all derived from that row so they cannot drift apart.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from hub.core import auth
from hub.core.errors import DomainError, Forbidden, Invalid
from hub.core.inputs import check_document
from hub.core.plans import limits_for
from hub.core.resources import Resources
from hub.web.auth import guarded_principal
from hub.web.clients import client_ip
from hub.web.drf import cache as response_cache
from hub.web.drf import errors
from hub.web.requests import resources_of
from hub.web.responses import JSONResponse
from hub.web.tokens import read_token

RENDERS = ["application/json", "text/html"]
PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
DOCS_ANCHOR = "/api/documentation#"
# Every method reaches `_serve`: as in DRF, a 405 comes after negotiation, authentication and
# throttling (so it is counted and carries `RateLimit-*`), with `Allow` from the row.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    required: bool = False


@dataclass
class Call:
    """One request as a handler sees it."""

    request: Request
    resources: Resources
    principal: auth.Principal | None

    @property
    def author_id(self) -> int | None:
        return self.principal.author_id if self.principal else None

    @property
    def params(self):
        return self.request.query_params

    def require_token(self) -> auth.Principal:
        if self.principal is None:
            raise errors.NotAuthenticated("Authentication credentials were not provided.")
        return self.principal


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    path: str
    name: str
    description: str
    handlers: dict[str, Handler]
    query_parameters: tuple[Param, ...] = ()
    actions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    stability: str = "stable"  # stable | beta | deprecated
    anchor: str | None = None
    deprecation: dict[str, str] | None = None
    cache: bool = False  # anonymous GETs may be served from the response cache (§1.3)
    throttle: bool = True  # False only for callbacks other servers make (WebSub hubs)
    negotiate: bool = True  # False where the wire format is not ours (XML-RPC)

    @property
    def allow(self) -> str:
        methods = list(self.handlers)
        if "GET" in methods:
            methods.insert(methods.index("GET") + 1, "HEAD")
        return ", ".join([*methods, "OPTIONS"])

    def meta(self, base_url: str) -> dict[str, Any] | None:
        if self.stability == "beta":
            notice: dict[str, str] = {
                "message": "Warning, this endpoint is currently in beta and is subject to "
                "change. Please see our documentation for more information."
            }
            if self.anchor:
                notice = {"link": base_url + DOCS_ANCHOR + self.anchor, **notice}
            return {"beta_notice": notice}
        if self.stability == "deprecated":
            return {"deprecation_notice": dict(self.deprecation or {"message": "Deprecated."})}
        return None

    def route(self) -> Route:
        return Route(self.path, self._serve, methods=ALL_METHODS, name=self.name)

    async def _serve(self, request: Request) -> Response:
        resources = resources_of(request)
        rate_headers: dict[str, str] = {}
        try:
            if self.negotiate:
                _negotiate(request)
            principal = await _principal(request, resources)
            if self.throttle:
                rate_headers = await _throttle(request, resources, principal)
            call = Call(request, resources, principal)
            cacheable = (
                self.cache
                and principal is None
                and request.method in ("GET", "HEAD")
                and resources.settings.directory_cache_seconds > 0
            )
            cached = await response_cache.get(resources.redis, request) if cacheable else None
            if cached is not None:
                response = cached
            else:
                response = await self._answer(call)
                if cacheable:
                    await response_cache.put(resources.redis, request, response, resources.settings)
            response = conditional(request, response)
        except DomainError as exc:
            response = await errors.handle(request, exc)
        response.headers["Allow"] = self.allow
        for name, value in rate_headers.items():
            response.headers.setdefault(name, value)
        if request.method == "HEAD":
            response.body = b""
        return response

    async def _answer(self, call: Call) -> Response:
        request = call.request
        if request.method == "OPTIONS":
            body: Any = self.options(call)
        else:
            handler = self.handlers.get("GET" if request.method == "HEAD" else request.method)
            if handler is None:
                raise errors.MethodNotAllowed(method=request.method)
            body = await handler(call)
        return self.render(request, body, call.resources.settings.base_url)

    def render(self, request: Request, body: Any, base_url: str) -> Response:
        if isinstance(body, Response):
            return body
        status = 200
        headers: dict[str, str] = {}
        if isinstance(body, Reply):
            status, headers, body = body.status, body.headers, body.body
        if body is None:
            return Response(status_code=status, headers=headers)
        meta = self.meta(base_url)
        if meta and isinstance(body, dict):
            body = {"_meta": meta, **body}
        if _wants_html(request):
            page = html.escape(json.dumps(body, indent=4, ensure_ascii=False, default=str))
            return HTMLResponse(
                f"<!doctype html><title>{html.escape(self.name)}</title><pre>{page}</pre>",
                status_code=status,
                headers=headers,
            )
        return JSONResponse(body, status_code=status, headers=headers)

    def options(self, call: Call) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "renders": RENDERS,
            "parses": PARSES,
        }
        if self.query_parameters:
            body["query_parameters"] = [
                {"name": p.name, "required": p.required, "description": p.description}
                for p in self.query_parameters
            ]
        if self.actions and call.principal is not None:
            body["actions"] = self.actions
        return body


def conditional(request: Request, response: Response) -> Response:
    """EXT (Feedbin-style): a weak validator on every 200 JSON read, 304 when it matches."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.media_type != "application/json"
    ):
        return response
    etag = 'W/"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    response.headers["ETag"] = etag
    sent = request.headers.get("if-none-match", "")
    if etag in [part.strip() for part in sent.split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    return response


@dataclass(frozen=True)
class Reply:
    """A handler's answer when it is not a plain 200 JSON body."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def _format(request: Request) -> str | None:
    """The `format` query parameter; without a query string (every POST, most reads) None
    without building the request's query parameters."""
    if not request.scope.get("query_string"):
        return None
    return request.query_params.get("format")


def _negotiate(request: Request) -> None:
    fmt = _format(request)
    if fmt is not None:
        if fmt not in ("json", "html", "api", "opml"):
            raise errors.NotFound("Not found.")
        return
    accept = request.headers.get("accept", "").lower()
    if not accept:
        return
    for part in accept.split(","):
        kind = part.split(";")[0].strip()
        if kind in ("*/*", "application/*", "text/*", "application/json", "text/html"):
            return
    raise errors.NotAcceptable("Could not satisfy the request Accept header.")


def _wants_html(request: Request) -> bool:
    fmt = _format(request)
    if fmt in ("html", "api"):
        return True
    if fmt == "json":
        return False
    accept = request.headers.get("accept", "").lower()
    first = accept.split(",")[0].split(";")[0].strip()
    return first in ("text/html", "text/*")


async def _principal(request: Request, resources: Resources) -> auth.Principal | None:
    presented = read_token(request.headers, accept={auth.VIA_TOKEN})
    if presented is None:
        return None
    # token guessing: 429 past the limit
    principal = await guarded_principal(request, presented, namespace="directory")
    if not principal.has_scope("directory"):
        raise Forbidden("You do not have permission to perform this action.", scope="directory")
    return principal


def rate_for(principal: auth.Principal | None, settings: Any) -> tuple[str, int]:
    """(throttle key, requests per minute) for the caller's auth level (§1.3)."""
    if principal is None:
        return "anon", settings.rate_directory_anon
    return f"user:{principal.author_id}", limits_for(settings, principal).directory_rate


async def _throttle(
    request: Request, resources: Resources, principal: auth.Principal | None
) -> dict[str, str]:
    key, limit = rate_for(principal, resources.settings)
    if principal is None:
        key = f"ip:{client_ip(request, resources.settings.trusted_proxies) or 'unknown'}"
    key = "directory:" + key
    await resources.limiter.hit(key, limit)  # RateLimited → 429 with Retry-After
    if limit <= 0:
        return {}
    status = await resources.limiter.status(key, limit)
    return {
        "RateLimit-Limit": str(status.limit),
        "RateLimit-Remaining": str(status.remaining),
        "RateLimit-Reset": str(status.reset_after),
    }


async def read_body(call: Call) -> dict[str, Any]:
    """A JSON, urlencoded or multipart body as a dict; 415 for other types, 400 if broken or
    if a key or string holds a NUL."""
    kind = call.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(await call.request.body() or b"{}")
        except ValueError:
            raise Invalid("JSON parse error.") from None
        if not isinstance(data, dict):
            raise Invalid("Expected a JSON object.")
        check_document(data)
        return data
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await call.request.form()
        data = {k: v for k, v in form.multi_items()}
        check_document(data)
        return data
    if not kind and not await call.request.body():
        return {}
    raise errors.UnsupportedMediaType(f'Unsupported media type "{kind}" in request.')
