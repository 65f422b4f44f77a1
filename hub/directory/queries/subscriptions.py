"""Subscriptions: a user follows a feed."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def subscribe(conn: asyncpg.Connection, author_id: int, feed_id: UUID) -> tuple[UUID, bool]:
    """(subscription id, created) — idempotent."""
    row = await conn.fetchrow(
        """
        INSERT INTO subscriptions (author_id, feed_id) VALUES ($1, $2)
        ON CONFLICT (author_id, feed_id) DO UPDATE SET author_id = EXCLUDED.author_id
        RETURNING id, (xmax = 0) AS created
        """,
        author_id,
        feed_id,
    )
    return row["id"], row["created"]


async def unsubscribe(conn: asyncpg.Connection, author_id: int, subscription_id: UUID) -> bool:
    status = await conn.execute(
        "DELETE FROM subscriptions WHERE id = $1 AND author_id = $2", subscription_id, author_id
    )
    return status.endswith(" 1")


async def list_subscriptions(
    conn: asyncpg.Connection, author_id: int, limit: int | None, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    total = await conn.fetchval(
        "SELECT count(*) FROM subscriptions WHERE author_id = $1", author_id
    )
    rows = await conn.fetch(
        """
        SELECT id, feed_id, created_at FROM subscriptions WHERE author_id = $1
        ORDER BY created_at, id LIMIT $2 OFFSET $3
        """,
        author_id,
        limit,
        offset,
    )
    return total, rows


async def get_subscription(conn: asyncpg.Connection, author_id: int, subscription_id: UUID):
    return await conn.fetchrow(
        "SELECT id, feed_id, created_at FROM subscriptions WHERE id = $1 AND author_id = $2",
        subscription_id,
        author_id,
    )


async def main_feed_of(conn: asyncpg.Connection, site_id: UUID) -> UUID | None:
    return await conn.fetchval(
        "SELECT id FROM feeds WHERE site_id = $1 ORDER BY is_main DESC, feed_url LIMIT 1", site_id
    )


async def export_rows(conn: asyncpg.Connection, author_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT f.feed_url, f.title, f.link, f.format FROM subscriptions s
        JOIN feeds f ON f.id = s.feed_id WHERE s.author_id = $1 ORDER BY lower(f.title), f.id
        """,
        author_id,
    )


async def unsubscribe_feed(conn: asyncpg.Connection, author_id: int, feed_id: UUID) -> bool:
    status = await conn.execute(
        "DELETE FROM subscriptions WHERE author_id = $1 AND feed_id = $2", author_id, feed_id
    )
    return status.endswith(" 1")


async def subscribed_among(
    conn: asyncpg.Pool | asyncpg.Connection, author_id: int, feed_ids: list[UUID]
) -> set[UUID]:
    """Which of `feed_ids` the author follows (the unique (author_id, feed_id) index)."""
    rows = await conn.fetch(
        "SELECT feed_id FROM subscriptions WHERE author_id = $1 AND feed_id = ANY($2::uuid[])",
        author_id,
        feed_ids,
    )
    return {r["feed_id"] for r in rows}
