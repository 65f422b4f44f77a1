"""Activities received at the inboxes (`ap_inbox`): stored once per activity id after their
signature verified, with the `process_activity` job staged in the same statement, then
marked by the job (done, ignored, refused, error). One function per statement."""

from __future__ import annotations

import asyncpg

from hub.core.queue import SAFETY_NET_SECONDS
from hub.core.webmentions.federated import blocked_key_signer

PROCESS_ACTIVITY = "process_activity"  # the job: process_activity(ctx, inbox_id)
STATUSES = ("queued", "done", "ignored", "refused", "error")


def process_job_id(inbox_id: int) -> str:
    return f"{PROCESS_ACTIVITY}:{inbox_id}"


# The activity (at the inbox of the channel with slug $1, or the shared one: $1 NULL) and its
# job's outbox row (claimed: the inbox queues it after the statement, the sweep only if that
# process died), in one atomic statement; nothing for a repeated activity or a missing
# channel. The signer is checked again here ($4 must still be the actor of key $9 and no block
# may refuse it, $10 the key URL's domains): the inbox may have verified the signature with a
# key it remembered, and the database says whether that actor still stands.
_STORE = f"""
WITH channel AS (
    SELECT id FROM channels WHERE slug = $1
), signer AS (
    SELECT a.id FROM ap_actors a
    WHERE a.id = $4 AND a.key_id = $9 AND NOT {blocked_key_signer("$10")}
), stored AS (
    INSERT INTO ap_inbox (channel_id, activity_id, type, actor_id, body)
    SELECT (SELECT id FROM channel), $2, $3, $4, $5::jsonb
    WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM channel))
      AND EXISTS (SELECT 1 FROM signer)
    ON CONFLICT (activity_id) WHERE activity_id IS NOT NULL DO NOTHING
    RETURNING id
), staged AS (
    INSERT INTO job_outbox (function, args, job_id, sweep_after)
    SELECT $6, jsonb_build_array(stored.id), $7 || stored.id, now() + make_interval(secs => $8)
    FROM stored
    RETURNING id
)
SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM channel)) AS channel_found,
       EXISTS (SELECT 1 FROM signer) AS signer_found,
       stored.id AS inbox_id, staged.id AS outbox_id
FROM (SELECT 1) AS one LEFT JOIN stored ON true LEFT JOIN staged ON true
"""  # noqa: S608 - a constant fragment


async def store_activity(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    channel_slug: str | None,
    activity_id: str,
    type: str,
    actor_id: int,
    key_id: str,
    key_domains: list[str],
    body: dict,
) -> asyncpg.Record:
    """(`channel_found`, `signer_found`, `inbox_id`, `outbox_id`): the activity stored for
    the channel whose slug is `channel_slug` (None: the shared inbox) with its staged job;
    `inbox_id` NULL when the activity id was received before, the channel does not exist, or
    `actor_id` is no longer the unblocked actor of `key_id` (`signer_found` false)."""
    return await conn.fetchrow(
        _STORE,
        channel_slug,
        activity_id,
        type,
        actor_id,
        body,
        PROCESS_ACTIVITY,
        process_job_id(0)[:-1],
        SAFETY_NET_SECONDS,
        key_id,
        key_domains,
    )


async def get_activity(conn: asyncpg.Connection, inbox_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, channel_id, activity_id, type, actor_id, body, status FROM ap_inbox"
        " WHERE id = $1",
        inbox_id,
    )


async def mark_activity(
    conn: asyncpg.Connection, inbox_id: int, status: str, error: str | None = None
) -> None:
    await conn.execute(
        "UPDATE ap_inbox SET status = $2, error = $3, processed_at = now() WHERE id = $1",
        inbox_id,
        status,
        error[:1000] if error else None,
    )
