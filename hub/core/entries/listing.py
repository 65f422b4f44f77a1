"""A channel's entries and tags as lists, filtered and paged (Micropub's `q=source` post list
and `q=category`): one function per statement, `$n` parameters, a connection in."""

from __future__ import annotations

import asyncpg

from hub.core.entries.queries import full_entry_sql

# Read from entries_channel_timeline_idx (0024) in its order: a page reads its rows, not the
# channel's (`offset` pages still skip the rows before them: Micropub's wire format).
ENTRY_IDS_SQL = """
SELECT e.id FROM entries e
LEFT JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
WHERE e.channel_id = $1 AND e.deleted_at IS NULL
  AND ($2::text IS NULL OR strpos(lower(coalesce(t.title, '') || ' '
                                        || coalesce(t.body_source, '')), lower($2)) > 0)
  AND ($3::text IS NULL OR e.kind = $3)
  AND ($4::boolean IS NULL OR (e.status = 'draft') = $4)
ORDER BY coalesce(e.published_at, e.scheduled_at, e.created_at) DESC, e.id DESC
LIMIT $5 OFFSET $6
"""


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


# The same page with each entry whole (translations, waiting revisions, tags), in one
# statement: the page's ids from ENTRY_IDS_SQL, then `select_full_entry`'s columns for each.
FULL_ENTRIES_SQL = (
    full_entry_sql(f"e.id IN ({ENTRY_IDS_SQL})")
    + " ORDER BY coalesce(e.published_at, e.scheduled_at, e.created_at) DESC, e.id DESC"
)


async def list_full_entries(
    conn: asyncpg.Connection | asyncpg.Pool,
    channel_id: int,
    *,
    limit: int,
    offset: int,
    contains: str | None = None,
    kind: str | None = None,
    drafts: bool | None = None,
) -> list[asyncpg.Record]:
    """A blog's entries (deleted ones excepted), newest first, as `select_full_entry` rows
    (read them with `model.entry_from_row`): `contains` is a case-insensitive substring of
    the primary title or body, `kind` a post type, `drafts` True for drafts only and False
    for all but drafts. One round trip for the whole page."""
    return await conn.fetch(FULL_ENTRIES_SQL, channel_id, contains, kind, drafts, limit, offset)
