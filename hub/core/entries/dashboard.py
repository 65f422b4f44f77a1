"""The owner's read model of entries, behind the dashboard: every entry by status, the
moderation queue, the schedule, and one entry with its translations and pending revisions.
Read-only, one statement per function, `$n` parameters.

Listings take `limit`/`offset` and come with a count, for page numbers.
"""

from __future__ import annotations

import asyncpg

_ENTRY_COLUMNS = """
    e.id, e.slug, e.status, e.kind, e.visibility, e.default_language, e.published_at,
    e.scheduled_at, e.scheduled_paused, e.scheduled_pause_reason, e.moderation,
    e.moderation_reason, e.created_via, e.updated_at,
    ch.slug AS channel, ch.custom_domain, a.name AS author,
    coalesce(nullif(pt.title, ''),
             nullif(left(regexp_replace(pt.body_source, '\\s+', ' ', 'g'), 80), ''),
             e.slug) AS title,
    coalesce((SELECT jsonb_agg(jsonb_build_object('language', t.language, 'status', t.status)
                               ORDER BY t.language <> e.default_language, t.language)
              FROM entry_translations t WHERE t.entry_id = e.id), '[]') AS translations
"""
_ENTRY_FROM = """
    FROM entries e
    JOIN channels ch ON ch.id = e.channel_id
    JOIN authors a ON a.id = e.author_id
    LEFT JOIN entry_translations pt ON pt.entry_id = e.id AND pt.language = e.default_language
"""


async def count_entries(conn: asyncpg.Pool | asyncpg.Connection, status: str | None) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM entries WHERE $1::text IS NULL OR status = $1", status
    )


async def list_entries(
    conn: asyncpg.Pool | asyncpg.Connection, status: str | None, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM}"
        " WHERE $1::text IS NULL OR e.status = $1"
        " ORDER BY e.updated_at DESC, e.id DESC LIMIT $2 OFFSET $3",
        status,
        limit,
        offset,
    )


async def count_by_status(conn: asyncpg.Pool | asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM entries GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


async def list_moderation(
    conn: asyncpg.Pool | asyncpg.Connection, limit: int, offset: int
) -> list[asyncpg.Record]:
    """Entries waiting for moderation, oldest request first, with what waits in each."""
    return await conn.fetch(
        f"""
        SELECT {_ENTRY_COLUMNS},
               coalesce((SELECT array_agg(t.language ORDER BY t.language)
                         FROM entry_translations t
                         WHERE t.entry_id = e.id AND t.status = 'moderation_review'),
                        '{{}}') AS review_languages,
               coalesce((SELECT array_agg(r.language ORDER BY r.language)
                         FROM entry_revisions r
                         WHERE r.entry_id = e.id AND r.status = 'moderation_review'),
                        '{{}}') AS revision_languages
        {_ENTRY_FROM}
        WHERE e.status = 'moderation_review'
        ORDER BY e.updated_at, e.id LIMIT $1 OFFSET $2
        """,
        limit,
        offset,
    )


async def list_scheduled(
    conn: asyncpg.Pool | asyncpg.Connection, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM}"
        " WHERE e.status = 'scheduled' ORDER BY e.scheduled_at, e.id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )


async def select_entry(
    conn: asyncpg.Pool | asyncpg.Connection, entry_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM} WHERE e.id = $1", entry_id)


async def select_entry_translations(
    conn: asyncpg.Pool | asyncpg.Connection, entry_id: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT t.language, t.status, t.title, t.body_source, t.published_at, t.updated_at
        FROM entry_translations t JOIN entries e ON e.id = t.entry_id
        WHERE t.entry_id = $1 ORDER BY t.language <> e.default_language, t.language
        """,
        entry_id,
    )


async def select_pending_revisions(
    conn: asyncpg.Pool | asyncpg.Connection, entry_id: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT language, status, title, body_source, reason, submitted_at
        FROM entry_revisions
        WHERE entry_id = $1 AND status IN ('moderation_review', 'moderation_blocked')
        ORDER BY language
        """,
        entry_id,
    )
