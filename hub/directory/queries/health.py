"""What the owner's dashboard shows of the directory: sites with their post counts, their
feeds' poll state, and feeds by status. Handed to the site by `hub.app` as the
`hub.core.directory_health.DirectoryHealth` it reads through (the site never imports the
directory)."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def count_sites(conn: asyncpg.Pool | asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM sites")


async def list_sites(
    conn: asyncpg.Pool | asyncpg.Connection, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT s.id, s.link, s.title, s.type, s.hidden_at, s.last_post_at, s.created_at,
               (s.channel_id IS NOT NULL) AS own,
               (SELECT count(*) FROM posts p WHERE p.site_id = s.id) AS post_count
        FROM sites s ORDER BY s.created_at DESC, s.id LIMIT $1 OFFSET $2
        """,
        limit,
        offset,
    )


async def list_feeds_of(
    conn: asyncpg.Pool | asyncpg.Connection, site_ids: list[UUID]
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT id, site_id, feed_url, format, is_main, status, last_fetched_at, last_status,
               last_error, error_count, error_since, next_poll_at, poll_interval_seconds,
               websub_hub
        FROM feeds WHERE site_id = ANY($1::uuid[])
        ORDER BY site_id, is_main DESC, feed_url, id
        """,
        site_ids,
    )


async def feed_health(conn: asyncpg.Pool | asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM feeds GROUP BY status")
    return {r["status"]: r["n"] for r in rows}
