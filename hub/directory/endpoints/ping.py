"""`POST /api/xml-rpc/ping` (4.13, SEEN): `weblogUpdates.ping(name, url)` and
`weblogUpdates.extendedPing(name, url, changesUrl, feedUrl)`. A known site or feed gets its
feeds polled now (the `poll_feed` jobs), at most once per site per 5 minutes; local feeds (this
node's own channels) are indexed at publish time and never polled."""

from __future__ import annotations

from starlette.responses import Response

from hub.core.queue import enqueue
from hub.directory import xmlrpc
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import sites as site_queries
from hub.directory.service import POLL_FEED_JOB, poll_feed_job_id
from hub.directory.urlnorm import feed_key, site_key
from hub.web.drf.endpoint import Call

METHODS = ("weblogUpdates.ping", "weblogUpdates.extendedPing")
ONCE_PER_SECONDS = 300
THANKS = "Thanks for the ping."
UNKNOWN = "Unknown site; submit it first."


def _xml(body: str) -> Response:
    return Response(body, media_type="text/xml")


async def ping(call: Call) -> Response:
    try:
        rpc = xmlrpc.parse_call(await call.request.body())
    except xmlrpc.CallError as exc:
        return _xml(xmlrpc.fault_response(exc.code, str(exc)))
    if rpc.method not in METHODS:
        return _xml(xmlrpc.fault_response(-32601, f"Unknown method {rpc.method}."))
    if len(rpc.params) < 2 or not rpc.params[1]:
        return _xml(xmlrpc.fault_response(-32602, "Expected (name, url, …)."))
    urls = [u for u in rpc.params[1:4] if u.startswith(("http://", "https://"))]
    site_id = await _known_site(call, urls)
    if site_id is None:
        return _xml(xmlrpc.struct_response({"flerror": True, "message": UNKNOWN}))
    redis = call.resources.redis
    if await redis.set(f"hub:directory:ping:{site_id}", 1, nx=True, ex=ONCE_PER_SECONDS):
        feeds = await feed_queries.site_feed_summaries(call.resources.pool, site_id)
        for feed in feeds:
            if not feed["is_local"]:
                job_id = poll_feed_job_id(feed["id"])
                await enqueue(redis, POLL_FEED_JOB, str(feed["id"]), job_id=job_id)
    return _xml(xmlrpc.struct_response({"flerror": False, "message": THANKS}))


async def _known_site(call: Call, urls: list[str]):
    """The site a pinged URL names: a feed URL (feedUrl, changesUrl or url) or a site link."""
    pool = call.resources.pool
    for url in reversed(urls):  # feedUrl is the most precise
        feed = await feed_queries.find_feed_by_key(pool, feed_key(url))
        if feed is not None:
            return feed["site_id"] if await site_queries.visible(pool, feed["site_id"]) else None
    for url in urls:
        site = await site_queries.find_site_by_key(pool, site_key(url))
        if site is not None and site["hidden_at"] is None:
            return site["id"]
    return None
