"""HTTP endpoints of `hub/micropub`: thin (authenticate, read, check, call the service, reply).

`POST /micropub` creates (201 + Location), updates (200 + the post's properties, or 201 +
Location when its URL changed), deletes and undeletes (204) entries; `GET /micropub` answers
the queries; `/micropub/media` stores and serves uploads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hub.core import auth
from hub.core.entries.listing import list_categories
from hub.core.errors import Invalid, NotFound, Unauthenticated
from hub.core.inputs import INT8_MAX
from hub.core.media import pipeline as media
from hub.core.media import queries as media_queries
from hub.core.offload import INLINE_BYTES, off_loop
from hub.core.resources import Resources
from hub.core.writes import Tx, write
from hub.micropub import bodies, create, edit, reading, scopes, service, writes
from hub.micropub.mf2 import (
    MicropubRequest,
    form_access_token,
    is_http_url,
    parse_form,
    parse_json,
)
from hub.micropub.properties import POST_STATUSES
from hub.web.auth import guarded_principal
from hub.web.requests import resources_of
from hub.web.responses import JSONResponse
from hub.web.tokens import read_token

ACCEPT = frozenset({auth.VIA_BEARER, auth.VIA_FORM})
MEDIA_FILE_HEADERS = {
    "Cache-Control": "private, max-age=86400",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}
CATEGORY_LIMIT, CATEGORY_LIMIT_MAX = 1000, 5000
UPLOADS_LIMIT, UPLOADS_LIMIT_MAX = 20, 100
POSTS_LIMIT, POSTS_LIMIT_MAX = 20, 100
LAST_UPLOAD_WINDOW = timedelta(minutes=10)


async def micropub(request: Request) -> Response:
    """`/micropub`: GET queries, POST actions."""
    if request.method in ("GET", "HEAD"):
        return await query(request)
    return await action(request)  # POST: the route takes no other method


async def media_endpoint(request: Request) -> Response:
    """`/micropub/media`: POST uploads a file, GET lists uploads (EXT)."""
    if request.method in ("GET", "HEAD"):
        return await media_query(request)
    return await upload(request)  # POST: the route takes no other method


async def authenticate(
    request: Request, *, form_token: str | None = None, query: str = service.BLOG_QUERY
) -> auth.Principal:
    """The principal of a Bearer header or `access_token` body field (both: 400, R-M11),
    with its blog (`service.blog_of`) read in the same statement. An IP with too many failed
    authentications in a minute gets 429 (§2.5)."""
    presented = read_token(request.headers, accept=ACCEPT, form_token=form_token)
    return await guarded_principal(request, presented, namespace="mp", query=query)


# --- POST /micropub ----------------------------------------------------------------------


async def action(request: Request) -> Response:
    resources = resources_of(request)
    body = await bodies.read_body(request)
    form_token = form_access_token(body.pairs) if body.kind != "json" else None
    principal = await authenticate(
        request, form_token=form_token, query=service.BLOG_QUERY_NEW_ENTRY
    )
    await resources.limiter.hit(
        f"mp:w:{principal.credential_id}", resources.settings.rate_micropub_writes
    )
    heavy = body.size > INLINE_BYTES  # reading the fields scans every character: off the loop
    if body.kind == "json":
        parsed = await off_loop(parse_json, body.document, heavy=heavy)
    else:
        parsed = await off_loop(parse_form, body.pairs, heavy=heavy)
    scopes.require(principal.scopes, parsed.action)
    creating = parsed.action == "create"
    blog = service.blog_of(principal, resources.urls)
    key = writes.read_key(request.headers)
    idempotency = None if key is None else writes.idempotency(principal.credential_id, key, body)
    # a create is one statement unless it writes media beside it (`create.create` begins then)
    async with write(resources, idempotency=idempotency, lazy=creating) as tx:
        if tx.replay is not None:
            return writes.replayed(tx.replay)
        response = await _perform(tx, resources, principal, blog, parsed)
        await tx.remember(response.status_code, response.headers, response.body)
    return response


async def _perform(
    tx: Tx,
    resources: Resources,
    principal: auth.Principal,
    blog: service.Blog,
    parsed: MicropubRequest,
) -> Response:
    """Run one write in the open transaction and build its answer."""
    if parsed.action == "create":
        created = await create.create(tx, resources, principal, blog, parsed)
        return JSONResponse(created.body, status_code=201, headers={"Location": created.location})
    if parsed.action == "update":
        updated = await edit.update(tx.conn, resources, principal, blog, parsed)
        if updated.location is not None:
            return JSONResponse(
                updated.body, status_code=201, headers={"Location": updated.location}
            )
        return JSONResponse(updated.body)
    assert parsed.url is not None
    if parsed.action == "delete":
        await edit.delete(tx.conn, resources, blog, parsed.url)
    else:
        await edit.undelete(tx.conn, resources, blog, parsed.url)
    return Response(status_code=204)


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
    blog = service.blog_of(principal, resources.urls)
    if q == "config":
        return JSONResponse(service.config_document(resources.urls, blog))
    if q == "syndicate-to":
        return JSONResponse({"syndicate-to": []})
    if q == "post-types":
        return JSONResponse({"post-types": service.POST_TYPES})
    if q == "category":
        limit, offset = _paging(request, CATEGORY_LIMIT, CATEGORY_LIMIT_MAX)
        contains = request.query_params.get("filter") or None
        names = await list_categories(
            resources.pool, blog.id, contains=contains, limit=limit, offset=offset
        )
        return JSONResponse({"categories": names})
    return await _source(request, blog)


async def _source(request: Request, blog: service.Blog) -> Response:
    """One post by `url` (all properties, or those named by `properties` / `properties[]`),
    or without `url` the post list (EXT)."""
    resources = resources_of(request)
    params = request.query_params
    url = params.get("url")
    if url is None:
        limit, offset = _paging(request, POSTS_LIMIT, POSTS_LIMIT_MAX)
        post_status = params.get("post-status") or None
        if post_status is not None and post_status not in POST_STATUSES:
            raise Invalid.field("post-status", "`post-status` must be published or draft.")
        return JSONResponse(
            await reading.post_list(
                resources,
                blog,
                limit=limit,
                offset=offset,
                contains=params.get("filter") or None,
                post_type=params.get("post-type") or None,
                post_status=post_status,
            )
        )
    if not is_http_url(url):
        raise Invalid.field("url", "`url` must be an absolute http(s) URL.")
    names = params.getlist("properties[]") + params.getlist("properties")
    only = list(dict.fromkeys(n for n in names if n)) or None
    return JSONResponse(await reading.source(resources, blog, url, only))


def _paging(request: Request, default: int, maximum: int) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", default))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        raise Invalid("`limit` and `offset` must be whole numbers.") from None
    if limit < 1 or not 0 <= offset <= INT8_MAX:
        raise Invalid("`limit` must be positive and `offset` from 0 to 2^63-1.")
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
    blog = service.blog_of(principal, resources.urls)
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
    blog = service.blog_of(principal, resources.urls)
    if q == "last":
        since = datetime.now(UTC) - LAST_UPLOAD_WINDOW
        rows = await media_queries.list_uploads(
            resources.pool, blog.id, limit=1, offset=0, since=since
        )
        return JSONResponse(
            {"url": resources.urls.micropub_media(rows[0]["public_id"])} if rows else {}
        )
    limit, offset = _paging(request, UPLOADS_LIMIT, UPLOADS_LIMIT_MAX)
    rows = await media_queries.list_uploads(resources.pool, blog.id, limit=limit, offset=offset)
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
    resources = resources_of(request)
    settings = resources.settings
    principal = None
    if "authorization" in request.headers or settings.media_preview_require_token:
        principal = await authenticate(request)
        await resources.limiter.hit(
            f"mp:q:{principal.credential_id}", settings.rate_micropub_queries
        )
    row = await media_queries.get_media(resources.pool, request.path_params["public_id"])
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
