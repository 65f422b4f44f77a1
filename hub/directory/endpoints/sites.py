"""Sites: list, detail, submit (4.3-4.6), recommendations (4.10)."""

from __future__ import annotations

from hub.core.errors import Invalid, NotFound, RateLimited
from hub.directory import schemas, service
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import sites as site_queries
from hub.web.drf.endpoint import Call, Reply, read_body

SUBMIT_PER_HOUR = 20
SUBMIT_PER_DAY = 200


def _links(call: Call) -> schemas.Links:
    return schemas.Links(call.resources.settings.base_url)


async def list_sites(call: Call) -> dict:
    params = call.params
    page, size = schemas.parse_page(params)
    ordering = schemas.parse_ordering(
        params.get("ordering"), default="-created_at", allow_relevance=False
    )
    tag = params.get("tag") or None
    total, rows = await site_queries.list_sites(
        call.resources.pool,
        types=schemas.parse_types(params.getlist("type")),
        tag=tag.lower() if tag else None,
        ordering=ordering,
        author_id=call.author_id,
        limit=size,
        offset=(page - 1) * size,
    )
    authed = call.principal is not None
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=params,
        page=page,
        size=size,
        count=total,
        results=[schemas.site(r, _links(call), authed=authed) for r in rows],
    )


async def site_body(call: Call, site_id) -> dict:
    row = await site_queries.get_site(call.resources.pool, site_id, call.author_id)
    if row is None:
        raise NotFound("Not found.")
    body = schemas.site(row, _links(call), authed=call.principal is not None)
    if row["main_feed_id"] is not None:
        main = await feed_queries.get_feed(call.resources.pool, row["main_feed_id"], call.author_id)
        if main is not None:
            body["main_feed"] = schemas.feed(main, _links(call), authed=call.principal is not None)
    return body


async def site_detail(call: Call) -> dict:
    return await site_body(call, schemas.parse_uuid(call.request.path_params["site_id"]))


async def submit_site(call: Call) -> Reply:
    principal = call.require_token()
    data = await read_body(call)
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise Invalid.field("url", "url is required.")
    redis = call.resources.redis
    await quota(redis, f"hub:directory:submit:h:{principal.author_id}", SUBMIT_PER_HOUR, 3600)
    await quota(redis, f"hub:directory:submit:d:{principal.author_id}", SUBMIT_PER_DAY, 86400)
    added = await service.add_site(call.resources, url, added_by=principal.author_id)
    body = await site_body(call, added.site_id)
    if added.created:
        return Reply(body, 201, {"Location": body["url"]})
    return Reply(body, 200)


async def quota(redis, key: str, limit: int, seconds: int) -> None:
    """A fixed-window counter (submissions per hour and per day, separate from §1.3). The
    window is created with its expiry and counted in one MULTI/EXEC, so concurrent requests
    never see a counter without an expiry, and exactly `limit` of them pass."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=seconds, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    if count > limit:
        raise RateLimited(max(1, int(ttl)), limit=limit)


async def site_feeds(call: Call) -> dict:
    site_id = schemas.parse_uuid(call.request.path_params["site_id"])
    if await site_queries.get_site(call.resources.pool, site_id, None) is None:
        raise NotFound("Not found.")
    page, size = schemas.parse_page(call.params)
    total, rows = await feed_queries.list_site_feeds(
        call.resources.pool, site_id, call.author_id, size, (page - 1) * size
    )
    authed = call.principal is not None
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=call.params,
        page=page,
        size=size,
        count=total,
        results=[schemas.feed(r, _links(call), authed=authed) for r in rows],
    )


async def recommend(call: Call) -> Reply:
    principal = call.require_token()
    site_id = schemas.parse_uuid(call.request.path_params["site_id"])
    async with call.resources.pool.acquire() as conn, conn.transaction():
        created = await site_queries.add_recommendation(conn, principal.author_id, site_id)
    body = await site_body(call, site_id)
    return Reply(body, 201 if created else 200)


async def unrecommend(call: Call) -> Reply:
    principal = call.require_token()
    site_id = schemas.parse_uuid(call.request.path_params["site_id"])
    async with call.resources.pool.acquire() as conn, conn.transaction():
        if not await site_queries.visible(conn, site_id):
            raise NotFound("Not found.")
        await site_queries.remove_recommendation(conn, principal.author_id, site_id)
    return Reply(None, 204)
