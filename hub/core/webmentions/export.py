"""The received webmentions of a channel, as an export writes them (one statement)."""

from __future__ import annotations

import asyncpg


async def select_for_export(conn: asyncpg.Connection, channel_id: int) -> list[asyncpg.Record]:
    """Every received webmention of the channel but the blocked and deleted ones, with the
    slug of the entry it answers (NULL: the channel's home)."""
    return await conn.fetch(
        """
        SELECT w.id, w.source, w.target, e.slug AS entry_slug, w.target_lang, w.status, w.type,
               w.rsvp, w.author_name, w.author_url, w.author_photo, w.url, w.name,
               w.content_html, w.content_text, w.published_at, w.received_at, w.verified_at,
               w.approved_at
        FROM webmentions w LEFT JOIN entries e ON e.id = w.entry_id
        WHERE w.channel_id = $1 AND w.status NOT IN ('blocked', 'deleted')
        ORDER BY w.received_at, w.id
        """,
        channel_id,
    )
