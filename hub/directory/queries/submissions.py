"""Site submissions: a site the owner added from the dashboard, whose discovery runs as a job
(`discover_site`), with its progress (pending, found, failed)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

Conn = asyncpg.Pool | asyncpg.Connection
PENDING, FOUND, FAILED = "pending", "found", "failed"


async def insert_submission(conn: asyncpg.Connection, author_id: int, url: str) -> int:
    return await conn.fetchval(
        "INSERT INTO site_submissions (author_id, url) VALUES ($1, $2) RETURNING id",
        author_id,
        url,
    )


async def get_submission(conn: Conn, submission_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, author_id, url, status FROM site_submissions WHERE id = $1", submission_id
    )


async def finish_submission(
    conn: Conn,
    submission_id: int,
    *,
    status: str,
    site_id: UUID | None = None,
    feed_count: int = 0,
    error: str | None = None,
) -> None:
    await conn.execute(
        """
        UPDATE site_submissions
        SET status = $2, site_id = $3, feed_count = $4, error = $5, finished_at = now()
        WHERE id = $1
        """,
        submission_id,
        status,
        site_id,
        feed_count,
        error[:1000] if error else None,
    )


async def list_submissions(conn: Conn, author_id: int, limit: int) -> list[asyncpg.Record]:
    """The author's newest submissions, with the title of the site each one found."""
    return await conn.fetch(
        """
        SELECT s.id, s.url, s.status, s.site_id, s.feed_count, s.error, s.created_at,
               s.finished_at, coalesce(nullif(site.title, ''), site.link) AS site_title
        FROM site_submissions s LEFT JOIN sites site ON site.id = s.site_id
        WHERE s.author_id = $1
        ORDER BY s.created_at DESC, s.id DESC LIMIT $2
        """,
        author_id,
        limit,
    )
