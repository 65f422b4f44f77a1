"""HTTP endpoints of `hub/micropub`: thin (authenticate, read, check, call the service, reply).

`POST /micropub` creates, updates and deletes entries; until the shared entries core
(`hub/core/entries`) can persist them, a request that passes every check (body, token,
rate limit, parsing, scopes, property values) is answered `501 not_implemented`.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hub.core import auth, media
from hub.core.errors import Invalid, NotFound, RateLimited, Unauthenticated
from hub.micropub import bodies, queries, scopes, service
from hub.micropub.mf2 import MicropubRequest, form_access_token, is_http_url, parse_form, parse_json
from hub.micropub.properties import apply_heading_rule, project
from hub.web import JSONResponse, client_ip, resources_of

ACCEPT = frozenset({auth.VIA_BEARER, auth.VIA_FORM})
MEDIA_FILE_HEADERS = {
    "Cache-Control": "private, max-age=86400",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}
CATEGORY_LIMIT, CATEGORY_LIMIT_MAX = 1000, 5000
UPLOADS_LIMIT, UPLOADS_LIMIT_MAX = 20, 100
LAST_UPLOAD_WINDOW = timedelta(minutes=10)


async def micropub(request: Request) -> Response:
    """`/micropub`: GET queries, POST actions."""
    if request.method in ("GET", "HEAD"):
        return await query(request)
    if request.method == "POST":
        return await action(request)
    return method_not_allowed(request, "GET, HEAD, POST, OPTIONS")


async def media_endpoint(request: Request) -> Response:
    """`/micropub/media`: POST uploads a file, GET lists uploads (EXT)."""
    if request.method in ("GET", "HEAD"):
        return await media_query(request)
    if request.method == "POST":
        return await upload(request)
    return method_not_allowed(request, "GET, HEAD, POST, OPTIONS")


def method_not_allowed(request: Request, allow: str) -> Response:
    return JSONResponse(
        {
            "error": "invalid_request",
            "error_description": f"{request.method} is not allowed here; use {allow}.",
        },
        status_code=405,
        headers={"Allow": allow},
    )


async def authenticate(request: Request, *, form_token: str | None = None) -> auth.Principal:
    """The principal of a Bearer header or `access_token` body field (both: 400, R-M11).
    An IP with too many failed authentications in a minute gets 429 (§2.5)."""
    resources = resources_of(request)
    settings = resources.settings
    presented = auth.read_token(request.headers, accept=ACCEPT, form_token=form_token)
    ip = client_ip(request, settings.trusted_proxies)
    key = f"mp:authfail:{ip}"
    if ip and presented is not None and settings.rate_failed_auth_per_ip > 0:
        status = await resources.limiter.status(key, settings.rate_failed_auth_per_ip)
        if status.remaining <= 0:
            raise RateLimited(status.reset_after or 60, limit=status.limit)
    try:
        return await auth.resolve_principal(resources.pool, presented, client_ip=ip)
    except Unauthenticated as exc:
        if ip and exc.code != "missing_token":
            with contextlib.suppress(RateLimited):
                await resources.limiter.hit(key, settings.rate_failed_auth_per_ip)
        raise


# --- POST /micropub ----------------------------------------------------------------------


async def action(request: Request) -> Response:
    resources = resources_of(request)
    body = await bodies.read_body(request)
    form_token = form_access_token(body.pairs) if body.kind != "json" else None
    principal = await authenticate(request, form_token=form_token)
    await resources.limiter.hit(
        f"mp:w:{principal.credential_id}", resources.settings.rate_micropub_writes
    )
    parsed = parse_json(body.document) if body.kind == "json" else parse_form(body.pairs)
    scopes.require(principal.scopes, parsed.action)
    blog = await service.blog_of(resources.pool, principal, resources.urls)
    if parsed.action == "create":
        _check_create(parsed, principal, blog)
    # TODO(entries core): persist through hub/core/entries — create → 201 + Location,
    # update → 200 + body (201 when the URL changes), delete/undelete → 204.
    return JSONResponse(
        {
            "error": "not_implemented",
            "error_description": (
                f"The request is valid, but this hub cannot {parsed.action} entries through "
                "Micropub yet."
            ),
        },
        status_code=501,
    )


def _check_create(parsed: MicropubRequest, principal: auth.Principal, blog: service.Blog) -> None:
    """Every check a create gets before anything is stored: property values (dates, status,
    visibility, URLs, tags) and `mp-destination`."""
    properties = apply_heading_rule(parsed.properties)
    fields = project(
        properties,
        parsed.commands,
        kind=parsed.type,
        timezone=blog.timezone,
        now=datetime.now(UTC),
        forced_status=scopes.forced_post_status(principal.scopes),
    )
    if fields.destination is not None and fields.destination.rstrip("/") != blog.url.rstrip("/"):
        raise Invalid.field(
            "mp-destination", f"Unknown destination; this token posts to {blog.url}."
        )


# --- GET /micropub -----------------------------------------------------------------------


async def query(request: Request) -> Response:
    resources = resources_of(request)
    principal = await authenticate(request)
    await resources.limiter.hit(
        f"mp:q:{principal.credential_id}", resources.settings.rate_micropub_queries
    )
    q = request.query_params.get("q")
    if q not in service.QUERIES:
        known = ", ".join(service.QUERIES)
        raise Invalid.field(
            "q",
            f"Unknown query {q!r}; supported: {known}."
            if q
            else f"`q` is missing; supported: {known}.",
        )
    scopes.require(principal.scopes, "source" if q == "source" else "query")
    blog = await service.blog_of(resources.pool, principal, resources.urls)
    if q == "config":
        return JSONResponse(service.config_document(resources.urls, blog))
    if q == "syndicate-to":
        return JSONResponse({"syndicate-to": []})
    if q == "post-types":
        return JSONResponse({"post-types": service.POST_TYPES})
    if q == "category":
        limit, offset = _paging(request, CATEGORY_LIMIT, CATEGORY_LIMIT_MAX)
        contains = request.query_params.get("filter") or None
        names = await queries.list_categories(
            resources.pool, blog.id, contains=contains, limit=limit, offset=offset
        )
        return JSONResponse({"categories": names})
    return await _source(request)


async def _source(request: Request) -> Response:
    # TODO(entries core): resolve `url` (§4.1) to an entry of the token's blog and answer its
    # properties (§5, R-M16); without `url`, the EXT post list. Until entries can be read
    # through the core, no URL names a Micropub entry.
    url = request.query_params.get("url")
    if url is None:
        raise Invalid.field("url", "`url` is missing; the post list is not available yet.")
    if not is_http_url(url):
        raise Invalid.field("url", "`url` must be an absolute http(s) URL.")
    raise NotFound("No post has this URL.")


def _paging(request: Request, default: int, maximum: int) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", default))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        raise Invalid("`limit` and `offset` must be whole numbers.") from None
    if limit < 1 or offset < 0:
        raise Invalid("`limit` must be positive and `offset` not negative.")
    return min(limit, maximum), offset


# --- /micropub/media ---------------------------------------------------------------------


async def upload(request: Request) -> Response:
    resources = resources_of(request)
    body = await bodies.read_body(request, accept=(bodies.MULTIPART,))
    principal = await authenticate(request, form_token=form_access_token(body.pairs))
    await resources.limiter.hit(
        f"mp:u:{principal.credential_id}", resources.settings.rate_micropub_uploads
    )
    scopes.require(principal.scopes, "upload")
    files = [v for _, v in body.pairs if isinstance(v, bodies.UploadedFile)]
    extra = sorted(
        {n for n, v in body.pairs if not isinstance(v, bodies.UploadedFile)} - {"access_token"}
    )
    if len(files) != 1 or files[0].field != "file" or extra:
        raise Invalid.field("file", "Send exactly one file, in a multipart part named `file`.")
    blog = await service.blog_of(resources.pool, principal, resources.urls)
    stored = await service.store_upload(
        resources.pool, resources.settings, principal, blog, files[0].data
    )
    url = resources.urls.micropub_media(stored.public_id)
    document: dict = {"url": url, "type": stored.content_type}
    if stored.width and stored.height:
        document.update(width=stored.width, height=stored.height)
    return JSONResponse(document, status_code=201, headers={"Location": url})


async def media_query(request: Request) -> Response:
    """EXT: `q=source` lists uploads (`limit`, `offset`), `q=last` the newest of the last ten
    minutes."""
    resources = resources_of(request)
    principal = await authenticate(request)
    await resources.limiter.hit(
        f"mp:q:{principal.credential_id}", resources.settings.rate_micropub_queries
    )
    q = request.query_params.get("q")
    if q not in ("source", "last"):
        raise Invalid.field("q", "Supported media queries: source, last.")
    scopes.require(principal.scopes, "query")
    blog = await service.blog_of(resources.pool, principal, resources.urls)
    if q == "last":
        since = datetime.now(UTC) - LAST_UPLOAD_WINDOW
        rows = await queries.list_uploads(resources.pool, blog.id, limit=1, offset=0, since=since)
        return JSONResponse(
            {"url": resources.urls.micropub_media(rows[0]["public_id"])} if rows else {}
        )
    limit, offset = _paging(request, UPLOADS_LIMIT, UPLOADS_LIMIT_MAX)
    rows = await queries.list_uploads(resources.pool, blog.id, limit=limit, offset=offset)
    items = [
        {
            "url": resources.urls.micropub_media(r["public_id"]),
            "published": r["created_at"].isoformat(),
            "type": r["content_type"],
        }
        for r in rows
    ]
    return JSONResponse({"items": items})


async def media_file(request: Request) -> Response:
    """The original bytes of an upload (R-M5): a capability URL; a token, if sent, must be
    valid for the upload's blog (always required in strict mode)."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, "GET, HEAD, OPTIONS")
    resources = resources_of(request)
    settings = resources.settings
    principal = None
    if "authorization" in request.headers or settings.media_preview_require_token:
        principal = await authenticate(request)
        await resources.limiter.hit(
            f"mp:q:{principal.credential_id}", settings.rate_micropub_queries
        )
    row = await queries.get_media(resources.pool, request.path_params["public_id"])
    if row is None or row["original_path"] is None:
        raise NotFound("No upload has this URL.")
    if principal is not None and not _may_see(principal, row):
        raise Unauthenticated("This token is not valid for this blog.", code="invalid_token")
    path = media.safe_path(settings.media_dir, row["original_path"])
    if not path.is_file():
        raise NotFound("No upload has this URL.")
    return FileResponse(path, media_type=row["content_type"], headers=MEDIA_FILE_HEADERS)


def _may_see(principal: auth.Principal, row) -> bool:
    if principal.author_id != row["author_id"]:
        return False
    return principal.channel_id is None or principal.channel_id == row["channel_id"]
