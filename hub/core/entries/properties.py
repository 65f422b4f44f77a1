"""SQL for what an entry carries besides its translations: its properties document (every
microformats property as received, `entries.properties`), kind and visibility, the publication
date of its primary translation (and, for an import, every translation's own dates), and the
slugs it had before a rename.

The shared lifecycle columns (status, schedule, moderation) stay with `queries.py` and
`publishing.py`; this module only stores plain values in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import asyncpg


async def set_descriptors(
    conn: asyncpg.Connection,
    entry_id: int,
    *,
    kind: str,
    visibility: str,
    properties: dict,
) -> bool:
    """Store kind, visibility and the properties document; True when any of them changed."""
    status = await conn.execute(
        """
        UPDATE entries SET kind = $2, visibility = $3, properties = $4
        WHERE id = $1 AND (kind, visibility, properties) IS DISTINCT FROM ($2, $3, $4::jsonb)
        """,
        entry_id,
        kind,
        visibility,
        properties,
    )
    return status == "UPDATE 1"


async def set_publication_date(
    conn: asyncpg.Connection, entry_id: int, language: str, at: datetime | None
) -> None:
    """The date a translation was (or counts as) first published: an imported or back-dated
    entry keeps its own date, and approval (`coalesce`) never overwrites it."""
    await conn.execute(
        "UPDATE entry_translations SET published_at = $3 WHERE entry_id = $1 AND language = $2",
        entry_id,
        language,
        at,
    )


async def set_translation_dates(
    conn: asyncpg.Connection,
    entry_id: int,
    dates: Mapping[str, tuple[datetime | None, datetime | None]],
) -> None:
    """Per language, (first publication, last content change) as a source had them (an
    import keeps a blog's own dates rather than the import's), in one statement; None keeps
    the stored value. The caller derives the page status again when the primary's
    publication date moved (`publishing.refresh_status`)."""
    if not dates:
        return
    await conn.execute(
        """
        UPDATE entry_translations t
        SET published_at = coalesce(d.published_at, t.published_at),
            content_updated_at = coalesce(d.updated_at, t.content_updated_at)
        FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[])
             AS d(language, published_at, updated_at)
        WHERE t.entry_id = $1 AND t.language = d.language
        """,
        entry_id,
        list(dates),
        [published for published, _ in dates.values()],
        [updated for _, updated in dates.values()],
    )


async def rename(
    conn: asyncpg.Connection, entry_id: int, channel_id: int, old: str, new: str
) -> None:
    """Give an entry a new slug and remember the old one (a rename back forgets it)."""
    await conn.execute("UPDATE entries SET slug = $2 WHERE id = $1", entry_id, new)
    await conn.execute(
        "DELETE FROM entry_slug_history WHERE channel_id = $1 AND slug = $2", channel_id, new
    )
    await conn.execute(
        """
        INSERT INTO entry_slug_history (channel_id, slug, entry_id) VALUES ($1, $2, $3)
        ON CONFLICT (channel_id, slug) DO UPDATE SET entry_id = $3, created_at = now()
        """,
        channel_id,
        old,
        entry_id,
    )


async def entry_by_old_slug(
    conn: asyncpg.Connection | asyncpg.Pool, channel_id: int, slug: str
) -> int | None:
    """The entry that had `slug` before a rename (the newest such rename)."""
    return await conn.fetchval(
        "SELECT entry_id FROM entry_slug_history WHERE channel_id = $1 AND slug = $2",
        channel_id,
        slug,
    )


async def mark_deleted(conn: asyncpg.Connection, entry_id: int, at: datetime | None) -> bool:
    """Set or clear `deleted_at`; True when it changed."""
    status = await conn.execute(
        """
        UPDATE entries SET deleted_at = $2
        WHERE id = $1 AND (deleted_at IS NULL) <> ($2::timestamptz IS NULL)
        """,
        entry_id,
        at,
    )
    return status == "UPDATE 1"
