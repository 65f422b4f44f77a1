"""WebSub subscription state of feeds (R-D22)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg


async def get_subscription(conn: asyncpg.Connection, feed_id: UUID):
    return await conn.fetchrow(
        """
        SELECT f.id, f.feed_url, f.websub_hub, f.websub_topic, f.websub_secret, f.websub_token,
               f.websub_pending_at, f.websub_expires_at, f.websub_lease_seconds, f.is_local,
               f.status, s.hidden_at
        FROM feeds f JOIN sites s ON s.id = f.site_id WHERE f.id = $1
        """,
        feed_id,
    )


async def by_callback(conn: asyncpg.Connection, feed_id: UUID, token: str):
    """The feed a callback URL names, when its token matches."""
    row = await get_subscription(conn, feed_id)
    if row is None or row["websub_token"] is None or row["websub_token"] != token:
        return None
    return row


async def mark_requested(
    conn: asyncpg.Connection, feed_id: UUID, *, token: str, secret: str, now: datetime
) -> None:
    await conn.execute(
        """
        UPDATE feeds SET websub_token = $2, websub_secret = $3, websub_pending_at = $4,
                         websub_renew_at = NULL
        WHERE id = $1
        """,
        feed_id,
        token,
        secret,
        now,
    )


async def mark_request_failed(conn: asyncpg.Connection, feed_id: UUID, retry_at: datetime) -> None:
    await conn.execute(
        "UPDATE feeds SET websub_pending_at = NULL, websub_renew_at = $2 WHERE id = $1",
        feed_id,
        retry_at,
    )


async def mark_verified(
    conn: asyncpg.Connection,
    feed_id: UUID,
    *,
    lease_seconds: int,
    expires_at: datetime,
    renew_at: datetime,
) -> None:
    await conn.execute(
        """
        UPDATE feeds SET websub_pending_at = NULL, websub_lease_seconds = $2,
                         websub_expires_at = $3, websub_renew_at = $4
        WHERE id = $1
        """,
        feed_id,
        lease_seconds,
        expires_at,
        renew_at,
    )


async def mark_denied(conn: asyncpg.Connection, feed_id: UUID) -> None:
    await conn.execute(
        """
        UPDATE feeds SET websub_pending_at = NULL, websub_expires_at = NULL,
                         websub_renew_at = NULL
        WHERE id = $1
        """,
        feed_id,
    )


async def due_renewals(conn: asyncpg.Connection, now: datetime, limit: int) -> list[UUID]:
    rows = await conn.fetch(
        """
        SELECT f.id FROM feeds f JOIN sites s ON s.id = f.site_id
        WHERE f.websub_renew_at <= $1 AND f.websub_hub IS NOT NULL AND f.status <> 'gone'
          AND s.hidden_at IS NULL
        ORDER BY f.websub_renew_at LIMIT $2
        """,
        now,
        limit,
    )
    return [r["id"] for r in rows]
