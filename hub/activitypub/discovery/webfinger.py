"""WebFinger (RFC 7033) as Mastodon asks it: `acct:{handle}@{host}` (the handle is the
channel's chosen `ap_handle`, else its slug; the host the node's, with its port, or the
channel's custom domain) or the channel's URL, answered with a JRD linking the actor. A
request on a custom domain finds only that domain's channel. Published channels only."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.discovery.resource import Resource, parse_resource
from hub.activitypub.documents import ids
from hub.activitypub.documents.context import ACTIVITY_JSON
from hub.activitypub.documents.responses import document_response
from hub.activitypub.errors import answers_errors
from hub.core import channels
from hub.core.errors import NotFound
from hub.core.federation import local
from hub.core.urls import Urls, parse_path
from hub.web.requests import resources_of

JRD = "application/jrd+json"
PROFILE_PAGE = "http://webfinger.net/rel/profile-page"
CACHE = "public, max-age=600"


def node_hosts(urls: Urls) -> tuple[str, ...]:
    """The spellings of the node's host in an acct: URI: with its port (as its base URL has
    it), and the bare host name."""
    return tuple(dict.fromkeys([urlsplit(urls.base).netloc.lower(), urls.host]))


def request_domain(request: Request, urls: Urls) -> str | None:
    """The custom domain a request came on, None on the node's own host."""
    host = (request.url.hostname or "").lower()
    return host if host and host != urls.host else None


def acct_host(urls: Urls, row: asyncpg.Record) -> str:
    return row["custom_domain"] or urlsplit(urls.base).netloc.lower()


async def _find(pool: asyncpg.Pool, urls: Urls, resource: Resource) -> asyncpg.Record | None:
    if resource.handle is not None:
        if resource.host in node_hosts(urls):
            return await local.actor_by_handle(pool, resource.handle)
        row = await local.actor_by_domain(pool, resource.host.split(":")[0])
        return row if row is not None and row["handle"] == resource.handle else None
    if resource.host in node_hosts(urls):
        target = parse_path(resource.path or "/")
        if target.kind != "channel" or not target.channel:
            return None
        return await local.actor_by_slug(pool, target.channel)
    if resource.path in ("", "/"):
        return await local.actor_by_domain(pool, resource.host.split(":")[0])
    return None


async def _served_here(request: Request, urls: Urls, row: asyncpg.Record) -> bool:
    """On a custom domain, only its channel; on the node's host (or an alias of it that is
    no channel's domain, as the site reads one), any."""
    domain = request_domain(request, urls)
    if domain is None or row["custom_domain"] == domain:
        return True
    return await channels.channel_id_by_domain(resources_of(request).pool, domain) is None


@answers_errors
async def webfinger(request: Request) -> Response:
    resources = resources_of(request)
    urls = resources.urls
    resource = parse_resource(request.query_params.get("resource"))
    row = await _find(resources.pool, urls, resource)
    if row is None or row["status"] != "published" or not await _served_here(request, urls, row):
        raise NotFound("No such account on this node.")
    actor = ids.actor_id(urls, row["slug"], row["custom_domain"])
    jrd = {
        "subject": f"acct:{row['handle']}@{acct_host(urls, row)}",
        "aliases": [actor],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor},
            {"rel": PROFILE_PAGE, "type": "text/html", "href": actor},
        ],
    }
    return document_response(
        request, jrd, media_type=JRD, cache_control=CACHE,
        headers={"Access-Control-Allow-Origin": "*"},
    )  # fmt: skip
