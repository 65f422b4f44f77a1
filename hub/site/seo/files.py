"""`GET /sitemap.xml` and `GET /robots.txt` of the origin asked: on the node host, the channels
without a custom domain; on a custom domain, that channel only (R-W30). Over `MAX_URLS`
URLs, `/sitemap.xml` is a sitemap index of `/sitemap.xml?page=0` (the channel homes) and
`?page=1…` (entry translations, `MAX_URLS` a page). A request reads one or two indexed
statements (`hub.core.entries.sitemap`); the sitemap index reads a count as well."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.core.entries import sitemap as queries
from hub.site.public.caching import respond
from hub.site.public.links import ChannelLinks
from hub.site.public.pages import Scope, not_found
from hub.site.public.routes import _scope as request_scope  # node host or custom domain
from hub.site.seo import sitemap as doc
from hub.site.seo.robots import robots_txt
from hub.web import page_cache

XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SEO_CACHE = "public, max-age=3600"


def _origin(scope: Scope) -> str:
    return scope.endpoints.base


async def robots(request: Request) -> Response:
    scope = await request_scope(request)
    page_cache.mark(request, None)  # node-wide: kept until any page changes
    return respond(request, robots_txt(_origin(scope)), media_type=TEXT, cache_control=SEO_CACHE)


def _channel_urls(scope: Scope, rows) -> list[doc.SitemapUrl]:
    urls = scope.urls
    return [
        doc.SitemapUrl(ChannelLinks(urls, r["slug"], r["custom_domain"]).home(), r["lastmod"])
        for r in rows
    ]


def _entry_urls(scope: Scope, rows) -> list[doc.SitemapUrl]:
    out = []
    links: dict[tuple[str, str | None], ChannelLinks] = {}
    for r in rows:
        key = (r["channel_slug"], r["custom_domain"])
        channel = links.get(key) or links.setdefault(key, ChannelLinks(scope.urls, *key))
        primary = r["default_language"]
        alternates = [
            (lang, channel.entry(r["slug"], lang, primary=primary)) for lang in r["languages"]
        ]
        if len(alternates) > 1 and r["default_language"] in r["languages"]:
            alternates.append(("x-default", channel.entry(r["slug"], primary, primary=primary)))
        out.append(
            doc.SitemapUrl(
                channel.entry(r["slug"], r["language"], primary=primary),
                r["lastmod"],
                alternates if len(alternates) > 1 else [],
            )
        )
    return out


def _xml(request: Request, body: str) -> Response:
    return respond(request, body, media_type=XML, cache_control=SEO_CACHE)


async def sitemap(request: Request) -> Response:
    scope = await request_scope(request)
    page_cache.mark(request, None)  # node-wide: kept until any page changes
    channel_id = scope.channel["id"] if scope.channel is not None else None
    per_file = doc.MAX_URLS
    pool = scope.resources.pool
    raw_page = request.query_params.get("page")
    if raw_page is None:
        channels = await queries.sitemap_channels(pool, channel_id, per_file)
        room = per_file - len(channels)
        rows = await queries.sitemap_translations(pool, channel_id, offset=0, limit=room + 1)
        if len(rows) <= room:
            urls = _channel_urls(scope, channels) + _entry_urls(scope, rows)
            return _xml(request, doc.urlset(urls))
        total = await queries.count_sitemap_translations(pool, channel_id)
        pages = range(-(-total // per_file) + 1)
        origin = _origin(scope)
        return _xml(request, doc.sitemap_index(f"{origin}/sitemap.xml?page={n}" for n in pages))
    if not raw_page.isascii() or not raw_page.isdigit() or len(raw_page) > 6:
        return not_found(request, scope)
    page = int(raw_page)
    if page == 0:
        channels = await queries.sitemap_channels(pool, channel_id, per_file)
        return _xml(request, doc.urlset(_channel_urls(scope, channels)))
    rows = await queries.sitemap_translations(
        pool, channel_id, offset=(page - 1) * per_file, limit=per_file
    )
    if not rows and page > 1:
        return not_found(request, scope)
    return _xml(request, doc.urlset(_entry_urls(scope, rows)))
