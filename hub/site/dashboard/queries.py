"""SQL behind the dashboard pages: read-only listings over entries, credentials and the
directory tables (read here with our own SQL: hub/site never imports hub/directory).

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


async def select_entry(conn: asyncpg.Pool | asyncpg.Connection, entry_id: int):
    return await conn.fetchrow(f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM} WHERE e.id = $1", entry_id)


async def select_entry_translations(conn: asyncpg.Pool | asyncpg.Connection, entry_id: int):
    return await conn.fetch(
        """
        SELECT t.language, t.status, t.title, t.body_source, t.published_at, t.updated_at
        FROM entry_translations t JOIN entries e ON e.id = t.entry_id
        WHERE t.entry_id = $1 ORDER BY t.language <> e.default_language, t.language
        """,
        entry_id,
    )


async def select_pending_revisions(conn: asyncpg.Pool | asyncpg.Connection, entry_id: int):
    return await conn.fetch(
        """
        SELECT language, status, title, body_source, reason, submitted_at
        FROM entry_revisions
        WHERE entry_id = $1 AND status IN ('moderation_review', 'moderation_blocked')
        ORDER BY language
        """,
        entry_id,
    )


# -- credentials -------------------------------------------------------------------------------

_CREDENTIALS = """
    FROM credentials c
    JOIN authors a ON a.id = c.author_id
    LEFT JOIN channels ch ON ch.id = c.channel_id
    WHERE ($1 OR (c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())))
"""


async def count_credentials(conn: asyncpg.Pool | asyncpg.Connection, include_dead: bool) -> int:
    return await conn.fetchval(f"SELECT count(*) {_CREDENTIALS}", include_dead)


async def list_credentials(
    conn: asyncpg.Pool | asyncpg.Connection, include_dead: bool, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""
        SELECT c.id, c.kind, c.name, c.token_hint, c.scopes, c.client_id, c.created_at,
               c.last_used_at, c.expires_at, c.revoked_at, a.name AS author, ch.slug AS channel,
               (c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())) AS live
        {_CREDENTIALS}
        ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3
        """,
        include_dead,
        limit,
        offset,
    )


async def select_credential(conn: asyncpg.Pool | asyncpg.Connection, credential_id: int):
    return await conn.fetchrow(
        """
        SELECT c.id, c.kind, c.name, c.token_hint, c.scopes, c.client_id, c.revoked_at,
               a.name AS author
        FROM credentials c JOIN authors a ON a.id = c.author_id WHERE c.id = $1
        """,
        credential_id,
    )


# -- directory ---------------------------------------------------------------------------------


async def count_sites(conn: asyncpg.Pool | asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM sites")


async def list_sites(
    conn: asyncpg.Pool | asyncpg.Connection, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT s.id, s.link, s.title, s.type, s.hidden_at, s.last_post_at, s.created_at,
               (s.channel_id IS NOT NULL) AS own,
               (SELECT count(*) FROM posts p WHERE p.site_id = s.id) AS post_count
        FROM sites s ORDER BY s.created_at DESC, s.id LIMIT $1 OFFSET $2
        """,
        limit,
        offset,
    )


async def list_feeds_of(conn: asyncpg.Pool | asyncpg.Connection, site_ids: list) -> list:
    return await conn.fetch(
        """
        SELECT id, site_id, feed_url, format, is_main, status, last_fetched_at, last_status,
               last_error, error_count, error_since, next_poll_at, poll_interval_seconds,
               websub_hub
        FROM feeds WHERE site_id = ANY($1::uuid[])
        ORDER BY site_id, is_main DESC, feed_url, id
        """,
        site_ids,
    )


async def feed_health(conn: asyncpg.Pool | asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM feeds GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


# -- channels ----------------------------------------------------------------------------------


async def set_custom_domain(
    conn: asyncpg.Pool | asyncpg.Connection, channel_id: int, domain: str | None
) -> None:
    """Set or clear a channel's custom domain (UNIQUE: a taken one raises)."""
    await conn.execute(
        "UPDATE channels SET custom_domain = $2, updated_at = now() WHERE id = $1",
        channel_id,
        domain,
    )
