"""Sites: reads for the API (with the caller's flags), search, writes from the poller."""

from __future__ import annotations

import json
from uuid import UUID

import asyncpg

from hub.directory.search.sql import ORDERINGS, Compiled


def site_select(author: str) -> str:
    """Columns of a Site; `author` is the placeholder (e.g. `$3`) of the caller's author id,
    NULL for anonymous callers. Only code-chosen placeholders are interpolated."""
    return f"""
SELECT s.id, s.link, s.title, s.description, s.type, s.total_recommendations, s.icon,
       s.language, s.created_at, s.last_post_at,
       mf.id AS main_feed_id, mf.feed_url AS main_feed_url, mf.title AS main_feed_title,
       mf.format AS main_feed_format,
       ARRAY(SELECT t.name FROM site_tags t WHERE t.site_id = s.id
             ORDER BY t.uses DESC, t.name LIMIT 10) AS tags,
       ({author}::bigint IS NOT NULL AND EXISTS (
            SELECT 1 FROM site_recommendations r
            WHERE r.site_id = s.id AND r.author_id = {author}::bigint)) AS is_recommended,
       ({author}::bigint IS NOT NULL AND EXISTS (
            SELECT 1 FROM subscriptions sub JOIN feeds sf ON sf.id = sub.feed_id
            WHERE sf.site_id = s.id AND sub.author_id = {author}::bigint)) AS is_subscribed
"""


_FROM = "FROM sites s LEFT JOIN feeds mf ON mf.site_id = s.id AND mf.is_main"


async def get_site(conn: asyncpg.Connection, site_id: UUID, author_id: int | None):
    return await conn.fetchrow(
        site_select("$2") + _FROM + " WHERE s.id = $1 AND s.hidden_at IS NULL",
        site_id,
        author_id,
    )


async def list_sites(
    conn: asyncpg.Connection,
    *,
    types: list[str] | None,
    tag: str | None,
    ordering: str,
    author_id: int | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    where = """
WHERE s.hidden_at IS NULL AND ($1::text[] IS NULL OR s.type = ANY($1::text[]))
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM site_tags st
                                   WHERE st.site_id = s.id AND st.name = $2))
"""
    total = await conn.fetchval("SELECT count(*) FROM sites s " + where, types, tag)
    rows = await conn.fetch(
        site_select("$3")
        + _FROM
        + where
        + f" ORDER BY {ORDERINGS[ordering]}, s.id LIMIT $4 OFFSET $5",
        types,
        tag,
        author_id,
        limit,
        offset,
    )
    return total, rows


async def apply_search_settings(
    conn: asyncpg.Connection, compiled: Compiled, statement_timeout: str = "3s"
) -> None:
    """This transaction's statement timeout and pg_trgm's threshold for the fuzzy terms'
    `<%` over the vocabulary (the lowest of the query; 0.3, pg_trgm's default, without
    fuzzy terms): one round trip."""
    threshold = compiled.fuzzy_threshold if compiled.fuzzy_threshold is not None else 0.3
    await conn.execute(
        "SELECT set_config('statement_timeout', $1, true),"
        " set_config('pg_trgm.word_similarity_threshold', $2, true)",
        statement_timeout,
        str(threshold),
    )


async def search_sites(
    conn: asyncpg.Connection,
    compiled: Compiled,
    *,
    ordering: str,
    author_id: int | None,
    limit: int,
    offset: int,
) -> tuple[dict[str, int], list[asyncpg.Record]]:
    """(counts per type, one page of sites with `score`). Runs in the caller's transaction,
    with a 3 s statement timeout and the fuzzy threshold set for it.

    One statement: the matches are computed once (a materialised CTE) and feed both the
    counts per type and the page; only the page's rows get the full Site columns. An empty
    page (past the end) still needs the counts: a second, count-only statement."""
    await apply_search_settings(conn, compiled)
    n = len(compiled.params)
    order = ORDERINGS[ordering]
    rows = await conn.fetch(
        f"""
WITH matched AS MATERIALIZED (
    SELECT s.id, s.type, s.total_recommendations, s.title, s.last_post_at, s.created_at,
           {compiled.score} AS score
    FROM sites s WHERE s.hidden_at IS NULL AND {compiled.where}
), page AS (
    SELECT s.id, s.score FROM matched s ORDER BY {order}, s.id LIMIT ${n + 2} OFFSET ${n + 3}
)
{site_select(f"${n + 1}")}, page.score AS score,
       (SELECT json_object_agg(t.type, t.n) FROM (SELECT type, count(*) AS n FROM matched
                                                 GROUP BY type) t)::text AS type_counts
FROM page JOIN sites s ON s.id = page.id
LEFT JOIN feeds mf ON mf.site_id = s.id AND mf.is_main
ORDER BY {order}, s.id
""",
        *compiled.params,
        author_id,
        limit,
        offset,
    )
    if rows:
        return {k: int(v) for k, v in json.loads(rows[0]["type_counts"] or "{}").items()}, rows
    counts = await conn.fetch(
        f"SELECT s.type, count(*) AS n FROM sites s WHERE s.hidden_at IS NULL"
        f" AND {compiled.where} GROUP BY s.type",
        *compiled.params[: compiled.where_params],
    )
    return {r["type"]: r["n"] for r in counts}, rows


async def count_matches(conn: asyncpg.Connection, compiled: Compiled) -> int:
    await apply_search_settings(conn, compiled, "1s")
    return await conn.fetchval(
        f"SELECT count(*) FROM sites s WHERE s.hidden_at IS NULL AND {compiled.where}",
        *compiled.params[: compiled.where_params],
    )


async def find_site_by_key(conn: asyncpg.Connection, link_key: str):
    return await conn.fetchrow("SELECT id, hidden_at FROM sites WHERE link_key = $1", link_key)


async def insert_site(
    conn: asyncpg.Connection, *, link: str, link_key: str, added_by: int | None
) -> UUID:
    return await conn.fetchval(
        """
        INSERT INTO sites (link, link_key, added_by) VALUES ($1, $2, $3)
        ON CONFLICT (link_key) DO UPDATE SET link_key = EXCLUDED.link_key
        RETURNING id
        """,
        link,
        link_key,
        added_by,
    )


async def update_site_metadata(
    conn: asyncpg.Connection,
    site_id: UUID,
    *,
    title: str,
    description: str | None,
    icon: str | None,
    language: str | None,
) -> None:
    await conn.execute(
        "UPDATE sites SET title = $2, description = $3, icon = $4, language = $5 WHERE id = $1"
        " AND (title, description, icon, language) IS DISTINCT FROM ($2, $3, $4, $5)",
        site_id,
        title[:1000],
        description[:1000] if description else None,
        icon,
        language,
    )


async def refresh_site_after_posts(conn: asyncpg.Connection, site_id: UUID, added: int) -> int:
    """Newest post time and the count of posts since the last classification."""
    return await conn.fetchval(
        """
        UPDATE sites SET
            last_post_at = (SELECT max(published_at) FROM posts WHERE site_id = $1),
            posts_since_classified = posts_since_classified + $2
        WHERE id = $1
        RETURNING posts_since_classified
        """,
        site_id,
        added,
    )


async def set_site_type(conn: asyncpg.Connection, site_id: UUID, kind: str) -> None:
    await conn.execute(
        """
        UPDATE sites SET type = CASE WHEN type_locked THEN type ELSE $2 END,
                         posts_since_classified = 0
        WHERE id = $1
        """,
        site_id,
        kind,
    )


async def recompute_tags(conn: asyncpg.Connection, site_id: UUID) -> None:
    """The 10 most used categories over the newest 100 posts, each used at least twice: one
    statement (tags no longer among them go, the others are written or kept)."""
    await conn.execute(
        """
        WITH fresh AS (
            SELECT tag, count(*)::integer AS uses FROM (
                SELECT unnest(tags) AS tag FROM (
                    SELECT tags FROM posts WHERE site_id = $1
                    ORDER BY published_at DESC, id DESC LIMIT 100
                ) newest
            ) t
            WHERE tag ~ '^[a-z0-9-]{1,64}$'
            GROUP BY tag HAVING count(*) >= 2
            ORDER BY count(*) DESC, tag LIMIT 10
        ), gone AS (
            DELETE FROM site_tags WHERE site_id = $1 AND name NOT IN (SELECT tag FROM fresh)
        )
        INSERT INTO site_tags (site_id, name, uses) SELECT $1, tag, uses FROM fresh
        ON CONFLICT (site_id, name) DO UPDATE SET uses = EXCLUDED.uses
        WHERE site_tags.uses <> EXCLUDED.uses
        """,
        site_id,
    )


async def visible(conn: asyncpg.Connection, site_id: UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1 AND hidden_at IS NULL)", site_id
        )
    )


async def add_recommendation(conn: asyncpg.Connection, author_id: int, site_id: UUID) -> bool:
    """Recommend (idempotent); the counter moves in the same transaction. True if new."""
    if not await visible(conn, site_id):
        from hub.core.errors import NotFound

        raise NotFound("Not found.")
    status = await conn.execute(
        "INSERT INTO site_recommendations (author_id, site_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        author_id,
        site_id,
    )
    created = status.endswith(" 1")
    if created:
        await conn.execute(
            "UPDATE sites SET total_recommendations = total_recommendations + 1 WHERE id = $1",
            site_id,
        )
    return created


async def remove_recommendation(conn: asyncpg.Connection, author_id: int, site_id: UUID) -> None:
    status = await conn.execute(
        "DELETE FROM site_recommendations WHERE author_id = $1 AND site_id = $2",
        author_id,
        site_id,
    )
    if status.endswith(" 1"):
        await conn.execute(
            "UPDATE sites SET total_recommendations = greatest(total_recommendations - 1, 0)"
            " WHERE id = $1",
            site_id,
        )
