"""SQL on `import_sources` (what each imported item became) and `entry_redirects` (old paths
of imported entries)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def find_imported_entry(
    conn: asyncpg.Connection | asyncpg.Pool, channel_id: int, source_kind: str, source_id: str
) -> int | None:
    return await conn.fetchval(
        """
        SELECT entry_id FROM import_sources
        WHERE channel_id = $1 AND source_kind = $2 AND source_id = $3
        """,
        channel_id,
        source_kind,
        source_id,
    )


async def record_import(
    conn: asyncpg.Connection, channel_id: int, source_kind: str, source_id: str, entry_id: int
) -> None:
    await conn.execute(
        """
        INSERT INTO import_sources (channel_id, source_kind, source_id, entry_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (channel_id, source_kind, source_id) DO UPDATE SET entry_id = $4
        """,
        channel_id,
        source_kind,
        source_id,
        entry_id,
    )


async def insert_redirects(
    conn: asyncpg.Connection, channel_id: int, paths: Sequence[str], entry_id: int
) -> None:
    """Point the old `paths` at `entry_id`; a path already pointing elsewhere keeps its entry
    (the first import of a path wins)."""
    if not paths:
        return
    await conn.execute(
        """
        INSERT INTO entry_redirects (channel_id, path, entry_id)
        SELECT $1, p, $3 FROM unnest($2::text[]) AS p
        ON CONFLICT (channel_id, path) DO NOTHING
        """,
        channel_id,
        list(paths),
        entry_id,
    )


async def find_redirect(
    conn: asyncpg.Connection | asyncpg.Pool, paths: Sequence[str], channel_id: int | None
) -> asyncpg.Record | None:
    """The published entry an old path (any of `paths`, the forms one request may take) of
    the channel `channel_id` (None: any channel of the node host) leads to: its slug, default
    language and its channel's slug and custom domain."""
    return await conn.fetchrow(
        """
        SELECT e.slug, e.default_language, c.slug AS channel_slug, c.custom_domain
        FROM entry_redirects r
        JOIN entries e ON e.id = r.entry_id
        JOIN channels c ON c.id = e.channel_id
        WHERE r.path = ANY($1::text[]) AND ($2::bigint IS NULL OR r.channel_id = $2)
          AND e.status = 'published' AND e.visibility <> 'private' AND c.status = 'published'
        ORDER BY r.created_at, r.entry_id
        LIMIT 1
        """,
        list(paths),
        channel_id,
    )
