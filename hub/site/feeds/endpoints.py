"""Feed endpoints: RSS 2.0, Atom 1.0 and JSON Feed 1.1 per channel, per language and per tag
(webmention-site-feeds §4). Full sanitised content with absolute URLs, `HUB_FEED_ITEMS`
newest public entries, Cache-Control `public, max-age=300`, ETag/Last-Modified and 304."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from hub.core.entries import published
from hub.site.feeds import websub
from hub.site.feeds.render import FeedDoc, FeedItem, atom, json_feed, rss
from hub.site.public.caching import FEED_CACHE, etag_of, is_fresh, newest, respond
from hub.site.public.content import display_html, response_html
from hub.site.public.lease import Lease
from hub.site.public.links import FEED_TYPES
from hub.site.public.pages import Scope, not_found
from hub.site.public.render import TEMPLATE_VERSION
from hub.site.public.view import ChannelView, channel_view, entry_view

RENDER = {"rss": rss, "atom": atom, "json": json_feed}


def _headers(scope: Scope, feed_url: str) -> dict[str, str]:
    """Feeds carry the webmention Link too (§1.1); with WebSub, `hub` and `self` (§4.6)."""
    extra = websub.link_values(scope.resources.settings.websub_hub, feed_url)
    links = [("webmention", scope.endpoints.webmention), *extra]
    return {"Link": ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links)}


async def feed(
    request: Request,
    scope: Scope,
    row: asyncpg.Record,
    *,
    kind: str,
    tag: str | None,
    language: str | None,
    lease: Lease | None = None,
) -> Response:
    """A feed of the channel `row` (§4); its items are read on `lease`, when given, which is
    released before the document is built."""
    urls = scope.urls
    settings = scope.resources.settings
    channel = channel_view(row, urls, language)
    links = channel.links
    feed_url = links.feed(kind, tag=tag, language=language)
    media_type = FEED_TYPES[kind][0] + "; charset=utf-8"
    etag = etag_of(
        TEMPLATE_VERSION, "feed", kind, row["id"], row["changed_at"], row["entries_changed_at"],
        tag, language, feed_url, settings.websub_hub, settings.feed_items,
    )  # fmt: skip
    changed = newest(row["changed_at"], row["entries_changed_at"]) or row["updated_at"]
    headers = _headers(scope, feed_url)
    if is_fresh(request, etag, changed):
        return respond(request, b"", media_type=media_type, cache_control=FEED_CACHE,
                       etag=etag, last_modified=changed, headers=headers)  # fmt: skip
    rows = await published.public_entries(
        await lease.conn() if lease else scope.resources.pool, row["id"], language=language,
        tag=tag, before=None, limit=settings.feed_items, content=True,
    )  # fmt: skip
    if lease:
        await lease.release()
    if not rows and (tag is not None or language not in (None, row["default_language"])):
        return not_found(request, scope, channel)
    doc = feed_document(
        channel, rows, scope, tag=tag, language=language, feed_url=feed_url, changed=changed,
        image=_media_url(scope, row["avatar_feed_path"]),
        logo=_media_url(scope, row["cover_feed_path"]),
    )  # fmt: skip
    body = RENDER[kind](doc)
    return respond(request, body, media_type=media_type, cache_control=FEED_CACHE, etag=etag,
                   last_modified=changed, headers=headers)  # fmt: skip


def feed_document(
    channel: ChannelView,
    rows: list[asyncpg.Record],
    scope: Scope,
    *,
    tag: str | None,
    language: str | None,
    feed_url: str,
    changed: datetime,
    image: str | None = None,
    logo: str | None = None,
) -> FeedDoc:
    """The neutral feed description of a scope; `changed` dates a feed with no items; `image`
    and `logo`: the PNG/JPEG renditions of the avatar and the cover, when they exist."""
    links = channel.links
    items = [_item(row, channel, scope) for row in rows]
    title = channel.title
    if tag is not None:
        name = next((t for r in rows for t in r["tags"] if t.lower() == tag.lower()), tag)
        title = f"#{name} — {channel.title}"
    return FeedDoc(
        title=title,
        home_url=links.tag(tag, language) if tag is not None else links.home(language),
        feed_url=feed_url,
        description=channel.description,
        language=language or channel.language,
        updated=max((i.modified for i in items), default=changed),
        author_name=channel.author_name,
        author_url=channel.home,
        icon=channel.photo,
        hub=scope.resources.settings.websub_hub or None,
        items=items,
        image=image,
        logo=logo,
    )


def _media_url(scope: Scope, path: str | None) -> str | None:
    """The URL of a stored media file (a feed rendition), None without one."""
    return scope.urls.media_file(path) if path else None


def _item(row: asyncpg.Record, channel: ChannelView, scope: Scope) -> FeedItem:
    translation: dict[str, Any] = {
        "language": row["language"],
        "title": row["title"],
        "excerpt": row["excerpt"],
        "content_html": row["content_html"],
        "published_at": row["translation_published_at"],
        "content_updated_at": row["content_updated_at"],
    }
    view = entry_view(row, translation, channel, scope.urls, full=False)
    content = display_html(row["content_html"] or "", view["url"])
    if not content.strip():
        content = response_html(view["responses"])
    for photo in view["photos"]:
        if photo["src"] not in content:
            content += f'<p><img src="{_attr(photo["src"])}" alt="{_attr(photo["alt"])}"></p>'
    external = next(
        (view["responses"][k][0]["url"] for k in ("like-of", "repost-of", "bookmark-of",
         "in-reply-to") if view["responses"].get(k)),
        None,
    )  # fmt: skip
    image = view["featured"]["src"] if view["featured"] else None
    return FeedItem(
        id=view["url"],
        url=view["url"],
        title=view["name"],
        content_html=content,
        summary=(row["excerpt"] or "").strip() or None,
        published=view["published"],
        modified=max(row["translation_updated_at"], view["published"]),
        language=row["language"],
        tags=list(row["tags"]),
        image=image,
        external_url=external,
    )


def _attr(value: str) -> str:
    return escape(value, quote=True)
