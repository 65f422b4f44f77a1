"""SQL of received webmentions (`webmentions`, `webmention_blocks`, `webmention_known_sources`)
and the reads of channels and entries that target resolution needs: receiving, verifying, the
public lists and the owner's list. One function per statement; the service owns the
transactions. `APPROVED_JSON` is the fragment the public entry page embeds in its one read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

MENTION_COLUMNS = (
    "id, source, target, source_norm, target_norm, source_host, source_domain, entry_id,"
    " channel_id, target_lang, status, type, rsvp, author_name, author_url, author_photo, url,"
    " author_photo_path, name, content_html, content_text, published_at, last_http_status,"
    " error, attempts, next_attempt_at, resend_seq, not_found_at, received_at, verified_at,"
    " approved_at, deleted_at, created_at, updated_at"
)


# -- target resolution (V4, V5) -----------------------------------------------------------------

# $1 channel slug, $2 custom domain, $3 entry slug (also the target CTE of the accept statement)
TARGET_SQL = """
    SELECT c.id AS channel_id, c.status AS channel_status, e.id AS entry_id,
           e.status = 'published' AS public,
           e.id IS NOT NULL AND EXISTS (
               SELECT 1 FROM entry_translations t
               WHERE t.entry_id = e.id AND t.published_at IS NOT NULL) AS was_public
    FROM channels c
    LEFT JOIN entries e ON e.channel_id = c.id AND e.slug = $3
    WHERE c.slug = $1 OR c.custom_domain = $2
    LIMIT 1
"""


async def resolve_target(
    conn: asyncpg.Connection, channel_slug: str | None, domain: str | None, entry_slug: str | None
) -> asyncpg.Record | None:
    """The channel named by its slug (node paths) or its custom domain, and the entry at
    `entry_slug` in it if any: whether the entry is public now and whether it ever was."""
    return await conn.fetchrow(
        TARGET_SQL,
        channel_slug,
        domain,
        entry_slug,
    )


# -- blocks, known sources ----------------------------------------------------------------------


async def is_trusted_source(conn: asyncpg.Connection, domain: str, node_domain: str) -> bool:
    """The `known` policy's question (§1.8), in one query: the source's registrable domain
    already has an approved mention, or is this node or one of its custom domains."""
    if domain == node_domain:
        return True
    return bool(
        await conn.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM webmention_known_sources WHERE domain = $1)
                OR EXISTS (SELECT 1 FROM channels
                           WHERE custom_domain = $1 OR custom_domain LIKE '%.' || $1)
            """,
            domain,
        )
    )


# -- received mentions --------------------------------------------------------------------------


async def get_mention(conn: asyncpg.Connection, mention_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {MENTION_COLUMNS} FROM webmentions WHERE id = $1",  # noqa: S608 - a constant
        mention_id,
    )


# The two writes of a verification also record a newly approved source domain (the `known`
# policy) and, when the mention is or was shown, move the entry's `mentions_changed_at` (its
# ETag, §3.7): one statement each, atomic without an explicit transaction.
_KNOWN_AND_TOUCHED = """
, known AS (
    INSERT INTO webmention_known_sources (domain)
    SELECT source_domain FROM stored WHERE stored.status = 'approved'
    ON CONFLICT DO NOTHING
), touched AS (
    UPDATE entries SET mentions_changed_at = now()
    WHERE id = (SELECT entry_id FROM stored) AND {shown}
)
SELECT count(*) FROM stored
"""


async def store_verified(
    conn: asyncpg.Connection, mention_id: str, seq: int, fields: dict[str, Any], *, was_shown: bool
) -> bool:
    """Store a verification's result unless a re-send came in meanwhile (then the job runs
    again, R-W5). False when the row moved on."""
    stored = await conn.fetchval(
        """
        WITH stored AS (
        UPDATE webmentions SET
            status = $3, type = $4, rsvp = $5, author_name = $6, author_url = $7,
            author_photo = $8, url = $9, name = $10, content_html = $11, content_text = $12,
            published_at = $13, raw_mf2 = $14, last_http_status = $15, error = NULL,
            author_photo_path = $17,
            verified_at = now(), not_found_at = NULL, next_attempt_at = NULL, deleted_at = NULL,
            approved_at = CASE WHEN $3 = 'approved' THEN coalesce(approved_at, now())
                               ELSE approved_at END
        WHERE id = $1 AND resend_seq = $2
        RETURNING status, source_domain, entry_id
        )"""
        + _KNOWN_AND_TOUCHED.format(shown="($16 OR $3 = 'approved')"),
        mention_id,
        seq,
        fields["status"],
        fields["type"],
        fields["rsvp"],
        fields["author_name"],
        fields["author_url"],
        fields["author_photo"],
        fields["url"],
        fields["name"],
        fields["content_html"],
        fields["content_text"],
        fields["published_at"],
        fields["raw_mf2"],
        fields["last_http_status"],
        was_shown,
        fields.get("author_photo_path"),
    )
    return stored > 0


async def store_outcome(
    conn: asyncpg.Connection,
    mention_id: str,
    seq: int,
    *,
    status: str,
    error: str | None,
    http_status: int | None,
    was_shown: bool,
    clear_content: bool = False,
    not_found_at: datetime | None = None,
    next_attempt_at: datetime | None = None,
) -> bool:
    """Store a verification that ends without new content: deleted (content cleared, a
    tombstone), rejected, error, or still queued for a retry."""
    stored = await conn.fetchval(
        """
        WITH stored AS (
        UPDATE webmentions SET
            status = $3, error = $4, last_http_status = $5,
            content_html = CASE WHEN $6 THEN NULL ELSE content_html END,
            content_text = CASE WHEN $6 THEN NULL ELSE content_text END,
            raw_mf2 = CASE WHEN $6 THEN NULL ELSE raw_mf2 END,
            deleted_at = CASE WHEN $3 = 'deleted' THEN coalesce(deleted_at, now())
                              ELSE deleted_at END,
            not_found_at = $7, next_attempt_at = $8, attempts = attempts + 1,
            verified_at = now()
        WHERE id = $1 AND resend_seq = $2
        RETURNING 'outcome' AS status, source_domain, entry_id
        )"""
        + _KNOWN_AND_TOUCHED.format(shown="($9 OR $3 = 'approved')"),
        mention_id,
        seq,
        status,
        error,
        http_status,
        clear_content,
        not_found_at,
        next_attempt_at,
        was_shown,
    )
    return stored > 0


async def list_approved(
    conn: asyncpg.Connection,
    *,
    entry_id: int | None,
    channel_id: int,
    kind: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Approved mentions of a target, newest first (by published time, then id)."""
    return await conn.fetch(
        f"""
        SELECT {MENTION_COLUMNS}, coalesce(published_at, verified_at) AS sort_at
        FROM webmentions
        WHERE status = 'approved'
          AND (($1::bigint IS NOT NULL AND entry_id = $1)
               OR ($1::bigint IS NULL AND entry_id IS NULL AND channel_id = $2))
          AND ($3::text IS NULL OR type = $3)
          AND ($4::timestamptz IS NULL
               OR (coalesce(published_at, verified_at), id) < ($4::timestamptz, $5::text))
        ORDER BY coalesce(published_at, verified_at) DESC, id DESC
        LIMIT $6
        """,  # noqa: S608 - a constant column list
        entry_id,
        channel_id,
        kind,
        before[0] if before else None,
        before[1] if before else None,
        limit,
    )


async def count_approved(
    conn: asyncpg.Connection, *, entry_id: int | None, channel_id: int, kind: str | None
) -> int:
    return await conn.fetchval(
        """
        SELECT count(*) FROM webmentions
        WHERE status = 'approved'
          AND (($1::bigint IS NOT NULL AND entry_id = $1)
               OR ($1::bigint IS NULL AND entry_id IS NULL AND channel_id = $2))
          AND ($3::text IS NULL OR type = $3)
        """,
        entry_id,
        channel_id,
        kind,
    )


async def list_due_verifications(conn: asyncpg.Connection, now: datetime, limit: int) -> list[str]:
    """Queued mentions whose job may have been lost (Redis emptied): the safety sweep."""
    rows = await conn.fetch(
        """
        SELECT id FROM webmentions
        WHERE status = 'queued' AND coalesce(next_attempt_at, received_at) < $1
        ORDER BY coalesce(next_attempt_at, received_at) LIMIT $2
        """,
        now,
        limit,
    )
    return [r["id"] for r in rows]


async def list_owned(
    conn: asyncpg.Connection,
    author_id: int,
    status: str,
    before: tuple[datetime | None, str | None],
    limit: int,
) -> list[asyncpg.Record]:
    """The owner's list (§1.9): mentions of the author's channels in `status`, newest received
    first, after the keyset cursor `before` (received_at, id)."""
    return await conn.fetch(
        f"""
        SELECT {MENTION_COLUMNS}
        FROM webmentions
        WHERE channel_id IN (SELECT id FROM channels WHERE author_id = $1)
          AND status = $2
          AND ($3::timestamptz IS NULL OR (received_at, id) < ($3::timestamptz, $4::text))
        ORDER BY received_at DESC, id DESC
        LIMIT $5
        """,  # noqa: S608 - a constant column list
        author_id,
        status,
        before[0],
        before[1],
        limit,
    )


async def count_owned(conn: asyncpg.Connection, author_id: int, status: str) -> int:
    return await conn.fetchval(
        """
        SELECT count(*) FROM webmentions
        WHERE channel_id IN (SELECT id FROM channels WHERE author_id = $1) AND status = $2
        """,
        author_id,
        status,
    )


# Approved webmentions of the entry `e` (§3.5) as a JSON array, oldest first, at most 500; none
# is looked up while no mention of the entry was ever approved (`mentions_changed_at` is null).
# The public entry page embeds it in the one statement that reads the page.
APPROVED_JSON = """
    CASE WHEN e.mentions_changed_at IS NULL THEN '[]'::json ELSE
    coalesce((SELECT json_agg(json_build_object(
                  'type', w.type, 'rsvp', w.rsvp, 'author_name', w.author_name,
                  'author_url', w.author_url, 'author_photo_path', w.author_photo_path,
                  'url', w.url, 'source', w.source, 'name', w.name,
                  'content_html', w.content_html, 'content_text', w.content_text,
                  'published', w.shown_at) ORDER BY w.shown_at, w.id)
              FROM (SELECT m.*, coalesce(m.published_at, m.verified_at, m.received_at) AS shown_at
                    FROM webmentions m
                    WHERE m.entry_id = e.id AND m.status = 'approved'
                    ORDER BY m.published_at NULLS LAST, m.id LIMIT 500) w), '[]') END
"""
