"""SQL of sending: the entry as the sender reads it, and `webmention_sends` (one row per
(entry, target) ever linked, webmention-site-feeds.md §2.4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

SEND_COLUMNS = (
    "s.id, s.entry_id, s.target, s.target_norm, s.source, s.endpoint, s.status, s.linked,"
    " s.attempts, s.last_http_status, s.last_error, s.removal_notified_at, s.entry_version,"
    " s.next_attempt_at, s.title, s.cite_author_photo, s.cite_author_photo_path"
)

# The reply contexts of the entry `e` (issue 16) as a JSON array, one object per response
# target the send job read (keyed by `target_norm`, §1.4); none is looked up for an entry
# without response properties. The public entry page embeds it in its one statement.
CONTEXTS_JSON = """
    CASE WHEN e.properties ?| ARRAY['in-reply-to', 'like-of', 'repost-of', 'bookmark-of']
    THEN coalesce((SELECT json_agg(json_build_object(
                  'target_norm', s.target_norm, 'name', s.cite_name, 'url', s.cite_url,
                  'author_name', s.cite_author_name, 'author_url', s.cite_author_url,
                  'author_photo_path', s.cite_author_photo_path))
              FROM webmention_sends s
              WHERE s.entry_id = e.id AND s.cite_read_at IS NOT NULL), '[]')
    ELSE '[]'::json END
"""


async def mark_pending(conn: asyncpg.Connection, send_ids: list[int]) -> None:
    """Due for a send now: the retry counter starts again."""
    await conn.execute(
        "UPDATE webmention_sends SET status = 'pending', attempts = 0, next_attempt_at = now()"
        " WHERE id = ANY($1::bigint[])",
        send_ids,
    )


async def get_send(conn: asyncpg.Connection, send_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""
        SELECT {SEND_COLUMNS}, e.status AS entry_status, e.version AS version,
               e.properties AS entry_properties
        FROM webmention_sends s JOIN entries e ON e.id = s.entry_id
        WHERE s.id = $1
        """,  # noqa: S608 - a constant column list
        send_id,
    )


async def store_context(conn: asyncpg.Connection, send_id: int, context: dict[str, Any]) -> bool:
    """Keep what the target's page says about itself (issue 16: reply context) when it
    changed, and then move the entry's `mentions_changed_at` so that its page's ETag changes.
    One statement; True when something changed."""
    changed = await conn.fetchval(
        """
        WITH stored AS (
            UPDATE webmention_sends SET
                cite_name = $2, cite_url = $3, cite_author_name = $4, cite_author_url = $5,
                cite_author_photo = $6, cite_author_photo_path = $7, cite_read_at = now()
            WHERE id = $1 AND (cite_read_at IS NULL OR (cite_name, cite_url, cite_author_name,
                  cite_author_url, cite_author_photo, cite_author_photo_path)
                  IS DISTINCT FROM ($2, $3, $4, $5, $6, $7))
            RETURNING entry_id
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id = (SELECT entry_id FROM stored)
        )
        SELECT count(*) FROM stored
        """,
        send_id,
        context.get("name"),
        context.get("url"),
        context.get("author_name"),
        context.get("author_url"),
        context.get("author_photo"),
        context.get("author_photo_path"),
    )
    return bool(changed)


async def list_due_sends(conn: asyncpg.Connection, now: datetime, limit: int) -> list[int]:
    """Pending sends whose retry time passed long ago (their queued job was lost)."""
    rows = await conn.fetch(
        "SELECT id FROM webmention_sends WHERE status = 'pending' AND next_attempt_at < $1"
        " ORDER BY next_attempt_at LIMIT $2",
        now,
        limit,
    )
    return [r["id"] for r in rows]


# -- planning and recording sends, for one entry or all of a batched run's at once --------------


async def entries_for_sending(
    conn: asyncpg.Connection, entry_ids: list[int]
) -> list[asyncpg.Record]:
    """The entries as the sender reads them (gone ones left out), in one statement."""
    return await conn.fetch(
        """
        SELECT e.id, e.slug, e.status, e.version, e.properties, e.default_language,
               c.slug AS channel_slug, c.custom_domain, c.send_webmentions,
               c.status AS channel_status
        FROM entries e JOIN channels c ON c.id = e.channel_id
        WHERE e.id = ANY($1::bigint[])
        """,
        entry_ids,
    )


async def published_translations_of(
    conn: asyncpg.Connection, entry_ids: list[int]
) -> list[asyncpg.Record]:
    """The published translations of the entries: by entry, each one's primary language
    first."""
    return await conn.fetch(
        """
        SELECT t.entry_id, t.language, t.content_html
        FROM entry_translations t JOIN entries e ON e.id = t.entry_id
        WHERE t.entry_id = ANY($1::bigint[]) AND t.status = 'published'
        ORDER BY t.entry_id, t.language <> e.default_language, t.language
        """,
        entry_ids,
    )


async def list_sends_of(conn: asyncpg.Connection, entry_ids: list[int]) -> list[asyncpg.Record]:
    """Every send row of the entries (one a target ever linked), by entry."""
    return await conn.fetch(
        f"SELECT {SEND_COLUMNS} FROM webmention_sends s"  # noqa: S608 - a constant column list
        " WHERE s.entry_id = ANY($1::bigint[]) ORDER BY s.entry_id, s.id",
        entry_ids,
    )


async def upsert_linked_many(
    conn: asyncpg.Connection, links: list[tuple[int, str, str, str]]
) -> list[asyncpg.Record]:
    """Record that each entry links to its target now, for many (entry id, target,
    target_norm, source), one statement (a link that came back clears the removal notice);
    the rows' ids by (entry_id, target_norm). Each pair at most once; taken in the unique key's
    order, so two runs upserting rows of one entry wait for each other instead of
    deadlocking."""
    links = sorted(links, key=lambda link: (link[0], link[2]))
    return await conn.fetch(
        """
        INSERT INTO webmention_sends (entry_id, target, target_norm, source)
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
        ON CONFLICT (entry_id, target_norm) DO UPDATE SET
            target = EXCLUDED.target, source = EXCLUDED.source, linked = true,
            last_linked_at = now(), unlinked_at = NULL, removal_notified_at = NULL
        RETURNING id, entry_id, target_norm
        """,
        [link[0] for link in links],
        [link[1] for link in links],
        [link[2] for link in links],
        [link[3] for link in links],
    )


async def mark_unlinked_many(conn: asyncpg.Connection, send_ids: list[int]) -> None:
    """The sends' targets are no longer linked (their removal is to be told)."""
    await conn.execute(
        "UPDATE webmention_sends SET linked = false, unlinked_at = now(),"
        " removal_notified_at = NULL WHERE id = ANY($1::bigint[])",
        send_ids,
    )


async def mark_pending_returning(
    conn: asyncpg.Connection, send_ids: list[int]
) -> list[asyncpg.Record]:
    """`mark_pending`, returning each send as `get_send` reads it (the run sends them next)."""
    return await conn.fetch(
        f"""
        UPDATE webmention_sends s
        SET status = 'pending', attempts = 0, next_attempt_at = now()
        FROM entries e
        WHERE s.id = ANY($1::bigint[]) AND e.id = s.entry_id
        RETURNING {SEND_COLUMNS}, e.status AS entry_status, e.version AS version,
                  e.properties AS entry_properties
        """,  # noqa: S608 - a constant column list
        send_ids,
    )


# send id, status, endpoint, HTTP status, location, error, next attempt, title, entry version,
# whether a removal was told
Attempt = tuple[
    int, str, str | None, int | None, str | None, str | None, datetime | None, str | None, int, bool
]


async def record_attempts(conn: asyncpg.Connection, attempts: list[Attempt]) -> None:
    """Store one attempt of each of many sends, one statement (each send at most once): status,
    endpoint, answer, the next retry, whether a removal (a link gone or the entry no longer
    public) has now been told."""
    columns = list(zip(*sorted(attempts, key=lambda a: a[0]), strict=True))
    await conn.execute(
        """
        UPDATE webmention_sends s SET
            status = a.status, endpoint = coalesce(a.endpoint, s.endpoint),
            last_http_status = a.http_status, last_location = coalesce(a.location, s.last_location),
            last_error = a.error, next_attempt_at = a.next_at, attempts = s.attempts + 1,
            last_attempt_at = now(), title = coalesce(a.title, s.title),
            entry_version = a.version,
            removal_notified_at = CASE WHEN a.told THEN now() ELSE s.removal_notified_at END
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                    $7::timestamptz[], $8::text[], $9::int[], $10::bool[])
             AS a (id, status, endpoint, http_status, location, error, next_at, title,
                   version, told)
        WHERE s.id = a.id
        """,
        *(list(column) for column in columns),
    )
