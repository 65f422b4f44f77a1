"""Moderation of received webmentions (webmention-site-feeds §1.6, §1.8): the owner lists
received mentions, approves or rejects them, and blocks a source domain or URL. The one set of
statements behind the dashboard's Webmentions page, `hub webmention` and the owner's list of
`/api/webmentions`. One function per statement."""

from __future__ import annotations

import asyncpg

Conn = asyncpg.Connection | asyncpg.Pool

MATCH = {"domain": "source_domain", "url": "source_norm"}  # both indexed
# every status a received mention can be in, in the order of its life
STATUSES = ("queued", "pending", "approved", "rejected", "deleted", "error", "blocked")


async def count_mentions(conn: Conn, status: str | None) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM webmentions WHERE $1::text IS NULL OR status = $1", status
    )


async def list_mentions(
    conn: Conn, status: str | None, limit: int, offset: int
) -> list[asyncpg.Record]:
    """Newest received first, with the entry they target (slug, channel) when there is one,
    where each came from (`protocol`: the web or the fediverse) and, for the fediverse, the
    actor's `@user@host` handle."""
    return await conn.fetch(
        """
        SELECT w.id, w.source, w.target, w.source_host, w.source_domain, w.status, w.type,
               w.rsvp, w.author_name, w.author_url, w.name, w.content_text, w.error,
               w.received_at, w.verified_at, w.entry_id, e.slug AS entry_slug,
               ch.slug AS channel, w.protocol,
               CASE WHEN a.preferred_username IS NOT NULL
                    THEN '@' || a.preferred_username || '@' || a.host ELSE a.uri END AS actor
        FROM webmentions w
        JOIN channels ch ON ch.id = w.channel_id
        LEFT JOIN entries e ON e.id = w.entry_id
        LEFT JOIN ap_actors a ON a.id = w.ap_actor_id
        WHERE $1::text IS NULL OR w.status = $1
        ORDER BY w.received_at DESC, w.id LIMIT $2 OFFSET $3
        """,
        status,
        limit,
        offset,
    )


async def select_mention(conn: Conn, mention_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, source, source_norm, source_host, source_domain, status, entry_id, author_name"
        " FROM webmentions WHERE id = $1",
        mention_id,
    )


async def approve_mention(conn: asyncpg.Connection, mention_id: str) -> bool:
    """A pending mention becomes approved and shows on its entry (whose ETag moves); its
    source's registrable domain becomes known, for the `known` policy."""
    row = await conn.fetchrow(
        """
        WITH changed AS (
            UPDATE webmentions SET status = 'approved', approved_at = coalesce(approved_at, now())
            WHERE id = $1 AND status = 'pending'
            RETURNING entry_id, source_domain
        ), known AS (
            INSERT INTO webmention_known_sources (domain)
            SELECT source_domain FROM changed ON CONFLICT DO NOTHING
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id = (SELECT entry_id FROM changed)
        )
        SELECT count(*) AS n FROM changed
        """,
        mention_id,
    )
    return row["n"] == 1


async def reject_mention(conn: asyncpg.Connection, mention_id: str) -> bool:
    """A pending or approved mention becomes rejected; an approved one leaves its page."""
    row = await conn.fetchrow(
        """
        WITH before AS (
            SELECT id, status AS was FROM webmentions
            WHERE id = $1 AND status IN ('pending', 'approved') FOR UPDATE
        ), changed AS (
            UPDATE webmentions w SET status = 'rejected'
            FROM before WHERE w.id = before.id
            RETURNING w.entry_id, before.was
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id = (SELECT entry_id FROM changed WHERE was = 'approved')
        )
        SELECT count(*) AS n FROM changed
        """,
        mention_id,
    )
    return row["n"] == 1


async def block_source(
    conn: asyncpg.Connection, kind: str, pattern: str, reason: str | None
) -> int:
    """Add a `domain` (a registrable domain: it covers every subdomain) or `url` (a
    normalised source URL) block and delete the stored mentions it matches (§1.8); pages
    that showed one of them get a new ETag. Returns how many mentions were deleted."""
    if kind not in MATCH:
        raise ValueError(kind)
    return await conn.fetchval(  # only a fixed column name is interpolated
        f"""
        WITH block AS (
            INSERT INTO webmention_blocks (kind, pattern, reason) VALUES ($1, $2, $3)
            ON CONFLICT (kind, pattern) DO UPDATE SET reason = coalesce(EXCLUDED.reason,
                                                                        webmention_blocks.reason)
        ), gone AS (
            DELETE FROM webmentions WHERE {MATCH[kind]} = $2
            RETURNING entry_id, status
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id IN (SELECT entry_id FROM gone WHERE status = 'approved')
        )
        SELECT count(*) FROM gone
        """,  # noqa: S608
        kind,
        pattern,
        reason,
    )


async def delete_actor_responses(conn: asyncpg.Connection, actor_ids: list[int]) -> int:
    """Delete the fediverse responses (replies, likes, boosts) of blocked actors; pages that
    showed one get a new ETag. Returns how many were deleted."""
    return await conn.fetchval(
        """
        WITH gone AS (
            DELETE FROM webmentions WHERE ap_actor_id = ANY($1::bigint[])
            RETURNING entry_id, status
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id IN (SELECT entry_id FROM gone WHERE status = 'approved')
        )
        SELECT count(*) FROM gone
        """,
        actor_ids,
    )
