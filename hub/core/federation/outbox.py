"""What a channel sends to the fediverse: an activity stored once (`ap_activities`) and one
delivery row per inbox (`ap_deliveries`, a shared inbox standing for all its followers),
each delivered by a `deliver_activity` job staged in the caller's transaction (so no
acknowledged write loses its deliveries). The job (in `hub.activitypub.deliver`) signs the
stored JSON with the channel's key, posts it, and records the outcome on the delivery row.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import asyncpg

from hub.core.queue import stage_jobs

DELIVER_ACTIVITY = "deliver_activity"  # the job: deliver_activity(ctx, delivery_id)


def deliver_job_id(delivery_id: int) -> str:
    return f"{DELIVER_ACTIVITY}:{delivery_id}"


async def queue_activity(
    conn: asyncpg.Connection,
    *,
    channel_id: int,
    uri: str,
    type: str,
    body: dict,
    inboxes: Iterable[str],
    entry_id: int | None = None,
    entry_version: int | None = None,
) -> int:
    """Store activity `body` (its `id` is `uri`) of `channel_id` and stage one delivery job per
    distinct inbox, in the caller's transaction. Returns the activity's row id. Storing the
    same `uri` again adds only the inboxes it was not yet queued for. An activity about an
    entry names it and the entry `version` it carried (the fan-out compares them)."""
    targets = sorted({inbox for inbox in inboxes if inbox})
    rows = await conn.fetch(
        """
        WITH activity AS (
            INSERT INTO ap_activities (uri, channel_id, entry_id, type, body, entry_version)
            VALUES ($1, $2, $3, $4, $5::jsonb, $8)
            ON CONFLICT (uri) DO UPDATE SET body = EXCLUDED.body
            RETURNING id
        ), queued AS (
            INSERT INTO ap_deliveries (activity_id, inbox, host, next_attempt_at)
            SELECT activity.id, inbox, host, now()
            FROM activity, unnest($6::text[], $7::text[]) AS t (inbox, host)
            ON CONFLICT (activity_id, inbox) DO NOTHING
            RETURNING id
        )
        SELECT (SELECT id FROM activity) AS activity_id, queued.id AS delivery_id
        FROM (SELECT 1) AS one LEFT JOIN queued ON true
        """,
        uri, channel_id, entry_id, type, body,  # the pool's jsonb codec encodes it
        targets, [(urlsplit(t).hostname or "").lower() for t in targets], entry_version,
    )  # fmt: skip
    deliveries = [r["delivery_id"] for r in rows if r["delivery_id"] is not None]
    await stage_jobs(conn, [(DELIVER_ACTIVITY, [d], deliver_job_id(d), None) for d in deliveries])
    return rows[0]["activity_id"]
