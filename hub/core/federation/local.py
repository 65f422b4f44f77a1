"""Reads of this node's own channels and entries for the fediverse documents (issue 19): a
channel as an actor (with its key, when made), an entry as an object (translations, tags,
media and channel in one statement), a page of a channel's outbox, the counts of its
collections, the node's usage for NodeInfo. Read-only, one statement per function.

Public entries are the ones the public pages show (`hub.core.entries.published`): the entry
is published (or in moderation review with a live translation), not deleted, not private,
and published once; the caller checks the channel's status and the primary translation.
"""

# ruff: noqa: S608 - the statements interpolate only the module's fixed fragments
from __future__ import annotations

from datetime import datetime

import asyncpg

Conn = asyncpg.Connection | asyncpg.Pool

_ACTOR = """
    SELECT c.id, c.slug, c.custom_domain, c.status, c.default_language, c.created_at,
           c.ap_handle, coalesce(c.ap_handle, c.slug) AS handle, c.ap_actor_type,
           c.ap_manual_followers, c.ap_discoverable,
           t.title, t.description, a.url AS author_url, a.rel_me AS author_rel_me,
           av.path AS avatar_path, nullif(av.feed_path, '') AS avatar_feed_path,
           coalesce(av.processed_type, av.content_type) AS avatar_type,
           cv.path AS cover_path, nullif(cv.feed_path, '') AS cover_feed_path,
           coalesce(cv.processed_type, cv.content_type) AS cover_type,
           k.public_pem,
           greatest(c.updated_at, a.updated_at, t.updated_at) AS changed_at
    FROM channels c
    JOIN authors a ON a.id = c.author_id
    LEFT JOIN channel_translations t
           ON t.channel_id = c.id AND t.language = c.default_language
    LEFT JOIN media av ON av.id = c.avatar_media_id
    LEFT JOIN media cv ON cv.id = c.cover_media_id
    LEFT JOIN ap_channel_keys k ON k.channel_id = c.id
"""


async def actor_by_slug(conn: Conn, slug: str) -> asyncpg.Record | None:
    """A channel as an actor: its settings, title and description in its default language,
    avatar and cover, the author's rel=me links and its public key (None until made)."""
    return await conn.fetchrow(_ACTOR + " WHERE c.slug = $1", slug)


async def actor_by_domain(conn: Conn, domain: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_ACTOR + " WHERE c.custom_domain = $1", domain)


async def actor_by_handle(conn: Conn, handle: str) -> asyncpg.Record | None:
    """The channel whose fediverse handle is `handle`: its chosen `ap_handle`, else its slug
    (a chosen handle wins over another channel's slug)."""
    return await conn.fetchrow(
        _ACTOR + " WHERE c.ap_handle = $1 OR (c.ap_handle IS NULL AND c.slug = $1)"
        " ORDER BY c.ap_handle IS NULL LIMIT 1",
        handle,
    )


# An entry with everything its object shows: translations (content of published ones only),
# tags, non-inline media and its channel.
_ENTRY = """
    SELECT e.id, e.slug, e.kind, e.status, e.visibility, e.properties, e.default_language,
           e.published_at, e.deleted_at, e.updated_at, e.version,
           c.id AS channel_id, c.slug AS channel_slug, c.custom_domain,
           c.status AS channel_status,
           coalesce((SELECT json_agg(json_build_object(
                         'language', t.language, 'status', t.status, 'title', t.title,
                         'excerpt', t.excerpt, 'published_at', t.published_at,
                         'content_updated_at', t.content_updated_at,
                         'content_html', CASE WHEN t.status = 'published' THEN t.content_html END)
                         ORDER BY t.language)
                     FROM entry_translations t WHERE t.entry_id = e.id), '[]') AS translations,
           ARRAY(SELECT g.name FROM entry_categories g WHERE g.entry_id = e.id
                 ORDER BY g.position, g.key) AS tags,
           coalesce((SELECT json_agg(json_build_object(
                         'role', em.role, 'alt', coalesce(em.alt, m.alt), 'path', m.path,
                         'public_id', m.public_id, 'width', m.width, 'height', m.height,
                         'content_type', coalesce(m.processed_type, m.content_type),
                         'remote_url', em.remote_url)
                         ORDER BY em.role, em.position, m.id)
                     FROM entry_media em JOIN media m ON m.id = em.media_id
                     WHERE em.entry_id = e.id AND em.role <> 'inline'), '[]') AS media
    FROM entries e
    JOIN channels c ON c.id = e.channel_id
"""


async def entry_by_id(conn: Conn, entry_id: int) -> asyncpg.Record | None:
    """An entry, whatever its status, with its translations, tags, media and channel."""
    return await conn.fetchrow(_ENTRY + " WHERE e.id = $1", entry_id)


async def entry_by_slug(conn: Conn, channel_slug: str, slug: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_ENTRY + " WHERE c.slug = $1 AND e.slug = $2", channel_slug, slug)


async def entry_by_domain(conn: Conn, domain: str, slug: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_ENTRY + " WHERE c.custom_domain = $1 AND e.slug = $2", domain, slug)


_PUBLIC = """
    e.channel_id = $1 AND e.status IN ('published', 'moderation_review')
    AND e.deleted_at IS NULL AND e.visibility = 'public' AND e.published_at IS NOT NULL
"""


async def outbox_page(
    conn: Conn,
    channel_id: int,
    *,
    before: tuple[datetime, int] | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int,
) -> list[asyncpg.Record]:
    """Public entries of a channel (as `entry_by_id`), newest first: those before the cursor
    (older), or the oldest ones after it (`after`, read oldest first then reversed)."""
    if after is not None:
        rows = await conn.fetch(
            _ENTRY + f" WHERE {_PUBLIC} AND (e.published_at, e.id) > ($2, $3::bigint)"
            " ORDER BY e.published_at, e.id LIMIT $4",
            channel_id, *after, limit,
        )  # fmt: skip
        return rows[::-1]
    if before is not None:
        return await conn.fetch(
            _ENTRY + f" WHERE {_PUBLIC} AND (e.published_at, e.id) < ($2, $3::bigint)"
            " ORDER BY e.published_at DESC, e.id DESC LIMIT $4",
            channel_id, *before, limit,
        )  # fmt: skip
    return await conn.fetch(
        _ENTRY + f" WHERE {_PUBLIC} ORDER BY e.published_at DESC, e.id DESC LIMIT $2",
        channel_id, limit,
    )  # fmt: skip


async def count_public_entries(conn: Conn, channel_id: int) -> int:
    """How many entries the channel's outbox holds (the sitemap's index covers them)."""
    return await conn.fetchval(f"SELECT count(*) FROM entries e WHERE {_PUBLIC}", channel_id)


async def count_followers(conn: Conn, channel_id: int) -> int:
    """Accepted followers of a channel (the list itself is private)."""
    return await conn.fetchval(
        "SELECT count(*) FROM ap_followers WHERE channel_id = $1 AND status = 'accepted'",
        channel_id,
    )


async def node_usage(conn: Conn) -> asyncpg.Record:
    """NodeInfo's usage: authors with a published channel (all, and those who published in
    the last 30 and 180 days) and the node's public entries."""
    return await conn.fetchrow(
        """
        WITH active AS (
            SELECT c.author_id, max(e.published_at) AS last_published
            FROM channels c
            LEFT JOIN entries e ON e.channel_id = c.id
                 AND e.status IN ('published', 'moderation_review')
                 AND e.deleted_at IS NULL AND e.published_at IS NOT NULL
            WHERE c.status = 'published'
            GROUP BY c.author_id
        )
        SELECT (SELECT count(*) FROM active) AS total,
               (SELECT count(*) FROM active
                WHERE last_published > now() - interval '30 days') AS active_month,
               (SELECT count(*) FROM active
                WHERE last_published > now() - interval '180 days') AS active_halfyear,
               (SELECT count(*) FROM entries e JOIN channels c ON c.id = e.channel_id
                WHERE c.status = 'published'
                  AND e.status IN ('published', 'moderation_review')
                  AND e.deleted_at IS NULL AND e.visibility = 'public'
                  AND e.published_at IS NOT NULL) AS local_posts
        """
    )
