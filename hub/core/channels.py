"""Channels (blogs on this node) and their per-language titles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import asyncpg

from hub.core.errors import Invalid, NotFound
from hub.core.languages import normalise_language
from hub.core.slugs import RESERVED_CHANNEL_SLUGS, is_valid_slug, next_free_slug, slugify_text

SLUG_SEPARATOR = "_"
SLUG_MAX = 64
TITLE_MAX = 200
DESCRIPTION_MAX = 1000
STATUSES = ("published", "draft")


@dataclass(frozen=True)
class Channel:
    id: int
    author_id: int
    slug: str
    default_language: str
    status: str
    is_default: bool
    custom_domain: str | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = (
    "id, author_id, slug, default_language, status, is_default, custom_domain, created_at,"
    " updated_at"
)


async def taken_channel_slugs(conn: asyncpg.Connection, base: str) -> set[str]:
    """Slugs starting with `base` that a new channel cannot have: other channels' slugs and
    fediverse handles (a channel's slug is its handle until it chooses one, and WebFinger
    must find one channel per handle)."""
    rows = await conn.fetch(
        """
        SELECT slug FROM channels WHERE slug = $1 OR starts_with(slug, $1 || $2)
        UNION ALL
        SELECT ap_handle FROM channels
        WHERE ap_handle = $1 OR starts_with(ap_handle, $1 || $2)
        """,
        base,
        SLUG_SEPARATOR,
    )
    return {r["slug"] for r in rows}


async def allocate_channel_slug(conn: asyncpg.Connection, title: str) -> str:
    """A free, valid, unreserved slug from a title: "Winter Car Care" → winter_car_care."""
    base = slugify_text(title, separator=SLUG_SEPARATOR, max_length=SLUG_MAX - 4) or "channel"
    if len(base) < 2:
        base = f"{base}{SLUG_SEPARATOR}channel"
    taken = await taken_channel_slugs(conn, base) | RESERVED_CHANNEL_SLUGS
    return next_free_slug(base, taken, separator=SLUG_SEPARATOR, max_length=SLUG_MAX)


async def create_channel(
    conn: asyncpg.Connection,
    *,
    author_id: int,
    title: str,
    language: str = "en",
    slug: str | None = None,
    description: str | None = None,
    is_default: bool = False,
    status: str = "published",
) -> Channel:
    if slug is None:
        slug = await allocate_channel_slug(conn, title)
    elif not is_valid_slug(slug, min_length=2, max_length=SLUG_MAX):
        raise Invalid.field(
            "slug", "The slug may contain only a-z, 0-9, '_' and '-' (2 to 64 characters)."
        )
    elif slug in RESERVED_CHANNEL_SLUGS:
        raise Invalid.field("slug", f"The slug {slug!r} is reserved.")
    elif await conn.fetchval("SELECT true FROM channels WHERE ap_handle = $1", slug):
        raise Invalid.field("slug", "The slug is another blog's fediverse handle.")
    try:
        async with conn.transaction():
            row = await conn.fetchrow(
                f"""
                INSERT INTO channels (author_id, slug, default_language, status, is_default)
                VALUES ($1, $2, $3, $4, $5)
                RETURNING {_COLUMNS}
                """,
                author_id,
                slug,
                language,
                status,
                is_default,
            )
            await conn.execute(
                """
                INSERT INTO channel_translations (channel_id, language, title, description)
                VALUES ($1, $2, $3, $4)
                """,
                row["id"],
                language,
                title.strip()[:200],
                description,
            )
    except asyncpg.UniqueViolationError:
        raise Invalid.field("slug", "The slug has already been taken.") from None
    except asyncpg.CheckViolationError:
        raise Invalid.field("default_language", "The language code is not valid.") from None
    return Channel(**dict(row))


async def get_channel_by_slug(conn: asyncpg.Connection, slug: str) -> Channel:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM channels WHERE slug = $1", slug)
    if row is None:
        raise NotFound("Channel not found.")
    return Channel(**dict(row))


class WritableChannel(NamedTuple):
    channel: Channel
    writable: bool  # one of its author's oldest channels that the plan's limit leaves writable
    new_entry_id: int | None = None  # see get_channel_with_writability's `entry_slug`
    slug_lock: int | None = None  # the advisory lock key of that entry slug in the channel


async def get_channel_with_writability(
    conn: asyncpg.Connection,
    slug: str,
    limit: int | None,
    *,
    entry_slug: str | None = None,
    lock: bool = True,
) -> WritableChannel:
    """The channel behind `slug` and whether it is one of its author's oldest `limit`
    channels, in one statement. With `entry_slug`, the same statement gives the advisory
    lock key of that entry slug in the channel (which serialises upserts by slug), takes the
    lock when `lock` (in a transaction), and allocates an entry id (from the entries'
    sequence) when no entry holds the slug. That look is as of the statement's start: an
    entry that another upsert created while this one waited for the lock is seen by the next
    statement (a create of the slug then finds it taken, and the caller updates instead)."""
    extra = ""
    if entry_slug is not None:
        key = "hashtextextended('entry/' || id::text || '/' || $3, 0)"
        extra = f""",
            {key} AS slug_lock,
            CASE WHEN NOT EXISTS (SELECT 1 FROM entries e
                                  WHERE e.channel_id = channels.id AND e.slug = $3)
                 THEN nextval(pg_get_serial_sequence('entries', 'id')) END AS new_entry_id"""
        if lock:
            extra += f", pg_advisory_xact_lock({key}) IS NULL AS slug_locked"
    row = await conn.fetchrow(
        f"""
        SELECT {_COLUMNS}, id IN (
            SELECT w.id FROM channels w WHERE w.author_id = channels.author_id
            ORDER BY w.created_at, w.id LIMIT $2
        ) AS writable{extra}
        FROM channels WHERE slug = $1
        """,
        slug,
        limit,
        *(() if entry_slug is None else (entry_slug,)),
    )
    if row is None:
        raise NotFound("Channel not found.")
    fields = dict(row)
    writable = fields.pop("writable")
    fields.pop("slug_locked", None)
    new_entry_id, slug_lock = fields.pop("new_entry_id", None), fields.pop("slug_lock", None)
    return WritableChannel(Channel(**fields), writable, new_entry_id, slug_lock)


async def default_channel(conn: asyncpg.Connection, author_id: int) -> Channel:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM channels WHERE author_id = $1 AND is_default",
        author_id,
    )
    if row is None:
        raise NotFound("The author has no default channel.")
    return Channel(**dict(row))


async def list_channels(conn: asyncpg.Connection, author_id: int | None = None) -> list[Channel]:
    rows = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM channels WHERE $1::bigint IS NULL OR author_id = $1
        ORDER BY created_at, id
        """,
        author_id,
    )
    return [Channel(**dict(r)) for r in rows]


async def channel_translations(
    conn: asyncpg.Connection, channel_ids: list[int]
) -> dict[int, list[asyncpg.Record]]:
    rows = await conn.fetch(
        """
        SELECT channel_id, language, title, description FROM channel_translations
        WHERE channel_id = ANY($1) ORDER BY language
        """,
        channel_ids,
    )
    found: dict[int, list[asyncpg.Record]] = {cid: [] for cid in channel_ids}
    for row in rows:
        found[row["channel_id"]].append(row)
    return found


async def upsert_channel_translation(
    conn: asyncpg.Connection, channel_id: int, language: str, title: str, description: str | None
) -> None:
    await conn.execute(
        """
        INSERT INTO channel_translations (channel_id, language, title, description)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (channel_id, language) DO UPDATE SET title = $3, description = $4
        """,
        channel_id,
        language,
        title,
        description,
    )


async def update_channel(
    conn: asyncpg.Connection, channel_id: int, *, default_language: str, status: str
) -> None:
    await conn.execute(
        """
        UPDATE channels SET default_language = $2, status = $3, updated_at = now()
        WHERE id = $1
        """,
        channel_id,
        default_language,
        status,
    )


async def writable_channel_ids(
    conn: asyncpg.Connection, author_id: int, limit: int | None
) -> set[int]:
    """The author's oldest `limit` channels (None: all): the ones a plan's channel limit
    leaves writable."""
    rows = await conn.fetch(
        "SELECT id FROM channels WHERE author_id = $1 ORDER BY created_at, id LIMIT $2",
        author_id,
        limit,
    )
    return {r["id"] for r in rows}


async def count_channels(conn: asyncpg.Connection, author_id: int) -> int:
    return await conn.fetchval("SELECT count(*) FROM channels WHERE author_id = $1", author_id)


def _blog_select(channel: str, author: str) -> str:
    """A token's blog: the channel `channel`, or when that is NULL the default channel of
    `author` (SQL expressions: parameters or columns, never values)."""
    return f"""
    SELECT ch.id, ch.author_id, ch.slug, ch.custom_domain, ch.timezone, ch.default_language,
           coalesce(t.title, ch.slug) AS title, owner.moderation
    FROM channels ch
    JOIN authors owner ON owner.id = ch.author_id
    LEFT JOIN channel_translations t
           ON t.channel_id = ch.id AND t.language = ch.default_language
    WHERE CASE WHEN {channel} IS NULL THEN ch.author_id = {author} AND ch.is_default
               ELSE ch.id = {channel} END"""


_GET_BLOG = _blog_select("$1::bigint", "$2")


async def get_blog(
    conn: asyncpg.Connection | asyncpg.Pool, *, channel_id: int | None, author_id: int
) -> asyncpg.Record | None:
    """A token's blog: its own channel, or else its author's default channel; with the
    author's moderation override (NULL: the node's policy)."""
    return await conn.fetchrow(_GET_BLOG, channel_id, author_id)


# `get_blog` in the statement that resolves a token (`auth.principal_query(columns, joins)`),
# for the credential `c`: the same columns, prefixed `blog_` (all NULL when it has no blog).
BLOG_OF_CREDENTIAL_COLUMNS = """
       blog.id AS blog_id, blog.author_id AS blog_author_id, blog.slug AS blog_slug,
       blog.custom_domain AS blog_custom_domain, blog.timezone AS blog_timezone,
       blog.default_language AS blog_default_language, blog.title AS blog_title,
       blog.moderation AS blog_moderation"""
BLOG_OF_CREDENTIAL_JOINS = f"""
LEFT JOIN LATERAL ({_blog_select("c.channel_id", "c.author_id")}
) blog ON true"""


async def channel_id_by_slug(conn: asyncpg.Connection, slug: str) -> int | None:
    return await conn.fetchval("SELECT id FROM channels WHERE slug = $1", slug)


async def channel_id_by_domain(conn: asyncpg.Connection | asyncpg.Pool, host: str) -> int | None:
    """The id of the channel served on custom domain `host`, if any."""
    row = await select_channel_by_domain(conn, host)
    return row["id"] if row is not None else None


# -- a channel as the owner's pages and the IndieAuth server show it ---------------------------

_CARD = """
        SELECT c.id, c.author_id, c.slug, c.custom_domain, c.is_default, c.default_language,
               coalesce(t.title, c.slug) AS title, avatar.path AS avatar_path
        FROM channels c
        LEFT JOIN channel_translations t
               ON t.channel_id = c.id AND t.language = c.default_language
        LEFT JOIN media avatar ON avatar.id = c.avatar_media_id
"""


async def select_channel(
    conn: asyncpg.Connection | asyncpg.Pool, channel_id: int
) -> asyncpg.Record | None:
    """A channel with its title (in its default language) and avatar path."""
    return await conn.fetchrow(
        f"""{_CARD}        WHERE c.id = $1
        """,
        channel_id,
    )


async def select_author_channels(
    conn: asyncpg.Connection | asyncpg.Pool, author_id: int
) -> list[asyncpg.Record]:
    """The author's channels (as `select_channel`), the default one first."""
    return await conn.fetch(
        f"""{_CARD}        WHERE c.author_id = $1
        ORDER BY c.is_default DESC, c.created_at, c.id
        """,
        author_id,
    )


async def select_channel_by_domain(
    conn: asyncpg.Connection | asyncpg.Pool, domain: str
) -> asyncpg.Record | None:
    """The channel (id, author) served on custom domain `domain` (any case), if any."""
    return await conn.fetchrow(
        "SELECT id, author_id FROM channels WHERE custom_domain = $1", domain.lower()
    )


async def set_custom_domain(
    conn: asyncpg.Pool | asyncpg.Connection, channel_id: int, domain: str | None
) -> None:
    """Set or clear a channel's custom domain (UNIQUE: a taken one raises)."""
    await conn.execute(
        "UPDATE channels SET custom_domain = $2, updated_at = now() WHERE id = $1",
        channel_id,
        domain,
    )


# -- the owner's settings form (the v1 API's rules: publicasta-v1-resolved §1.4) ---------------


@dataclass(frozen=True)
class ChannelSettings:
    title: str
    description: str | None
    language: str
    status: str


def check_channel_settings(
    *, title: str, description: str, language: str, status: str
) -> ChannelSettings:
    """The settings a form sent, validated as the v1 API validates them; `Invalid` naming
    every field in error."""
    problems: dict[str, list[str]] = {}
    title = title.strip()
    if not 1 <= len(title) <= TITLE_MAX:
        problems["title"] = [f"The title must be 1 to {TITLE_MAX} characters."]
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = [
            f"The description may not be greater than {DESCRIPTION_MAX} characters."
        ]
    normalised = normalise_language(language.strip())
    if normalised is None:
        problems["default_language"] = [
            "The language must be a language code such as en, de or pt-BR."
        ]
    if status not in STATUSES:
        problems["status"] = ["The status must be published or draft."]
    if problems:
        raise Invalid(fields=problems)
    return ChannelSettings(title, description or None, normalised or "", status)


def check_channel_slug(slug: str) -> str:
    """A new channel's slug as typed (lower-cased); `Invalid` on `slug` when it breaks the
    slug rules or is reserved."""
    slug = slug.strip().lower()
    if not is_valid_slug(slug, min_length=2, max_length=SLUG_MAX):
        raise Invalid.field(
            "slug", "The slug may contain only a-z, 0-9, '_' and '-' (2 to 64 characters)."
        )
    if slug in RESERVED_CHANNEL_SLUGS:
        raise Invalid.field("slug", f"The slug {slug!r} is reserved.")
    return slug


async def save_channel_settings(
    conn: asyncpg.Connection, channel_id: int, settings: ChannelSettings
) -> None:
    """Title and description in the (new) default language, then language and status, in the
    caller's transaction. The channel's change time moves (its pages' and feeds' ETags)."""
    await upsert_channel_translation(
        conn, channel_id, settings.language, settings.title, settings.description
    )
    await update_channel(
        conn, channel_id, default_language=settings.language, status=settings.status
    )


async def select_channel_settings(
    conn: asyncpg.Connection | asyncpg.Pool, channel_id: int
) -> asyncpg.Record | None:
    """What the owner's settings form shows of a channel: status, language, title and
    description in that language, domain, the cover's and avatar's files, and its fediverse
    actor settings."""
    return await conn.fetchrow(
        """
        SELECT c.id, c.author_id, c.slug, c.status, c.default_language, c.custom_domain,
               c.is_default, coalesce(t.title, c.slug) AS title, t.description,
               avatar.path AS avatar_path, cover.path AS cover_path,
               c.ap_handle, c.ap_actor_type, c.ap_manual_followers, c.ap_discoverable
        FROM channels c
        LEFT JOIN channel_translations t
               ON t.channel_id = c.id AND t.language = c.default_language
        LEFT JOIN media avatar ON avatar.id = c.avatar_media_id
        LEFT JOIN media cover ON cover.id = c.cover_media_id
        WHERE c.id = $1
        """,
        channel_id,
    )


async def list_channel_rows(
    conn: asyncpg.Connection | asyncpg.Pool, author_id: int | None
) -> list[asyncpg.Record]:
    """Channels for the owner's list (`author_id` None: every channel of the node), with their
    title, status, author and domain; the author's own first."""
    return await conn.fetch(
        """
        SELECT c.id, c.slug, c.status, c.default_language, c.custom_domain, c.is_default,
               c.author_id, a.name AS author_name, coalesce(t.title, c.slug) AS title
        FROM channels c
        JOIN authors a ON a.id = c.author_id
        LEFT JOIN channel_translations t
               ON t.channel_id = c.id AND t.language = c.default_language
        WHERE $1::bigint IS NULL OR c.author_id = $1
        ORDER BY c.author_id, c.is_default DESC, c.created_at, c.id
        """,
        author_id,
    )
