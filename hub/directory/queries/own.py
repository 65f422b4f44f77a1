"""The node's own channels as directory sites: the site and feed rows that stand for a channel
and the posts of its entries (written at publish time, never polled). The entry as the directory
reads it is `hub.core.entries.indexing`'s."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def lock_own_index(conn: asyncpg.Connection) -> None:
    """Serialise indexing of the node's own entries (site and feed creation, concurrent runs
    of the batch), until the end of the transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('hub:own-index'))")


async def site_of_channel(conn: asyncpg.Connection, channel_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, link_key FROM sites WHERE channel_id = $1 ORDER BY created_at LIMIT 1",
        channel_id,
    )


async def claim_site(
    conn: asyncpg.Connection, *, channel_id: int, link: str, link_key: str
) -> UUID:
    """The site of the channel: the one already standing for it, else the one with its link
    (somebody submitted it), else a new one."""
    return await conn.fetchval(
        """
        INSERT INTO sites (link, link_key, channel_id) VALUES ($1, $2, $3)
        ON CONFLICT (link_key) DO UPDATE SET channel_id = EXCLUDED.channel_id
        RETURNING id
        """,
        link,
        link_key,
        channel_id,
    )


async def update_site(
    conn: asyncpg.Connection,
    site_id: UUID,
    *,
    link: str,
    link_key: str,
    title: str,
    description: str | None,
    language: str,
) -> None:
    await conn.execute(
        """
        UPDATE sites SET link = $2, link_key = $3, title = $4, description = $5, language = $6
        WHERE id = $1 AND (link, link_key, title, description, language)
              IS DISTINCT FROM ($2, $3, $4, $5, $6)
        """,
        site_id,
        link,
        link_key,
        title[:1000],
        description[:1000] if description else None,
        language,
    )


async def claim_feed(
    conn: asyncpg.Connection, *, site_id: UUID, feed_url: str, feed_key: str, title: str
) -> asyncpg.Record:
    """The channel's JSON Feed as the site's main, local feed (never due for polling)."""
    feed = await conn.fetchrow(
        """
        INSERT INTO feeds (site_id, feed_url, feed_key, format, format_version, title,
                           is_local, next_poll_at, last_fetched_at)
        VALUES ($1, $2, $3, 'jsonfeed', '1.1', $4, true, 'infinity', now())
        ON CONFLICT (feed_key) DO UPDATE SET site_id = EXCLUDED.site_id, title = EXCLUDED.title,
            is_local = true, next_poll_at = 'infinity', status = 'active'
        RETURNING id, is_main, (xmax = 0) AS created
        """,
        site_id,
        feed_url,
        feed_key,
        title[:1000],
    )
    if not feed["is_main"]:
        await conn.execute(
            "UPDATE feeds SET is_main = false WHERE site_id = $1 AND is_main", site_id
        )
        await conn.execute("UPDATE feeds SET is_main = true WHERE id = $1", feed["id"])
    return feed


async def remove_posts(conn: asyncpg.Connection, feed_id: UUID, identities: list[str]) -> int:
    """Delete the feed's posts with these identities; how many went."""
    status = await conn.execute(
        "DELETE FROM posts WHERE feed_id = $1 AND identity = ANY($2::text[])", feed_id, identities
    )
    return int(status.split()[-1])


async def remove_purged_posts(conn: asyncpg.Connection, identities: list[str]) -> int:
    """The posts of entries that no longer exist (their channel unknown): local feeds only."""
    status = await conn.execute(
        "DELETE FROM posts p USING feeds f"
        " WHERE f.is_local AND p.feed_id = f.id AND p.identity = ANY($1::text[])",
        identities,
    )
    return int(status.split()[-1])
