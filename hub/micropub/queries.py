"""SQL of `hub/micropub`: one function per statement, `$n` parameters, a connection in."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def get_blog(
    conn: asyncpg.Connection | asyncpg.Pool, *, channel_id: int | None, author_id: int
) -> asyncpg.Record | None:
    """The token's blog: its own channel, or else its author's default channel; with the
    author's moderation override (NULL: the node's policy)."""
    return await conn.fetchrow(
        """
        SELECT c.id, c.author_id, c.slug, c.custom_domain, c.timezone, c.default_language,
               coalesce(t.title, c.slug) AS title, a.moderation
        FROM channels c
        JOIN authors a ON a.id = c.author_id
        LEFT JOIN channel_translations t
               ON t.channel_id = c.id AND t.language = c.default_language
        WHERE CASE WHEN $1::bigint IS NULL THEN c.author_id = $2 AND c.is_default
                   ELSE c.id = $1 END
        """,
        channel_id,
        author_id,
    )


async def list_categories(
    conn: asyncpg.Connection | asyncpg.Pool,
    channel_id: int,
    *,
    contains: str | None,
    limit: int,
    offset: int,
) -> list[str]:
    """Tags of a blog's entries (deleted ones excepted), most used first; `contains` is a
    case-insensitive substring."""
    rows = await conn.fetch(
        """
        SELECT mode() WITHIN GROUP (ORDER BY ec.name) AS name
        FROM entry_categories ec JOIN entries e ON e.id = ec.entry_id
        WHERE e.channel_id = $1 AND e.deleted_at IS NULL AND e.status <> 'deleted'
          AND ($2::text IS NULL OR strpos(ec.key, lower($2)) > 0)
        GROUP BY ec.key
        ORDER BY count(*) DESC, ec.key
        LIMIT $3 OFFSET $4
        """,
        channel_id,
        contains,
        limit,
        offset,
    )
    return [r["name"] for r in rows]


_MEDIA = (
    "id, public_id, author_id, channel_id, credential_id, purpose, content_type, bytes,"
    " original_path, width, height, frames, attached_at, created_at"
)


async def get_media(
    conn: asyncpg.Connection | asyncpg.Pool, public_id: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_MEDIA} FROM media WHERE public_id = $1", public_id)


async def list_uploads(
    conn: asyncpg.Connection | asyncpg.Pool,
    channel_id: int,
    *,
    limit: int,
    offset: int,
    since: datetime | None = None,
) -> list[asyncpg.Record]:
    """A blog's uploads, newest first (`since`: only those created after it)."""
    return await conn.fetch(
        f"""
        SELECT {_MEDIA} FROM media
        WHERE channel_id = $1 AND purpose = 'upload' AND original_path IS NOT NULL
          AND ($2::timestamptz IS NULL OR created_at > $2)
        ORDER BY created_at DESC, id DESC
        LIMIT $3 OFFSET $4
        """,
        channel_id,
        since,
        limit,
        offset,
    )


async def list_expired_uploads(
    conn: asyncpg.Connection | asyncpg.Pool, *, older_than: datetime, limit: int
) -> list[asyncpg.Record]:
    """Uploads no entry or channel uses, created before `older_than`."""
    return await conn.fetch(
        """
        SELECT m.id, m.original_path, m.path FROM media m
        WHERE m.purpose = 'upload' AND m.attached_at IS NULL AND m.created_at < $1
          AND NOT EXISTS (SELECT 1 FROM entry_media em WHERE em.media_id = m.id)
          AND NOT EXISTS (SELECT 1 FROM channels c
                          WHERE c.cover_media_id = m.id OR c.avatar_media_id = m.id)
        ORDER BY m.created_at, m.id
        LIMIT $2
        """,
        older_than,
        limit,
    )


async def delete_unattached_media(conn: asyncpg.Connection, media_id: int) -> bool:
    """Delete a media row unless something attached it meanwhile; True when deleted."""
    status = await conn.execute(
        """
        DELETE FROM media m
        WHERE m.id = $1 AND m.attached_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM entry_media em WHERE em.media_id = m.id)
          AND NOT EXISTS (SELECT 1 FROM channels c
                          WHERE c.cover_media_id = m.id OR c.avatar_media_id = m.id)
        """,
        media_id,
    )
    return status == "DELETE 1"


async def channel_id_by_slug(conn: asyncpg.Connection, slug: str) -> int | None:
    return await conn.fetchval("SELECT id FROM channels WHERE slug = $1", slug)


async def channel_id_by_domain(conn: asyncpg.Connection, host: str) -> int | None:
    return await conn.fetchval("SELECT id FROM channels WHERE custom_domain = $1", host)


async def list_entry_ids(
    conn: asyncpg.Connection | asyncpg.Pool,
    channel_id: int,
    *,
    limit: int,
    offset: int,
    contains: str | None = None,
    kind: str | None = None,
    drafts: bool | None = None,
) -> list[int]:
    """A blog's entries (deleted ones excepted), newest first: `contains` is a
    case-insensitive substring of the primary title or body, `kind` a post type, `drafts`
    True for drafts only and False for all but drafts."""
    rows = await conn.fetch(
        """
        SELECT e.id FROM entries e
        LEFT JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
        WHERE e.channel_id = $1 AND e.deleted_at IS NULL
          AND ($2::text IS NULL OR strpos(lower(coalesce(t.title, '') || ' '
                                                || coalesce(t.body_source, '')), lower($2)) > 0)
          AND ($3::text IS NULL OR e.kind = $3)
          AND ($4::boolean IS NULL OR (e.status = 'draft') = $4)
        ORDER BY coalesce(e.published_at, e.scheduled_at, e.created_at) DESC, e.id DESC
        LIMIT $5 OFFSET $6
        """,
        channel_id,
        contains,
        kind,
        drafts,
        limit,
        offset,
    )
    return [r["id"] for r in rows]
