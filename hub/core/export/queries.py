"""The reads of an export: channels, their entries (each with its translations, tags and media
uses folded in by the same statement) and their media. One statement per table family, read
through a cursor so a big blog streams; the caller holds the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg

CURSOR_PREFETCH = 200


async def select_channels(conn: asyncpg.Connection, slug: str | None) -> list[asyncpg.Record]:
    """Every channel (or the one named), with its author and its translations' titles."""
    return await conn.fetch(
        """
        SELECT c.id, c.slug, c.default_language, c.status, c.custom_domain, c.timezone,
               c.created_at, a.id AS author_id, a.name AS author_name, a.url AS author_url,
               COALESCE((SELECT jsonb_agg(jsonb_build_object(
                            'language', t.language, 'title', t.title,
                            'description', t.description) ORDER BY t.language)
                         FROM channel_translations t WHERE t.channel_id = c.id),
                        '[]'::jsonb) AS translations
        FROM channels c JOIN authors a ON a.id = c.author_id
        WHERE $1::text IS NULL OR c.slug = $1
        ORDER BY c.id
        """,
        slug,
    )


ENTRIES_SQL = """
    SELECT e.id, e.slug, e.default_language, e.status, e.kind, e.visibility, e.properties,
           e.published_at, e.scheduled_at, e.created_at, e.updated_at, e.deleted_at,
           e.created_via,
           COALESCE((SELECT jsonb_agg(jsonb_build_object(
                        'language', t.language, 'status', t.status, 'title', t.title,
                        'excerpt', t.excerpt, 'body_format', t.body_format,
                        'body_source', t.body_source, 'content_html', t.content_html,
                        'seo_title', t.seo_title, 'seo_description', t.seo_description,
                        'published_at', t.published_at,
                        'content_updated_at', t.content_updated_at) ORDER BY t.id)
                     FROM entry_translations t WHERE t.entry_id = e.id), '[]'::jsonb)
               AS translations,
           COALESCE((SELECT array_agg(k.name ORDER BY k.position, k.key)
                     FROM entry_categories k WHERE k.entry_id = e.id), '{}') AS tags,
           COALESCE((SELECT jsonb_agg(jsonb_build_object(
                        'media_id', m.media_id, 'role', m.role, 'position', m.position,
                        'alt', m.alt) ORDER BY m.role, m.position)
                     FROM entry_media m WHERE m.entry_id = e.id), '[]'::jsonb) AS media
    FROM entries e
    WHERE e.channel_id = $1
    ORDER BY e.published_at NULLS LAST, e.id
"""


async def iter_entries(conn: asyncpg.Connection, channel_id: int) -> AsyncIterator[asyncpg.Record]:
    """Every entry of the channel whatever its status, oldest first (inside a transaction)."""
    async for row in conn.cursor(ENTRIES_SQL, channel_id, prefetch=CURSOR_PREFETCH):
        yield row


async def select_media(conn: asyncpg.Connection, channel_id: int) -> list[asyncpg.Record]:
    """The channel's media files that still have bytes on disk."""
    return await conn.fetch(
        """
        SELECT id, public_id, purpose, content_type, bytes, encode(sha256, 'hex') AS sha256,
               original_path, path, processed_type, feed_path, width, height, alt, source_url,
               created_at
        FROM media
        WHERE channel_id = $1 AND (original_path IS NOT NULL OR path IS NOT NULL)
        ORDER BY id
        """,
        channel_id,
    )
