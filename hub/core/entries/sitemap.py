"""The read model of the sitemap (issue 16): the public channels of an origin (the node host:
the channels without a custom domain; a custom domain: its channel) and their public entries'
published translations, one row per translation, in a stable order. Read-only, one statement
per function, `$n` parameters; the entries come from `entries_public_sitemap_idx`.

Public means what it means for the pages (`published`): the channel is `published`; the
entry is not deleted, archived or private (`unlisted` is not listed either); the translation
is `published`.
"""

# ruff: noqa: S608 - the statements interpolate only the module's fixed fragments

from __future__ import annotations

import asyncpg

Conn = asyncpg.Connection | asyncpg.Pool

# $1: the channel id of a custom domain, or NULL for the node (every channel without one)
_CHANNELS = """
    c.status = 'published'
    AND (CASE WHEN $1::bigint IS NULL THEN c.custom_domain IS NULL ELSE c.id = $1 END)
"""
_PUBLIC_ENTRY = """
    e.status IN ('published', 'moderation_review') AND e.deleted_at IS NULL
    AND e.visibility = 'public' AND e.published_at IS NOT NULL
"""


async def sitemap_channels(conn: Conn, channel_id: int | None, limit: int) -> list[asyncpg.Record]:
    """The public channels of an origin with the time their newest entry changed, oldest
    channel first."""
    return await conn.fetch(
        f"""
        SELECT c.id, c.slug, c.custom_domain, c.default_language,
               greatest(c.updated_at, (SELECT max(e.updated_at) FROM entries e
                                       WHERE e.channel_id = c.id)) AS lastmod
        FROM channels c
        WHERE {_CHANNELS}
        ORDER BY c.id
        LIMIT $2
        """,
        channel_id,
        limit,
    )


async def count_sitemap_translations(conn: Conn, channel_id: int | None) -> int:
    """How many published translations of public entries an origin's sitemap names."""
    return await conn.fetchval(
        f"""
        SELECT count(*)
        FROM channels c
        JOIN entries e ON e.channel_id = c.id AND {_PUBLIC_ENTRY}
        JOIN entry_translations t ON t.entry_id = e.id AND t.status = 'published'
        WHERE {_CHANNELS}
        """,
        channel_id,
    )


async def sitemap_translations(
    conn: Conn, channel_id: int | None, *, offset: int, limit: int
) -> list[asyncpg.Record]:
    """Published translations of public entries, by channel, entry and language: the slug,
    the channel's, its custom domain, the entry's primary language, the translation's
    language, its last content change and every published language of the entry (its
    hreflang alternates). A page of at most `limit` rows after `offset` (the sitemap's page
    size is fixed, so a page is bounded)."""
    return await conn.fetch(
        f"""
        SELECT c.slug AS channel_slug, c.custom_domain, e.slug, e.default_language,
               t.language, greatest(t.content_updated_at, t.published_at) AS lastmod,
               ARRAY(SELECT a.language FROM entry_translations a
                     WHERE a.entry_id = e.id AND a.status = 'published'
                     ORDER BY a.language) AS languages
        FROM channels c
        JOIN entries e ON e.channel_id = c.id AND {_PUBLIC_ENTRY}
        JOIN entry_translations t ON t.entry_id = e.id AND t.status = 'published'
        WHERE {_CHANNELS}
        ORDER BY e.channel_id, e.id, t.language
        OFFSET $2 LIMIT $3
        """,
        channel_id,
        offset,
        limit,
    )
