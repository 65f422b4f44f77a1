"""SQL over `entries` and the tables that hang off it."""

from __future__ import annotations

import asyncpg


async def taken_entry_slugs(
    conn: asyncpg.Connection, channel_id: int, base: str, separator: str
) -> set[str]:
    """Slugs of the channel equal to `base` or starting with `base` + separator (deleted
    entries included: their slugs stay reserved)."""
    rows = await conn.fetch(
        """
        SELECT slug FROM entries
        WHERE channel_id = $1 AND (slug = $2 OR starts_with(slug, $2 || $3))
        """,
        channel_id,
        base,
        separator,
    )
    return {r["slug"] for r in rows}
