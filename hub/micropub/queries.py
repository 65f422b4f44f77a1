"""SQL of `hub/micropub`: one function per statement, `$n` parameters, a connection in."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def get_blog(
    conn: asyncpg.Connection | asyncpg.Pool, *, channel_id: int | None, author_id: int
) -> asyncpg.Record | None:
    """The token's blog: its own channel, or else its author's default channel."""
    return await conn.fetchrow(
        """
        SELECT c.id, c.author_id, c.slug, c.custom_domain, c.timezone, c.default_language,
               coalesce(t.title, c.slug) AS title
        FROM channels c
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


async def lock_upload_hash(conn: asyncpg.Connection, channel_id: int, sha256: bytes) -> None:
    """Serialise uploads of the same bytes to the same blog until the transaction ends."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || encode($2, 'hex'), 0))",
        str(channel_id),
        sha256,
    )


_MEDIA = (
    "id, public_id, author_id, channel_id, credential_id, purpose, content_type, bytes,"
    " original_path, width, height, frames, attached_at, created_at"
)


async def find_media_by_hash(
    conn: asyncpg.Connection, channel_id: int, sha256: bytes
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""
        SELECT {_MEDIA} FROM media
        WHERE channel_id = $1 AND sha256 = $2 AND original_path IS NOT NULL
        ORDER BY id LIMIT 1
        """,
        channel_id,
        sha256,
    )


async def insert_upload(
    conn: asyncpg.Connection,
    *,
    public_id: str,
    author_id: int,
    channel_id: int,
    credential_id: int,
    content_type: str,
    nbytes: int,
    sha256: bytes,
    original_path: str,
    width: int | None,
    height: int | None,
    frames: int,
) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""
        INSERT INTO media (public_id, author_id, channel_id, credential_id, purpose, folder,
                           content_type, bytes, sha256, original_path, width, height, frames)
        VALUES ($1, $2, $3, $4, 'upload', 'uploads', $5, $6, $7, $8, $9, $10, $11)
        RETURNING {_MEDIA}
        """,
        public_id, author_id, channel_id, credential_id, content_type, nbytes, sha256,
        original_path, width, height, frames,
    )  # fmt: skip


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
