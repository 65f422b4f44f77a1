"""The one factories module of the tests: rows made straight in the database.

Authors (each with its default channel), credentials (Micropub app tokens, v1 API keys,
directory tokens, with scopes), entries with their translations, directory sites and feeds, and
received webmentions. Each function takes the pool, opens its own transaction and returns what
a test needs to go on (ids, a secret). Fixtures in the conftest files call these.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.db import transaction


@dataclass
class Author:
    """An author and its default channel."""

    author_id: int
    channel_id: int
    channel: str  # the channel's slug
    name: str


async def make_author(
    pool: asyncpg.Pool,
    name: str = "Ada",
    *,
    plan: str = "free",
    channel_slug: str | None = "{name}_blog",
    email: str | None = None,
    language: str = "en",
    moderation: str | None = None,
) -> Author:
    """An author with its default channel, whose slug is `channel_slug` with `{name}` the
    lower-cased name (None: the slug the core derives from the name)."""
    slug = channel_slug.format(name=name.lower()) if channel_slug else None
    async with transaction(pool) as conn:
        author = await create_author(
            conn, name, plan=plan, channel_slug=slug, email=email, language=language
        )
        if moderation:
            await conn.execute(
                "UPDATE authors SET moderation = $2 WHERE id = $1", author.id, moderation
            )
        channel = await conn.fetchrow(
            "SELECT id, slug FROM channels WHERE author_id = $1 AND is_default", author.id
        )
    return Author(author.id, channel["id"], channel["slug"], name)


async def make_credential(
    pool: asyncpg.Pool,
    author_id: int,
    *,
    kind: str = "api_key",
    scopes: Iterable[str] | str | None = None,
    name: str = "",
) -> str:
    """The secret of a new credential (`app_token`, `api_key`, `directory_token`, ...)."""
    if scopes is not None and not isinstance(scopes, str):
        scopes = list(scopes)
    async with transaction(pool) as conn:
        _, secret = await create_credential(
            conn, author_id=author_id, kind=kind, scopes=scopes, name=name
        )
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def make_entry(
    pool: asyncpg.Pool,
    author: Any,
    slug: str,
    *,
    content_html: str = "<p>Hello.</p>",
    properties: dict | None = None,
    status: str = "published",
    translations: dict[str, str] | None = None,
) -> int:
    """An entry of `author` (anything with `author_id` and `channel_id`) in its channel, with
    its translations (language -> content HTML), straight in the tables."""
    published = status == "published"
    async with transaction(pool) as conn:
        entry_id = await conn.fetchval(
            """
            INSERT INTO entries (channel_id, author_id, slug, default_language, status, kind,
                                 properties, published_at, created_via)
            VALUES ($1, $2, $3, 'en', $4, 'note', $5,
                    CASE WHEN $6 THEN now() END, 'cli')
            RETURNING id
            """,
            author.channel_id,
            author.author_id,
            slug,
            status,
            properties or {},
            published,
        )
        for language, html in (translations or {"en": content_html}).items():
            await conn.execute(
                """
                INSERT INTO entry_translations (entry_id, language, status, content_html,
                                                published_at)
                VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
                """,
                entry_id,
                language,
                "published" if published else "draft",
                html,
                published,
            )
    return entry_id


async def _insert(pool: asyncpg.Pool, table: str, row: dict[str, Any], returning: str) -> Any:
    columns = ", ".join(row)
    values = ", ".join(f"${n}" for n in range(1, len(row) + 1))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {returning}"
    return await pool.fetchval(sql, *row.values())


async def make_site(
    pool: asyncpg.Pool, link: str, *, link_key: str | None = None, **columns: Any
) -> int:
    """A directory site; `link_key` is the link itself unless given."""
    row = {"link": link, "link_key": link_key or link, **columns}
    return await _insert(pool, "sites", row, "id")


async def make_sites(
    pool: asyncpg.Pool, count: int, *, title: str, description: str, link: str
) -> None:
    """`count` directory sites in one statement, numbered 1..count: `{n}` in `title`,
    `description` and `link` is the number, and site n has n % 100 recommendations and type
    blog, microblog or photoblog in turn (n % 3). For searches over many sites."""
    await pool.execute(
        """
        INSERT INTO sites (link, link_key, title, description, type, total_recommendations)
        SELECT replace($3, '{n}', g::text), replace($3, '{n}', g::text),
               replace($1, '{n}', g::text), replace($2, '{n}', g::text),
               (ARRAY['blog', 'microblog', 'photoblog'])[1 + g % 3], g % 100
        FROM generate_series(1, $4::int) g
        """,
        title,
        description,
        link,
        count,
    )


async def make_feed(
    pool: asyncpg.Pool, site_id: int, feed_url: str, *, format: str = "rss", **columns: Any
) -> int:
    """A feed of a directory site; `feed_key` is its URL."""
    row = {"site_id": site_id, "feed_url": feed_url, "feed_key": feed_url, "format": format}
    return await _insert(pool, "feeds", row | columns, "id")


async def make_webmention(
    pool: asyncpg.Pool,
    channel_id: int,
    entry_id: int,
    target: str,
    *,
    source: str,
    status: str = "approved",
    type: str = "reply",
    **fields: Any,
) -> str:
    """A received webmention as the verify job leaves it; an approved one moves the entry's
    ETag as the job does. Returns its id."""
    mention_id = secrets.token_urlsafe(16)[:22]
    host = urlsplit(source).hostname or ""
    row = {"id": mention_id, "source": source, "target": target, "source_norm": source,
           "target_norm": target, "source_host": host, "source_domain": host,
           "entry_id": entry_id, "channel_id": channel_id, "status": status, "type": type,
           "verified_at": datetime.now(UTC), **fields}  # fmt: skip
    await _insert(pool, "webmentions", row, "id")
    if status == "approved":
        await pool.execute("UPDATE entries SET mentions_changed_at = now() WHERE id = $1", entry_id)
    return mention_id


async def make_token(
    pool: asyncpg.Pool,
    name: str = "reader",
    *,
    kind: str = "directory_token",
    plan: str = "free",
    scopes: Iterable[str] | str | None = None,
) -> tuple[int, str]:
    """(author id, secret) of a credential (a directory token unless told) of a new author."""
    author = await make_author(pool, name, plan=plan, channel_slug=None)
    return author.author_id, await make_credential(pool, author.author_id, kind=kind, scopes=scopes)


async def make_ap_actor(
    pool: asyncpg.Pool, uri: str, *, preferred_username: str | None = None, **fields: Any
) -> int:
    """A remote fediverse actor as the inbox caches it (`ap_actors`). Returns its id."""
    host = (urlsplit(uri).hostname or "").lower()
    row = {"uri": uri, "host": host, "domain": ".".join(host.split(".")[-2:]),
           "type": "Person", "inbox": f"{uri}/inbox", "preferred_username": preferred_username,
           "url": uri, **fields}  # fmt: skip
    return await _insert(pool, "ap_actors", row, "id")


async def make_ap_follower(
    pool: asyncpg.Pool, channel_id: int, actor_id: int, *, status: str = "accepted", **fields: Any
) -> int:
    """A follower of a channel (`ap_followers`), accepted unless told. Returns its id."""
    row = {"channel_id": channel_id, "actor_id": actor_id, "status": status,
           "follow_id": f"https://follows.example/{secrets.token_hex(6)}",
           "accepted_at": datetime.now(UTC) if status == "accepted" else None,
           **fields}  # fmt: skip
    return await _insert(pool, "ap_followers", row, "id")
