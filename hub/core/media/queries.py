"""Every SQL statement on the `media` table: one async function per statement, `$n` parameters,
a connection in.

Two kinds of rows share the table: stored originals (`original_path`: Micropub uploads and the
local copies of remote media an entry names) and processed images (`path`: the v1 API's
article images, covers and avatars). Each kind is read with its own column list.
"""

# ruff: noqa: S608 - queries interpolate only module constants and code-chosen column names

from __future__ import annotations

from datetime import datetime

import asyncpg

ORIGINAL_COLUMNS = (
    "id, public_id, author_id, channel_id, credential_id, purpose, content_type, bytes,"
    " original_path, path, width, height, frames, attached_at, created_at"
)
PROCESSED_COLUMNS = (
    "id, public_id, author_id, channel_id, purpose, folder, content_type, bytes, sha256, path,"
    " processed_type, processed_bytes, width, height, frames, alt, attached_at, created_at"
)
CHANNEL_IMAGE_COLUMNS = ("cover_media_id", "avatar_media_id")

# -- stored originals -------------------------------------------------------------------------


async def find_original_by_sha256(
    conn: asyncpg.Connection, channel_id: int, sha256: bytes
) -> asyncpg.Record | None:
    """The channel's stored original with these bytes, if any (the oldest)."""
    return await conn.fetchrow(
        f"""
        SELECT {ORIGINAL_COLUMNS} FROM media
        WHERE channel_id = $1 AND sha256 = $2 AND original_path IS NOT NULL
        ORDER BY id LIMIT 1
        """,
        channel_id,
        sha256,
    )


async def insert_original(
    conn: asyncpg.Connection,
    *,
    public_id: str,
    author_id: int,
    channel_id: int,
    credential_id: int | None,
    purpose: str,
    folder: str,
    content_type: str,
    size: int,
    sha256: bytes,
    original_path: str,
    width: int | None,
    height: int | None,
    frames: int,
    source_url: str | None,
) -> asyncpg.Record:
    """One stored original (`size`: its length in bytes)."""
    return await conn.fetchrow(
        f"""
        INSERT INTO media (public_id, author_id, channel_id, credential_id, purpose, folder,
                           content_type, bytes, sha256, original_path, width, height,
                           frames, source_url)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        RETURNING {ORIGINAL_COLUMNS}
        """,
        public_id, author_id, channel_id, credential_id, purpose, folder, content_type,
        size, sha256, original_path, width, height, frames, source_url,
    )  # fmt: skip


async def find_media(
    conn: asyncpg.Connection | asyncpg.Pool,
    author_id: int,
    *,
    public_id: str | None = None,
    path: str | None = None,
) -> asyncpg.Record | None:
    """One of the author's stored originals, by its capability id or by a stored file path
    (original or processed); None when it is not theirs or not there."""
    return await conn.fetchrow(
        f"""
        SELECT {ORIGINAL_COLUMNS} FROM media
        WHERE author_id = $1 AND original_path IS NOT NULL
          AND (public_id = $2 OR original_path = $3 OR path = $3)
        ORDER BY id LIMIT 1
        """,
        author_id,
        public_id,
        path,
    )


async def find_remote_copy_id(
    conn: asyncpg.Connection | asyncpg.Pool, channel_id: int, source_url: str
) -> int | None:
    """The channel's stored copy of the remote file at `source_url`, if any (the oldest)."""
    return await conn.fetchval(
        """
        SELECT id FROM media WHERE channel_id = $1 AND source_url = $2
          AND original_path IS NOT NULL ORDER BY id LIMIT 1
        """,
        channel_id,
        source_url,
    )


async def get_media(
    conn: asyncpg.Connection | asyncpg.Pool, public_id: str
) -> asyncpg.Record | None:
    """A media row by its capability id."""
    return await conn.fetchrow(
        f"SELECT {ORIGINAL_COLUMNS} FROM media WHERE public_id = $1", public_id
    )


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
        SELECT {ORIGINAL_COLUMNS} FROM media
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


# -- processed images (v1) --------------------------------------------------------------------


async def insert_media(conn: asyncpg.Connection, **values: object) -> asyncpg.Record:
    """One processed image; `values` are column names (from code, never from input)."""
    names = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(names)))
    return await conn.fetchrow(
        f"INSERT INTO media ({', '.join(names)}) VALUES ({placeholders})"
        f" RETURNING {PROCESSED_COLUMNS}",
        *(values[n] for n in names),
    )


async def select_media_by_path(
    conn: asyncpg.Connection, channel_id: int, path: str
) -> asyncpg.Record | None:
    """The channel's processed image stored at `path` (the oldest row for it)."""
    return await conn.fetchrow(
        f"SELECT {PROCESSED_COLUMNS} FROM media WHERE channel_id = $1 AND path = $2"
        " ORDER BY id LIMIT 1",
        channel_id,
        path,
    )


async def attach_media(
    conn: asyncpg.Connection, entry_id: int, media_id: int, alt: str | None
) -> None:
    """Record that the entry shows the media inline (kept once per entry and media)."""
    await conn.execute(
        """
        INSERT INTO entry_media (entry_id, media_id, role, position, alt)
        VALUES ($1, $2, 'inline',
                (SELECT coalesce(max(position) + 1, 0) FROM entry_media WHERE entry_id = $1), $3)
        ON CONFLICT (entry_id, media_id, role) DO NOTHING
        """,
        entry_id,
        media_id,
        alt,
    )
    await mark_media_attached(conn, media_id)


async def set_channel_image(
    conn: asyncpg.Connection, channel_id: int, column: str, media_id: int
) -> None:
    """Make `media_id` the channel's cover or avatar (`column`: `cover_media_id` or
    `avatar_media_id`); the previous one is detached (its file is left to the cleanup of
    unattached media)."""
    assert column in CHANNEL_IMAGE_COLUMNS
    await conn.execute(
        f"""
        UPDATE media SET attached_at = NULL
        WHERE id = (SELECT {column} FROM channels WHERE id = $1) AND id <> $2
        """,
        channel_id,
        media_id,
    )
    await conn.execute(
        f"UPDATE channels SET {column} = $2 WHERE id = $1",
        channel_id,
        media_id,
    )
    await conn.execute("UPDATE media SET attached_at = now() WHERE id = $1", media_id)


async def set_author_photo(conn: asyncpg.Connection, author_id: int, media_id: int) -> None:
    """Make `media_id` the author's photo; the previous one is detached."""
    await conn.execute(
        """
        UPDATE media SET attached_at = NULL
        WHERE id = (SELECT photo_media_id FROM authors WHERE id = $1) AND id <> $2
        """,
        author_id,
        media_id,
    )
    await conn.execute("UPDATE authors SET photo_media_id = $2 WHERE id = $1", author_id, media_id)
    await conn.execute("UPDATE media SET attached_at = now() WHERE id = $1", media_id)


async def channel_media_paths(
    conn: asyncpg.Connection, channel_ids: list[int]
) -> dict[int, tuple[str | None, str | None]]:
    """(cover path, avatar path) of the channels' processed files, relative to the media dir."""
    rows = await conn.fetch(
        """
        SELECT c.id, cover.path AS cover, avatar.path AS avatar FROM channels c
        LEFT JOIN media cover ON cover.id = c.cover_media_id
        LEFT JOIN media avatar ON avatar.id = c.avatar_media_id
        WHERE c.id = ANY($1)
        """,
        channel_ids,
    )
    return {r["id"]: (r["cover"], r["avatar"]) for r in rows}


async def list_due_feed_renditions(
    conn: asyncpg.Connection | asyncpg.Pool, limit: int
) -> list[asyncpg.Record]:
    """Covers and avatars in use with a processed file and no feed rendition yet (by
    `media_feed_rendition_due_idx`)."""
    return await conn.fetch(
        """
        SELECT m.id, m.path FROM media m
        WHERE m.feed_path IS NULL AND m.path IS NOT NULL
          AND m.purpose IN ('channel_cover', 'channel_avatar')
          AND EXISTS (SELECT 1 FROM channels c
                      WHERE c.cover_media_id = m.id OR c.avatar_media_id = m.id)
        ORDER BY m.id
        LIMIT $1
        """,
        limit,
    )


async def set_feed_path(conn: asyncpg.Connection | asyncpg.Pool, media_id: int, path: str) -> None:
    """Record the feed rendition of a cover or avatar ('' when none can be made). The
    channel's change time moves too, so the feeds' ETags change."""
    await conn.execute(
        """
        WITH m AS (UPDATE media SET feed_path = $2 WHERE id = $1 RETURNING id)
        UPDATE channels SET updated_at = now()
        WHERE cover_media_id = (SELECT id FROM m) OR avatar_media_id = (SELECT id FROM m)
        """,
        media_id,
        path,
    )


# -- either kind ------------------------------------------------------------------------------


async def mark_media_attached(conn: asyncpg.Connection, *media_ids: int) -> None:
    """Mark the media attached (the first time only), which protects them from the cleanup of
    unattached uploads."""
    await conn.execute(
        "UPDATE media SET attached_at = coalesce(attached_at, now()) WHERE id = ANY($1::bigint[])",
        list(media_ids),
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
