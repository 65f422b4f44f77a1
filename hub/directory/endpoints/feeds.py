"""Feeds (4.7): detail, posts, and "refresh now" (the poller the job also runs)."""

from __future__ import annotations

from hub.core.errors import NotFound, Unavailable
from hub.directory import schemas
from hub.directory.polling import poller
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import posts as post_queries
from hub.web.drf.endpoint import Call, Reply

REFRESH_PER_FEED_SECONDS = 60


def _links(call: Call) -> schemas.Links:
    return schemas.Links(call.resources.settings.base_url)


async def _feed(call: Call):
    feed_id = schemas.parse_uuid(call.request.path_params["feed_id"])
    row = await feed_queries.get_feed(call.resources.pool, feed_id, call.author_id)
    if row is None:
        raise NotFound("Not found.")
    return row


async def feed_detail(call: Call) -> dict:
    return schemas.feed(await _feed(call), _links(call), authed=call.principal is not None)


async def feed_posts(call: Call) -> dict:
    row = await _feed(call)
    params = call.params
    page, size = schemas.parse_page(params)
    total, rows = await post_queries.list_feed_posts(
        call.resources.pool,
        row["id"],
        since=schemas.parse_time(params.get("since"), "since"),
        until=schemas.parse_time(params.get("until"), "until"),
        limit=size,
        offset=(page - 1) * size,
    )
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=params,
        page=page,
        size=size,
        count=total,
        results=[schemas.post(r, _links(call)) for r in rows],
    )


async def refresh_feed(call: Call) -> Reply:
    """Poll the feed now (token holders; once a minute per feed), then return it."""
    call.require_token()
    row = await _feed(call)
    redis = call.resources.redis
    if not await redis.set(f"hub:directory:refresh:{row['id']}", 1, nx=True,
                           ex=REFRESH_PER_FEED_SECONDS):  # fmt: skip
        body = schemas.feed(row, _links(call), authed=True)
        return Reply({**body, "poll": {"outcome": "skipped"}}, 200)
    try:
        result = await poller.poll_feed(call.resources, row["id"])
    except poller.HostBusy:
        raise Unavailable("That feed's host is busy; try again in a few seconds.") from None
    fresh = await feed_queries.get_feed(call.resources.pool, row["id"], call.author_id)
    body = schemas.feed(fresh, _links(call), authed=True)
    poll = {"outcome": result.outcome, "added": result.added, "changed": result.changed,
            "http_status": result.http_status, "error": result.error}  # fmt: skip
    return Reply({**body, "poll": poll}, 200)
