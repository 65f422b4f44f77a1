"""An entry as the directory indexes it: the node's own entry with its primary translation,
channel, author, tags and photo, in one row (read by `hub.directory.own`, one entry or a
batch)."""

from __future__ import annotations

import asyncpg

ENTRY = """
SELECT e.id, e.channel_id, e.slug, e.kind, e.status, e.visibility, e.deleted_at,
       e.published_at, e.updated_at, e.properties, e.default_language,
       c.slug AS channel_slug, c.custom_domain, c.status AS channel_status,
       c.default_language AS channel_language,
       ct.title AS channel_title, ct.description AS channel_description,
       t.title, t.excerpt, t.content_html, t.status AS translation_status,
       t.content_updated_at,
       a.name AS author_name, a.url AS author_url,
       ARRAY(SELECT g.key FROM entry_categories g WHERE g.entry_id = e.id
             ORDER BY g.position, g.key) AS tags,
       (SELECT m.path FROM entry_media em JOIN media m ON m.id = em.media_id
        WHERE em.entry_id = e.id AND em.role IN ('photo', 'featured') AND m.path IS NOT NULL
        ORDER BY em.role = 'featured' DESC, em.position, m.id LIMIT 1) AS photo_path
FROM entries e
JOIN channels c ON c.id = e.channel_id
JOIN authors a ON a.id = e.author_id
LEFT JOIN channel_translations ct ON ct.channel_id = c.id AND ct.language = c.default_language
LEFT JOIN entry_translations t ON t.entry_id = e.id AND t.language = e.default_language
"""


async def entries_for_index(conn: asyncpg.Connection, entry_ids: list[int]) -> list[asyncpg.Record]:
    """The entries with their primary translation, channel and author, in one statement;
    purged ones are missing."""
    return await conn.fetch(ENTRY + "WHERE e.id = ANY($1::bigint[])", entry_ids)
