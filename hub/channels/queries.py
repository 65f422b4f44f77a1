"""SQL the v1 adapter owns: the v1 view of media rows and pages."""

from __future__ import annotations

import asyncpg

# -- media ------------------------------------------------------------------------------------

MEDIA_COLUMNS = (
    "id, public_id, author_id, channel_id, purpose, folder, content_type, bytes, sha256, path,"
    " processed_type, processed_bytes, width, height, frames, alt, attached_at, created_at"
)


async def insert_media(conn: asyncpg.Connection, **values: object) -> asyncpg.Record:
    """One processed image; `values` are column names (from code, never from input)."""
    names = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(names)))
    return await conn.fetchrow(
        f"INSERT INTO media ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608
        f" RETURNING {MEDIA_COLUMNS}",
        *(values[n] for n in names),
    )


async def select_media_by_path(
    conn: asyncpg.Connection, channel_id: int, path: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {MEDIA_COLUMNS} FROM media WHERE channel_id = $1 AND path = $2"  # noqa: S608
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
    await conn.execute(
        "UPDATE media SET attached_at = coalesce(attached_at, now()) WHERE id = $1", media_id
    )


async def set_channel_image(
    conn: asyncpg.Connection, channel_id: int, column: str, media_id: int
) -> None:
    """Make `media_id` the channel's cover or avatar; the previous one is detached (its file
    is left to the cleanup of unattached media)."""
    assert column in ("cover_media_id", "avatar_media_id")
    await conn.execute(
        f"""
        UPDATE media SET attached_at = NULL
        WHERE id = (SELECT {column} FROM channels WHERE id = $1) AND id <> $2
        """,  # noqa: S608
        channel_id,
        media_id,
    )
    await conn.execute(
        f"UPDATE channels SET {column} = $2 WHERE id = $1",  # noqa: S608
        channel_id,
        media_id,
    )
    await conn.execute("UPDATE media SET attached_at = now() WHERE id = $1", media_id)


async def mark_media_attached(conn: asyncpg.Connection, media_id: int) -> None:
    await conn.execute(
        "UPDATE media SET attached_at = coalesce(attached_at, now()) WHERE id = $1", media_id
    )
