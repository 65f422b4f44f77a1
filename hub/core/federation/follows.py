"""Followers of a channel (`ap_followers`): stored from a `Follow`, removed by its `Undo` or
by the actor's `Delete`. The answer to a Follow (an `Accept`, or a `Reject`) is the job
`send_follow_decision(follower_id, accepted)` of `hub.activitypub.receive`, staged by name:
by the inbox for a follow accepted at once, by the dashboard after the owner decides a
pending one. One function per statement."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from hub.core.queue import stage_job

SEND_FOLLOW_DECISION = "send_follow_decision"  # the job: (follower_id, accepted: bool)


def follow_decision_job_id(follower_id: int, accepted: bool) -> str:
    return f"{SEND_FOLLOW_DECISION}:{follower_id}:{'accept' if accepted else 'reject'}"


async def stage_follow_decision(
    conn: asyncpg.Connection, follower_id: int, *, accepted: bool
) -> None:
    """Stage the Accept (or Reject) of follower `follower_id` in the caller's transaction.
    For a Reject, leave the pending row in place: the job reads it, queues the Reject and
    then removes it."""
    await stage_job(
        conn,
        SEND_FOLLOW_DECISION,
        follower_id,
        accepted,
        job_id=follow_decision_job_id(follower_id, accepted),
    )


@dataclass(frozen=True, slots=True)
class Follow:
    follower_id: int
    status: str  # pending | accepted (| rejected: removed by the owner, Reject not yet sent)
    created: bool  # a new follower (False: a repeated Follow)


async def add_follower(
    conn: asyncpg.Connection, channel_id: int, actor_id: int, follow_id: str, *, pending: bool
) -> Follow:
    """Store the follow (a repeated Follow keeps the row and its status, with the newest
    Follow id, which its Accept names; a row the owner rejected starts over)."""
    row = await conn.fetchrow(
        """
        INSERT INTO ap_followers (channel_id, actor_id, status, follow_id, accepted_at)
        VALUES ($1, $2, $3, $4, CASE WHEN $3 = 'accepted' THEN now() END)
        ON CONFLICT (channel_id, actor_id) DO UPDATE SET follow_id = EXCLUDED.follow_id,
            -- an actor the owner removed follows again: a new follow, decided afresh
            status = CASE WHEN ap_followers.status = 'rejected' THEN EXCLUDED.status
                          ELSE ap_followers.status END,
            accepted_at = CASE WHEN ap_followers.status = 'rejected' THEN EXCLUDED.accepted_at
                               ELSE ap_followers.accepted_at END
        RETURNING id, status, (xmax = 0) AS created
        """,
        channel_id,
        actor_id,
        "pending" if pending else "accepted",
        follow_id,
    )
    return Follow(row["id"], row["status"], row["created"])


async def remove_follower(
    conn: asyncpg.Connection, channel_id: int | None, actor_id: int, follow_id: str | None
) -> int:
    """Remove the actor's follow of the channel (any channel when None, matched by the
    Follow id then); how many rows went."""
    result = await conn.execute(
        """
        DELETE FROM ap_followers
        WHERE actor_id = $2 AND (channel_id = $1 OR ($1::bigint IS NULL AND follow_id = $3))
        """,
        channel_id,
        actor_id,
        follow_id,
    )
    return int(result.split()[-1])


async def remove_actor_follows(conn: asyncpg.Connection, actor_id: int) -> int:
    """Every follow of a deleted actor."""
    result = await conn.execute("DELETE FROM ap_followers WHERE actor_id = $1", actor_id)
    return int(result.split()[-1])


async def follower_for_decision(
    conn: asyncpg.Connection, follower_id: int
) -> asyncpg.Record | None:
    """What an Accept or Reject needs: the follow, the follower's inboxes, the channel."""
    return await conn.fetchrow(
        """
        SELECT f.id, f.status, f.follow_id, f.channel_id, f.actor_id, c.slug, c.custom_domain,
               a.uri AS actor_uri, a.inbox, a.shared_inbox
        FROM ap_followers f
        JOIN ap_actors a ON a.id = f.actor_id
        JOIN channels c ON c.id = f.channel_id
        WHERE f.id = $1
        """,
        follower_id,
    )


async def followed_channel(
    conn: asyncpg.Connection, slug: str | None, domain: str | None
) -> asyncpg.Record | None:
    """The published channel a Follow names (by node slug or custom domain): its id, slug,
    custom domain and whether the owner approves each follower."""
    return await conn.fetchrow(
        """
        SELECT id, slug, custom_domain, ap_manual_followers FROM channels
        WHERE (slug = $1 OR custom_domain = $2) AND status = 'published'
        LIMIT 1
        """,
        slug,
        domain,
    )
