"""Routes of the public site: one catch-all that reads the path with `hub.core.urls.parse_path`
(node host or custom domain) and hands it to the page or feed handler. Pages answer GET and
HEAD; other methods get 405. Media files under `/storage/` are served by `hub.site.media_files`.

A path that would answer 404, and the node home with a `?p=`/`?page_id=` query, is looked up
among the old URLs of imported entries (`hub.core.imports`): a match answers 301 to the
entry's permalink, so a moved blog keeps its links; normal pages cost nothing more."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope as ASGIScope

from hub.core.entries import published
from hub.core.imports import queries as import_queries
from hub.core.imports import redirects
from hub.core.languages import normalise_language
from hub.core.urls import Target, parse_path
from hub.site.feeds import endpoints as feeds
from hub.site.public import pages
from hub.site.public.entry_page import entry_page
from hub.site.public.lease import Lease
from hub.site.public.links import ChannelLinks, Endpoints
from hub.site.public.pages import Scope
from hub.site.public.view import channel_view
from hub.web import page_cache
from hub.web.requests import header, resources_of

METHODS = ["GET", "HEAD"]


async def _scope(request: Request) -> Scope:
    """The node host, or the channel whose custom domain was asked for (R-W30). Any other
    host (an alias, a proxy's name) is served as the node."""
    resources = resources_of(request)
    host = hostname(request.scope)
    if host and host != resources.urls.host:
        row = await published.channel_by_domain(resources.pool, host)
        if row is not None:
            links = ChannelLinks(resources.urls, row["slug"], row["custom_domain"])
            return Scope(resources, links.endpoints, row)
    return Scope(resources, Endpoints(resources.urls.base))


def hostname(scope: ASGIScope) -> str:
    """The host asked for, lower-case, without its port: what `request.url.hostname` gives
    (the `Host` header, else the server's name), without building the whole URL."""
    host = header(scope, b"host")
    if not host:
        server = scope.get("server")
        return (server[0] if server else "").lower()
    if host.startswith("["):  # an IPv6 literal: [::1]:8000
        return host[1:].partition("]")[0].lower()
    return host.partition(":")[0].lower()


def raw_path(request: Request) -> str:
    """The path as sent, still percent-encoded (ASGI `raw_path`; some servers include the
    query string in it)."""
    raw = request.scope.get("raw_path")
    if not raw:
        return request.url.path
    return raw.decode("latin-1").split("?", 1)[0]


OLD_HOME_QUERIES = ("p", "page_id")  # WordPress's `/?p=123` and `/?page_id=7`


async def public(request: Request) -> Response:
    if request.method not in METHODS:
        return Response(status_code=405, headers={"Allow": "GET, HEAD"})
    scope = await _scope(request)
    target = parse_path(raw_path(request), scope.channel["slug"] if scope.channel else None)
    if target.kind == "node" and any(q in request.query_params for q in OLD_HOME_QUERIES):
        moved = await _old_url(request, scope)
        if moved is not None:
            return moved
    response = await _answer(request, scope, target)
    if response.status_code == 404:
        page_cache.unmark(request)  # an old URL's 301 is looked up anew each time
        return await _old_url(request, scope) or response
    return response


async def _old_url(request: Request, scope: Scope) -> Response | None:
    """301 to the imported entry whose old URL this request is, if any."""
    key = redirects.key(raw_path(request), request.url.query)
    if key is None:
        return None
    keys = [key, key.split("?", 1)[0]] if "?" in key else [key]
    custom = scope.channel
    row = await import_queries.find_redirect(
        scope.resources.pool, keys, custom["id"] if custom else None
    )
    if row is None:
        return None
    links = ChannelLinks(scope.urls, row["channel_slug"], row["custom_domain"])
    return pages.moved_permanently(links.entry(row["slug"], primary=row["default_language"]))


async def _answer(request: Request, scope: Scope, target: Target) -> Response:
    custom = scope.channel
    if target.kind == "node":
        page_cache.mark(request, None)  # node-wide: kept until any page changes
        return await pages.node_home(request, scope)
    if target.kind == "missing":
        return pages.not_found(request, scope, channel_view(custom, scope.urls) if custom else None)
    raw_lang = request.query_params.get("lang")
    language = normalise_language(raw_lang) if raw_lang is not None else None
    pool = scope.resources.pool
    if target.kind == "entry":  # the channel and the entry in one round trip
        slug = target.slug or ""
        row = await (
            published.channel_with_entry_by_id(pool, custom["id"], slug, language)
            if custom
            else published.channel_with_entry(pool, target.channel or "", slug, language)
        )
        return await _dispatch(request, scope, target, row, language, raw_lang)
    lease = Lease(pool)  # the channel and its entries on one connection
    try:
        row = custom or await published.channel_by_slug(await lease.conn(), target.channel or "")
        return await _dispatch(request, scope, target, row, language, raw_lang, lease)
    finally:
        await lease.release()


async def _dispatch(
    request: Request,
    scope: Scope,
    target: Target,
    row,
    language: str | None,
    raw_lang: str | None,
    lease: Lease | None = None,
) -> Response:
    custom = scope.channel
    if row is None:
        return pages.not_found(request, scope)
    page_cache.mark(request, row["id"])  # kept for anonymous readers until the channel changes
    if row["custom_domain"] and custom is None:
        links = ChannelLinks(scope.urls, row["slug"], row["custom_domain"])
        return _to_custom_domain(request, links, target)
    if row["status"] != "published":
        return pages.not_found(request, scope)  # a draft channel is not revealed
    if raw_lang is not None and language is None:
        return pages.not_found(request, scope, channel_view(row, scope.urls))
    if target.kind in ("channel", "tag"):
        return await pages.entry_list(
            request, scope, row, language=language, tag=target.tag, lease=lease
        )
    if target.kind == "feed":
        return await feeds.feed(
            request, scope, row, kind=target.feed or "rss", tag=target.tag, language=language,
            lease=lease,
        )  # fmt: skip
    return await entry_page(request, scope, row, target.slug or "", language)


def _to_custom_domain(request: Request, links: ChannelLinks, target: Target) -> Response:
    """301 from a node path to the same page on the channel's custom domain (§3.6)."""
    path = raw_path(request)
    rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
    url = links.node_path(rest)
    if request.url.query:
        url += "?" + request.url.query
    return pages.moved_permanently(url)


ROUTES: list[BaseRoute] = [
    Route("/{path:path}", public, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
]
