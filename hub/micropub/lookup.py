"""From a `url` to an entry of the token's blog (micropub-resolved.md §4.1), and back: the URL
an entry answers to (its Location).

No match, or a URL of no entry → `NotFound` (404); an entry of another blog → `Forbidden`
(403). Old slugs (before a rename) resolve to the renamed entry.
"""

from __future__ import annotations

import asyncpg

from hub.core.channels import channel_id_by_domain, channel_id_by_slug
from hub.core.entries import properties as entry_properties
from hub.core.entries import queries as entry_queries
from hub.core.entries.lifecycle import DRAFT
from hub.core.entries.model import Entry, find_entry, load_entry
from hub.core.errors import Forbidden, NotFound
from hub.core.urls import Urls
from hub.micropub.refs import entry_ref
from hub.micropub.service import Blog

NO_POST = "No post of this blog has this URL."
OTHER_BLOG = "This post belongs to another blog; this token cannot touch it."


async def find_target(
    conn: asyncpg.Connection, blog: Blog, urls: Urls, url: str, *, lock: bool = False
) -> Entry:
    """The entry `url` names (deleted ones included; callers decide what that means)."""
    ref = entry_ref(url, urls)
    if ref is None:
        raise NotFound(NO_POST)
    if ref.entry_id is not None:
        row = await entry_queries.select_entry(conn, ref.entry_id)
        if row is None:
            raise NotFound(NO_POST)
        if row["channel_id"] != blog.id:
            raise Forbidden(OTHER_BLOG)
        return await load_entry(conn, row["id"], lock=lock)
    channel_id = await _channel_of(conn, blog, ref.on_base, ref.host, ref.channel_slug)
    if channel_id is None or ref.slug is None:
        raise NotFound(NO_POST)
    entry = await find_entry(conn, channel_id, ref.slug, lock=lock)
    if entry is None:
        old = await entry_properties.entry_by_old_slug(conn, channel_id, ref.slug)
        if old is None:
            raise NotFound(NO_POST)
        entry = await load_entry(conn, old, lock=lock)
    if channel_id != blog.id:
        raise Forbidden(OTHER_BLOG)
    return entry


async def _channel_of(
    conn: asyncpg.Connection, blog: Blog, on_base: bool, host: str, channel_slug: str | None
) -> int | None:
    if on_base:
        if channel_slug is None or channel_slug == blog.slug:
            return blog.id
        return await channel_id_by_slug(conn, channel_slug)
    if blog.custom_domain and host == blog.custom_domain:
        return blog.id
    return await channel_id_by_domain(conn, host)


def permalink(urls: Urls, blog: Blog, entry: Entry) -> str:
    return urls.entry(blog.slug, entry.row["slug"], custom_domain=blog.custom_domain)


def location(urls: Urls, blog: Blog, entry: Entry) -> str:
    """Where the entry answers: the permalink (R-M31), or for a draft the dashboard edit URL
    (R-M7)."""
    if entry.row["status"] == DRAFT:
        return urls.dashboard_entry(entry.id)
    return permalink(urls, blog, entry)
