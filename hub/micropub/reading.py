"""`q=source`: one entry's properties by `url` (W3C §3.7.2), or the post list (EXT), drafts
included; any entry of the blog, whichever API made it (one shared model)."""

from __future__ import annotations

from hub.core.entries.lifecycle import DRAFT
from hub.core.entries.listing import list_full_entries
from hub.core.entries.model import Entry, entry_from_row
from hub.core.errors import NotFound
from hub.core.resources import Resources
from hub.core.urls import Urls
from hub.micropub import lookup
from hub.micropub.service import Blog
from hub.micropub.source import effective_properties, source_view

DELETED = "This post is deleted; undelete it first."


def properties_of(entry: Entry) -> dict:
    """The entry's current Micropub properties (what an update starts from)."""
    content = entry.current_content(entry.primary) or {}
    return effective_properties(entry.row["properties"] or {}, content, entry.tags)


def view(urls: Urls, blog: Blog, entry: Entry, only: list[str] | None = None) -> dict:
    row = entry.row
    translation = entry.translations.get(entry.primary) or {}
    draft = row["status"] == DRAFT
    published = None if draft else (translation.get("published_at") or row["scheduled_at"])
    return source_view(
        properties_of(entry),
        kind=row["kind"],
        post_status="draft" if draft else "published",
        visibility=row["visibility"],
        published=published,
        updated=row["updated_at"],
        url=lookup.location(urls, blog, entry),
        uid=lookup.permalink(urls, blog, entry),
        timezone=blog.timezone,
        only=only,
    )


async def source(resources: Resources, blog: Blog, url: str, only: list[str] | None = None) -> dict:
    async with resources.pool.acquire() as conn:
        entry = await lookup.find_target(conn, blog, resources.urls, url)
        if entry.row["deleted_at"] is not None:
            raise NotFound(DELETED)
        return view(resources.urls, blog, entry, only)


async def post_list(
    resources: Resources,
    blog: Blog,
    *,
    limit: int,
    offset: int,
    contains: str | None,
    post_type: str | None,
    post_status: str | None,
) -> dict:
    drafts = None if post_status is None else post_status == "draft"
    rows = await list_full_entries(
        resources.pool, blog.id, limit=limit, offset=offset, contains=contains, kind=post_type,
        drafts=drafts,
    )  # fmt: skip
    return {"items": [view(resources.urls, blog, entry_from_row(r)) for r in rows]}
