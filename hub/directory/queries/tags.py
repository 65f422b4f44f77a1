"""Tags: the names of site_tags, counted over visible sites."""

from __future__ import annotations

import asyncpg


async def list_tags(
    conn: asyncpg.Connection, *, prefix: str | None, limit: int, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    where = """
FROM site_tags t JOIN sites s ON s.id = t.site_id
WHERE s.hidden_at IS NULL AND ($1::text IS NULL OR t.name LIKE $1 || '%')
"""
    total = await conn.fetchval(f"SELECT count(DISTINCT t.name) {where}", _prefix(prefix))
    rows = await conn.fetch(
        f"SELECT t.name, count(*) AS site_count {where}"
        " GROUP BY t.name ORDER BY count(*) DESC, t.name LIMIT $2 OFFSET $3",
        _prefix(prefix),
        limit,
        offset,
    )
    return total, rows


def _prefix(prefix: str | None) -> str | None:
    if not prefix:
        return None
    return prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get_tag(conn: asyncpg.Connection, name: str):
    return await conn.fetchrow(
        """
        SELECT t.name, count(*) AS site_count FROM site_tags t JOIN sites s ON s.id = t.site_id
        WHERE s.hidden_at IS NULL AND t.name = $1 GROUP BY t.name
        """,
        name,
    )
