"""The read model of published entries: the statements behind the public pages and feeds
(a channel with its translations, entries, tags, media, approved mentions and reply contexts,
one tuned statement per page). Read-only, one statement per function, `$n` parameters.

Public means: the channel is `published`; the entry is not deleted, archived or private; and
the translation shown has status `published`. An entry whose page status is
`moderation_review` stays public while its live translation is published (a pending
revision waits beside it; publicasta-v1-resolved §1.5.1).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from hub.core.webmentions.queries import APPROVED_JSON
from hub.core.webmentions.sends import CONTEXTS_JSON

Conn = asyncpg.Connection | asyncpg.Pool

_CHANNEL_ONLY = """
    SELECT c.id, c.slug, c.default_language, c.status, c.custom_domain, c.updated_at,
           a.name AS author_name, a.url AS author_url, a.note AS author_note,
           a.rel_me AS author_rel_me, ap.path AS author_photo_path,
           av.path AS avatar_path, av.public_id AS avatar_public_id,
           av.width AS avatar_width, av.height AS avatar_height,
           nullif(av.feed_path, '') AS avatar_feed_path,
           nullif(cv.feed_path, '') AS cover_feed_path,
           cv.path AS cover_path, cv.width AS cover_width, cv.height AS cover_height,
           coalesce((SELECT json_agg(json_build_object(
                         'language', t.language, 'title', t.title, 'description', t.description)
                         ORDER BY t.language)
                     FROM channel_translations t WHERE t.channel_id = c.id), '[]') AS translations,
           greatest(c.updated_at, a.updated_at,
                    (SELECT max(t.updated_at) FROM channel_translations t
                     WHERE t.channel_id = c.id)) AS changed_at
    FROM channels c
    JOIN authors a ON a.id = c.author_id
    LEFT JOIN media ap ON ap.id = a.photo_media_id
    LEFT JOIN media av ON av.id = c.avatar_media_id
    LEFT JOIN media cv ON cv.id = c.cover_media_id
"""
# Lists and feeds also need the newest entry change (their ETag); an entry page does not.
_CHANNEL = _CHANNEL_ONLY.replace(
    " AS changed_at\n",
    " AS changed_at,\n"
    "           (SELECT max(e.updated_at) FROM entries e WHERE e.channel_id = c.id)"
    " AS entries_changed_at\n",
)


async def channel_by_slug(conn: Conn, slug: str) -> asyncpg.Record | None:
    """A channel with its author, avatar, cover, translations and change times."""
    return await conn.fetchrow(_CHANNEL + " WHERE c.slug = $1", slug)


async def channel_by_domain(conn: Conn, domain: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_CHANNEL + " WHERE c.custom_domain = $1", domain)


async def public_channels(conn: Conn, limit: int) -> list[asyncpg.Record]:
    """The node home: public channels, oldest first."""
    return await conn.fetch(
        _CHANNEL + " WHERE c.status = 'published' ORDER BY c.created_at, c.id LIMIT $1", limit
    )


_MEDIA = """
    coalesce((SELECT json_agg(json_build_object(
                  'role', em.role, 'alt', coalesce(em.alt, m.alt), 'path', m.path,
                  'public_id', m.public_id, 'width', m.width, 'height', m.height,
                  'content_type', coalesce(m.processed_type, m.content_type),
                  'remote_url', em.remote_url)
                  ORDER BY em.role, em.position, m.id)
              FROM entry_media em JOIN media m ON m.id = em.media_id
              WHERE em.entry_id = e.id AND em.role <> 'inline'), '[]')
"""
_TAGS = """
    ARRAY(SELECT g.name FROM entry_categories g WHERE g.entry_id = e.id
          ORDER BY g.position, g.key)
"""
# The entry of an entry page as one JSON object, sent as its text (the page keeps what it
# derives from it by that text, `hub.site.public.memo`): every translation (content only for the
# language shown, $3, else the primary), tags, non-inline media, approved webmentions and
# the reply contexts of its response targets, whatever its status.
_ENTRY = f"""
    (SELECT json_build_object(
         'id', e.id, 'slug', e.slug, 'default_language', e.default_language,
         'status', e.status, 'kind', e.kind, 'visibility', e.visibility,
         'properties', e.properties, 'published_at', e.published_at, 'version', e.version,
         'deleted_at', e.deleted_at, 'updated_at', e.updated_at,
         'mentions_changed_at', e.mentions_changed_at,
         'translations', coalesce((SELECT json_agg(json_build_object(
             'language', t.language, 'status', t.status, 'title', t.title,
             'excerpt', t.excerpt, 'seo_title', t.seo_title,
             'seo_description', t.seo_description, 'published_at', t.published_at,
             'content_updated_at', t.content_updated_at, 'updated_at', t.updated_at,
             'content_html', CASE WHEN t.language = coalesce($3, e.default_language)
                                  THEN t.content_html END))
             FROM entry_translations t WHERE t.entry_id = e.id), '[]'),
         'tags', {_TAGS},
         'media', {_MEDIA},
         'mentions', {APPROVED_JSON},
         'contexts', {CONTEXTS_JSON})
     FROM entries e WHERE e.channel_id = c.id AND e.slug = $2)::text AS entry
"""
_WITH_ENTRY = _CHANNEL_ONLY.replace(
    "    FROM channels c", f"           , {_ENTRY}\n    FROM channels c"
)


async def channel_with_entry(
    conn: Conn, channel_slug: str, slug: str, language: str | None
) -> asyncpg.Record | None:
    """The channel (as `channel_by_slug`) and, in `entry`, the entry with that slug as the
    text of a JSON object (None when there is none): one round trip for an entry page."""
    return await conn.fetchrow(_WITH_ENTRY + " WHERE c.slug = $1", channel_slug, slug, language)


async def channel_with_entry_by_id(
    conn: Conn, channel_id: int, slug: str, language: str | None
) -> asyncpg.Record | None:
    return await conn.fetchrow(_WITH_ENTRY + " WHERE c.id = $1", channel_id, slug, language)


_LIST_CACHE: dict[tuple[bool | int | None, ...], str] = {}


def _list_sql(
    *, content: bool, newer: bool, language: bool, tag: bool, cursor: bool, limit: int
) -> str:
    """The listing statement for one combination of filters. Each combination is its own
    statement (no `$n IS NULL OR ...`), so that every prepared plan can use the indexes.
    Only fixed snippets are interpolated; values are always parameters ($1 channel, then
    language, tag, cursor time and id in that order when present).

    The limit (a number from the code: a page's size, the feeds' item count; never from a
    request) is written into the statement. PostgreSQL then keeps one generic plan for the
    prepared statement; with `LIMIT $2` it priced the generic plan for a tenth of the
    channel and planned every execution again (~0.3-0.5 ms a request)."""
    key = (content, newer, language, tag, cursor, limit)
    if key in _LIST_CACHE:
        return _LIST_CACHE[key]
    params = iter(range(2, 8))
    lang = f"${next(params)}" if language else "e.default_language"
    # A tag's list walks the tag's own rows in the listing's order (entry_categories_listing_idx,
    # migration 0026: `listed_at` is the entry's published_at while it is listed), so a page
    # reads its rows however rare or old the tag; the entry's own checks below still hold.
    source = (
        f"entry_categories g JOIN entries e ON e.id = g.entry_id"
        f" AND g.channel_id = $1 AND g.key = lower(${next(params)}) AND g.listed_at IS NOT NULL"
        if tag
        else "entries e"
    )
    when, id_ = ("g.listed_at", "g.entry_id") if tag else ("e.published_at", "e.id")
    compare, order = (">", "ASC") if newer else ("<", "DESC")
    cursor_filter = (
        f"AND ({when}, {id_}) {compare} (${next(params)}, ${next(params)}::bigint)"
        if cursor
        else ""
    )
    body = (
        "t.content_html"
        if content
        else "CASE WHEN coalesce(t.excerpt, '') = '' THEN left(t.content_html, 2000) END"
        " AS content_html"
    )
    # a page's summaries come as JSON text (decoded only when a summary is built: the pages
    # keep them per row, `hub.site.public.memo`), without what only a feed's items show
    as_json = "" if content else "::text"
    item = (
        "e.updated_at, e.version, t.seo_title, t.updated_at AS translation_updated_at,"
        " t.content_updated_at,"
        if content
        else ""
    )
    sql = f"""
        SELECT e.id, e.slug, e.kind, e.properties{as_json} AS properties, e.published_at,
               e.default_language, t.language, t.title, t.excerpt,
               t.published_at AS translation_published_at, {item} {body},
               {_TAGS} AS tags, ({_MEDIA}){as_json} AS media
        FROM {source}
        JOIN entry_translations t ON t.entry_id = e.id AND t.language = {lang}
        WHERE e.channel_id = $1 AND e.status IN ('published', 'moderation_review')
          AND t.status = 'published' AND e.deleted_at IS NULL AND e.visibility = 'public'
          AND e.published_at IS NOT NULL {cursor_filter}
        ORDER BY {when} {order}, {id_} {order}
        LIMIT {int(limit)}
    """
    _LIST_CACHE[key] = sql
    return sql


async def public_entries(
    conn: Conn,
    channel_id: int,
    *,
    language: str | None,
    tag: str | None,
    before: tuple[datetime, int] | None,
    limit: int,
    content: bool = False,
    newer: bool = False,
) -> list[asyncpg.Record]:
    """Public entries of a channel, newest first (oldest first with `newer`), in `language`
    or each in its primary; optionally with a tag and before (after) a cursor. Without
    `content`, `content_html` is a prefix (enough for a preview), and only for entries
    without an excerpt; `properties` and `media` are JSON text, not decoded; and the
    columns only a feed's items show (`updated_at`, `version`, `seo_title`,
    `translation_updated_at`, `content_updated_at`) are left out: decoding a list page's rows
    cost asyncpg twice the ceiling's statement in Python."""
    sql = _list_sql(
        content=content,
        newer=newer,
        language=language is not None,
        tag=tag is not None,
        cursor=before is not None,
        limit=limit,
    )
    values = [v for v in (language, tag) if v is not None] + list(before or ())
    return await conn.fetch(sql, channel_id, *values)


async def websub_scopes(conn: Conn, entry_ids: list[int]) -> list[asyncpg.Record]:
    """What the WebSub pings for entries need, one row an entry (`id`; those gone are left
    out): its channel, its tags and the languages it has ever been public in (a withdrawn
    language's feed changed too)."""
    return await conn.fetch(
        """
        SELECT e.id, c.slug, c.custom_domain, c.status,
               ARRAY(SELECT g.name FROM entry_categories g WHERE g.entry_id = e.id
                     ORDER BY g.position, g.key) AS tags,
               ARRAY(SELECT t.language FROM entry_translations t WHERE t.entry_id = e.id
                       AND t.published_at IS NOT NULL ORDER BY t.language) AS languages
        FROM entries e JOIN channels c ON c.id = e.channel_id
        WHERE e.id = ANY($1::bigint[])
        ORDER BY e.id
        """,
        entry_ids,
    )
