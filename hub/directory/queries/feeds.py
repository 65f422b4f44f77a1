"""Feeds: API reads, poll state, the due-feed picker."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from hub.directory.urlnorm import feed_key

FEED_COLUMNS = """
f.id, f.site_id, f.feed_url, f.link, f.title, f.description, f.format, f.format_version,
f.is_main, f.status, f.last_fetched_at, f.posts_changed_at,
(f.websub_expires_at IS NOT NULL AND f.websub_expires_at > now()) AS websub,
coalesce((SELECT count(*) FROM posts p WHERE p.feed_id = f.id
          AND p.published_at > now() - interval '90 days'), 0) / (90.0 / 7) AS posts_per_week
"""


def _subscribed(author: str) -> str:
    return (
        f", ({author}::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM subscriptions sub"
        f" WHERE sub.feed_id = f.id AND sub.author_id = {author}::bigint)) AS is_subscribed"
    )


async def get_feed(conn: asyncpg.Connection, feed_id: UUID, author_id: int | None):
    return await conn.fetchrow(
        f"SELECT {FEED_COLUMNS} {_subscribed('$2')} FROM feeds f JOIN sites s ON s.id = f.site_id"
        " WHERE f.id = $1 AND s.hidden_at IS NULL",
        feed_id,
        author_id,
    )


async def list_site_feeds(
    conn: asyncpg.Connection, site_id: UUID, author_id: int | None, limit: int, offset: int
) -> tuple[int, list[asyncpg.Record]]:
    total = await conn.fetchval("SELECT count(*) FROM feeds WHERE site_id = $1", site_id)
    rows = await conn.fetch(
        f"SELECT {FEED_COLUMNS} {_subscribed('$2')} FROM feeds f WHERE f.site_id = $1"
        " ORDER BY f.is_main DESC, f.feed_url, f.id LIMIT $3 OFFSET $4",
        site_id,
        author_id,
        limit,
        offset,
    )
    return total, rows


async def find_feed_by_key(conn: asyncpg.Connection, key: str):
    return await conn.fetchrow("SELECT id, site_id FROM feeds WHERE feed_key = $1", key)


async def insert_feed(
    conn: asyncpg.Connection,
    *,
    site_id: UUID,
    feed_url: str,
    feed_key: str,
    format: str,
    title: str,
    next_poll_at: datetime | None = None,
) -> UUID:
    return await conn.fetchval(
        """
        INSERT INTO feeds (site_id, feed_url, feed_key, format, title, next_poll_at)
        VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))
        ON CONFLICT (feed_key) DO UPDATE SET feed_key = EXCLUDED.feed_key
        RETURNING id
        """,
        site_id,
        feed_url,
        feed_key,
        format,
        title,
        next_poll_at,
    )


async def site_feed_summaries(conn: asyncpg.Connection, site_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, feed_url, format, title, is_main, is_local FROM feeds WHERE site_id = $1"
        " ORDER BY id",
        site_id,
    )


async def set_main_feed(conn: asyncpg.Connection, site_id: UUID, feed_id: UUID) -> None:
    await conn.execute(
        "UPDATE feeds SET is_main = false WHERE site_id = $1 AND is_main AND id <> $2",
        site_id,
        feed_id,
    )
    await conn.execute("UPDATE feeds SET is_main = true WHERE id = $1", feed_id)


async def lock_feed(conn: asyncpg.Connection, feed_id: UUID):
    """The poll state of a feed, locked for this transaction."""
    return await conn.fetchrow(
        """
        SELECT f.*, s.hidden_at FROM feeds f JOIN sites s ON s.id = f.site_id
        WHERE f.id = $1 FOR UPDATE OF f
        """,
        feed_id,
    )


async def get_poll_state(conn: asyncpg.Connection, feed_id: UUID):
    """The feed's poll state, its site's `hidden_at` and its subscriber count."""
    return await conn.fetchrow(
        """
        SELECT f.*, s.hidden_at,
               (SELECT count(*) FROM subscriptions sub WHERE sub.feed_id = f.id) AS subscribers
        FROM feeds f JOIN sites s ON s.id = f.site_id WHERE f.id = $1
        """,
        feed_id,
    )


async def record_success(
    conn: asyncpg.Connection,
    feed_id: UUID,
    *,
    status: int,
    etag: str | None,
    last_modified: str | None,
    body_sha256: bytes | None,
    interval: int,
    next_poll_at: datetime,
    now: datetime,
    feed_status: str,
    posts_changed_at: datetime | None = None,
) -> None:
    """A poll that fetched the feed (or found it unchanged); `posts_changed_at` when it
    added or changed posts (`mark_posts_changed` in the same statement)."""
    await conn.execute(
        """
        UPDATE feeds SET etag = $2, last_modified = $3, body_sha256 = coalesce($4, body_sha256),
            poll_interval_seconds = $5, next_poll_at = $6, last_fetched_at = $7,
            last_status = $8, last_error = NULL, error_count = 0, error_since = NULL,
            not_found_since = NULL, status = $9,
            posts_changed_at = coalesce($10, posts_changed_at)
        WHERE id = $1
        """,
        feed_id,
        etag,
        last_modified,
        body_sha256,
        interval,
        next_poll_at,
        now,
        status,
        feed_status,
        posts_changed_at,
    )


async def record_error(
    conn: asyncpg.Connection,
    feed_id: UUID,
    *,
    http_status: int | None,
    error: str,
    error_count: int,
    error_since: datetime,
    not_found_since: datetime | None,
    next_poll_at: datetime,
    now: datetime,
    feed_status: str,
) -> None:
    await conn.execute(
        """
        UPDATE feeds SET last_status = $2, last_error = $3, error_count = $4, error_since = $5,
            not_found_since = $6, next_poll_at = $7, last_fetched_at = $8, status = $9
        WHERE id = $1
        """,
        feed_id,
        http_status,
        error[:1000],
        error_count,
        error_since,
        not_found_since,
        next_poll_at,
        now,
        feed_status,
    )


async def update_feed_metadata(
    conn: asyncpg.Connection,
    feed_id: UUID,
    *,
    format: str,
    format_version: str | None,
    title: str,
    link: str | None,
    description: str | None,
    icon: str | None,
    language: str | None,
    websub_hub: str | None,
    websub_topic: str | None,
) -> None:
    await conn.execute(
        """
        UPDATE feeds SET format = $2, format_version = $3, title = $4, link = $5,
            description = $6, icon = $7, language = $8, websub_hub = $9, websub_topic = $10
        WHERE id = $1
        """,
        feed_id,
        format,
        format_version,
        title,
        link,
        description,
        icon,
        language,
        websub_hub,
        websub_topic,
    )


async def mark_posts_changed(conn: asyncpg.Connection, feed_id: UUID, at: datetime) -> None:
    await conn.execute("UPDATE feeds SET posts_changed_at = $2 WHERE id = $1", feed_id, at)


_DUE = """
    FROM feeds f JOIN sites s ON s.id = f.site_id
    WHERE f.next_poll_at <= $1 AND f.status <> 'gone' AND NOT f.is_local
      AND s.hidden_at IS NULL
"""


async def list_due_feeds(conn: asyncpg.Connection, now: datetime, limit: int) -> list[UUID]:
    """Feeds whose next poll is due, skipping rows another scheduler holds."""
    rows = await conn.fetch(
        f"SELECT f.id {_DUE} ORDER BY f.next_poll_at LIMIT $2 FOR UPDATE OF f SKIP LOCKED",
        now,
        limit,
    )
    return [r["id"] for r in rows]


async def claim_due_feeds(
    conn: asyncpg.Connection, now: datetime, limit: int, until: datetime
) -> list[UUID]:
    """Up to `limit` due feeds, most overdue first, claimed for the poll about to be queued:
    their `next_poll_at` moves to `until`, so no later scheduler tick lists them again; the
    poll sets the real next time (a poll that never happens leaves them due at `until`). Rows
    another scheduler holds are skipped (`feeds_due_idx`)."""
    rows = await conn.fetch(
        f"""
        UPDATE feeds SET next_poll_at = $3
        WHERE id IN (SELECT f.id {_DUE} ORDER BY f.next_poll_at LIMIT $2
                     FOR UPDATE OF f SKIP LOCKED)
        RETURNING id
        """,
        now,
        limit,
        until,
    )
    return [r["id"] for r in rows]


async def get_poll_states(conn: asyncpg.Connection, feed_ids: list[UUID]) -> list[asyncpg.Record]:
    """`get_poll_state` for several feeds in one statement (feeds that are gone are absent)."""
    return await conn.fetch(
        """
        SELECT f.*, s.hidden_at,
               (SELECT count(*) FROM subscriptions sub WHERE sub.feed_id = f.id) AS subscribers
        FROM feeds f JOIN sites s ON s.id = f.site_id WHERE f.id = ANY($1::uuid[])
        """,
        feed_ids,
    )


Unchanged = tuple[UUID, int, str | None, str | None, int, datetime, datetime, str]
"""`record_success` of a poll that found nothing new: (feed id, HTTP status, etag,
last_modified, interval, next_poll_at, now, feed status)."""


async def record_unchanged(conn: asyncpg.Connection, polls: list[Unchanged]) -> None:
    """`record_success` without a new body or posts, for many feeds in one statement."""
    columns = list(zip(*polls, strict=True))
    await conn.execute(
        """
        UPDATE feeds f SET etag = u.etag, last_modified = u.last_modified,
            poll_interval_seconds = u.interval, next_poll_at = u.next_poll_at,
            last_fetched_at = u.fetched_at, last_status = u.status, last_error = NULL,
            error_count = 0, error_since = NULL, not_found_since = NULL, status = u.feed_status
        FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::int[],
                    $6::timestamptz[], $7::timestamptz[], $8::text[])
             AS u(id, status, etag, last_modified, interval, next_poll_at, fetched_at,
                  feed_status)
        WHERE f.id = u.id
        """,
        *columns,
    )


async def set_redirect(
    conn: asyncpg.Connection, feed_id: UUID, redirect_url: str | None, count: int
) -> None:
    """The permanent redirect target seen on the last polls, and how many polls in a row."""
    await conn.execute(
        "UPDATE feeds SET redirect_url = $2, redirect_count = $3 WHERE id = $1",
        feed_id,
        redirect_url,
        count,
    )


async def move_feed(conn: asyncpg.Connection, feed_id: UUID, feed_url: str, key: str) -> None:
    """The feed moved permanently: its URL changes (the validators stored by this poll
    already belong to the new URL)."""
    await conn.execute(
        """
        UPDATE feeds SET feed_url = $2, feed_key = $3, redirect_url = NULL, redirect_count = 0
        WHERE id = $1
        """,
        feed_id,
        feed_url,
        key,
    )


async def merge_feeds(conn: asyncpg.Connection, moved: UUID, target: UUID, feed_url: str) -> UUID:
    """Feed `moved` now redirects permanently to known feed `target` (R-D23): the two become
    one, under the older id, at `feed_url`. Posts the kept feed lacks and subscriptions move
    over; the other feed goes. Returns the kept id."""
    rows = await conn.fetch(
        "SELECT id, site_id, created_at FROM feeds WHERE id = ANY($1::uuid[]) FOR UPDATE",
        [moved, target],
    )
    ordered = sorted(rows, key=lambda r: (r["created_at"], r["id"] != target))
    keep, drop = ordered[0], ordered[1]
    await conn.execute(
        """
        UPDATE posts SET feed_id = $1, site_id = $2
        WHERE feed_id = $3
          AND identity NOT IN (SELECT identity FROM posts WHERE feed_id = $1)
        """,
        keep["id"],
        keep["site_id"],
        drop["id"],
    )
    await conn.execute(
        "INSERT INTO subscriptions (author_id, feed_id, created_at)"
        " SELECT author_id, $1, created_at FROM subscriptions WHERE feed_id = $2"
        " ON CONFLICT (author_id, feed_id) DO NOTHING",
        keep["id"],
        drop["id"],
    )
    await conn.execute("DELETE FROM feeds WHERE id = $1", drop["id"])
    await move_feed(conn, keep["id"], feed_url, feed_key(feed_url))
    return keep["id"]
