"""Fediverse responses (issue 19) as rows of `webmentions` (protocol 'activitypub'): a Like
(type like), an Announce (repost) or a reply Note (reply) to one of our published, public
entries. They share the webmentions' ids, URL normalisation, moderation policy, blocks,
display and counts; `source` and `ap_object_id` are the Like's or Announce's id or the
Note's id, which an Update, Delete or Undo of the same actor names.

`entry_for_url` reads one of our entry URLs back (canonical, `?lang=`, an old slug, a custom
domain); the writes move the entry's `mentions_changed_at` (its ETag) when a shown response
changes. One function per statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hub.config import Settings
from hub.core.urls import (
    BadURL,
    host_of,
    normalize,
    origin,
    parse_target,
    registrable_domain,
    target_key,
)
from hub.core.webmentions.ids import new_mention_id
from hub.core.webmentions.policy import moderation_status

Conn = asyncpg.Connection | asyncpg.Pool


# Whether `webmention_blocks` refuses a remote actor (fragments `hub.core.federation`
# embeds in its reads of `ap_actors`): a domain block matches the host and every parent
# domain, a URL block the actor's URL.
BLOCKED_BY_PATTERNS = """EXISTS (SELECT 1 FROM webmention_blocks b
    WHERE (b.kind = 'domain' AND b.pattern = ANY($2::text[]))
       OR (b.kind = 'url' AND b.pattern = $3))"""  # $2 parent domains, $3 normalised URL


def blocked_key_signer(domains: str = "$2") -> str:
    """Whether a block refuses the actor `a` (ap_actors) that signed with a key whose URL's
    domains are the `text[]` parameter `domains`."""
    return f"""EXISTS (SELECT 1 FROM webmention_blocks b
    WHERE (b.kind = 'domain' AND (b.pattern = ANY({domains}::text[]) OR b.pattern = a.domain))
       OR (b.kind = 'url' AND b.pattern = a.uri))"""  # noqa: S608 - a parameter's name


BLOCKED_KEY_SIGNER = blocked_key_signer()  # `a`: ap_actors; $2 the keyId's domains
BLOCKED_ACTOR = """EXISTS (SELECT 1 FROM webmention_blocks b
    WHERE (b.kind = 'domain' AND (b.pattern = a.domain OR b.pattern = a.host
           OR right(a.host, length(b.pattern) + 1) = '.' || b.pattern))
       OR (b.kind = 'url' AND b.pattern = a.uri))"""  # `a`: ap_actors


@dataclass(frozen=True, slots=True)
class EntryTarget:
    entry_id: int
    channel_id: int
    url: str  # as the activity named it
    lang: str | None


# An entry by its slug or an old one, in the channel named by node slug or custom domain;
# only a published, public entry of a published channel.
_ENTRY = """
SELECT e.id AS entry_id, c.id AS channel_id
FROM channels c
JOIN entries e ON e.channel_id = c.id
WHERE (c.slug = $1 OR c.custom_domain = $2) AND c.status = 'published'
  AND (e.slug = $3 OR e.id = (SELECT h.entry_id FROM entry_slug_history h
                              WHERE h.channel_id = c.id AND h.slug = $3))
  AND e.status = 'published' AND e.visibility = 'public'
ORDER BY e.slug = $3 DESC
LIMIT 1
"""


def entry_lookup(settings: Settings, url: str) -> tuple[str | None, str | None, str] | None:
    """(channel slug, custom domain, entry slug) an entry URL names, without I/O; None for a
    URL that cannot be one of our entries."""
    path = parse_target(url) if isinstance(url, str) and len(url) <= 2048 else None
    if path is None:
        return None
    if (path.host, path.port) == origin(settings.base_url or ""):
        if len(path.segments) != 2:
            return None
        return path.segments[0], None, path.segments[1]
    if len(path.segments) != 1 or path.port is not None:
        return None
    return None, path.host, path.segments[0]


async def entry_for_url(conn: Conn, settings: Settings, url: str) -> EntryTarget | None:
    """The published, public entry `url` names, or None."""
    lookup = entry_lookup(settings, url)
    if lookup is None:
        return None
    row = await conn.fetchrow(_ENTRY, *lookup)
    if row is None:
        return None
    path = parse_target(url)
    return EntryTarget(row["entry_id"], row["channel_id"], url, path.lang if path else None)


@dataclass(frozen=True, slots=True)
class Response:
    """A fediverse response, read from its activity."""

    object_id: str  # the Like's or Announce's id, or the reply Note's
    type: str  # like | repost | reply
    actor_id: int  # `ap_actors.id`
    author_name: str | None
    author_url: str | None
    author_photo: str | None
    url: str | None
    name: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    published_at: datetime | None = None


_STORE = """
WITH before AS (
    SELECT status FROM webmentions WHERE ap_object_id = $2
), stored AS (
    INSERT INTO webmentions (id, source, target, source_norm, target_norm, source_host,
                             source_domain, entry_id, channel_id, target_lang, status, type,
                             author_name, author_url, author_photo, author_photo_path, url,
                             name, content_html, content_text, published_at, verified_at,
                             approved_at, protocol, ap_actor_id, ap_object_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, coalesce($21, now()), now(), CASE WHEN $11 = 'approved' THEN now() END,
            'activitypub', $22, $2)
    ON CONFLICT (ap_object_id) WHERE ap_object_id IS NOT NULL DO UPDATE SET
        author_name = EXCLUDED.author_name, author_url = EXCLUDED.author_url,
        author_photo = EXCLUDED.author_photo, author_photo_path = EXCLUDED.author_photo_path,
        url = EXCLUDED.url, name = EXCLUDED.name, content_html = EXCLUDED.content_html,
        content_text = EXCLUDED.content_text, verified_at = now()
    WHERE webmentions.ap_actor_id = EXCLUDED.ap_actor_id
    RETURNING id, status, source_domain, entry_id,
              coalesce((SELECT status FROM before), '') = 'approved' AS was_shown
)
, known AS (
    INSERT INTO webmention_known_sources (domain)
    SELECT source_domain FROM stored WHERE stored.status = 'approved'
    ON CONFLICT DO NOTHING
), touched AS (
    UPDATE entries SET mentions_changed_at = now()
    WHERE id IN (SELECT entry_id FROM stored WHERE stored.status = 'approved' OR stored.was_shown)
)
SELECT id, status FROM stored
"""


async def store_response(
    conn: asyncpg.Connection, settings: Settings, entry: EntryTarget, response: Response
) -> asyncpg.Record | None:
    """Store (or refresh, for the same actor) a response to `entry`, its status by the
    moderation policy of every received response; (`id`, `status`), or None when another
    actor's row holds that object id."""
    try:
        source_norm = normalize(response.object_id)
    except BadURL:
        return None
    host = host_of(source_norm)
    domain = registrable_domain(host)
    current = await conn.fetchval(
        "SELECT status FROM webmentions WHERE ap_object_id = $1", response.object_id
    )
    status = await moderation_status(
        conn, settings, current=current, content_html=response.content_html,
        source_host=host, source_domain=domain,
    )  # fmt: skip
    photo_path = await known_photo_path(conn, response.actor_id, response.author_photo)
    return await conn.fetchrow(
        _STORE,
        new_mention_id(), response.object_id, entry.url, source_norm, target_key(entry.url),
        host, domain, entry.entry_id, entry.channel_id, entry.lang, status, response.type,
        response.author_name, response.author_url, response.author_photo, photo_path,
        response.url, response.name, response.content_html, response.content_text,
        response.published_at, response.actor_id,
    )  # fmt: skip


async def known_photo_path(conn: Conn, actor_id: int, photo: str | None) -> str | None:
    """Our copy of `photo` made for an earlier response of the same actor, if any."""
    if photo is None:
        return None
    return await conn.fetchval(
        """
        SELECT author_photo_path FROM webmentions
        WHERE ap_actor_id = $1 AND author_photo = $2 AND author_photo_path IS NOT NULL
        LIMIT 1
        """,
        actor_id,
        photo,
    )


async def set_photo_path(conn: Conn, mention_id: str, path: str) -> None:
    """Our re-hosted copy of the author photo; a shown response's entry gets a new ETag."""
    await conn.execute(
        """
        WITH stored AS (
            UPDATE webmentions SET author_photo_path = $2 WHERE id = $1
            RETURNING entry_id, status
        )
        UPDATE entries SET mentions_changed_at = now()
        WHERE id IN (SELECT entry_id FROM stored WHERE status = 'approved')
        """,
        mention_id,
        path,
    )


async def update_reply(
    conn: asyncpg.Connection, object_id: str, actor_id: int, response: Response
) -> bool:
    """An Update of a reply Note: its new content, only from the actor that sent it."""
    n = await conn.fetchval(
        """
        WITH stored AS (
            UPDATE webmentions SET name = $3, content_html = $4, content_text = $5,
                   url = coalesce($6, url), verified_at = now()
            WHERE ap_object_id = $1 AND ap_actor_id = $2 AND status <> 'deleted'
            RETURNING entry_id, status, false AS was_shown, source_domain
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id IN (SELECT entry_id FROM stored WHERE status = 'approved')
        )
        SELECT count(*) FROM stored
        """,
        object_id,
        actor_id,
        response.name,
        response.content_html,
        response.content_text,
        response.url,
    )
    return n > 0


async def delete_response(conn: asyncpg.Connection, object_id: str, actor_id: int) -> bool:
    """A Delete of a reply, or an Undo of a Like or Announce: the row becomes a deleted
    tombstone (content cleared), only when `actor_id` sent it."""
    n = await conn.fetchval(
        """
        WITH before AS (
            SELECT id, status AS was FROM webmentions
            WHERE ap_object_id = $1 AND ap_actor_id = $2 AND status <> 'deleted' FOR UPDATE
        ), stored AS (
            UPDATE webmentions w SET status = 'deleted', deleted_at = now(),
                   content_html = NULL, content_text = NULL
            FROM before WHERE w.id = before.id
            RETURNING w.entry_id, before.was
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id IN (SELECT entry_id FROM stored WHERE was = 'approved')
        )
        SELECT count(*) FROM stored
        """,
        object_id,
        actor_id,
    )
    return n > 0


async def remove_actor_responses(conn: asyncpg.Connection, actor_id: int) -> int:
    """Every response of a deleted actor, gone; the entries that showed one get a new ETag."""
    return await conn.fetchval(
        """
        WITH gone AS (
            DELETE FROM webmentions WHERE ap_actor_id = $1 RETURNING entry_id, status
        ), touched AS (
            UPDATE entries SET mentions_changed_at = now()
            WHERE id IN (SELECT entry_id FROM gone WHERE status = 'approved')
        )
        SELECT count(*) FROM gone
        """,
        actor_id,
    )
