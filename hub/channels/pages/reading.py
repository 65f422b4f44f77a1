"""E5 GET one page; the EXT page list and revisions list."""

from __future__ import annotations

from hub.channels import present
from hub.channels.access import channel_for
from hub.channels.listing import ListQuery, encode_cursor
from hub.channels.pages.common import Outcome, entry_or_404, finish
from hub.core.auth import Principal
from hub.core.entries import queries as entry_queries
from hub.core.entries.model import load_entries
from hub.core.resources import Resources


async def get_page(
    resources: Resources, principal: Principal, channel_slug: str, slug: str
) -> Outcome:
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, channel_slug)
        entry = await entry_or_404(conn, channel, slug, lock=False)
        return Outcome(finish(entry, channel, resources, []), entry=entry)


async def list_revisions(
    resources: Resources, principal: Principal, channel_slug: str, slug: str
) -> dict:
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, channel_slug)
        entry = await entry_or_404(conn, channel, slug, lock=False)
        rows = await entry_queries.select_revisions(conn, entry.id)
        return {"revisions": present.revision_history(rows)}


async def list_pages(
    resources: Resources, principal: Principal, channel_slug: str, query: ListQuery
) -> dict:
    """EXT §4.4: ArticleSummary items (no bodies) in (updated_at, id) order, one keyset page
    at a time; `next_cursor` is null on the last page."""
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, channel_slug)
        rows = await entry_queries.list_channel_entry_ids(
            conn,
            channel.id,
            status=query.status,
            language=query.language,
            title_pattern=query.title_pattern,
            updated_since=query.updated_since,
            after=query.after,
            descending=query.descending,
            limit=query.limit + 1,
        )
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        entries = await load_entries(conn, [r["id"] for r in rows])
    pages = [
        present.article(entry, channel.slug, resources.urls, summary_only=True) for entry in entries
    ]
    last = rows[-1] if rows else None
    cursor = encode_cursor(last["updated_at"], last["id"]) if more and last else None
    return {"pages": pages, "next_cursor": cursor}
