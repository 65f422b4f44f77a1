"""Posts: de-duplicated upserts from the poller, API reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import orjson

POST_COLUMNS = """
p.id, p.feed_id, p.site_id, p.guid, p.link, p.title, p.content, p.content_text, p.summary,
p.image, p.attachments, p.author, p.tags, p.in_reply_to, p.published_at, p.updated_at
"""


async def existing_posts(
    conn: asyncpg.Connection, feed_id: UUID, identities: list[str], link_keys: list[str]
) -> list[asyncpg.Record]:
    """Posts of the feed matching any identity, or any link (for rotated GUIDs)."""
    return await conn.fetch(
        """
        SELECT id, identity, link_key, content_hash, published_at FROM posts
        WHERE feed_id = $1 AND (identity = ANY($2::text[]) OR link_key = ANY($3::text[]))
        """,
        feed_id,
        identities,
        link_keys,
    )


def _values(post, published_at: datetime, updated_at: datetime) -> list:
    return [
        post.guid,
        post.link,
        post.title,
        post.content,
        post.content_text,
        post.summary,
        post.image,
        [
            {
                "url": a.url,
                "mime_type": a.mime_type,
                "size_in_bytes": a.size_in_bytes,
                "title": a.title,
            }
            for a in post.attachments
        ],
        post.author or None,
        list(post.tags),
        post.in_reply_to,
        post.content_hash,
        published_at,
        updated_at,
    ]


async def insert_posts(
    conn: asyncpg.Connection,
    *,
    feed_id: UUID,
    site_id: UUID,
    rows: list[tuple[str, str | None, object, datetime, datetime]],
    now: datetime,
) -> int:
    """Insert new posts in one statement: `rows` are (identity, link_key, post, published_at,
    updated_at). A row whose identity already exists is skipped. Returns how many went in."""
    if not rows:
        return 0
    values = [[identity, key, *_values(post, published, updated)]
              for identity, key, post, published, updated in rows]  # fmt: skip
    for row in values:  # JSON values travel as text: a list would read as an array dimension
        row[9], row[10], row[11] = (None if v is None else orjson.dumps(v).decode()
                                    for v in row[9:12])  # attachments, author, tags  # fmt: skip
    columns = zip(*values, strict=True)
    status = await conn.execute(
        """
        INSERT INTO posts (feed_id, site_id, identity, link_key, guid, link, title, content,
            content_text, summary, image, attachments, author, tags, in_reply_to, content_hash,
            published_at, updated_at, first_seen_at, changed_at)
        SELECT $1, $2, u.identity, u.link_key, u.guid, u.link, u.title, u.content,
               u.content_text, u.summary, u.image, u.attachments::jsonb, u.author::jsonb,
               ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)), u.in_reply_to,
               u.content_hash,
               u.published_at, u.updated_at, $19, $19
        FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                    $14::text[], $15::text[], $16::bytea[], $17::timestamptz[],
                    $18::timestamptz[])
             AS u(identity, link_key, guid, link, title, content, content_text, summary, image,
                  attachments, author, tags, in_reply_to, content_hash, published_at,
                  updated_at)
        ON CONFLICT (feed_id, identity) DO NOTHING
        """,
        feed_id,
        site_id,
        *[list(column) for column in columns],
        now,
    )
    return int(status.split()[-1])


async def update_post(
    conn: asyncpg.Connection,
    post_id: UUID,
    *,
    identity: str,
    link_key: str | None,
    post,
    published_at: datetime,
    updated_at: datetime,
    now: datetime,
) -> None:
    await conn.execute(
        """
        UPDATE posts SET identity = $2, link_key = $3, guid = $4, link = $5, title = $6,
            content = $7, content_text = $8, summary = $9, image = $10,
            attachments = $11::jsonb, author = $12::jsonb, tags = $13, in_reply_to = $14,
            content_hash = $15, published_at = $16, updated_at = $17, changed_at = $18
        WHERE id = $1
        """,
        post_id,
        identity,
        link_key,
        *_values(post, published_at, updated_at),
        now,
    )


async def rename_identity(
    conn: asyncpg.Connection, post_id: UUID, identity: str, guid: str | None
) -> None:
    await conn.execute(
        "UPDATE posts SET identity = $2, guid = $3 WHERE id = $1", post_id, identity, guid
    )


def same_day(a: datetime, b: datetime) -> bool:
    return abs(a - b) <= timedelta(days=1)


async def get_post(conn: asyncpg.Connection, post_id: UUID):
    return await conn.fetchrow(
        f"SELECT {POST_COLUMNS} FROM posts p JOIN sites s ON s.id = p.site_id"
        " WHERE p.id = $1 AND s.hidden_at IS NULL",
        post_id,
    )


async def list_feed_posts(
    conn: asyncpg.Connection,
    feed_id: UUID,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    where = """
WHERE p.feed_id = $1 AND ($2::timestamptz IS NULL OR p.published_at >= $2)
  AND ($3::timestamptz IS NULL OR p.published_at < $3)
"""
    total = await conn.fetchval(f"SELECT count(*) FROM posts p {where}", feed_id, since, until)
    rows = await conn.fetch(
        f"SELECT {POST_COLUMNS} FROM posts p {where}"
        " ORDER BY p.published_at DESC, p.id DESC LIMIT $4 OFFSET $5",
        feed_id,
        since,
        until,
        limit,
        offset,
    )
    return total, rows


async def newest_shapes(conn: asyncpg.Connection, feed_id: UUID, limit: int = 20):
    return await conn.fetch(
        """
        SELECT title, content_text, (image IS NOT NULL OR content ~* '<img\\s') AS has_image
        FROM posts WHERE feed_id = $1 ORDER BY published_at DESC, id DESC LIMIT $2
        """,
        feed_id,
        limit,
    )


async def prune_old_posts(pool: asyncpg.Pool, keep: int) -> int:
    status = await pool.execute(
        """
        DELETE FROM posts p USING (
            SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY feed_id
                                              ORDER BY published_at DESC, id DESC) AS n
                FROM posts
            ) ranked WHERE n > $1
        ) old
        WHERE p.id = old.id
        """,
        keep,
    )
    return int(status.split()[-1])
