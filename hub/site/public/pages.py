"""The public HTML pages: node home, channel home, tag page and 404 (webmention-site-feeds
§3; the entry page and its 410 are `hub.site.public.entry_page`). Each handler reads with
`published`, answers 304 before rendering when the client's copy is current, and renders a
template of `templates/site/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.entries import published
from hub.core.resources import Resources
from hub.site.feeds import websub
from hub.site.public.caching import PAGE_CACHE, etag_of, is_fresh, newest, respond
from hub.site.public.lease import Lease
from hub.site.public.links import Endpoints
from hub.site.public.memo import Memo, row_key
from hub.site.public.params import cursor_of, cursor_time
from hub.site.public.render import TEMPLATE_VERSION, render
from hub.site.public.view import (
    ChannelView,
    channel_view,
    entry_view,
)
from hub.site.seo import structured

PAGE_SIZE = 20
SUMMARIES: Memo[dict[str, Any]] = Memo(4096)  # entry summaries of lists, by row and origin
CHANNELS: Memo[_ListChannel] = Memo(256)  # list pages' channel views, by row and language
NODE_CHANNELS = 500
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Scope:
    """Where a request is answered: the node host, or a channel's custom domain."""

    resources: Resources
    endpoints: Endpoints
    channel: asyncpg.Record | None = None  # the custom domain's channel

    @property
    def urls(self):
        return self.resources.urls


def _head(
    scope: Scope,
    *,
    title: str,
    lang: str,
    canonical: str | None,
    feeds: list[dict[str, str]] = (),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "lang": lang,
        "title": title,
        "canonical": canonical,
        "description": None,
        "hreflang": [],
        "endpoints": scope.endpoints.rels(),
        "feeds": list(feeds),
        "feed_html": None,
        "rel_me": [],
        "websub": [],  # (rel, URL): `hub` and `self` on a WebSub topic
        "og": None,
        "twitter": [],  # (name, content) of the twitter:* meta tags
        "json_ld": None,  # schema.org data as script-safe JSON text
        "activitypub": None,  # the actor or object served at this URL (rel=alternate)
        "gone": False,
        **extra,
    }


def _header(channel: ChannelView | None, scope: Scope) -> dict[str, Any]:
    if channel is None:
        return {"name": scope.urls.host or "hub", "url": scope.urls.base + "/", "avatar": None,
                "nav": []}  # fmt: skip
    feed = channel.links.feed("atom")
    return {
        "name": channel.title,
        "url": channel.home,
        "avatar": channel.photo,
        "nav": [{"label": "Home", "href": channel.home}, {"label": "Feed", "href": feed}],
    }


def _html(
    request: Request,
    scope: Scope,
    body: str | bytes,
    *,
    topic: str | None = None,
    negotiated: bool = False,
    **kwargs: Any,
) -> Response:
    """An HTML answer with the discovery `Link` header; a WebSub `topic` adds its `hub` and
    `self` (WebSub §4), when a hub is set. A `negotiated` URL (a channel home, an entry) also
    serves ActivityPub JSON by `Accept` (`hub.activitypub.negotiation`): `Vary: Accept`."""
    link = scope.endpoints.link_header()
    extra = websub.link_values(scope.resources.settings.websub_hub, topic)
    if extra:
        link += ", " + ", ".join(f'<{url}>; rel="{rel}"' for rel, url in extra)
    headers = {"Link": link}
    if negotiated:
        headers["Vary"] = "Accept, Accept-Encoding"
    return respond(request, body, media_type=HTML, headers=headers, **kwargs)


def not_found(request: Request, scope: Scope, channel: ChannelView | None = None) -> Response:
    """404 with the discovery links (§3.6)."""
    page = _head(
        scope,
        title="Not found",
        lang=channel.language if channel else "en",
        canonical=None,
        feeds=channel.links.feeds(channel.title) if channel else [],
    )
    body = render("missing.html", page=page, header=_header(channel, scope))
    return _html(request, scope, body, status=404, cache_control=PAGE_CACHE)


async def node_home(request: Request, scope: Scope) -> Response:
    rows = await published.public_channels(scope.resources.pool, NODE_CHANNELS)
    urls = scope.urls
    changed = newest(*(newest(r["changed_at"], r["entries_changed_at"]) for r in rows))
    etag = etag_of(TEMPLATE_VERSION, "node", [(r["id"], r["changed_at"]) for r in rows])
    channels = [channel_view(r, urls) for r in rows]
    feeds = [f for c in channels[:20] for f in c.links.feeds(c.title)[:1]]
    page = _head(scope, title=f"Blogs on {urls.host}", lang="en", canonical=urls.base + "/",
                 feeds=feeds)  # fmt: skip
    node = {
        "name": f"Blogs on {urls.host}",
        "url": urls.base + "/",
        "directory": urls.absolute("api/sites?format=html"),
    }
    body = render(
        "node.html",
        page=page,
        header=_header(None, scope),
        node=node,
        channels=[c.card() for c in channels],
    )
    return _html(request, scope, body, etag=etag, last_modified=changed)


def _list_translation(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "language": row["language"],
        "title": row["title"],
        "excerpt": row["excerpt"],
        "content_html": row["content_html"],
        "published_at": row["translation_published_at"],
    }


async def entry_list(
    request: Request,
    scope: Scope,
    row: asyncpg.Record,
    *,
    language: str | None,
    tag: str | None,
    lease: Lease | None = None,
) -> Response:
    """The channel home (`tag` None) or a tag page: 20 summaries a page, `?before=` pages back;
    an empty page past the first, an unknown tag or an empty language answers 404. The
    entries are read on `lease` (released before rendering) when given."""
    urls = scope.urls
    shown = CHANNELS.get((urls.base, language, row_key(row)))
    if shown is None:
        shown = CHANNELS.put((urls.base, language, row_key(row)), _ListChannel(row, urls, language))
    channel = shown.view
    links = channel.links
    raw_before = request.query_params.get("before")
    before = cursor_time(raw_before) if raw_before is not None else None
    if raw_before is not None and before is None:
        return not_found(request, scope, channel)
    etag = etag_of(
        TEMPLATE_VERSION, "list", row["id"], row["changed_at"], row["entries_changed_at"],
        language, tag, raw_before, scope.resources.settings.websub_hub,
    )  # fmt: skip
    changed = newest(row["changed_at"], row["entries_changed_at"])
    topic = websub.home_topic(links, language=language, tag=tag, paged=raw_before is not None)
    home = tag is None
    if is_fresh(request, etag, changed):
        return _html(request, scope, b"", topic=topic, etag=etag, last_modified=changed,
                     negotiated=home)  # fmt: skip
    cursor = before
    pool = await lease.conn() if lease else scope.resources.pool
    rows = await published.public_entries(
        pool, row["id"], language=language, tag=tag, before=cursor, limit=PAGE_SIZE + 1
    )
    first_page = before is None
    if not rows and (
        not first_page or tag is not None or language not in (None, row["default_language"])
    ):
        return not_found(request, scope, channel)
    tag_name = _tag_name(tag, rows) if tag is not None else None
    older = links.tag(tag_name, language) if tag_name is not None else links.home(language)
    page_url = older
    pager = {"older": None, "newer": None}
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        pager["older"] = _with_before(older, cursor_of(rows[-1]["published_at"], rows[-1]["id"]))
    if cursor is not None:
        newer_rows = await published.public_entries(
            pool, row["id"], language=language, tag=tag, before=cursor, limit=PAGE_SIZE + 1,
            newer=True,
        )  # fmt: skip
        if len(newer_rows) > PAGE_SIZE:
            pager["newer"] = _with_before(
                older, cursor_of(newer_rows[PAGE_SIZE]["published_at"], newer_rows[PAGE_SIZE]["id"])
            )
        else:
            pager["newer"] = older
        page_url = _with_before(older, raw_before)
    if lease:
        await lease.release()  # the last statement ran: never hold it while rendering
    entries = [_summary(r, channel, urls) for r in rows]
    feeds = links.feeds(channel.title)
    if tag is not None or language is not None:
        scoped_title = f"#{tag_name} — {channel.title}" if tag_name else channel.title
        feeds = links.feeds(scoped_title, tag=tag_name, language=language) + feeds
    title = f"#{tag_name} — {channel.title}" if tag_name else channel.title
    page = _head(
        scope,
        title=title,
        lang=channel.language,
        canonical=page_url,
        feeds=feeds,
        description=channel.description,
        rel_me=list(channel.rel_me) if tag is None else [],
        websub=websub.link_values(scope.resources.settings.websub_hub, topic),
        og={"type": "website", "title": title, "url": page_url,
            "description": channel.description, "image": channel.photo},
        twitter=structured.twitter_card(title, channel.description, channel.photo),
        json_ld=shown.blog_json(page_url) if tag is None and raw_before is None else None,
        activitypub=links.home() if home else None,
    )  # fmt: skip
    body = render(
        "channel.html",
        page=page,
        header=_header(channel, scope),
        card=channel.card() if tag is None else None,
        feed={"name": title, "url": page_url, "author": channel.author()},
        entries=entries,
        pager=pager,
    )
    return _html(request, scope, body, topic=topic, etag=etag, last_modified=changed,
                 negotiated=home)  # fmt: skip


def _summary(row: asyncpg.Record, channel: ChannelView, urls) -> dict[str, Any]:
    """An entry's summary view, kept per exact row and origin (`hub.site.public.memo`)."""
    links = channel.links
    key = (urls.base, links.slug, links.custom_domain, row_key(row))
    view = SUMMARIES.get(key)
    if view is None:
        # a list's rows carry `properties` and `media` as JSON text: decoded for the view only
        entry = dict(row)
        entry["properties"] = orjson.loads(row["properties"])
        entry["media"] = orjson.loads(row["media"])
        view = entry_view(entry, _list_translation(row), channel, urls, full=False)
        SUMMARIES.put(key, view)
    return view


class _ListChannel:
    """A list page's channel, kept per row and language (`CHANNELS`): its view and its
    schema.org `Blog` text per page URL."""

    def __init__(self, row: asyncpg.Record, urls: Any, language: str | None) -> None:
        self.view = channel_view(row, urls, language)
        self._blog: dict[str, str] = {}

    def blog_json(self, url: str) -> str:
        text = self._blog.get(url)
        if text is None:
            text = self._blog[url] = _blog_json(self.view, url)
        return text


def _blog_json(channel: ChannelView, url: str) -> str:
    return structured.script_json(
        structured.blog(
            name=channel.title, url=url, description=channel.description,
            language=channel.language, author_name=channel.author_name,
            author_url=channel.author_url or channel.home,
        )
    )  # fmt: skip


def _with_before(url: str, cursor: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}before={cursor}"


def _tag_name(tag: str, rows: list[asyncpg.Record]) -> str:
    for row in rows:
        for name in row["tags"]:
            if name.lower() == tag.lower():
                return name
    return tag


def moved_permanently(url: str) -> Response:
    """301 to the one URL of a page, cacheable like the pages themselves."""
    return RedirectResponse(url, status_code=301, headers={"Cache-Control": PAGE_CACHE})
