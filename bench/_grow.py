"""Grow a benchmark's data to a scaling row's size, fast and outside the pool: each batch is
one `INSERT … SELECT generate_series` on a connection of its own with no command timeout
(the pool's 60 s timeout must not decide whether a benchmark can run on a busy machine).

`grow_channel` adds realistic published entries to a channel: an article each with a
published translation in the channel's language (title, excerpt, Markdown source and its
rendered HTML), two tags, published before anything the benchmark creates itself (so the
pages it measures show the same entries at every size, and what grows is only the work
around them)."""

from __future__ import annotations

import time

import asyncpg

BATCH = 20_000

ENTRIES_SQL = """
INSERT INTO entries (channel_id, author_id, slug, default_language, status, kind, created_via,
                     properties, published_at, created_at, updated_at)
SELECT $1, $2, 'grown-' || g, $3, 'published', 'article', 'cli', '{}'::jsonb,
       now() - interval '30 days' - make_interval(mins => g),
       now() - interval '30 days' - make_interval(mins => g),
       now() - interval '30 days' - make_interval(mins => g)
FROM generate_series($4::int, $5::int) g
"""
TRANSLATIONS_SQL = """
INSERT INTO entry_translations (entry_id, language, status, title, excerpt, body_source,
                                content_html, published_at, content_updated_at, created_at,
                                updated_at)
SELECT e.id, $2, 'published', 'Grown entry ' || g, 'A teaser for entry ' || g || '.',
       'Entry ' || g || E' with **bold** words.\n\nA [link](https://example.com/' || g || ').',
       '<p>Entry ' || g || ' with <strong>bold</strong> words.</p>' || E'\n'
           || '<p>A <a href="https://example.com/' || g || '">link</a>.</p>',
       e.published_at, e.published_at, e.published_at, e.published_at
FROM generate_series($3::int, $4::int) g
JOIN entries e ON e.channel_id = $1 AND e.slug = 'grown-' || g
"""
TAGS_SQL = """
INSERT INTO entry_categories (entry_id, name, position)
SELECT e.id, tag.name, tag.position
FROM generate_series($2::int, $3::int) g
JOIN entries e ON e.channel_id = $1 AND e.slug = 'grown-' || g
CROSS JOIN LATERAL (VALUES ('grown', 0), ('topic' || (g % 50), 1)) AS tag (name, position)
"""


async def grow_channel(database_url: str, channel_slug: str, total: int) -> float:
    """Bring the channel `channel_slug` to at least `total` generated entries (adds only the
    missing ones, so successive rows of a table grow the same channel); seconds taken."""
    started = time.perf_counter()
    conn = await asyncpg.connect(database_url, command_timeout=None)
    try:
        channel = await conn.fetchrow(
            "SELECT id, author_id, default_language FROM channels WHERE slug = $1", channel_slug
        )
        have = await conn.fetchval(
            "SELECT count(*) FROM entries WHERE channel_id = $1 AND slug LIKE 'grown-%'",
            channel["id"],
        )
        for first in range(have + 1, total + 1, BATCH):
            last = min(first + BATCH - 1, total)
            async with conn.transaction():
                channel_id, language = channel["id"], channel["default_language"]
                await conn.execute(
                    ENTRIES_SQL, channel_id, channel["author_id"], language, first, last
                )
                await conn.execute(TRANSLATIONS_SQL, channel_id, language, first, last)
                await conn.execute(TAGS_SQL, channel["id"], first, last)
        await conn.execute("ANALYZE entries; ANALYZE entry_translations; ANALYZE entry_categories")
    finally:
        await conn.close()
    return time.perf_counter() - started
