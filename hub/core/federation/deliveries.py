"""The SQL of delivering a channel's activities: what the fan-out of an entry reads (the
entry, its channel, what was last sent about it), the followers' inboxes (one per shared
inbox), one delivery with what signing it needs, the outcome of an attempt, and the
followers dropped when their inbox is gone (410) or has failed for days.

One statement per function, taking a connection; the adapter (`hub.activitypub.deliver`)
owns the transactions and the wire format.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

ENTRY_ACTIVITIES = ("Create", "Update", "Delete")  # what a channel says about an entry


async def entries_to_tell(conn: asyncpg.Connection, entry_ids: list[int]) -> list[int]:
    """Of `entry_ids`, those a fan-out may have something to tell: their channel has accepted
    followers, or something was sent about them before (a Delete may be due). In id order."""
    return [
        r["id"]
        for r in await conn.fetch(
            """
            SELECT e.id FROM entries e
            WHERE e.id = ANY($1::bigint[])
              AND (EXISTS (SELECT 1 FROM ap_followers f
                           WHERE f.channel_id = e.channel_id AND f.status = 'accepted')
                   OR EXISTS (SELECT 1 FROM ap_activities a WHERE a.entry_id = e.id))
            ORDER BY e.id
            """,
            entry_ids,
        )
    ]


async def entry_state(conn: asyncpg.Connection, entry_id: int) -> asyncpg.Record | None:
    """What the fan-out of `entry_id` decides from: the entry's channel, slug, primary
    language and version; the type and entry version of the last Create, Update or Delete
    sent about it (NULL: none), the ids already used for it, and whether the channel has
    accepted followers. None when the entry does not exist."""
    return await conn.fetchrow(
        """
        SELECT e.id, e.channel_id, e.slug, e.default_language, e.version,
               c.slug AS channel_slug, c.custom_domain,
               last.type AS sent_type, last.entry_version AS sent_version,
               ARRAY(SELECT a.uri FROM ap_activities a WHERE a.entry_id = e.id) AS used_uris,
               EXISTS (SELECT 1 FROM ap_followers f
                       WHERE f.channel_id = e.channel_id AND f.status = 'accepted')
                   AS has_followers
        FROM entries e
        JOIN channels c ON c.id = e.channel_id
        LEFT JOIN LATERAL (
            SELECT a.type, a.entry_version FROM ap_activities a
            WHERE a.entry_id = e.id AND a.type = ANY($2::text[])
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT 1
        ) AS last ON true
        WHERE e.id = $1
        """,
        entry_id,
        list(ENTRY_ACTIVITIES),
    )


async def follower_inboxes(conn: asyncpg.Connection, channel_id: int) -> list[str]:
    """Where the channel's accepted followers receive: each follower's shared inbox when it
    has one, else its own inbox; each URL once (one delivery per shared inbox). Actors known
    to be gone are left out."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT coalesce(a.shared_inbox, a.inbox) AS inbox
        FROM ap_followers f
        JOIN ap_actors a ON a.id = f.actor_id
        WHERE f.channel_id = $1 AND f.status = 'accepted' AND a.gone_at IS NULL
          AND coalesce(a.shared_inbox, a.inbox) IS NOT NULL
        """,
        channel_id,
    )
    return [r["inbox"] for r in rows]


async def delivery_to_send(conn: asyncpg.Connection, delivery_id: int) -> asyncpg.Record | None:
    """One delivery with its activity's JSON text (signed as stored), its channel's slug and
    custom domain (the actor id) and the channel's private key (NULL until it is made)."""
    return await conn.fetchrow(
        """
        SELECT d.id, d.status, d.attempts, d.inbox, d.host, a.id AS activity_id,
               a.channel_id, a.type, a.body::text AS body, c.slug AS channel_slug,
               c.custom_domain, k.private_pem
        FROM ap_deliveries d
        JOIN ap_activities a ON a.id = d.activity_id
        JOIN channels c ON c.id = a.channel_id
        LEFT JOIN ap_channel_keys k ON k.channel_id = a.channel_id
        WHERE d.id = $1
        """,
        delivery_id,
    )


async def record_attempt(
    conn: asyncpg.Connection,
    delivery_id: int,
    *,
    attempts: int,
    status: str,
    http_status: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
) -> bool:
    """Store attempt number `attempts` of a pending delivery and its outcome (`status`:
    pending again for a retry at `next_attempt_at`, delivered, failed or gone). False when
    another run recorded this attempt first (nothing is written)."""
    done = await conn.fetchval(
        """
        UPDATE ap_deliveries
        SET attempts = $2, status = $3, last_http_status = $4, last_error = $5,
            next_attempt_at = $6, last_attempt_at = now(),
            delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
        WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1
        RETURNING true
        """,
        delivery_id,
        attempts,
        status,
        http_status,
        error,
        next_attempt_at,
    )
    return bool(done)


async def failing_since(conn: asyncpg.Connection, inbox: str) -> datetime | None:
    """When deliveries to `inbox` started failing with none delivered since: the creation of
    the oldest delivery tried and not delivered after its last success (None when the last
    one tried got through, or none was tried)."""
    return await conn.fetchval(
        """
        SELECT min(d.created_at)
        FROM ap_deliveries d
        WHERE d.inbox = $1 AND d.attempts > 0 AND d.status IN ('pending', 'failed')
          AND d.created_at > coalesce(
              (SELECT max(ok.delivered_at) FROM ap_deliveries ok
               WHERE ok.inbox = $1 AND ok.status = 'delivered'), '-infinity')
        """,
        inbox,
    )


async def drop_followers_at(conn: asyncpg.Connection, inbox: str) -> int:
    """Remove, from every channel, the followers whose inbox or shared inbox is `inbox`
    (it answered 410 Gone, or has failed for days). Returns how many went."""
    status = await conn.execute(
        """
        DELETE FROM ap_followers f
        USING ap_actors a
        WHERE a.id = f.actor_id AND (a.inbox = $1 OR a.shared_inbox = $1)
        """,
        inbox,
    )
    return int(status.split()[-1])


async def due_deliveries(
    conn: asyncpg.Connection, before: datetime, limit: int
) -> list[asyncpg.Record]:
    """Pending deliveries whose next attempt was due before `before` (their job was lost):
    id and attempts made, oldest first."""
    return await conn.fetch(
        """
        SELECT id, attempts FROM ap_deliveries
        WHERE status = 'pending' AND next_attempt_at < $1
        ORDER BY next_attempt_at
        LIMIT $2
        """,
        before,
        limit,
    )
