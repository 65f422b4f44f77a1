"""The owner's fediverse desk (issue 19): a channel's actor settings (handle, actor type,
manual approval, discoverable), its followers (listed newest first by keyset, counted,
approved, rejected, removed, blocked) and the health of what it sends (its newest activities
with their deliveries' outcomes, the inboxes that fail). The reads and writes behind the
dashboard's Fediverse pages and `hub fediverse`.

Telling a follower the owner's decision is the `send_follow_decision(follower_id, accepted)`
job (`hub.activitypub.receive`): it sends the `Accept` or `Reject`. Rejecting, removing and
blocking mark the row `rejected` (no longer a follower: no delivery, no count) and the job,
which needs the row for the actor's inbox and the Follow's id, deletes it once the `Reject`
is queued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hub.core.errors import Conflict, Invalid
from hub.core.federation.follows import SEND_FOLLOW_DECISION, follow_decision_job_id
from hub.core.queue import stage_jobs
from hub.core.urls.normalize import normalize
from hub.core.webmentions import moderation

Conn = asyncpg.Connection | asyncpg.Pool

ACTOR_TYPES = ("Person", "Service", "Organization", "Group")
HANDLE = re.compile(r"^[a-z0-9_]([a-z0-9_.-]{0,62}[a-z0-9_])?$")  # 0020's CHECK
FOLLOWER_STATUSES = ("accepted", "pending")


# -- the channel as an actor --------------------------------------------------------------


@dataclass(frozen=True)
class ActorSettings:
    handle: str | None  # None: the channel's slug
    actor_type: str
    manual_followers: bool
    discoverable: bool


def check_actor_settings(
    *, slug: str, handle: str, actor_type: str, manual_followers: bool, discoverable: bool
) -> ActorSettings:
    """What the form sent, validated; `Invalid` naming each field in error. An empty handle,
    or the channel's own slug, is stored as NULL (the slug is the handle)."""
    problems: dict[str, list[str]] = {}
    wanted = handle.strip().lower().removeprefix("@").split("@", 1)[0]
    if wanted and not HANDLE.match(wanted):
        problems["ap_handle"] = [
            "The handle may contain a-z, 0-9, '_', '.' and '-' (1 to 64 characters), and must"
            " start and end with a letter, a digit or '_'."
        ]
    if actor_type not in ACTOR_TYPES:
        problems["ap_actor_type"] = ["Choose Person, Service, Organization or Group."]
    if problems:
        raise Invalid(fields=problems)
    return ActorSettings(
        None if wanted in ("", slug) else wanted, actor_type, manual_followers, discoverable
    )


async def save_actor_settings(
    conn: asyncpg.Connection, channel_id: int, settings: ActorSettings
) -> None:
    """Store a channel's actor settings; `Conflict` when the handle is another channel's slug
    or handle (both are names WebFinger answers for)."""
    try:
        saved = await conn.fetchval(
            """
            UPDATE channels SET ap_handle = $2, ap_actor_type = $3, ap_manual_followers = $4,
                                ap_discoverable = $5, updated_at = now()
            WHERE id = $1 AND ($2::text IS NULL OR NOT EXISTS (
                SELECT 1 FROM channels o WHERE o.id <> $1 AND (o.slug = $2 OR o.ap_handle = $2)))
            RETURNING id
            """,
            channel_id, settings.handle, settings.actor_type, settings.manual_followers,
            settings.discoverable,
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        saved = None
    if saved is None:
        raise Conflict(f"The handle {settings.handle} is another blog's.", code="handle_taken")


# -- followers ------------------------------------------------------------------------------

_FOLLOWER = """
    SELECT f.id, f.channel_id, f.status, f.follow_id, f.created_at,
           coalesce(f.accepted_at, f.created_at) AS since, c.author_id, c.slug AS channel,
           a.id AS actor_id, a.uri, a.host, a.domain, a.preferred_username, a.name, a.url,
           a.icon_url, a.gone_at
    FROM ap_followers f
    JOIN ap_actors a ON a.id = f.actor_id
    JOIN channels c ON c.id = f.channel_id
"""


def handle_of(row: asyncpg.Record) -> str:
    """`@preferredUsername@host`, or the actor's id when it gave no name."""
    name = row["preferred_username"]
    return f"@{name}@{row['host']}" if name else row["uri"]


async def list_actor_channels(
    conn: Conn, author_id: int, channel_id: int | None = None
) -> list[asyncpg.Record]:
    """An author's channels (or the one of them `channel_id` names) as actors: slug, title,
    custom domain, actor settings, and their accepted and pending followers."""
    return await conn.fetch(
        """
        SELECT c.id, c.slug, c.custom_domain, coalesce(t.title, c.slug) AS title, c.ap_handle,
               c.ap_actor_type, c.ap_manual_followers, c.ap_discoverable,
               n.accepted, n.pending
        FROM channels c
        LEFT JOIN channel_translations t
               ON t.channel_id = c.id AND t.language = c.default_language
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted,
                   count(*) FILTER (WHERE status = 'pending') AS pending
            FROM ap_followers f WHERE f.channel_id = c.id AND f.status IN ('accepted', 'pending')
        ) AS n
        WHERE c.author_id = $1 AND ($2::bigint IS NULL OR c.id = $2)
        ORDER BY c.is_default DESC, c.created_at, c.id
        """,
        author_id,
        channel_id,
    )


async def list_followers(
    conn: Conn,
    channel_id: int,
    status: str,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> list[asyncpg.Record]:
    """A page of a channel's followers in `status`, newest first, older than `before`
    (a row's (created_at, id): the keyset of `ap_followers_channel_idx`)."""
    if status not in FOLLOWER_STATUSES:
        raise ValueError(status)
    return await conn.fetch(
        f"""{_FOLLOWER}
        WHERE f.channel_id = $1 AND f.status = $2
          AND ($3::timestamptz IS NULL OR (f.created_at, f.id) < ($3, $4::bigint))
        ORDER BY f.created_at DESC, f.id DESC LIMIT $5
        """,
        channel_id, status, before[0] if before else None, before[1] if before else None, limit,
    )  # fmt: skip


async def select_follower(conn: Conn, follower_id: int) -> asyncpg.Record | None:
    """A follower (pending or accepted) with its actor and its channel's author."""
    return await conn.fetchrow(
        f"{_FOLLOWER} WHERE f.id = $1 AND f.status <> 'rejected'",
        follower_id,
    )


async def find_follower(conn: Conn, channel_id: int, actor: str) -> asyncpg.Record | None:
    """A channel's follower named by its actor id or `@user@host` handle."""
    name = actor.strip()
    user, _, host = name.removeprefix("@").partition("@")
    return await conn.fetchrow(
        f"""{_FOLLOWER}
        WHERE f.channel_id = $1 AND f.status <> 'rejected'
          AND (a.uri = $2 OR (a.preferred_username = $3 AND a.host = lower($4)))
        LIMIT 1
        """,
        channel_id, name, user, host,
    )  # fmt: skip


async def _tell(conn: asyncpg.Connection, follower_ids: list[int], accepted: bool) -> None:
    await stage_jobs(
        conn,
        [
            (SEND_FOLLOW_DECISION, [f, accepted], follow_decision_job_id(f, accepted), None)
            for f in follower_ids
        ],
    )


async def approve_follower(conn: asyncpg.Connection, follower_id: int) -> bool:
    """A pending follower becomes a follower, and is sent the `Accept`. False when it was
    not pending (already decided)."""
    found = await conn.fetchval(
        "UPDATE ap_followers SET status = 'accepted', accepted_at = now()"
        " WHERE id = $1 AND status = 'pending' RETURNING id",
        follower_id,
    )
    if found is None:
        return False
    await _tell(conn, [found], True)
    return True


async def reject_followers(conn: asyncpg.Connection, follower_ids: list[int]) -> int:
    """Pending or accepted followers are rejected (a pending request refused, a follower
    removed) and each is sent the `Reject`. Returns how many were."""
    ids = await conn.fetch(
        "UPDATE ap_followers SET status = 'rejected'"
        " WHERE id = ANY($1::bigint[]) AND status <> 'rejected' RETURNING id",
        follower_ids,
    )
    await _tell(conn, [r["id"] for r in ids], False)
    return len(ids)


async def followers_of_actors(
    conn: asyncpg.Connection, *, actor_id: int | None = None, domain: str | None = None
) -> tuple[list[int], list[int]]:
    """(follower ids, actor ids) of one actor, or of every actor of a registrable domain,
    in every channel of the node (a block is the node's)."""
    actors = await conn.fetch(
        "SELECT id FROM ap_actors WHERE id = $1 OR domain = $2", actor_id, domain
    )
    actor_ids = [r["id"] for r in actors]
    rows = await conn.fetch(
        "SELECT id FROM ap_followers WHERE actor_id = ANY($1::bigint[]) AND status <> 'rejected'",
        actor_ids,
    )
    return [r["id"] for r in rows], actor_ids


# -- delivery health ------------------------------------------------------------------------


async def recent_activities(conn: Conn, channel_id: int, limit: int) -> list[asyncpg.Record]:
    """A channel's newest sent activities, each with its deliveries by outcome."""
    return await conn.fetch(
        """
        SELECT a.id, a.uri, a.type, a.entry_id, a.created_at,
               d.delivered, d.pending, d.failed, d.gone
        FROM (SELECT id, uri, type, entry_id, created_at FROM ap_activities
              WHERE channel_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) AS a
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE status = 'delivered') AS delivered,
                   count(*) FILTER (WHERE status = 'pending') AS pending,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   count(*) FILTER (WHERE status = 'gone') AS gone
            FROM ap_deliveries WHERE activity_id = a.id
        ) AS d
        ORDER BY a.created_at DESC, a.id DESC
        """,
        channel_id,
        limit,
    )


async def failing_inboxes(
    conn: Conn, channel_id: int, *, activities: int, limit: int
) -> list[asyncpg.Record]:
    """The inboxes whose deliveries of the channel's newest `activities` failed, are gone
    (410) or are being retried: host, first and last failed attempt, last status and error."""
    return await conn.fetch(
        """
        SELECT d.inbox, min(d.host) AS host, count(*) AS deliveries,
               min(coalesce(d.last_attempt_at, d.created_at)) AS first_failed_at,
               max(coalesce(d.last_attempt_at, d.created_at)) AS last_failed_at,
               (array_agg(d.status ORDER BY d.last_attempt_at DESC NULLS LAST))[1] AS status,
               (array_agg(d.last_http_status ORDER BY d.last_attempt_at DESC NULLS LAST))[1]
                   AS last_http_status,
               (array_agg(d.last_error ORDER BY d.last_attempt_at DESC NULLS LAST))[1]
                   AS last_error
        FROM (SELECT id FROM ap_activities WHERE channel_id = $1
              ORDER BY created_at DESC, id DESC LIMIT $2) AS a
        JOIN ap_deliveries d ON d.activity_id = a.id
        WHERE d.status IN ('failed', 'gone') OR (d.status = 'pending' AND d.attempts > 0)
        GROUP BY d.inbox
        ORDER BY last_failed_at DESC LIMIT $3
        """,
        channel_id,
        activities,
        limit,
    )


# -- blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocked:
    pattern: str
    followers_removed: int
    responses_deleted: int


async def block_follower(
    conn: asyncpg.Connection, follower: asyncpg.Record, kind: str, reason: str | None
) -> Blocked:
    """Block a follower's actor (`url`: its id, normalised) or its whole registrable domain
    (`domain`) with the webmentions' blocklist: its follows of every channel are rejected
    (each sent a `Reject`), its stored responses and the mentions the block matches deleted,
    and later activities from it refused by the inbox."""
    if kind not in moderation.MATCH:
        raise ValueError(kind)
    if kind == "domain":
        pattern = follower["domain"]
        follower_ids, actor_ids = await followers_of_actors(conn, domain=pattern)
    else:
        pattern = normalize(follower["uri"])
        follower_ids, actor_ids = await followers_of_actors(conn, actor_id=follower["actor_id"])
    removed = await reject_followers(conn, follower_ids)
    deleted = await moderation.block_source(conn, kind, pattern, reason)
    deleted += await moderation.delete_actor_responses(conn, actor_ids)
    return Blocked(pattern, removed, deleted)
